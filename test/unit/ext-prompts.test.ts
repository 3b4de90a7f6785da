// The RouteRequest each task sends: routing fields, prompt (what prompt rules see), system instructions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildAskRequest, buildExplainRequest, buildFixRequest, buildRefactorRequest, buildTestsRequest, fenced, fenceFor,
} from '../../extension/requests/prompts';

const ctx = { source: 'codeAction' as const, urgency: 'normal' as const, language: 'typescript' };
const code = { code: 'const a = 1;\n', languageId: 'typescript', fileName: 'src/a.ts', before: 'import x from "x";\n', after: '' };

describe('prompt building', () => {
  it('Ask sends the prompt as is with task chat and the routing fields', () => {
    assert.deepEqual(buildAskRequest('thanks!', { source: 'palette', urgency: 'high', language: 'python' }), {
      prompt: 'thanks!', task: 'chat', source: 'palette', urgency: 'high', language: 'python',
    });
    assert.deepEqual(buildAskRequest('hi', { source: 'palette', urgency: 'low' }), { prompt: 'hi', task: 'chat', source: 'palette', urgency: 'low' });
  });

  it('every task carries task, source, urgency and language', () => {
    const requests = [
      buildExplainRequest(code, ctx),
      buildRefactorRequest(code, 'extract a function', ctx),
      buildTestsRequest(code, ctx),
      buildFixRequest(code, { message: 'x is unused', line: 3 }, ctx),
    ];
    assert.deepEqual(requests.map((r) => r.task), ['explain', 'refactor', 'tests', 'fix']);
    for (const r of requests) {
      assert.equal(r.source, 'codeAction');
      assert.equal(r.urgency, 'normal');
      assert.equal(r.language, 'typescript');
      assert.ok(r.system && r.system.length > 20);
      assert.ok(r.prompt.includes('```typescript\nconst a = 1;\n```'), r.prompt);
      assert.ok(r.prompt.includes('src/a.ts'));
    }
  });

  it('refactor puts the instruction first and asks for one code block', () => {
    const r = buildRefactorRequest(code, '  use let  ', ctx);
    assert.ok(r.prompt.startsWith('use let\n\nRefactor this typescript selection from src/a.ts:'));
    assert.match(r.system!, /exactly one fenced code block/);
  });

  it('includes read-only surroundings only when they are not blank', () => {
    const r = buildExplainRequest(code, ctx);
    assert.ok(r.prompt.includes('Context before (read-only):\n```typescript\nimport x from "x";\n```'));
    assert.ok(!r.prompt.includes('Context after'));
  });

  it('fix names the problem, its origin and line', () => {
    const r = buildFixRequest(code, { message: "Cannot find name 'y'.", source: 'ts', code: 2304, line: 12, severity: 'error' }, ctx);
    assert.ok(r.prompt.startsWith("Fix this error (ts 2304) on line 12: Cannot find name 'y'."), r.prompt);
  });

  it('fences survive backticks inside the code', () => {
    assert.equal(fenceFor('no ticks'), '```');
    assert.equal(fenceFor('a ```` b'), '`````');
    assert.equal(fenced('```\ninner\n```', 'md'), '````md\n```\ninner\n```\n````');
  });
});
