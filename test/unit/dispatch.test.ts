/**
 * Dispatch with fake adapters and a fake clock: every error class, Retry-After as a floor both ways,
 * half-open circuits, provider-level skips, permanent fail-fast, cuts after the commit point, cancel.
 * Also the provider plumbing dispatch relies on: Retry-After parsing, SDK error mapping, SSE reading, keys.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CanonicalRequest, CanonicalResponse, StreamEvent, Usage } from '../../shared/canonical';
import type { FallbackConfig } from '../../shared/config';
import type { Candidate } from '../../shared/decision';
import type { Attempt } from '../../shared/protocol';
import { CircuitBreakers } from '../../daemon/dispatch/circuit';
import { dispatch, DispatchError, type DispatchOptions, type DispatchResult } from '../../daemon/dispatch/dispatch';
import { ProviderError } from '../../daemon/providers/types';
import type { Leg, LegChunk } from '../../daemon/dispatch/leg';
import * as OpenAISDK from 'openai';
import * as AnthropicSDK from '@anthropic-ai/sdk';
import { parseRetryAfter, toProviderError } from '../../daemon/providers/errors';
import { readSSE } from '../../daemon/providers/sse';
import { KeyStore, redact } from '../../daemon/providers/keys';
import type { ResolvedProvider } from '../../daemon/rules/types';

// ---- helpers ----

function cand(provider: string, model: string): Candidate {
  return {
    name: `${provider}-${model}`, provider, providerType: provider === 'anthropic' ? 'anthropic' : 'openai', model,
    estimate: { inputTokens: 10, outputTokens: 10, costUsd: 0, ttftMs: 100, latencyMs: 200 },
  };
}

/** What a fake adapter does on one call. */
type Step =
  | { text: string; deltas?: string[]; usage?: Usage; takesMs?: number }
  | { fail: ProviderError; takesMs?: number; afterDeltas?: string[]; usage?: Usage }
  | { hang: true; afterDeltas?: string[]; ignoreSignal?: boolean }
  | { endsEarly: true; afterDeltas?: string[] };

const http = (status: number, retryAfterMs?: number, message = `${status} upstream error`) =>
  new ProviderError('http', message, status, retryAfterMs);

class Clock {
  t = 1_700_000_000_000;
  sleeps: number[] = [];
  now = () => this.t;
  sleep = async (ms: number, signal: AbortSignal) => {
    this.sleeps.push(ms);
    if (signal.aborted) return;
    this.t += ms;
  };
}

/** A scripted upstream: each call takes the next step. `leg(model)` is what dispatch sees. */
class FakeAdapter {
  calls: { model: string; signal: AbortSignal; stream: boolean }[] = [];
  constructor(readonly name: string, private readonly steps: Step[], private readonly clock: Clock) {}

  private next(model: string, signal: AbortSignal, stream: boolean): Step {
    this.calls.push({ model, signal, stream });
    const step = this.steps.shift();
    if (!step) throw new Error(`${this.name}: unexpected call #${this.calls.length}`);
    return step;
  }

  private waitForAbort(signal: AbortSignal, ignore = false): Promise<never> {
    return new Promise((_, reject) => {
      if (ignore) return; // never settles: dispatch must not depend on the adapter honouring its signal
      const fire = () => reject(new ProviderError('cancelled', 'aborted'));
      if (signal.aborted) fire();
      else signal.addEventListener('abort', fire, { once: true });
    });
  }

  leg(model: string): Leg {
    return {
      call: { format: 'openai-chat', passthrough: false },
      complete: async (signal) => ({ response: await this.complete(model, signal) }),
      stream: (signal) => chunks(this.stream(model, signal)),
    };
  }

  async complete(model: string, signal: AbortSignal): Promise<CanonicalResponse> {
    const step = this.next(model, signal, false);
    if ('hang' in step) return this.waitForAbort(signal, step.ignoreSignal);
    if ('endsEarly' in step) throw new Error('endsEarly is a streaming step');
    this.clock.t += step.takesMs ?? 10;
    if ('fail' in step) throw step.fail;
    const res: CanonicalResponse = { id: `id-${this.name}`, model, content: [{ type: 'text', text: step.text }], finishReason: 'stop' };
    if (step.usage) res.usage = step.usage;
    return res;
  }

  async *stream(model: string, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    const step = this.next(model, signal, true);
    if ('text' in step) {
      for (const d of step.deltas ?? [step.text]) {
        this.clock.t += 5;
        yield { type: 'delta', text: d };
      }
      if (step.usage) yield { type: 'usage', usage: step.usage };
      yield { type: 'done', finishReason: 'stop', id: `id-${this.name}`, model };
      return;
    }
    for (const d of step.afterDeltas ?? []) {
      this.clock.t += 5;
      yield { type: 'delta', text: d };
    }
    if ('usage' in step && step.usage) yield { type: 'usage', usage: step.usage };
    if ('hang' in step) await this.waitForAbort(signal, step.ignoreSignal);
    if ('endsEarly' in step) return;
    if ('fail' in step) {
      this.clock.t += step.takesMs ?? 10;
      throw step.fail;
    }
  }
}

/** One event per upstream message, as the fakes yield them. */
async function* chunks(events: AsyncGenerator<StreamEvent>): AsyncGenerator<LegChunk> {
  try {
    for await (const ev of events) yield { frame: '', events: [ev] };
  } finally {
    await events.return(undefined);
  }
}

