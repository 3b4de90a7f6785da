import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { classify, classifySketch, verdictSketch } from '../../daemon/classifier/classify';
import { classifierInput, extractFeatures } from '../../daemon/classifier/features';
import { loadModel, type WeightsFile } from '../../daemon/classifier/model';
import { bagFromSketch, sketchOf } from '../../daemon/classifier/sketch';
import { decide } from '../../daemon/router/decide';
import { routeInput } from '../../daemon/router/prepare';
import { DEFAULT_RULES_TEXT } from '../../daemon/rules/defaults';
import { parseRules } from '../../daemon/rules/load';
import { replay } from '../../daemon/replay';
import type { LedgerRow } from '../../daemon/ledger/ledger';
import type { RouteRequest } from '../../shared/decision';
import { compile, state } from './helpers/rules';

const ROOT = join(import.meta.dirname, '..', '..');
const defaults = () => parseRules(DEFAULT_RULES_TEXT, null).rules!;
const dryRun = (request: RouteRequest) => { const rules = defaults(); return decide(routeInput(request, rules), rules, state()); };

/** 300 lines of real TypeScript (the compiler's own source), the kind of paste a selection brings. */
function realCode(lines: number, from = 20_000): string {
  return readFileSync(join(ROOT, 'node_modules/typescript/lib/typescript.js'), 'utf8').split('\n').slice(from, from + lines).join('\n');
}

const THREAD_DUMP = `"pool-worker-3" #31 prio=5 os_prio=0 tid=0x00007f2c1c0d2800 nid=0x5b13 waiting for monitor entry [0x00007f2bf5dfe000]
   java.lang.Thread.State: BLOCKED (on object monitor)
\tat com.acme.ledger.AccountService.transfer(AccountService.java:88)
\t- waiting to lock <0x000000076b2a1e40> (a com.acme.ledger.Account)
\t- locked <0x000000076b2a1f10> (a com.acme.ledger.Account)
\tat com.acme.ledger.TransferJob.run(TransferJob.java:41)

"pool-worker-7" #35 prio=5 os_prio=0 tid=0x00007f2c1c0d9000 nid=0x5b17 waiting for monitor entry [0x00007f2bf59fa000]
   java.lang.Thread.State: BLOCKED (on object monitor)
\tat com.acme.ledger.AccountService.transfer(AccountService.java:88)
\t- waiting to lock <0x000000076b2a1f10> (a com.acme.ledger.Account)
\t- locked <0x000000076b2a1e40> (a com.acme.ledger.Account)
\tat com.acme.ledger.TransferJob.run(TransferJob.java:41)

Found one Java-level deadlock:
=============================
"pool-worker-7":
  waiting to lock monitor 0x00007f2bd8004e28 (object 0x000000076b2a1e40, a com.acme.ledger.Account),
  which is held by "pool-worker-3"`;

