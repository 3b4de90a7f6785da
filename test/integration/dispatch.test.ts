/**
 * Dispatch with the REAL SDK adapters against the fault-injecting mock upstream over loopback.
 * Matrix: every fault × plain and streaming × OpenAI or Anthropic as the primary candidate. Asserts the answer,
 * the attempts, and how many calls each upstream received (mock count), plus Retry-After as a floor, circuit
 * breakers, timeouts, cuts after the commit point, cancel — and that nothing leaks.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import type { FallbackConfig, ProviderType } from '../../shared/config';
import type { Candidate } from '../../shared/decision';
import type { Attempt } from '../../shared/protocol';
import { CircuitBreakers } from '../../daemon/dispatch/circuit';
import { dispatch, DispatchError, type DispatchOptions, type DispatchResult } from '../../daemon/dispatch/dispatch';
import { upstreamLeg, type Leg } from '../../daemon/dispatch/leg';
import { planCalls } from '../../daemon/dispatch/plan';
import { AdapterPool } from '../../daemon/providers/index';
import type { CanonicalRequest } from '../../shared/canonical';
import type { ResolvedProvider } from '../../daemon/rules/types';
import { ProviderError } from '../../daemon/providers/types';
import { defaultAnswer, splitDeltas, startMockUpstream, type Fault, type MockUpstream } from '../fixtures/mock-upstream';

// ---- leak and rejection guards ----

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
process.on('unhandledRejection', onUnhandled);

// ---- setup ----

type Api = 'openai' | 'anthropic';
const MODEL: Record<Api, string> = { openai: 'gpt-4o-mini-2024-07-18', anthropic: 'claude-3-5-haiku-20241022' };
const MODEL2: Record<Api, string> = { openai: 'gpt-4o-2024-08-06', anthropic: 'claude-3-7-sonnet-20250219' };
const KEY: Record<Api, string> = { openai: 'sk-test-openai-0123456789', anthropic: 'sk-ant-test-0123456789' };
const PROMPT = 'Say hello to the switchyard';
const other = (api: Api): Api => (api === 'openai' ? 'anthropic' : 'openai');
const answer = (api: Api, model = MODEL[api]) => defaultAnswer(model, PROMPT, 5);

function cand(api: Api, model = MODEL[api]): Candidate {
  return {
    name: `${api}:${model}`, provider: api, providerType: api as ProviderType, model,
    estimate: { inputTokens: 10, outputTokens: 10, costUsd: 0, ttftMs: 100, latencyMs: 200 },
  };
}

const FALLBACK: FallbackConfig = {
  retryOn: [408, 429, 500, 502, 503, 504, 529, 'timeout', 'network'],
  timeoutMs: 5_000,
  maxRetryAfterMs: 2_000,
  circuit: { failures: 3, coolDownMs: 30_000 },
};

let mock: MockUpstream;
let providers: Record<Api, ResolvedProvider>;
// One pool for the whole file: adapters are created once per provider + key and reused (keep-alive).
const pool = new AdapterPool();

before(async () => {
  mock = await startMockUpstream();
  providers = {
    openai: { name: 'openai', type: 'openai', baseURL: mock.openaiBaseURL, keyRequired: true },
    anthropic: { name: 'anthropic', type: 'anthropic', baseURL: mock.anthropicBaseURL, keyRequired: true },
  };
});

after(async () => {
  await mock?.close();
  process.off('unhandledRejection', onUnhandled);
});

beforeEach(() => mock.reset());

afterEach(async () => {
  // Let stray promise rejections surface before checking.
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(unhandled, [], 'no unhandled rejections');
});

interface Run {
  result?: DispatchResult;
  error?: DispatchError;
  deltas: { text: string; at: number }[];
  attempts: Attempt[];
  fallbacks: { from: Attempt; to: { provider: string; model: string } }[];
  ms: number;
}

/** The leg the engine would plan for a candidate: the request built in its provider's format, sent by the real SDK. */
function legFor(c: Candidate, request: CanonicalRequest): Leg {
  const call = planCalls(request, [c]).calls.get(c)!;
  return upstreamLeg(pool.get(providers[c.provider as Api], KEY[c.provider as Api]), call, request);
}

interface Extra extends Partial<Omit<DispatchOptions, 'legFor' | 'onChunk'>> {
  legFor?: (c: Candidate, request: CanonicalRequest) => Leg | ProviderError;
  onDelta?: (text: string) => void;
}