/** The old adapter-level options, mapped onto legs and chunks so each test reads as what it checks. */
type Extra = Partial<Omit<DispatchOptions, 'legFor' | 'onChunk'>> & {
  stream?: boolean;
  adapterFor?: (c: Candidate) => { leg(model: string): Leg } | ProviderError;
  onDelta?: (text: string) => void | Promise<void>;
};

const FALLBACK: FallbackConfig = {
  retryOn: [408, 429, 500, 502, 503, 504, 529, 'timeout', 'network'],
  timeoutMs: 60_000,
  maxRetryAfterMs: 2_000,
  circuit: { failures: 3, coolDownMs: 30_000 },
};

interface Harness {
  clock: Clock;
  adapters: Record<string, FakeAdapter>;
  circuits: CircuitBreakers;
  attempts: Attempt[];
  deltas: string[];
  fallbacks: { from: Attempt; to: { provider: string; model: string } }[];
  warnings: string[];
  run(candidates: Candidate[], extra?: Extra): Promise<DispatchResult>;
  fails(candidates: Candidate[], extra?: Extra): Promise<DispatchError>;
}

function harness(scripts: Record<string, Step[]>, opts: { noKey?: string[]; fallback?: Partial<FallbackConfig> } = {}): Harness {
  const clock = new Clock();
  const adapters: Record<string, FakeAdapter> = {};
  for (const [provider, steps] of Object.entries(scripts)) adapters[provider] = new FakeAdapter(provider, steps, clock);
  const fallback = { ...FALLBACK, ...opts.fallback };
  const circuits = new CircuitBreakers({ ...fallback.circuit, now: clock.now });
  const h: Harness = {
    clock, adapters, circuits, attempts: [], deltas: [], fallbacks: [], warnings: [],
    run: (candidates, extra = {}) => {
      const {
        stream = false,
        adapterFor = (c: Candidate) => (opts.noKey?.includes(c.provider) ? new ProviderError('no-key', `no API key for provider "${c.provider}"`) : adapters[c.provider]!),
        onDelta = (t: string) => { h.deltas.push(t); },
        ...rest
      } = extra;
      return dispatch({
        decision: { candidates },
        request: { stream },
        fallback,
        legFor: (c) => { const a = adapterFor(c); return a instanceof ProviderError ? a : a.leg(c.model); },
        circuits,
        onAttempt: (a) => h.attempts.push(a),
        onChunk: (chunk) => { const ev = chunk.events[0]; return ev?.type === 'delta' ? onDelta(ev.text) : undefined; },
        onFallback: (from, to) => h.fallbacks.push({ from, to }),
        onWarning: (w) => h.warnings.push(w),
        now: clock.now,
        sleep: clock.sleep,
        ...rest,
      });
    },
    fails: async (candidates, extra) => {
      try {
        const r = await h.run(candidates, extra);
        assert.fail(`expected a DispatchError, got ${JSON.stringify(r.text)}`);
      } catch (err) {
        if (!(err instanceof DispatchError)) throw err;
        return err;
      }
    },
  };
  return h;
}

const summary = (attempts: Attempt[]) =>
  attempts.map((a) => `${a.provider}/${a.model} ${a.outcome}${a.status ? ` ${a.status}` : ''}${a.reason ? ` ${a.reason}` : ''}`);

const A = cand('openai', 'gpt-4o-mini');
const A2 = cand('openai', 'gpt-4o');
const B = cand('anthropic', 'claude-haiku');
const C = cand('local', 'llama');

// ---- tests ----

