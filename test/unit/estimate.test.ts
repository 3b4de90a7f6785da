import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogEntry } from '../../shared/catalog';
import type { RouteRequest, RouterState } from '../../shared/decision';
import { formatMs, formatUsd } from '../../shared/format';
import { compile } from './helpers/rules';
import {
  CALIBRATION_RANGE,
  DEFAULT_OUTPUT_TOKENS,
  MIN_LATENCY_SAMPLES,
  calibrationFactor,
  estimateFor,
  expectedOutputTokens,
  priceUsage,
} from '../../daemon/estimate/estimate';
import type { ResolvedModel } from '../../daemon/rules/types';

function model(id: string, overrides: Partial<ResolvedModel> = {}): ResolvedModel {
  const e = catalogEntry(id);
  assert.ok(e, `catalog has ${id}`);
  return {
    name: id,
    provider: e.provider,
    providerType: e.provider,
    id,
    circuitKey: `${e.provider}/${id}`,
    inputPerMTok: e.inputPerMTok,
    outputPerMTok: e.outputPerMTok,
    cachedInputPerMTok: e.cachedInputPerMTok,
    cacheWritePerMTok: e.cacheWritePerMTok,
    priceKnown: true,
    contextWindow: e.contextWindow,
    maxOutputTokens: e.maxOutputTokens,
    capabilities: e.capabilities,
    encoding: e.encoding,
    ttftMs: e.ttftMs,
    tokensPerSecond: e.tokensPerSecond,
    ...overrides,
  };
}

const empty: Pick<RouterState, 'latencyStats' | 'calibration'> = { latencyStats: {}, calibration: {} };
const req = (r: Partial<RouteRequest> = {}): RouteRequest => ({ prompt: 'x', ...r });

describe('expectedOutputTokens', () => {
  it('uses the request cap when given, else the task default', () => {
    assert.equal(expectedOutputTokens({ maxOutputTokens: 500, task: 'tests' }), 500);
    assert.equal(expectedOutputTokens({ task: 'classification' }), 10);
    assert.equal(expectedOutputTokens({ task: 'tests' }), 1200);
    assert.equal(expectedOutputTokens({ task: 'refactor' }), 800);
    assert.equal(expectedOutputTokens({ task: 'Refactor ' }), 800, 'case and spaces do not matter');
    assert.equal(expectedOutputTokens({}), DEFAULT_OUTPUT_TOKENS.default);
    assert.equal(expectedOutputTokens({ task: 'no-such-task' }), 400);
  });

  it('ignores unusable caps and inherited object keys', () => {
    assert.equal(expectedOutputTokens({ task: 'chat', maxOutputTokens: 0 }), 300);
    assert.equal(expectedOutputTokens({ task: 'chat', maxOutputTokens: -5 }), 300);
    assert.equal(expectedOutputTokens({ task: 'chat', maxOutputTokens: Number.NaN }), 300);
    assert.equal(expectedOutputTokens({ task: 'constructor' }), 400);
    assert.equal(expectedOutputTokens({ task: '__proto__' }), 400);
  });

  it('has a default for every task the extension sends', () => {
    for (const t of ['classification', 'chat', 'explain', 'refactor', 'tests', 'fix', 'summarize', 'default']) {
      assert.ok(Number.isInteger(DEFAULT_OUTPUT_TOKENS[t]) && DEFAULT_OUTPUT_TOKENS[t] > 0, t);
    }
    assert.ok(Object.isFrozen(DEFAULT_OUTPUT_TOKENS));
  });
});