async function run(candidates: Candidate[], opts: { stream: boolean; fallback?: Partial<FallbackConfig>; circuits?: CircuitBreakers; signal?: AbortSignal; extra?: Extra }): Promise<Run> {
  const fallback = { ...FALLBACK, ...opts.fallback };
  const out: Run = { deltas: [], attempts: [], fallbacks: [], ms: 0 };
  const t0 = Date.now();
  const request: CanonicalRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }], stream: opts.stream, maxTokens: 64 };
  const { legFor: pickLeg = legFor, onDelta = (text: string) => { out.deltas.push({ text, at: Date.now() }); }, ...extra } = opts.extra ?? {};
  try {
    out.result = await dispatch({
      decision: { candidates },
      request,
      fallback,
      legFor: (c) => pickLeg(c, request),
      circuits: opts.circuits ?? new CircuitBreakers(fallback.circuit),
      onAttempt: (a) => out.attempts.push(a),
      onChunk: (chunk) => { for (const ev of chunk.events) if (ev.type === 'delta') onDelta(ev.text); },
      onFallback: (from, to) => out.fallbacks.push({ from, to }),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...extra,
    });
  } catch (err) {
    if (!(err instanceof DispatchError)) throw err;
    out.error = err;
  }
  out.ms = Date.now() - t0;
  return out;
}

const summary = (attempts: Attempt[]) =>
  attempts.map((a) => `${a.provider} ${a.outcome}${a.status ? ` ${a.status}` : ''}${a.reason ? ` ${a.reason}` : ''}`);

function ok(r: Run): DispatchResult {
  assert.ok(r.result, `expected success, got ${r.error?.message}`);
  return r.result;
}

function failed(r: Run): DispatchError {
  assert.ok(r.error, `expected a DispatchError, got ${JSON.stringify(r.result?.text)}`);
  return r.error;
}

// ---- the matrix ----

/** A fault that the primary survives by falling back to the other provider. */
interface FallbackCase {
  name: string;
  fault: Fault;
  reason: string;
  status?: number;
  streams: boolean[];
  fallback?: Partial<FallbackConfig>;
}

const FALLBACK_CASES: FallbackCase[] = [
  { name: '429 without Retry-After', fault: { kind: 'status', status: 429 }, reason: 'rate-limited', status: 429, streams: [false, true] },
  { name: '500', fault: { kind: 'status', status: 500 }, reason: 'server-error', status: 500, streams: [false, true] },
  { name: '503', fault: { kind: 'status', status: 503 }, reason: 'overloaded', status: 503, streams: [false, true] },
  { name: '529', fault: { kind: 'status', status: 529 }, reason: 'overloaded', status: 529, streams: [false, true] },
  { name: 'hang (times out)', fault: { kind: 'hang' }, reason: 'timeout', streams: [false, true], fallback: { timeoutMs: 300 } },
  { name: 'connection reset', fault: { kind: 'reset' }, reason: 'network', streams: [false, true] },
  { name: 'malformed JSON', fault: { kind: 'malformed-json' }, reason: 'malformed', streams: [false, true] },
  { name: 'malformed SSE before the first delta', fault: { kind: 'malformed-sse', afterDeltas: 0 }, reason: 'malformed', streams: [true] },
  { name: 'malformed SSE (plain request: bad JSON)', fault: { kind: 'malformed-sse' }, reason: 'malformed', streams: [false] },
  { name: 'cut mid-body (plain request)', fault: { kind: 'cut', afterDeltas: 3 }, reason: 'network', streams: [false] },
  // A short timeout so that, should the cut not close the socket, this fails fast as `timeout` instead of hanging.
  { name: 'cut before the first delta', fault: { kind: 'cut', afterDeltas: 0 }, reason: 'stream-cut', streams: [true], fallback: { timeoutMs: 1_000 } },
];