describe('plain requests', () => {
  test('first candidate answers', async () => {
    const h = harness({ openai: [{ text: 'hello', usage: { inputTokens: 3, outputTokens: 1 }, takesMs: 120 }] });
    const r = await h.run([A, B]);
    assert.equal(r.text, 'hello');
    assert.equal(r.provider, 'openai');
    assert.equal(r.model, 'gpt-4o-mini');
    assert.equal(r.candidate, A);
    assert.deepEqual(r.usage, { inputTokens: 3, outputTokens: 1 });
    assert.equal(r.fallbacks, 0);
    assert.equal(r.ttftMs, null);
    assert.equal(r.totalMs, 120);
    assert.equal(r.responseId, 'id-openai');
    assert.deepEqual(summary(r.attempts), ['openai/gpt-4o-mini ok']);
    assert.equal(r.attempts[0]!.elapsedMs, 120);
    assert.deepEqual(h.attempts, r.attempts);
    assert.equal(h.adapters.openai!.calls[0]!.model, 'gpt-4o-mini');
  });

  for (const [status, reason] of [[429, 'rate-limited'], [500, 'server-error'], [502, 'server-error'], [503, 'overloaded'], [504, 'server-error'], [529, 'overloaded'], [408, 'timeout']] as const) {
    test(`retryable ${status} falls back to the next candidate (${reason})`, async () => {
      const h = harness({ openai: [{ fail: http(status) }], anthropic: [{ text: 'from B' }] });
      const r = await h.run([A, B]);
      assert.equal(r.text, 'from B');
      assert.equal(r.provider, 'anthropic');
      assert.deepEqual(summary(r.attempts), [`openai/gpt-4o-mini failed ${status} ${reason}`, 'anthropic/claude-haiku ok']);
      assert.equal(r.fallbacks, 1);
      assert.equal(h.fallbacks.length, 1);
      assert.equal(h.fallbacks[0]!.from, r.attempts[0]);
      assert.deepEqual(h.fallbacks[0]!.to, { provider: 'anthropic', model: 'claude-haiku' });
      assert.deepEqual(h.clock.sleeps, []);
    });
  }

  test('network error and malformed response fall back', async () => {
    const h = harness({
      openai: [{ fail: new ProviderError('network', 'ECONNRESET') }],
      anthropic: [{ fail: new ProviderError('malformed', 'unparseable body') }],
      local: [{ text: 'ok' }],
    });
    const r = await h.run([A, B, C]);
    assert.equal(r.text, 'ok');
    assert.deepEqual(summary(r.attempts), ['openai/gpt-4o-mini failed network', 'anthropic/claude-haiku failed malformed', 'local/llama ok']);
    assert.equal(r.fallbacks, 2);
  });

  test('malformed falls back even when retryOn is empty; network then does not', async () => {
    const h = harness({ openai: [{ fail: new ProviderError('malformed', 'bad json') }], anthropic: [{ fail: new ProviderError('network', 'reset') }] }, { fallback: { retryOn: [] } });
    const e = await h.fails([A, B]);
    assert.equal(e.code, 'permanent');
    assert.deepEqual(summary(e.attempts), ['openai/gpt-4o-mini failed malformed', 'anthropic/claude-haiku failed network']);
  });

  test('a hang times out (per-attempt timer) and falls back', async () => {
    const h = harness({ openai: [{ hang: true }], anthropic: [{ text: 'B' }] }, { fallback: { timeoutMs: 30 } });
    const r = await h.run([A, B]);
    assert.equal(r.text, 'B');
    assert.deepEqual(summary(r.attempts), ['openai/gpt-4o-mini failed timeout', 'anthropic/claude-haiku ok']);
    assert.equal(h.adapters.openai!.calls[0]!.signal.aborted, true, 'the upstream request was aborted');
  });

  test('an adapter that ignores its signal still cannot hang dispatch', async () => {
    const h = harness({ openai: [{ hang: true, ignoreSignal: true }], anthropic: [{ text: 'B' }] }, { fallback: { timeoutMs: 20 } });
    const r = await h.run([A, B]);
    assert.equal(r.text, 'B');
    assert.equal(r.attempts[0]!.reason, 'timeout');
  });

  test('timeout not in retryOn fails fast', async () => {
    const h = harness({ openai: [{ hang: true }], anthropic: [] }, { fallback: { timeoutMs: 20, retryOn: [429] } });
    const e = await h.fails([A, B]);
    assert.equal(e.code, 'permanent');
    assert.equal(h.adapters.anthropic!.calls.length, 0);
  });
});

describe('Retry-After is a floor', () => {
  test('short Retry-After: wait it, retry the same target once', async () => {
    const h = harness({ openai: [{ fail: http(429, 300) }, { text: 'second try' }], anthropic: [] });
    const r = await h.run([A, B]);
    assert.equal(r.text, 'second try');
    assert.deepEqual(h.clock.sleeps, [300]);
    assert.deepEqual(summary(r.attempts), ['openai/gpt-4o-mini failed 429 rate-limited', 'openai/gpt-4o-mini ok']);
    assert.equal(r.attempts[0]!.retryAfterMs, 300);
    assert.equal(r.fallbacks, 0);
    assert.equal(h.fallbacks.length, 0);
    assert.ok(r.totalMs >= 300);
  });

  test('only once: a second short Retry-After moves on', async () => {
    const h = harness({ openai: [{ fail: http(503, 100) }, { fail: http(503, 100) }], anthropic: [{ text: 'B' }] });
    const r = await h.run([A, B]);
    assert.equal(r.text, 'B');
    assert.deepEqual(h.clock.sleeps, [100]);
    assert.deepEqual(summary(r.attempts), ['openai/gpt-4o-mini failed 503 overloaded', 'openai/gpt-4o-mini failed 503 overloaded', 'anthropic/claude-haiku ok']);
  });

  test('long Retry-After: next candidate at once, no waiting', async () => {
    const h = harness({ openai: [{ fail: http(429, 30_000) }], anthropic: [{ text: 'B' }] });
    const r = await h.run([A, B]);
    assert.equal(r.text, 'B');
    assert.deepEqual(h.clock.sleeps, []);
    assert.ok(r.totalMs < 1_000);
    assert.equal(r.attempts[0]!.retryAfterMs, 30_000);
  });

  test('Retry-After exactly maxRetryAfterMs is waited', async () => {
    const h = harness({ openai: [{ fail: http(429, 2_000) }, { text: 'A' }] });
    assert.equal((await h.run([A])).text, 'A');
    assert.deepEqual(h.clock.sleeps, [2_000]);
  });

  test('Retry-After on a permanent error is ignored', async () => {
    const h = harness({ openai: [{ fail: http(400, 10) }] });
    const e = await h.fails([A]);
    assert.equal(e.code, 'permanent');
    assert.deepEqual(h.clock.sleeps, []);
  });
});

describe('provider-level failures', () => {
  for (const status of [401, 403]) {
    test(`${status} skips every remaining candidate of that provider and warns`, async () => {
      const h = harness({ openai: [{ fail: http(status, undefined, `${status} invalid key sk-proj-abcdefghijklmnop1234`) }], anthropic: [{ text: 'B' }] });
      const r = await h.run([A, A2, B]);
      assert.equal(r.text, 'B');
      assert.deepEqual(summary(r.attempts), [`openai/gpt-4o-mini failed ${status} auth`, 'openai/gpt-4o skipped auth', 'anthropic/claude-haiku ok']);
      assert.equal(h.adapters.openai!.calls.length, 1);
      assert.equal(h.warnings.length, 1);
      assert.match(h.warnings[0]!, /openai/);
      assert.ok(!h.warnings[0]!.includes('abcdefghijklmnop'), 'keys are redacted in warnings');
      assert.ok(!r.attempts[0]!.message!.includes('abcdefghijklmnop'), 'keys are redacted in attempts');
    });
  }

  test('no key: skipped without a call, its other models too', async () => {
    const h = harness({ openai: [], anthropic: [{ text: 'B' }] }, { noKey: ['openai'] });
    const r = await h.run([A, A2, B]);
    assert.equal(r.text, 'B');
    assert.deepEqual(summary(r.attempts), ['openai/gpt-4o-mini skipped no-key', 'openai/gpt-4o skipped no-key', 'anthropic/claude-haiku ok']);
    assert.equal(r.attempts[0]!.elapsedMs, 0);
    assert.equal(h.warnings.length, 1);
    assert.equal(r.fallbacks, 1);
  });
});

