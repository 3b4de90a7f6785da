import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../daemon/router/decide';
import { routeInput } from '../../daemon/router/prepare';
import { PROMPT_SCAN_CHARS, PromptScanner, promptPattern, scannedPart } from '../../daemon/router/promptScan';
import type { PromptCondition } from '../../shared/config';
import { generatedPrompts, matchesAlone, SCAN_CHECK_CONDITIONS } from '../fixtures/promptPatterns';
import { compile, state } from './helpers/rules';

const scanOne = (cond: PromptCondition, text: string) => new PromptScanner([promptPattern(cond)]).scan(text)[0] === 1;

describe('prompt scanner: every prompt condition in one pass', () => {
  it('answers like each condition on its own (anchors, flags, folding, word boundaries, substrings)', () => {
    const scanner = new PromptScanner(SCAN_CHECK_CONDITIONS.map(promptPattern));
    let compared = 0;
    const wrong: string[] = [];
    for (const text of generatedPrompts(600)) {
      const hits = scanner.scan(text);
      SCAN_CHECK_CONDITIONS.forEach((cond, i) => {
        const alone = matchesAlone(cond, text);
        if (alone === undefined) return;
        compared++;
        if ((hits[i] === 1) !== alone) wrong.push(`${JSON.stringify(cond)} on ${JSON.stringify(text)}: scanner ${hits[i] === 1}`);
      });
    }
    assert.deepEqual(wrong.slice(0, 5), []);
    assert.ok(compared > 20_000, `compared ${compared}`);
  });

  it('knows which condition matched: hits are per condition, not per set', () => {
    const scanner = new PromptScanner([promptPattern({ regex: '^thanks', flags: 'i' }), promptPattern({ contains: 'sql' }), promptPattern({ regex: 'x{3}' })]);
    assert.deepEqual([...scanner.scan('Thanks! Which SQL index?')], [1, 1, 0]);
    assert.deepEqual([...scanner.scan('say thanks for xxx')], [0, 0, 1]);
    assert.deepEqual([...new PromptScanner([]).scan('anything')], []);
  });

  it('substrings: quoted literally; case-insensitive by Unicode case folding, like a regex with the i flag', () => {
    assert.equal(scanOne({ contains: 'a.b(' }, 'xa.b(y'), true);
    assert.equal(scanOne({ contains: 'a.b(' }, 'xaXb(y'), false);
    assert.equal(scanOne({ contains: '\\E' }, 'back\\Eslash'), true);
    assert.equal(scanOne({ contains: 'ΟΔΟΣ' }, 'η οδος'), true); // final sigma folds with capital sigma
    assert.equal(scanOne({ contains: 'kelvin' }, '\u212Aelvin'), true); // the Kelvin sign folds to k
    assert.equal(scanOne({ contains: 'SQL', caseSensitive: true }, 'sql'), false);
    assert.equal(scanOne({ contains: [] as unknown as string[] }, 'anything'), false);
    assert.equal(scanOne({ contains: '' }, ''), true);
  });

  it('a catastrophic-backtracking pattern scans a long prompt in linear time', () => {
    const scanner = new PromptScanner([promptPattern({ regex: '(a+)+$' }), promptPattern({ regex: '(x+x+)+y' })]);
    const started = process.hrtime.bigint();
    const hits = scanner.scan(`${'a'.repeat(40)}!${'x'.repeat(5_000)}`);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.deepEqual([...hits], [0, 0]);
    assert.ok(ms < 1000, `took ${ms} ms`);
  });
});

describe('decide with a prepared prompt scan', () => {
  const withRegex = (regex: string) => compile({ rules: [{ name: 'greeting', if: { prompt: { regex, flags: 'i' } }, then: 'fast' }] });

  it('uses the scan prepared for the same rules, and scans itself for any other rules (a reload in between)', () => {
    const before = withRegex('^hello');
    const after = withRegex('^goodbye');
    const input = routeInput({ prompt: 'goodbye, and thanks' }, before);
    assert.equal(decide(input, before, state()).rule, 'default');
    assert.equal(decide(input, after, state()).rule, 'greeting');
    assert.equal(decide({ ...input, promptScan: undefined }, after, state()).rule, 'greeting');
  });

  it('an `any` that fails names its first failure when the trace is read or serialized', () => {
    const rules = compile({ rules: [{ name: 'r', if: { any: [{ task: 'a' }, { prompt: { contains: 'zzz' } }] }, then: 'fast' }] });
    const failed = decide(routeInput({ prompt: 'hello', task: 'chat' }, rules), rules, state()).trace[0].failed!;
    const expected = { path: 'if.any', expected: 'one of 2 conditions', actual: 'none matched (first: if.any[0].task expected "a", got "chat")' };
    assert.equal(failed.actual, expected.actual);
    assert.deepEqual(JSON.parse(JSON.stringify(failed)), expected);
  });
});

describe('prompt scanner: bounded reading', () => {
  it('reads the first PROMPT_SCAN_CHARS characters of a prompt, and nothing after them', () => {
    const scanner = new PromptScanner([promptPattern({ contains: 'needle' }), promptPattern({ regex: '^start' }), promptPattern({ regex: 'end$' })]);
    const filler = 'x'.repeat(PROMPT_SCAN_CHARS);
    assert.deepEqual([...scanner.scan('start ' + filler + ' needle end')], [0, 1, 0], 'past the prefix: not seen');
    assert.deepEqual([...scanner.scan('start needle ' + filler + 'end')], [1, 1, 0]);
    assert.deepEqual([...scanner.scan('start needle end')], [1, 1, 1]);
    // `$` matches at the end of the part read, as docs/RULES.md says.
    assert.deepEqual([...scanner.scan(filler.slice(3) + 'end' + ' more text')], [0, 0, 1]);
  });

  it('bounds the time of one scan, however long the prompt', () => {
    const scanner = new PromptScanner([promptPattern({ regex: '\\b(prove|derive)\\b', flags: 'i' }), promptPattern({ contains: ['TODO', 'FIXME'] })]);
    const huge = 'const derived = compute(x); // notes\n'.repeat(800_000); // ≈30 MB
    const t0 = performance.now();
    scanner.scan(huge);
    const took = performance.now() - t0;
    assert.ok(took < 250, `one scan of a 30 MB prompt took ${took.toFixed(0)} ms`); // the whole prompt: ≈0.3–0.8 s
  });

  it('keeps a surrogate pair whole at the cut', () => {
    const p = 'a'.repeat(PROMPT_SCAN_CHARS - 1) + '😀' + 'tail';
    assert.equal(scannedPart(p).length, PROMPT_SCAN_CHARS - 1);
    assert.equal(scannedPart('short'), 'short');
  });
});
