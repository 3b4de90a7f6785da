// What a request's token count reads: every text up to EXACT_CHARS, evenly spaced windows beyond.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXACT_CHARS, SAMPLE_WINDOWS, WINDOW_CHARS, finishCount, planRouteCount } from '../../daemon/estimate/routeCount';
import { decide } from '../../daemon/router/decide';
import { routeInput } from '../../daemon/router/prepare';
import { compile, state } from './helpers/rules';

describe('planRouteCount', () => {
  it('counts every text of a request up to EXACT_CHARS characters, exactly', () => {
    const plan = planRouteCount({ prompt: 'x'.repeat(EXACT_CHARS - 'user'.length) });
    assert.equal(plan.totalChars, EXACT_CHARS);
    assert.equal(plan.countedChars, plan.totalChars);
    assert.deepEqual(plan.texts.map((t) => t.length), ['user'.length, EXACT_CHARS - 'user'.length]);
    assert.deepEqual(finishCount(plan, [1, 7]), { tokens: plan.overhead + 8, approximate: false });
  });

  it('reads a larger request through SAMPLE_WINDOWS windows, from its start to its end, and scales', () => {
    const prompt = Array.from({ length: 3_000_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const plan = planRouteCount({ prompt, system: 'be brief' });
    assert.equal(plan.totalChars, 'system'.length + 'be brief'.length + 'user'.length + prompt.length);
    assert.ok(plan.countedChars <= EXACT_CHARS && plan.countedChars > EXACT_CHARS - 16, `${plan.countedChars}`);
    assert.equal(plan.texts[0], 'system', 'the first window starts at the first text');
    assert.equal(plan.texts.at(-1), prompt.slice(-(plan.texts.at(-1)!.length)), 'the last window ends at the end');
    assert.ok(plan.texts.length >= SAMPLE_WINDOWS && plan.texts.every((t) => t.length <= WINDOW_CHARS));
    const r = finishCount(plan, plan.texts.map((t) => t.length)); // one "token" per character
    assert.equal(r.approximate, true);
    assert.equal(r.tokens, plan.overhead + plan.totalChars);
  });

  it('is deterministic and never cuts a surrogate pair', () => {
    const prompt = '😀'.repeat(700_000) + 'a';
    const a = planRouteCount({ prompt });
    const b = planRouteCount({ prompt });
    assert.deepEqual(a, b);
    for (const t of a.texts) {
      assert.ok(!/^[\udc00-\udfff]/.test(t) && !/[\ud800-\udbff]$/.test(t), 'a window starts or ends inside a pair');
    }
  });
});

describe('a decision on an extrapolated count', () => {
  it('says so (inputTokensApproximate), and only then', () => {
    const rules = compile({});
    const big = decide(routeInput({ prompt: 'word '.repeat(EXACT_CHARS / 4) }, rules), rules, state());
    assert.equal(big.inputTokensApproximate, true);
    assert.equal((JSON.parse(JSON.stringify(big)) as { inputTokensApproximate?: boolean }).inputTokensApproximate, true);
    const small = decide(routeInput({ prompt: 'word' }, rules), rules, state());
    assert.equal(small.inputTokensApproximate, undefined);
    assert.ok(!('inputTokensApproximate' in (JSON.parse(JSON.stringify(small)) as object)));
  });
});