describe('permanent failures fail fast', () => {
  for (const status of [400, 404, 422]) {
    test(`${status}: no fallback, status carried`, async () => {
      const h = harness({ openai: [{ fail: http(status) }], anthropic: [] });
      const e = await h.fails([A, B]);
      assert.equal(e.code, 'permanent');
      assert.equal(e.status, status);
      assert.equal(h.adapters.anthropic!.calls.length, 0);
      assert.deepEqual(summary(e.attempts), [`openai/gpt-4o-mini failed ${status} bad-request`]);
      assert.equal(e.wireCode, 'E_UPSTREAM_REJECTED');
      assert.deepEqual(h.circuits.info('openai', 'gpt-4o-mini'), { state: 'closed', consecutiveFailures: 0 }, 'not counted');
    });
  }

  test('a status left out of retryOn is permanent', async () => {
    const h = harness({ openai: [{ fail: http(500) }], anthropic: [] }, { fallback: { retryOn: [429] } });
    const e = await h.fails([A, B]);
    assert.equal(e.code, 'permanent');
    assert.equal(e.status, 500);
  });
});

describe('all failed', () => {
  test('the error lists each attempt: target, reason, elapsed', async () => {
    const h = harness({ openai: [{ fail: http(429), takesMs: 12 }], anthropic: [{ fail: http(529), takesMs: 40 }] }, { noKey: ['local'] });
    const e = await h.fails([A, B, C]);
    assert.equal(e.code, 'all-failed');
    assert.equal(e.wireCode, 'E_ALL_CANDIDATES_FAILED');
    assert.match(e.message, /openai\/gpt-4o-mini: 429 rate-limited after 12 ms/);
    assert.match(e.message, /anthropic\/claude-haiku: 529 overloaded after 40 ms/);
    assert.match(e.message, /local\/llama: no-key skipped/);
    assert.equal(e.partialText, '');
    assert.equal(e.usage, null);
    assert.equal(e.attempts.length, 3);
  });

  test('no candidates at all', async () => {
    const e = await harness({}).fails([]);
    assert.equal(e.code, 'all-failed');
    assert.match(e.message, /no candidates/);
  });
});