describe('estimateFor: cost', () => {
  it('prices input and output at the catalog rates (1,000 in + 500 out on gpt-4o-mini = $0.00045)', () => {
    const e = estimateFor(model('gpt-4o-mini-2024-07-18'), { o200k_base: 1000 }, req({ maxOutputTokens: 500 }), empty);
    assert.equal(e.inputTokens, 1000);
    assert.equal(e.outputTokens, 500);
    assert.equal(e.costUsd, 0.00045);
    assert.equal(formatUsd(e.costUsd), '$0.00045');
  });

  it('matches DESIGN prices for other models', () => {
    const cases: Array<[string, number, number, number]> = [
      ['gpt-4o-2024-08-06', 10_000, 1000, 0.035], // 10k × 2.50 + 1k × 10.00
      ['claude-3-5-sonnet-20241022', 2000, 400, 0.012], // 2k × 3 + 400 × 15
      ['claude-opus-4-20250514', 1_000_000, 1_000_000, 90],
      ['gpt-4.1-nano-2025-04-14', 1, 1, 0.0000005],
    ];
    for (const [id, input, output, usd] of cases) {
      const e = estimateFor(model(id), { o200k_base: input }, req({ maxOutputTokens: output }), empty);
      assert.ok(Math.abs(e.costUsd - usd) < 1e-12, `${id}: ${e.costUsd} vs ${usd}`);
    }
  });

  it('keeps sub-cent precision (no rounding to cents)', () => {
    const e = estimateFor(model('gpt-4o-mini-2024-07-18'), { o200k_base: 7 }, req({ maxOutputTokens: 3 }), empty);
    assert.ok(Math.abs(e.costUsd - (7 * 0.15 + 3 * 0.6) / 1e6) < 1e-18);
    assert.ok(e.costUsd > 0);
  });

  it('reports an unknown price as NaN (shown as "unknown", never $0)', () => {
    const e = estimateFor(model('gpt-4o-mini-2024-07-18', { priceKnown: false, inputPerMTok: 0, outputPerMTok: 0 }), { o200k_base: 1000 }, req(), empty);
    assert.ok(Number.isNaN(e.costUsd));
    assert.equal(formatUsd(e.costUsd), 'unknown');
    assert.equal(JSON.parse(JSON.stringify(e)).costUsd, null);
  });
});

describe('priceUsage: what a served request cost', () => {
  const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);
  it('OpenAI: cached input at the model\'s cache price (gpt-4o: $1.25 vs $2.50), the rest at list price', () => {
    // 2,000 plain × 2.5 + 8,000 cached × 1.25 + 100 out × 10 = $0.016
    close(priceUsage(model('gpt-4o-2024-08-06'), { inputTokens: 10_000, cachedInputTokens: 8_000, outputTokens: 100 }), 0.016);
    close(priceUsage(model('gpt-4.1-2025-04-14'), { inputTokens: 10_000, cachedInputTokens: 10_000, outputTokens: 0 }), 0.005);
  });
  it('Anthropic: cache reads at 0.1 × input, cache writes at 1.25 ×', () => {
    // sonnet: 1,000 plain × 3 + 6,000 read × 0.3 + 3,000 written × 3.75 + 100 out × 15 = $0.01755
    close(priceUsage(model('claude-3-5-sonnet-20241022'), { inputTokens: 10_000, cachedInputTokens: 6_000, cacheWriteInputTokens: 3_000, outputTokens: 100 }), 0.01755);
  });
  it('without cache counts it is the list price; impossible counts are clamped to the input', () => {
    close(priceUsage(model('gpt-4o-mini-2024-07-18'), { inputTokens: 1_000, outputTokens: 500 }), 0.00045);
    close(priceUsage(model('gpt-4o-2024-08-06'), { inputTokens: 1_000, cachedInputTokens: 5_000, cacheWriteInputTokens: 9, outputTokens: 0 }), 0.00125);
    assert.equal(priceUsage(model('gpt-4o-2024-08-06', { priceKnown: false }), { inputTokens: 1, outputTokens: 1 }), null);
  });
  it('a rules file that sets its own input price gets no cache discount unless it sets cache prices too', () => {
    const rules = compile({
      models: {
        mini: { provider: 'openai', id: 'gpt-4o-mini-2024-07-18', inputPerMTok: 1 },
        gpt4o: { provider: 'openai', id: 'gpt-4o-2024-08-06', inputPerMTok: 2, cachedInputPerMTok: 0.2 },
        haiku: { provider: 'anthropic', id: 'claude-3-5-haiku-20241022' },
        sonnet: { provider: 'anthropic', id: 'claude-3-5-sonnet-20241022' },
      },
    });
    assert.equal(rules.models.mini.cachedInputPerMTok, 1);
    assert.equal(rules.models.gpt4o.cachedInputPerMTok, 0.2);
    assert.equal(rules.models.gpt4o.cacheWritePerMTok, 2);
    assert.equal(rules.models.haiku.cachedInputPerMTok, 0.08);
    assert.equal(rules.models.haiku.cacheWritePerMTok, 1);
  });
});