describe('the classifier', () => {
  it('is deterministic: the same request gets the same verdict and the same explanation, every time', () => {
    const input = classifierInput({ prompt: `why is this slow?\n\n${realCode(40)}`, task: 'chat', source: 'palette', language: 'typescript' });
    const a = classify(input), b = classify(input);
    assert.deepEqual(a.probabilities, b.probabilities);
    assert.deepEqual(a.features, b.features);
    assert.deepEqual(extractFeatures(input).index, extractFeatures(input).index);
    const p = a.probabilities;
    assert.ok(Math.abs(p.fast + p.standard + p.deep - 1) < 1e-9, 'probabilities sum to 1');
    assert.equal(a.confidence, Math.max(p.fast, p.standard, p.deep));
  });

  it('"thanks, but how do I fix this deadlock? <thread dump>" goes deep, and the trace says which features decided', () => {
    const d = dryRun({ prompt: `thanks, but how do I fix this deadlock?\n\n${THREAD_DUMP}`, task: 'chat', source: 'palette', language: 'java' });
    assert.equal(d.tier, 'deep');
    assert.equal(d.rule, 'needs depth');
    assert.ok(d.verdict && d.verdict.probabilities.deep >= 0.25);
    const json = JSON.parse(JSON.stringify(d));
    assert.ok(json.verdict.features.length >= 5, 'the decision carries the features that decided');
    assert.ok(json.verdict.features.some((f: { feature: string }) => /lock|concurrency|deadlock|thread/.test(f.feature)), JSON.stringify(json.verdict.features));
    assert.ok(json.verdict.features.every((f: { weight: number }, i: number, all: { weight: number }[]) => i === 0 || all[i - 1].weight >= f.weight), 'strongest first');
  });

  it('"rename usrCnt to userCount" above a 300-line paste goes fast: the paste does not decide', () => {
    const code = `${realCode(299)}\nconst usrCnt = users.length;`;
    const palette = dryRun({ prompt: `rename usrCnt to userCount\n\n\`\`\`typescript\n${code}\n\`\`\``, task: 'chat', source: 'palette', language: 'typescript' });
    assert.equal(palette.tier, 'fast', JSON.stringify(palette.verdict));
    const action = dryRun({ prompt: `rename usrCnt to userCount\n\nRefactor this typescript selection from src/stats.ts:\n\n\`\`\`typescript\n${code}\n\`\`\``, task: 'refactor', source: 'codeAction', language: 'typescript' });
    assert.equal(action.tier, 'fast', JSON.stringify(action.verdict));
  });

  it('reads an agent loop by its ask, not by the tool output after it', () => {
    const request: RouteRequest = {
      prompt: 'why do two workers sometimes both process the same job? we lock with SETNX and release in finally',
      source: 'http', messages: [{ role: 'user', content: 'why do two workers sometimes both process the same job? we lock with SETNX and release in finally' }],
      shape: { format: 'anthropic', hasTools: true, toolCount: 3, hasImages: false, hasDocuments: false, turns: 1, lastIsToolResult: true, needs: { tools: true, vision: false, documents: false, structuredOutput: false, reasoning: false } },
    };
    assert.equal(dryRun(request).tier, 'deep');
  });

  it('a ledger sketch re-classifies exactly as the prompt did, and a damaged one is refused', () => {
    const v = classify(classifierInput({ prompt: `add a retry with backoff here\n\n${realCode(30, 5000)}`, task: 'refactor', source: 'codeAction' }));
    const sketch = verdictSketch(v)!;
    assert.match(sketch, /^c1:/);
    assert.ok(sketch.length < 4000, `a sketch is small (${sketch.length} chars)`);
    assert.deepEqual(classifySketch(sketch)!.probabilities, v.probabilities);
    const bag = extractFeatures(classifierInput({ prompt: 'thanks!', task: 'chat' }));
    assert.deepEqual([...bagFromSketch(sketchOf(bag))!.index].sort(), [...bag.index].sort());
    assert.equal(classifySketch('c1:AAAA'), null);
    assert.equal(classifySketch('not a sketch'), null);
  });

  it('ships its weights in the repository, under 3 MB, and refuses weights trained for another layout', () => {
    const file = join(ROOT, 'daemon/classifier/weights.json');
    assert.ok(statSync(file).size <= 3 * 1024 * 1024);
    const w = JSON.parse(readFileSync(file, 'utf8')) as WeightsFile;
    assert.throws(() => loadModel({ ...w, layout: { ...w.layout, ask: { base: 0, size: 8 } } }), /another feature layout/);
    assert.throws(() => loadModel({ ...w, weights: 'AAAA' }), /bytes, expected/);
  });
});