describe('streaming', () => {
  test('deltas are passed on as they arrive; ttft measured at the first delta', async () => {
    const h = harness({ openai: [{ text: 'Hello', deltas: ['He', 'll', 'o'], usage: { inputTokens: 2, outputTokens: 3 } }] });
    const r = await h.run([A], { stream: true });
    assert.equal(r.text, 'Hello');
    assert.deepEqual(h.deltas, ['He', 'll', 'o']);
    assert.equal(r.ttftMs, 5);
    assert.equal(r.upstreamTtftMs, 5);
    assert.deepEqual(r.usage, { inputTokens: 2, outputTokens: 3 });
    assert.equal(r.finishReason, 'stop');
    assert.equal(h.adapters.openai!.calls[0]!.stream, true);
  });

  test('failures before the first delta fall back invisibly: the caller sees one clean stream', async () => {
    const h = harness({
      openai: [{ fail: http(503) }],
      anthropic: [{ fail: new ProviderError('stream-cut', 'ended without message_stop'), usage: { inputTokens: 5, outputTokens: 0 } }],
      local: [{ text: 'abc', deltas: ['a', 'b', 'c'] }],
    });
    const r = await h.run([A, B, C], { stream: true });
    assert.equal(r.text, 'abc');
    assert.deepEqual(h.deltas, ['a', 'b', 'c']);
    assert.deepEqual(summary(r.attempts), ['openai/gpt-4o-mini failed 503 overloaded', 'anthropic/claude-haiku failed stream-cut', 'local/llama ok']);
    assert.equal(r.ttftMs, 25, 'ttft from dispatch start: 10 + 10 + 5');
    assert.equal(r.upstreamTtftMs, 5);
  });

  test('malformed before the first delta falls back', async () => {
    const h = harness({ openai: [{ fail: new ProviderError('malformed', 'bad sse') }], anthropic: [{ text: 'x' }] });
    assert.equal((await h.run([A, B], { stream: true })).text, 'x');
  });

  test('a stream that ends without its done event is a cut, not a clean end', async () => {
    const h = harness({ openai: [{ endsEarly: true }], anthropic: [{ endsEarly: true, afterDeltas: ['par'] }] });
    const e = await h.fails([A, B], { stream: true });
    assert.equal(e.code, 'stream-cut');
    assert.equal(e.partialText, 'par');
    assert.deepEqual(summary(e.attempts), ['openai/gpt-4o-mini failed stream-cut', 'anthropic/claude-haiku failed stream-cut']);
  });

  test('a cut after the commit ends with a stream-cut error carrying the partial text; no fallback', async () => {
    const h = harness({ openai: [{ fail: new ProviderError('stream-cut', 'connection lost'), afterDeltas: ['one ', 'two ', 'three'] }], anthropic: [] });
    const e = await h.fails([A, B], { stream: true });
    assert.equal(e.code, 'stream-cut');
    assert.equal(e.wireCode, 'E_STREAM_CUT');
    assert.equal(e.partialText, 'one two three');
    assert.deepEqual(h.deltas, ['one ', 'two ', 'three']);
    assert.equal(e.usage, null, 'no usage seen → null');
    assert.equal(e.provider, 'openai');
    assert.equal(e.model, 'gpt-4o-mini');
    assert.equal(e.candidate, A);
    assert.equal(h.adapters.anthropic!.calls.length, 0);
    assert.deepEqual(summary(e.attempts), ['openai/gpt-4o-mini failed stream-cut']);
    assert.equal(h.circuits.info('openai', 'gpt-4o-mini').consecutiveFailures, 1, 'a cut counts against the circuit');
  });

  test('a cut after the commit reports the usage seen (kept and billed)', async () => {
    const usage = { inputTokens: 20, outputTokens: 1 };
    const h = harness({ anthropic: [{ fail: new ProviderError('network', 'terminated'), afterDeltas: ['x'], usage }] });
    const e = await h.fails([B], { stream: true });
    assert.equal(e.code, 'stream-cut');
    assert.deepEqual(e.usage, usage);
    assert.equal(e.attempts[0]!.reason, 'stream-cut');
  });

  test('malformed after the commit is a cut too (reason kept)', async () => {
    const h = harness({ openai: [{ fail: new ProviderError('malformed', 'bad chunk'), afterDeltas: ['a'] }], anthropic: [] });
    const e = await h.fails([A, B], { stream: true });
    assert.equal(e.code, 'stream-cut');
    assert.equal(e.attempts[0]!.reason, 'malformed');
  });

  test('after the commit the timeout is an idle limit: a stalled stream is cut', async () => {
    const h = harness({ openai: [{ hang: true, afterDeltas: ['a', 'b'] }], anthropic: [] }, { fallback: { timeoutMs: 30 } });
    const e = await h.fails([A, B], { stream: true });
    assert.equal(e.code, 'stream-cut');
    assert.equal(e.partialText, 'ab');
    assert.equal(e.attempts[0]!.reason, 'timeout');
    assert.equal(h.adapters.openai!.calls[0]!.signal.aborted, true);
  });

  test('a hang before the first delta times out and falls back', async () => {
    const h = harness({ openai: [{ hang: true }], anthropic: [{ text: 'B' }] }, { fallback: { timeoutMs: 30 } });
    const r = await h.run([A, B], { stream: true });
    assert.equal(r.text, 'B');
    assert.deepEqual(h.deltas, ['B']);
  });
});

/** A streaming adapter that records each event as dispatch pulls it, so a test can see when reading stops. */
function pullRecorder(deltas: string[], opts: { usageFirst?: Usage; usageLast?: Usage; hangAtEnd?: boolean } = {}) {
  const pulled: string[] = [];
  const signals: AbortSignal[] = [];
  async function* events(signal: AbortSignal): AsyncGenerator<StreamEvent> {
    signals.push(signal);
    if (opts.usageFirst) yield { type: 'usage', usage: opts.usageFirst };
    for (const d of deltas) {
      pulled.push(d);
      yield { type: 'delta', text: d };
    }
    if (opts.usageLast) yield { type: 'usage', usage: opts.usageLast };
    if (opts.hangAtEnd) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new ProviderError('cancelled', 'aborted')), { once: true }));
    yield { type: 'done', finishReason: 'stop' };
  }
  const adapter = {
    leg: (): Leg => ({
      call: { format: 'openai-chat', passthrough: false },
      complete: async () => { throw new Error('stream only'); },
      stream: (signal) => chunks(events(signal)),
    }),
  };
  return { adapter, pulled, signals };
}

const ticks = async (n = 20) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