describe('estimateFor: input tokens', () => {
  it("uses the model's encoding, falling back to o200k_base", () => {
    const cl = model('gpt-4o-mini-2024-07-18', { encoding: 'cl100k_base' });
    assert.equal(estimateFor(cl, { o200k_base: 100, cl100k_base: 120 }, req(), empty).inputTokens, 120);
    assert.equal(estimateFor(cl, { o200k_base: 100 }, req(), empty).inputTokens, 100);
    assert.equal(estimateFor(model('gpt-4o-2024-08-06'), { cl100k_base: 90 }, req(), empty).inputTokens, 90);
    assert.equal(estimateFor(model('gpt-4o-2024-08-06'), {}, req(), empty).inputTokens, 0);
  });

  it('applies the per-model calibration factor (default 1), rounded', () => {
    const haiku = model('claude-3-5-haiku-20241022');
    assert.equal(estimateFor(haiku, { o200k_base: 1000 }, req(), empty).inputTokens, 1000);
    const state = { latencyStats: {}, calibration: { 'claude-3-5-haiku-20241022': 1.23456 } };
    const e = estimateFor(haiku, { o200k_base: 1000 }, req({ maxOutputTokens: 100 }), state);
    assert.equal(e.inputTokens, 1235);
    assert.ok(Math.abs(e.costUsd - (1235 * 0.8 + 100 * 4) / 1e6) < 1e-15);
    // Another model's factor does not apply.
    assert.equal(estimateFor(model('gpt-4o-2024-08-06'), { o200k_base: 1000 }, req(), state).inputTokens, 1000);
  });

  it('ignores unusable calibration factors and clamps extreme ones', () => {
    assert.equal(calibrationFactor({ m: Number.NaN }, 'm'), 1);
    assert.equal(calibrationFactor({ m: 0 }, 'm'), 1);
    assert.equal(calibrationFactor({ m: -2 }, 'm'), 1);
    assert.equal(calibrationFactor({}, 'm'), 1);
    assert.equal(calibrationFactor(undefined, 'm'), 1);
    assert.equal(calibrationFactor({}, 'toString'), 1);
    assert.equal(calibrationFactor({ m: 100 }, 'm'), CALIBRATION_RANGE[1]);
    assert.equal(calibrationFactor({ m: 0.01 }, 'm'), CALIBRATION_RANGE[0]);
    assert.equal(calibrationFactor({ m: 1.1 }, 'm'), 1.1);
  });
});

