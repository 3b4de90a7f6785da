/** engine.ts `deliveredUsage`: what a stream that ended after its first delta is billed for. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deliveredUsage } from '../../daemon/engine';
import { countTokens } from '../../daemon/estimate/tokens';

describe('deliveredUsage', () => {
  test('usage reported after the last delta is the upstream\'s own count, not an estimate', () => {
    const usage = { inputTokens: 40, outputTokens: 7 };
    assert.deepEqual(deliveredUsage({ usage, usageCoversText: true, partialText: 'a b c d e f g' }, 'o200k_base', 99), { usage, estimated: null });
  });

  test('no usage reported: output counted in the delivered text, input from the routing estimate; marked estimated', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(3);
    const r = deliveredUsage({ usage: null, usageCoversText: false, partialText: text }, 'o200k_base', 123);
    assert.deepEqual(r.usage, { inputTokens: 123, outputTokens: countTokens(text, 'o200k_base') });
    assert.match(r.estimated!, /output tokens counted in the delivered text, input tokens from the routing estimate/);
  });

  test('usage seen before some of the text (Anthropic message_start): its input kept, output counted, never below the reported', () => {
    const early = { inputTokens: 55, outputTokens: 1, cachedInputTokens: 5 };
    const r = deliveredUsage({ usage: early, usageCoversText: false, partialText: 'one two three four five six' }, 'o200k_base', 999);
    assert.equal(r.usage.inputTokens, 55);
    assert.equal(r.usage.cachedInputTokens, 5);
    assert.equal(r.usage.outputTokens, countTokens('one two three four five six', 'o200k_base'));
    assert.match(r.estimated!, /^output tokens counted in the delivered text$/);
    assert.equal(deliveredUsage({ usage: { inputTokens: 1, outputTokens: 50 }, usageCoversText: false, partialText: 'hi' }, 'o200k_base', 0).usage.outputTokens, 50);
  });

  test('a long delivered text is counted from its head and scaled, so a cut answer of megabytes costs no long count', () => {
    const text = 'lorem ipsum dolor sit amet '.repeat(40_000); // ~1 MB
    const started = performance.now();
    const r = deliveredUsage({ usage: null, usageCoversText: false, partialText: text }, 'o200k_base', 0);
    assert.ok(performance.now() - started < 500);
    const exact = countTokens(text, 'o200k_base');
    assert.ok(Math.abs(r.usage.outputTokens - exact) / exact < 0.02, `${r.usage.outputTokens} vs ${exact}`);
  });
});