describe('backpressure: a caller that is not ready holds the upstream read', () => {
  test('while onDelta\'s promise is pending, the next upstream event is not read; it is read once it settles', async () => {
    const { adapter, pulled } = pullRecorder(['a', 'b', 'c']);
    const h = harness({});
    const gates: (() => void)[] = [];
    const seen: string[] = [];
    const p = h.run([A], { stream: true, adapterFor: () => adapter, onDelta: (t) => { seen.push(t); return new Promise<void>((r) => gates.push(r)); } });
    await ticks();
    assert.deepEqual(pulled, ['a'], 'nothing read past the delta the caller has not taken');
    assert.deepEqual(seen, ['a']);
    gates.shift()!();
    await ticks();
    assert.deepEqual(pulled, ['a', 'b']);
    gates.shift()!();
    await ticks();
    gates.shift()!();
    const r = await p;
    assert.equal(r.text, 'abc');
    assert.deepEqual(seen, ['a', 'b', 'c']);
  });

  test('the idle limit does not fire while dispatch waits on a slow caller (it measures only the upstream\'s silence)', async () => {
    const { adapter } = pullRecorder(['a', 'b', 'c']);
    const h = harness({}, { fallback: { timeoutMs: 20 } });
    const started = Date.now();
    const r = await h.run([A], { stream: true, adapterFor: () => adapter, onDelta: () => new Promise<void>((res) => setTimeout(res, 60)) });
    assert.ok(Date.now() - started >= 170, 'each of the three waits was honoured');
    assert.equal(r.text, 'abc', 'three waits of 60 ms each under a 20 ms idle limit');
    assert.deepEqual(summary(r.attempts), ['openai/gpt-4o-mini ok']);
  });

  test('the idle limit still applies to the upstream between events once the caller has caught up', async () => {
    const { adapter } = pullRecorder(['a', 'b'], { hangAtEnd: true });
    const h = harness({}, { fallback: { timeoutMs: 30 } });
    const started = Date.now();
    const e = await h.fails([A], { stream: true, adapterFor: () => adapter, onDelta: () => new Promise<void>((res) => setTimeout(res, 50)) });
    assert.ok(Date.now() - started >= 125, 'cut by the idle limit after both waits (2 × 50 ms), not during them');
    assert.equal(e.code, 'stream-cut');
    assert.equal(e.attempts[0]!.reason, 'timeout');
    assert.equal(e.partialText, 'ab');
  });

  test('a caller that takes nothing for stallTimeoutMs ends the stream: cancelled (client-stalled), partial text kept, upstream aborted, circuit untouched', async () => {
    const { adapter, pulled, signals } = pullRecorder(['first ', 'second ', 'third']);
    const h = harness({}, { fallback: { timeoutMs: 10_000 } });
    const started = Date.now();
    const e = await h.fails([A, B], { stream: true, stallTimeoutMs: 40, adapterFor: (c) => (c === A ? adapter : h.adapters.anthropic!), onDelta: () => new Promise<void>(() => {}) });
    assert.ok(Date.now() - started >= 35, 'waited for the stall limit');
    assert.equal(e.code, 'cancelled');
    assert.match(e.message, /stopped reading/);
    assert.deepEqual(summary(e.attempts), ['openai/gpt-4o-mini cancelled client-stalled']);
    assert.match(e.attempts[0]!.message!, /read nothing for 40 ms/);
    assert.equal(e.partialText, 'first ');
    assert.deepEqual(pulled, ['first '], 'no more was read from the upstream');
    assert.equal(signals[0]!.aborted, true, 'the upstream request was released');
    assert.equal(e.provider, 'openai');
    assert.equal(e.model, 'gpt-4o-mini');
    assert.deepEqual(h.circuits.info('openai', 'gpt-4o-mini'), { state: 'closed', consecutiveFailures: 0 });
  });

  test('a cancel while dispatch waits on the caller ends at once, as a plain cancel', async () => {
    const { adapter, signals } = pullRecorder(['a', 'b']);
    const h = harness({});
    const ac = new AbortController();
    const p = h.fails([A], { stream: true, signal: ac.signal, adapterFor: () => adapter, onDelta: () => new Promise<void>(() => {}) });
    await ticks();
    ac.abort();
    const e = await p;
    assert.equal(e.code, 'cancelled');
    assert.deepEqual(summary(e.attempts), ['openai/gpt-4o-mini cancelled cancelled']);
    assert.equal(e.partialText, 'a');
    assert.equal(signals[0]!.aborted, true);
  });

  test('a rejected onDelta promise is a warning, not a failure of the stream', async () => {
    const { adapter } = pullRecorder(['o', 'k']);
    const h = harness({});
    const r = await h.run([A], { stream: true, adapterFor: () => adapter, onDelta: () => Promise.reject(new Error('socket hiccup')) });
    assert.equal(r.text, 'ok');
    assert.match(h.warnings[0]!, /onChunk callback threw: socket hiccup/);
  });

  test('a cancel after the commit says whether the usage seen counts all the delivered text', async () => {
    const early = { inputTokens: 12, outputTokens: 1 };
    const late = { inputTokens: 12, outputTokens: 2 };
    for (const [opts, covers] of [[{ usageFirst: early, hangAtEnd: true }, false], [{ usageLast: late, hangAtEnd: true }, true]] as const) {
      const { adapter } = pullRecorder(['a', 'b'], opts);
      const h = harness({});
      const ac = new AbortController();
      const p = h.fails([A], { stream: true, signal: ac.signal, adapterFor: () => adapter });
      await ticks();
      ac.abort();
      const e = await p;
      assert.equal(e.code, 'cancelled');
      assert.equal(e.partialText, 'ab');
      assert.deepEqual(e.usage, 'usageFirst' in opts ? early : late);
      assert.equal(e.usageCoversText, covers);
    }
  });
});