for (const primary of ['openai', 'anthropic'] as const) {
  const secondary = other(primary);
  describe(`${primary} primary, ${secondary} fallback`, () => {
    for (const stream of [false, true]) {
      const mode = stream ? 'streaming' : 'plain';

      test(`${mode}: healthy primary answers; the fallback is not called`, async () => {
        const r = await run([cand(primary), cand(secondary)], { stream });
        const res = ok(r);
        assert.equal(res.text, answer(primary));
        assert.equal(res.provider, primary);
        assert.equal(res.model, MODEL[primary]);
        assert.equal(res.finishReason, 'stop');
        assert.ok(res.usage && res.usage.inputTokens > 0 && res.usage.outputTokens === 5, `usage: ${JSON.stringify(res.usage)}`);
        assert.deepEqual(summary(res.attempts), [`${primary} ok`]);
        assert.equal(mock.count({ api: primary }), 1);
        assert.equal(mock.count({ api: secondary }), 0);
        if (stream) {
          assert.deepEqual(r.deltas.map((d) => d.text), splitDeltas(answer(primary), 5));
          assert.ok(res.ttftMs !== null && res.ttftMs >= 0);
        } else {
          assert.deepEqual(r.deltas, []);
        }
        const body = mock.requests[0]!.body;
        assert.equal(body.model, MODEL[primary]);
        assert.equal(body.stream, stream);
        if (primary === 'anthropic') assert.equal(body.max_tokens, 64);
        if (primary === 'openai' && stream) assert.deepEqual(body.stream_options, { include_usage: true });
      });

      for (const c of FALLBACK_CASES.filter((x) => x.streams.includes(stream))) {
        test(`${mode}: ${c.name} → falls back to ${secondary}`, async () => {
          mock.fail({ api: primary, fault: c.fault, times: 1 });
          const r = await run([cand(primary), cand(secondary)], { stream, ...(c.fallback ? { fallback: c.fallback } : {}) });
          const res = ok(r);
          assert.equal(res.text, answer(secondary));
          assert.equal(res.provider, secondary);
          assert.deepEqual(summary(res.attempts), [`${primary} failed${c.status ? ` ${c.status}` : ''} ${c.reason}`, `${secondary} ok`]);
          assert.equal(res.fallbacks, 1);
          assert.equal(r.fallbacks.length, 1);
          assert.deepEqual(r.fallbacks[0]!.to, { provider: secondary, model: MODEL[secondary] });
          assert.equal(mock.count({ api: primary }), 1);
          assert.equal(mock.count({ api: secondary }), 1);
          if (stream) {
            // Before the commit point the failure is invisible: the caller sees exactly one clean stream.
            assert.equal(r.deltas.map((d) => d.text).join(''), answer(secondary));
          }
          if (c.fault.kind === 'hang') assert.ok(res.attempts[0]!.elapsedMs >= 290 && res.attempts[0]!.elapsedMs < 2_000);
        });
      }

      test(`${mode}: permanent 400 fails fast, no fallback`, async () => {
        mock.fail({ api: primary, fault: { kind: 'status', status: 400, message: 'max_tokens too large' } });
        const r = await run([cand(primary), cand(secondary)], { stream });
        const e = failed(r);
        assert.equal(e.code, 'permanent');
        assert.equal(e.status, 400);
        assert.deepEqual(summary(e.attempts), [`${primary} failed 400 bad-request`]);
        assert.match(e.message, /max_tokens too large/);
        assert.equal(mock.count({ api: primary }), 1);
        assert.equal(mock.count({ api: secondary }), 0);
        assert.deepEqual(r.deltas, []);
      });

      for (const status of [404, 422]) {
        test(`${mode}: permanent ${status} fails fast`, async () => {
          mock.fail({ api: primary, fault: { kind: 'status', status } });
          const e = failed(await run([cand(primary), cand(secondary)], { stream }));
          assert.equal(e.code, 'permanent');
          assert.equal(e.status, status);
          assert.equal(mock.count({ api: secondary }), 0);
        });
      }

      test(`${mode}: 401 skips every ${primary} candidate, then ${secondary} answers`, async () => {
        mock.fail({ api: primary, fault: { kind: 'status', status: 401 } });
        const r = await run([cand(primary), cand(primary, MODEL2[primary]), cand(secondary)], { stream });
        const res = ok(r);
        assert.equal(res.text, answer(secondary));
        assert.deepEqual(summary(res.attempts), [`${primary} failed 401 auth`, `${primary} skipped auth`, `${secondary} ok`]);
        assert.equal(mock.count({ api: primary }), 1);
        assert.equal(mock.count({ api: secondary }), 1);
      });

      test(`${mode}: no key skips ${primary} without calling it`, async () => {
        const r = await run([cand(primary), cand(secondary)], {
          stream,
          extra: {
            legFor: (c, request) => (c.provider === primary ? new ProviderError('no-key', `no API key for provider "${primary}"`) : legFor(c, request)),
          },
        });
        const res = ok(r);
        assert.deepEqual(summary(res.attempts), [`${primary} skipped no-key`, `${secondary} ok`]);
        assert.equal(mock.count({ api: primary }), 0);
      });

      test(`${mode}: Retry-After-ms 300 is a floor — same target retried after ≥ 300 ms`, async () => {
        mock.fail({ api: primary, fault: { kind: 'status', status: 429, retryAfterMs: 300 }, times: 1 });
        const r = await run([cand(primary), cand(secondary)], { stream });
        const res = ok(r);
        assert.equal(res.provider, primary);
        assert.equal(res.text, answer(primary));
        assert.deepEqual(summary(res.attempts), [`${primary} failed 429 rate-limited`, `${primary} ok`]);
        assert.equal(res.attempts[0]!.retryAfterMs, 300);
        assert.equal(mock.count({ api: primary }), 2);
        assert.equal(mock.count({ api: secondary }), 0);
        const [first, second] = mock.requests;
        assert.ok(second!.time - first!.time >= 300, `retried after ${second!.time - first!.time} ms`);
        assert.equal(res.fallbacks, 0);
      });

      test(`${mode}: Retry-After 30 (seconds) → next candidate immediately`, async () => {
        mock.fail({ api: primary, fault: { kind: 'status', status: 503, retryAfter: '30' } });
        const r = await run([cand(primary), cand(secondary)], { stream });
        const res = ok(r);
        assert.equal(res.provider, secondary);
        assert.equal(res.attempts[0]!.retryAfterMs, 30_000);
        assert.ok(r.ms < 2_000, `took ${r.ms} ms`);
        assert.equal(mock.count({ api: primary }), 1);
      });

      test(`${mode}: Retry-After as an HTTP date far ahead → next candidate immediately`, async () => {
        mock.fail({ api: primary, fault: { kind: 'status', status: 429, retryAfter: new Date(Date.now() + 60_000).toUTCString() } });
        const r = await run([cand(primary), cand(secondary)], { stream });
        const res = ok(r);
        assert.equal(res.provider, secondary);
        assert.ok(res.attempts[0]!.retryAfterMs! > 50_000);
        assert.ok(r.ms < 2_000);
      });

      test(`${mode}: circuit opens after 3 × 503; the 4th request skips ${primary} without calling it; after cool-down one probe goes`, async () => {
        let now = Date.now();
        const circuits = new CircuitBreakers({ failures: 3, coolDownMs: 30_000, now: () => now });
        mock.fail({ api: primary, fault: { kind: 'status', status: 503 }, times: 3 });
        for (let i = 0; i < 3; i++) {
          const res = ok(await run([cand(primary), cand(secondary)], { stream, circuits }));
          assert.equal(res.provider, secondary);
        }
        assert.equal(mock.count({ api: primary }), 3);
        assert.equal(circuits.info(primary, MODEL[primary]).state, 'open');

        const fourth = ok(await run([cand(primary), cand(secondary)], { stream, circuits }));
        assert.deepEqual(summary(fourth.attempts), [`${primary} skipped circuit-open`, `${secondary} ok`]);
        assert.equal(mock.count({ api: primary }), 3, 'the open circuit kept the 4th request away');

        now += 30_000;
        assert.equal(circuits.snapshot()[`${primary}/${MODEL[primary]}`]?.state, 'half-open');
        const probe = ok(await run([cand(primary), cand(secondary)], { stream, circuits }));
        assert.equal(probe.provider, primary);
        assert.equal(mock.count({ api: primary }), 4, 'exactly one probe');
        assert.equal(circuits.info(primary, MODEL[primary]).state, 'closed');
      });

      test(`${mode}: all candidates failing → error lists each attempt with reason and elapsed`, async () => {
        mock.fail({ api: primary, fault: { kind: 'status', status: 503 } });
        mock.fail({ api: secondary, fault: { kind: 'reset' } });
        const e = failed(await run([cand(primary), cand(secondary)], { stream }));
        assert.equal(e.code, 'all-failed');
        assert.match(e.message, new RegExp(`${primary}/${MODEL[primary]}: 503 overloaded after \\d+ ms`));
        assert.match(e.message, new RegExp(`${secondary}/${MODEL[secondary]}: network after \\d+ ms`));
        assert.ok(!e.message.includes(KEY[primary]) && !e.message.includes(KEY[secondary]));
      });

      test(`${mode}: cancel aborts the upstream request`, async () => {
        mock.fail({ api: primary, fault: { kind: 'hang' } });
        const ac = new AbortController();
        setTimeout(() => ac.abort(), 150);
        const r = await run([cand(primary), cand(secondary)], { stream, signal: ac.signal });
        const e = failed(r);
        assert.equal(e.code, 'cancelled');
        assert.deepEqual(summary(e.attempts), [`${primary} cancelled cancelled`]);
        assert.ok(r.ms < 2_000);
        assert.equal(mock.count({ api: secondary }), 0);
      });
    }

    // Streaming only: what happens after the commit point.

    test(`streaming: a cut after 3 deltas yields those deltas, then a stream-cut error (no fallback)`, async () => {
      mock.fail({ api: primary, fault: { kind: 'cut', afterDeltas: 3 } });
      const r = await run([cand(primary), cand(secondary)], { stream: true });
      const e = failed(r);
      const expected = splitDeltas(answer(primary), 5).slice(0, 3);
      assert.equal(e.code, 'stream-cut');
      assert.deepEqual(r.deltas.map((d) => d.text), expected);
      assert.equal(e.partialText, expected.join(''));
      assert.equal(e.provider, primary);
      assert.equal(e.model, MODEL[primary]);
      assert.deepEqual(summary(e.attempts), [`${primary} failed stream-cut`]);
      assert.equal(mock.count({ api: secondary }), 0);
      if (primary === 'anthropic') {
        // message_start reported the input tokens: the partial answer is billed with what was seen.
        assert.ok(e.usage && e.usage.inputTokens > 0, `usage: ${JSON.stringify(e.usage)}`);
      } else {
        assert.equal(e.usage, null, 'OpenAI reports usage only at the end: none seen');
      }
    });

    test(`streaming: malformed SSE after the commit → stream-cut error with the partial text`, async () => {
      mock.fail({ api: primary, fault: { kind: 'malformed-sse', afterDeltas: 2 } });
      const r = await run([cand(primary), cand(secondary)], { stream: true });
      const e = failed(r);
      assert.equal(e.code, 'stream-cut');
      assert.equal(e.partialText, splitDeltas(answer(primary), 5).slice(0, 2).join(''));
      assert.equal(e.attempts[0]!.reason, 'malformed');
      assert.equal(mock.count({ api: secondary }), 0);
    });

    test(`streaming: a trickle is passed on as it arrives (never buffered)`, async () => {
      mock.fail({ api: primary, fault: { kind: 'trickle', delayMs: 80 } });
      const r = await run([cand(primary), cand(secondary)], { stream: true });
      const res = ok(r);
      assert.equal(res.text, answer(primary));
      assert.equal(r.deltas.length, 5);
      const gaps = r.deltas.slice(1).map((d, i) => d.at - r.deltas[i]!.at);
      assert.ok(gaps.every((g) => g >= 50), `gaps between deltas: ${gaps.join(', ')} ms`);
      assert.ok(res.ttftMs! < res.totalMs - 200, 'first delta long before the end');
    });

    test(`streaming: timeoutMs limits the wait for each delta, not the whole stream`, async () => {
      // 5 deltas × 400 ms = 2 s in all, but no gap reaches the 600 ms limit.
      mock.fail({ api: primary, fault: { kind: 'trickle', delayMs: 400 }, times: 1 });
      const res = ok(await run([cand(primary), cand(secondary)], { stream: true, fallback: { timeoutMs: 600 } }));
      assert.equal(res.provider, primary);
      assert.equal(res.text, answer(primary));
      assert.ok(res.totalMs >= 1_900);

      // A first delta slower than the limit times out before the commit and falls back invisibly.
      mock.reset();
      mock.fail({ api: primary, fault: { kind: 'trickle', delayMs: 400 }, times: 1 });
      const r2 = await run([cand(primary), cand(secondary)], { stream: true, fallback: { timeoutMs: 250 } });
      const res2 = ok(r2);
      assert.equal(res2.provider, secondary);
      assert.deepEqual(summary(res2.attempts), [`${primary} failed timeout`, `${secondary} ok`]);
      assert.equal(r2.deltas.map((d) => d.text).join(''), answer(secondary));
    });

    test(`streaming: cancel after the commit keeps the partial text`, async () => {
      mock.fail({ api: primary, fault: { kind: 'trickle', delayMs: 100 } });
      const ac = new AbortController();
      const r = await run([cand(primary), cand(secondary)], {
        stream: true, signal: ac.signal,
        extra: { onDelta: () => { if (!ac.signal.aborted) ac.abort(); } },
      });
      const e = failed(r);
      assert.equal(e.code, 'cancelled');
      assert.equal(e.partialText, splitDeltas(answer(primary), 5)[0]);
    });
  });
}
