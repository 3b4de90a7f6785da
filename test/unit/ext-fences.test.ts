// Getting code out of a model's answer and fitting it where the selection was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeBlocks, commonIndent, extractCode, fitIndentation } from '../../extension/requests/fences';

describe('fence extraction', () => {
  it('finds backtick and tilde fences with their info strings', () => {
    const blocks = codeBlocks('Here:\n```ts title="a.ts"\nconst a = 1;\n```\ntext\n~~~py\nx = 1\n~~~\n');
    assert.deepEqual(blocks, [
      { info: 'ts title="a.ts"', code: 'const a = 1;', closed: true },
      { info: 'py', code: 'x = 1', closed: true },
    ]);
  });

  it('a longer fence holds shorter fences inside it', () => {
    const answer = '````md\nUse:\n```js\nx()\n```\n````';
    assert.deepEqual(codeBlocks(answer), [{ info: 'md', code: 'Use:\n```js\nx()\n```', closed: true }]);
  });

  it('prefers the block tagged with the document language, then the longest', () => {
    const answer = 'Example usage:\n```bash\nnpm test --watch --coverage\n```\nThe code:\n```typescript\nexport const f = () => 1;\n```\n';
    assert.equal(extractCode(answer, 'typescript')?.code, 'export const f = () => 1;');
    assert.equal(extractCode(answer, 'python')?.code, 'npm test --watch --coverage');
    assert.equal(extractCode('```ts\nconst x = 1;\n```', 'typescriptreact')?.code, 'const x = 1;');
  });

  it('takes the whole answer when there is no fence, and nothing from an empty one', () => {
    assert.deepEqual(extractCode('  return a + b;\n'), { code: 'return a + b;', fenced: false, complete: true });
    assert.equal(extractCode('   \n'), null);
    assert.deepEqual(extractCode('```\n\n```\nplain'), { code: '```\n\n```\nplain', fenced: false, complete: true });
  });

  it('flags a block that was never closed (a cut answer)', () => {
    const got = extractCode('```js\nfunction f() {\n  return 1;', 'javascript');
    assert.deepEqual(got, { code: 'function f() {\n  return 1;', fenced: true, complete: false });
  });

  it('handles CRLF answers and indented fences', () => {
    assert.equal(extractCode('Sure:\r\n  ```go\r\n  x := 1\r\n  ```\r\n', 'go')?.code, '  x := 1');
  });
});

describe('fitting the proposal', () => {
  const fit = { baseIndent: '    ', firstLineInline: false, trailingNewline: true, eol: '\n' as const };

  it('re-indents to the replaced lines and keeps the final newline', () => {
    assert.equal(fitIndentation('if (a) {\n  b();\n}', fit), '    if (a) {\n      b();\n    }\n');
  });

  it('strips the proposal\'s own common indentation first', () => {
    assert.equal(fitIndentation('        x();\n\n        y();\n', fit), '    x();\n\n    y();\n');
  });

  it('leaves the first line alone when the selection started mid-line', () => {
    assert.equal(fitIndentation('foo(\n  1)', { ...fit, firstLineInline: true, trailingNewline: false }), 'foo(\n      1)');
  });

  it('uses the document\'s line endings', () => {
    assert.equal(fitIndentation('a\nb', { ...fit, baseIndent: '', eol: '\r\n' }), 'a\r\nb\r\n');
  });

  it('computes the common indentation of non-blank lines', () => {
    assert.equal(commonIndent(['    a', '', '      b', '    c']), '    ');
    assert.equal(commonIndent(['\t\ta', '\tb']), '\t');
    assert.equal(commonIndent(['', '  ']), '');
  });
});