describe('cancel', () => {
  test('cancel during an attempt aborts the upstream request and is not counted', async () => {
    const h = harness({ openai: [{ hang: true }], anthropic: [] });
    const ac = new AbortController();
    const p = h.fails([A, B], { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    const e = await p;
    assert.equal(e.code, 'cancelled');
    assert.equal(e.wireCode, 'E_CANCELLED');
    assert.deepEqual(summary(e.attempts), ['openai/gpt-4o-mini cancelled cancelled']);
    assert.equal(h.adapters.openai!.calls[0]!.signal.aborted, true, 'propagated upstream');
    assert.equal(h.adapters.anthropic!.calls.length, 0);
    assert.deepEqual(h.circuits.info('openai', 'gpt-4o-mini'), { state: 'closed', consecutiveFailures: 0 });
  });

  test('cancel mid-stream keeps the partial text', async () => {
    const h = harness({ openai: [{ hang: true, afterDeltas: ['par', 'tial'] }] });
    const ac = new AbortController();
    const p = h.fails([A], { signal: ac.signal, stream: true, onDelta: (t) => { h.deltas.push(t); if (h.deltas.length === 2) ac.abort(); } });
    const e = await p;
    assert.equal(e.code, 'cancelled');
    assert.equal(e.partialText, 'partial');
  });

  test('cancel before dispatch: no attempt is made', async () => {
    const h = harness({ openai: [] });
    const ac = new AbortController();
    ac.abort();
    const e = await h.fails([A], { signal: ac.signal });
    assert.equal(e.code, 'cancelled');
    assert.equal(e.attempts.length, 0);
  });

  test('cancel while waiting out a Retry-After', async () => {
    const h = harness({ openai: [{ fail: http(429, 500) }] });
    const ac = new AbortController();
    const e = await h.fails([A], { signal: ac.signal, sleep: async () => { ac.abort(); } });
    assert.equal(e.code, 'cancelled');
    assert.equal(h.adapters.openai!.calls.length, 1);
  });
});

describe('circuit breakers in dispatch', () => {
  test('3 failures open the circuit; the 4th request skips the target without calling it; after the cool-down one probe goes', async () => {
    const h = harness({
      openai: [{ fail: http(503) }, { fail: http(503) }, { fail: http(503) }, { text: 'probe ok' }],
      anthropic: [{ text: 'B1' }, { text: 'B2' }, { text: 'B3' }, { text: 'B4' }],
    });
    for (let i = 0; i < 3; i++) assert.equal((await h.run([A, B])).provider, 'anthropic');
    assert.equal(h.circuits.info('openai', 'gpt-4o-mini').state, 'open');

    const r4 = await h.run([A, B]);
    assert.equal(r4.text, 'B4');
    assert.deepEqual(summary(r4.attempts), ['openai/gpt-4o-mini skipped circuit-open', 'anthropic/claude-haiku ok']);
    assert.equal(h.adapters.openai!.calls.length, 3, 'not called while open');

    h.clock.t += 30_000;
    assert.equal(h.circuits.snapshot()['openai/gpt-4o-mini']?.state, 'half-open');
    const r5 = await h.run([A, B]);
    assert.equal(r5.text, 'probe ok');
    assert.equal(h.adapters.openai!.calls.length, 4);
    assert.equal(h.circuits.info('openai', 'gpt-4o-mini').state, 'closed');
  });

  test('while the probe is in flight a concurrent request skips the target', async () => {
    const h = harness({ openai: [{ fail: http(500) }, { hang: true }], anthropic: [{ text: 'B' }] }, { fallback: { circuit: { failures: 1, coolDownMs: 1_000 }, timeoutMs: 50 } });
    await h.fails([A]);
    h.clock.t += 1_000;
    const probe = h.run([A], { fallback: { ...FALLBACK, timeoutMs: 50 } }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 5));
    const other = await h.run([A, B]);
    assert.deepEqual(summary(other.attempts), ['openai/gpt-4o-mini skipped circuit-open', 'anthropic/claude-haiku ok']);
    const probeErr = await probe;
    assert.ok(probeErr instanceof DispatchError && probeErr.attempts[0]!.reason === 'timeout');
    assert.equal(h.circuits.info('openai', 'gpt-4o-mini').state, 'open', 'failed probe re-opens');
  });

  test('provider-level failures (401) count against the circuit', async () => {
    const h = harness({ openai: [{ fail: http(401) }] }, { fallback: { circuit: { failures: 1, coolDownMs: 1_000 } } });
    await h.fails([A]);
    assert.equal(h.circuits.info('openai', 'gpt-4o-mini').state, 'open');
  });

  test('the retry after a short Retry-After respects a circuit that just opened', async () => {
    const h = harness({ openai: [{ fail: http(429, 100) }], anthropic: [{ text: 'B' }] }, { fallback: { circuit: { failures: 1, coolDownMs: 1_000 } } });
    const r = await h.run([A, B]);
    assert.equal(r.text, 'B');
    assert.deepEqual(summary(r.attempts), ['openai/gpt-4o-mini failed 429 rate-limited', 'openai/gpt-4o-mini skipped circuit-open', 'anthropic/claude-haiku ok']);
    assert.equal(h.adapters.openai!.calls.length, 1);
  });
});

describe('callbacks', () => {
  test('onAttempt fires as each attempt ends, before the next one starts', async () => {
    const seen: string[] = [];
    const h = harness({ openai: [{ fail: http(429) }], anthropic: [{ text: 'B' }] });
    const origStream = h.adapters.anthropic!.complete.bind(h.adapters.anthropic!);
    h.adapters.anthropic!.complete = (req, o) => {
      seen.push(`anthropic call (attempts so far: ${h.attempts.length})`);
      return origStream(req, o);
    };
    await h.run([A, B], { onAttempt: (a) => { h.attempts.push(a); seen.push(`attempt ${a.provider} ${a.outcome}`); } });
    assert.deepEqual(seen, ['attempt openai failed', 'anthropic call (attempts so far: 1)', 'attempt anthropic ok']);
  });

  test('a throwing callback does not turn into an upstream failure', async () => {
    const h = harness({ openai: [{ text: 'ok', deltas: ['o', 'k'] }] });
    const r = await h.run([A], { stream: true, onDelta: () => { throw new Error('ui bug'); } });
    assert.equal(r.text, 'ok');
    assert.match(h.warnings[0]!, /onChunk callback threw/);
  });
});

// ---- the provider plumbing dispatch relies on: Retry-After, error mapping, SSE reading, keys ----

describe('Retry-After parsing', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  test('retry-after-ms wins; retry-after in seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': '300', 'retry-after': '30' }), now), 300);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': '30' }), now), 30_000);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': '1.5' }), now), 1_500);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now), 5_000);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now), 0, 'a past date means now');
    assert.equal(parseRetryAfter({ 'Retry-After-Ms': '42' }, now), 42);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': 'x', 'retry-after': '2' }), now), 2_000);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});