describe('the classifier condition', () => {
  const request: RouteRequest = { prompt: 'why can this deadlock under load? two goroutines take the locks in opposite order', task: 'chat', source: 'palette', language: 'go' };
  const p = classify(classifierInput(request)).probabilities;

  it('minConfidence: holds when the tier is at least that likely; a list sums its tiers', () => {
    const at = (cond: unknown) => { const rules = compile({ rules: [{ name: 'c', if: { classifier: cond }, then: 'deep' }] }); return decide(routeInput(request, rules), rules, state()); };
    assert.equal(at({ tier: 'deep', minConfidence: Math.max(0, p.deep - 0.01) }).rule, 'c');
    assert.equal(at({ tier: 'deep', minConfidence: Math.min(1, p.deep + 0.01) }).rule, 'default');
    assert.equal(at({ tier: ['standard', 'deep'], minConfidence: Math.min(1, p.standard + p.deep - 0.01) }).rule, 'c');
    const failed = at({ tier: 'fast', minConfidence: 0.9 });
    assert.equal(failed.trace[0].failed!.path, 'if.classifier');
    assert.match(String(failed.trace[0].failed!.actual), /^deep \(fast 0\.\d\d · standard 0\.\d\d · deep 0\.\d\d\)$/);
    assert.ok(failed.verdict, 'a decision whose rules read the classifier carries its verdict');
  });

  it('without minConfidence: holds when the likeliest tier is the one named', () => {
    const rules = compile({ rules: [{ name: 'likeliest', if: { classifier: { tier: 'deep' } }, then: 'deep' }] });
    assert.equal(decide(routeInput(request, rules), rules, state()).rule, p.deep >= Math.max(p.fast, p.standard) ? 'likeliest' : 'default');
    const none = compile({ rules: [{ name: 'task only', if: { task: 'chat' }, then: 'fast' }] });
    assert.equal(decide(routeInput(request, none), none, state()).verdict, undefined, 'rules that never read it do not classify');
  });

  it('the schema refuses confidences outside 0–1 and unknown tiers, naming the place', () => {
    for (const cond of [{ tier: 'deep', minConfidence: 1.5 }, { tier: 'huge' }, { tier: [] }, { tier: 'deep', extra: 1 }]) {
      const { rules, issues } = parseRules(JSON.stringify({ version: 1, rules: [{ name: 'x', if: { classifier: cond }, then: 'a' }], default: 'a', models: { a: { provider: 'p', id: 'gpt-4o-mini-2024-07-18' } }, providers: { p: { type: 'openai' } } }), 'r.json');
      assert.equal(rules, null, JSON.stringify(cond));
      assert.ok(issues.some((i) => i.path?.startsWith('rules[0].if.classifier')), JSON.stringify(issues));
    }
  });

  it('a rule that needs a less likely verdict than an earlier one is reported as shadowed', () => {
    const rules = compile({ rules: [
      { name: 'likely deep', if: { classifier: { tier: 'deep', minConfidence: 0.3 } }, then: 'deep' },
      { name: 'surely deep', if: { classifier: { tier: 'deep', minConfidence: 0.8 } }, then: 'deep' },
      { name: 'deep or standard', if: { classifier: { tier: ['deep', 'standard'], minConfidence: 0.2 } }, then: 'standard' },
    ] });
    const shadowed = rules.warnings.filter((w) => w.code === 'shadowed-rule').map((w) => w.message);
    assert.equal(shadowed.length, 1, JSON.stringify(shadowed));
    assert.match(shadowed[0], /"surely deep" can never match/);
  });
});

describe('replay with the classifier', () => {
  const row = (over: Partial<LedgerRow>): LedgerRow => ({
    id: 'r', time: 1_700_000_000_000, source: 'palette', task: 'chat', rule: 'default', tier: 'standard', provider: 'openai', model: 'gpt-4o-2024-08-06',
    status: 'ok', inputTokens: 40, outputTokens: 200, cachedTokens: null, reasoningTokens: null, costUsd: 0.002, estimatedCostUsd: 0.002, defaultCostUsd: 0.002, maxCostUsd: 0.002,
    ttftMs: 300, totalMs: 900, fallbacks: 0, attempts: [], error: null, promptHash: 'h', prompt: null, features: { inputTokens: 40, task: 'chat', source: 'palette' },
    ...over,
  } as LedgerRow);

  it('re-decides a row whose prompt was not stored from the features it kept, and says why it skips one that kept none', () => {
    const rules = defaults();
    const v = classify(classifierInput({ prompt: 'thanks!', task: 'chat', source: 'palette' }));
    const withSketch = row({ features: { inputTokens: 5, task: 'chat', source: 'palette', verdict: { tier: v.tier, confidence: v.confidence }, classifier: verdictSketch(v) } });
    const result = replay([withSketch, row({ id: 'old' })], rules, state(), () => 0);
    assert.equal(result.considered, 1);
    assert.equal(result.changedTier, 1, 'the thank-you that went to standard would now go fast');
    assert.equal(result.skipped, 1);
    assert.match(result.skippedReason!, /before the classifier kept its features/);
  });
});