describe('estimateFor: latency', () => {
  const mini = model('gpt-4o-mini-2024-07-18'); // seed: ttft 350 ms, 120 tokens/s

  it('uses the catalog seed without enough samples', () => {
    const e = estimateFor(mini, { o200k_base: 100 }, req({ maxOutputTokens: 240 }), empty);
    assert.equal(e.ttftMs, 350);
    assert.equal(e.latencyMs, 350 + 2000);
    const few = { calibration: {}, latencyStats: { [mini.id]: { ttftMs: 100, tokensPerSecond: 10, samples: MIN_LATENCY_SAMPLES - 1 } } };
    assert.deepEqual(estimateFor(mini, { o200k_base: 100 }, req({ maxOutputTokens: 240 }), few), e);
  });

  it('uses learned ttft and speed from 5 samples on', () => {
    assert.equal(MIN_LATENCY_SAMPLES, 5);
    const state = { calibration: {}, latencyStats: { [mini.id]: { ttftMs: 200.4, tokensPerSecond: 50, samples: 5 } } };
    const e = estimateFor(mini, { o200k_base: 100 }, req({ maxOutputTokens: 500 }), state);
    assert.equal(e.ttftMs, 200);
    assert.equal(e.latencyMs, 10_200); // 200.4 + 500 / 50 × 1000, rounded
  });

  it('falls back to the seed for unusable learned values, and to NaN without any speed', () => {
    const bad = { calibration: {}, latencyStats: { [mini.id]: { ttftMs: Number.NaN, tokensPerSecond: 0, samples: 50 } } };
    const e = estimateFor(mini, { o200k_base: 100 }, req({ maxOutputTokens: 240 }), bad);
    assert.equal(e.ttftMs, 350);
    assert.equal(e.latencyMs, 2350);
    const slowUnknown = estimateFor(model(mini.id, { tokensPerSecond: 0 }), { o200k_base: 1 }, req(), empty);
    assert.ok(Number.isNaN(slowUnknown.latencyMs));
    assert.equal(formatMs(slowUnknown.latencyMs), 'unknown');
  });
});

describe('estimateFor: purity', () => {
  it('returns the same estimate for the same inputs and mutates nothing', () => {
    const m = Object.freeze(model('claude-3-5-sonnet-20241022'));
    const counts = Object.freeze({ o200k_base: 4321 });
    const r = Object.freeze(req({ task: 'refactor' }));
    const state = Object.freeze({
      calibration: Object.freeze({ [m.id]: 1.1 }),
      latencyStats: Object.freeze({ [m.id]: Object.freeze({ ttftMs: 650, tokensPerSecond: 70, samples: 9 }) }),
    });
    const a = estimateFor(m, counts, r, state);
    const b = estimateFor(m, counts, r, state);
    assert.deepEqual(a, b);
    assert.deepEqual(a, { inputTokens: 4753, outputTokens: 800, costUsd: (4753 * 3 + 800 * 15) / 1e6, ttftMs: 650, latencyMs: 12079 });
  });
});

describe('formatUsd', () => {
  it('formats amounts for display', () => {
    const cases: Array<[number | null | undefined, string]> = [
      [null, 'unknown'],
      [undefined, 'unknown'],
      [Number.NaN, 'unknown'],
      [Number.POSITIVE_INFINITY, 'unknown'],
      [0, '$0.00'],
      [0.00045, '$0.00045'],
      [0.00042, '$0.00042'],
      [0.0004, '$0.0004'],
      [0.000123456, '$0.00012'],
      [0.0012345, '$0.0012'],
      [0.0099, '$0.0099'],
      [0.00999, '$0.01'],
      [0.0000005, '<$0.000001'],
      [0.0123, '$0.0123'],
      [0.01, '$0.01'],
      [0.5, '$0.50'],
      [0.12345, '$0.1235'],
      [1, '$1.00'],
      [1.5, '$1.50'],
      [12.345, '$12.35'],
      [1234.5, '$1,234.50'],
      [-0.0012, '-$0.0012'],
      [-2.5, '-$2.50'],
    ];
    for (const [n, s] of cases) assert.equal(formatUsd(n), s, String(n));
  });
});

describe('formatMs', () => {
  it('formats durations for display', () => {
    const cases: Array<[number | null | undefined, string]> = [
      [null, 'unknown'],
      [Number.NaN, 'unknown'],
      [0, '0 ms'],
      [-5, '0 ms'],
      [12.4, '12 ms'],
      [350, '350 ms'],
      [499, '499 ms'],
      [499.6, '0.5 s'],
      [700, '0.7 s'],
      [2350, '2.4 s'],
      [9949, '9.9 s'],
      [9960, '10 s'],
      [42_000, '42 s'],
      [59_600, '1 min'],
      [185_000, '3 min 5 s'],
      [3_600_000, '1 h'],
      [3_725_000, '1 h 2 min'],
    ];
    for (const [n, s] of cases) assert.equal(formatMs(n), s, String(n));
  });
});