describe('SDK errors → ProviderError', () => {
  const h = (init: Record<string, string> = {}) => new Headers(init);
  test('HTTP errors keep status and Retry-After, for both SDKs', () => {
    const o = toProviderError(new OpenAISDK.RateLimitError(429, { message: 'slow down' }, undefined, h({ 'retry-after-ms': '250' })));
    assert.equal(o.kind, 'http');
    assert.equal(o.status, 429);
    assert.equal(o.retryAfterMs, 250);
    const a = toProviderError(new AnthropicSDK.InternalServerError(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, h({ 'retry-after': '3' })));
    assert.equal(a.kind, 'http');
    assert.equal(a.status, 529);
    assert.equal(a.retryAfterMs, 3_000);
  });

  test('abort, timeout, connection errors, bad JSON', () => {
    assert.equal(toProviderError(new OpenAISDK.APIUserAbortError()).kind, 'cancelled');
    assert.equal(toProviderError(new AnthropicSDK.APIConnectionTimeoutError()).kind, 'timeout');
    const conn = toProviderError(new OpenAISDK.APIConnectionError({ cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }));
    assert.equal(conn.kind, 'network');
    assert.match(conn.message, /ECONNREFUSED/);
    assert.equal(toProviderError(new SyntaxError('Unexpected end of JSON input')).kind, 'malformed');
    assert.equal(toProviderError(new TypeError('terminated')).kind, 'network');
    assert.equal(toProviderError(new TypeError('terminated'), undefined, 'body').kind, 'stream-cut');
  });

  test('our signal having fired means cancelled, whatever was thrown', () => {
    const ac = new AbortController();
    ac.abort();
    assert.equal(toProviderError(new TypeError('terminated'), ac.signal).kind, 'cancelled');
    assert.equal(toProviderError(new ProviderError('network', 'x'), ac.signal).kind, 'cancelled');
  });
});

describe('SSE reading', () => {
  const body = (chunks: string[], fail?: Error) => {
    const enc = new TextEncoder();
    let i = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i < chunks.length) controller.enqueue(enc.encode(chunks[i++]!));
        else if (fail) controller.error(fail);
        else controller.close();
      },
    });
  };
  const collect = async (stream: ReadableStream<Uint8Array>, signal = new AbortController().signal) => {
    const out: { event?: string; data: string }[] = [];
    for await (const m of readSSE(stream, signal)) out.push(m);
    return out;
  };

  test('events split across chunks come out whole, in order', async () => {
    const out = await collect(body(['event: a\nda', 'ta: {"x":1}\n', '\ndata: two\n\n: comment\n\ndata: [DONE]\n\n']));
    assert.deepEqual(out, [{ event: 'a', data: '{"x":1}' }, { data: 'two' }, { data: '[DONE]' }]);
  });

  test('a connection lost mid-body is a stream-cut', async () => {
    await assert.rejects(collect(body(['data: one\n\n'], new TypeError('terminated'))), (e: unknown) => e instanceof ProviderError && e.kind === 'stream-cut');
  });

  test('a body that is not SSE is malformed', async () => {
    await assert.rejects(collect(body(['<html>oops</html>\n\n'])), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
  });

  test('aborted while reading → cancelled', async () => {
    const ac = new AbortController();
    const err = new DOMException('aborted', 'AbortError');
    ac.abort();
    await assert.rejects(collect(body(['data: one\n\n'], err), ac.signal), (e: unknown) => e instanceof ProviderError && e.kind === 'cancelled');
  });
});

describe('KeyStore and redaction', () => {
  const openai: ResolvedProvider = { name: 'openai', type: 'openai', apiKeyEnv: 'OPENAI_API_KEY', keyRequired: true };
  const local: ResolvedProvider = { name: 'local', type: 'openai-compatible', keyRequired: false };

  test('editor keys override the env var; null forgets them', () => {
    const keys = new KeyStore({ OPENAI_API_KEY: 'env-key-123456' });
    assert.equal(keys.get(openai), 'env-key-123456');
    keys.set('openai', 'editor-key-abcdef');
    assert.equal(keys.get(openai), 'editor-key-abcdef');
    assert.ok(keys.has(openai));
    keys.set('openai', null);
    assert.equal(keys.get(openai), 'env-key-123456');
    assert.equal(new KeyStore({}).has(openai), false);
    assert.equal(new KeyStore({ OPENAI_API_KEY: '  ' }).get(openai), undefined, 'blank env value is no key');
  });

  test('usable: a keyless openai-compatible provider needs none', () => {
    const keys = new KeyStore({});
    assert.equal(keys.has(local), false);
    assert.equal(keys.usable(local), true);
    assert.equal(keys.usable(openai), false);
  });

  test('redact masks key-shaped strings and every held key; keys never serialise', () => {
    assert.equal(redact('bad key sk-proj-abcDEF123456789 given'), 'bad key *** given');
    assert.equal(redact('x-api-key: sk-ant-api03-abcdefghijkl'), 'x-api-key: ***');
    assert.equal(redact('Authorization: Bearer abcdefghijklmnop'), 'Authorization: Bearer ***');
    assert.equal(redact('nothing secret here, sk- alone'), 'nothing secret here, sk- alone');
    const keys = new KeyStore({ OPENAI_API_KEY: 'plainenvkey987' });
    keys.set('anthropic', 'custom-editor-secret');
    keys.get(openai);
    const text = keys.redact('env plainenvkey987 and editor custom-editor-secret');
    assert.equal(text, 'env *** and editor ***');
    assert.ok(!JSON.stringify({ keys }).includes('custom-editor-secret'));
  });
});
