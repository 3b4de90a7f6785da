/**
 * Dispatch: walk a Decision's candidates in order until one answers.
 *
 * - Retryable failures (`fallback.retryOn`: statuses, `timeout`, `network`; plus a malformed response or a
 *   stream cut before its first delta) move on to the next candidate. A Retry-After is a floor: when it is at
 *   most `maxRetryAfterMs` we wait it and retry the same target once; when longer we move on at once.
 * - Provider-level failures (401/402/403, no key) skip every remaining candidate of that provider, with a warning.
 * - Anything else (400/404/422, and statuses left out of retryOn) is permanent: fail fast, no fallback.
 * - Streaming commits at the first content delta. Before it a failure falls back invisibly; after it a failure
 *   ends the dispatch with a `stream-cut` error that carries the partial text (and usage, if seen).
 * - Each attempt has its own timeout: for a plain request, the whole request; for a stream, until the first
 *   delta and then as an idle limit between events.
 * - Streams are read message by message (leg.ts). Before the commit point the messages are held; at it they go to
 *   `onChunk` in order; the chunk that carries the final event is returned in `tail` instead, so the caller can
 *   write the ledger row before the last bytes of the answer go out.
 * - Backpressure: `onChunk` may return a promise (the caller's socket is full); the next upstream event is read
 *   only once it settles, so a slow reader slows the upstream read instead of filling the daemon's memory. The
 *   idle limit is paused while dispatch waits on the caller (the upstream is silent because we stopped reading),
 *   and the wait is bounded by `stallTimeoutMs`: a caller that reads nothing for that long ends the dispatch as
 *   `cancelled` (attempt reason `client-stalled`), with the partial text, like any cancel after the commit.
 */
import { isContentEvent, type CanonicalRequest, type FinishReason, type WireFormat, type Usage } from '../../shared/canonical';
import type { FallbackConfig } from '../../shared/config';
import type { Candidate, Decision } from '../../shared/decision';
import { ErrorCodes, type Attempt } from '../../shared/protocol';
import { toProviderError } from '../providers/errors';
import { redact as redactKeys } from '../providers/keys';
import { ProviderError, type UpstreamFailure } from '../providers/types';
import type { CircuitBreakers } from './circuit';
import type { Leg, LegAnswer, LegChunk } from './leg';

export interface DispatchOptions {
  decision: Pick<Decision, 'candidates'>;
  /** Plain or streaming (the legs carry the bodies). */
  request: Pick<CanonicalRequest, 'stream'>;
  fallback: Pick<FallbackConfig, 'retryOn' | 'timeoutMs' | 'maxRetryAfterMs'>;
  /** The planned call for a candidate, or ProviderError('no-key') when its provider has no usable key. */
  legFor(candidate: Candidate): Leg | ProviderError;
  circuits?: CircuitBreakers;
  /** Cancels the dispatch; propagated to the upstream request in flight. */
  signal?: AbortSignal;
  /** Called as each attempt ends (including skipped targets). */
  onAttempt?(attempt: Attempt): void;
  /**
   * Each upstream message of the committed stream, as it arrives (the held ones at the commit point), but the last.
   * A returned promise means "the caller is not ready": dispatch reads the next upstream message only after it
   * settles (at most `stallTimeoutMs`).
   */
  onChunk?(chunk: LegChunk, leg: Leg): void | Promise<void>;
  /** How long dispatch waits for an `onChunk` promise before ending the stream (default DEFAULT_STALL_TIMEOUT_MS). */
  stallTimeoutMs?: number;
  /** Called when moving on to another candidate after a failed or skipped one. */
  onFallback?(from: Attempt, to: { provider: string; model: string }): void;
  /** Provider-level problems (bad key, no key) worth telling the user about. */
  onWarning?(message: string): void;
  /** Masks keys in attempt messages (default: key-shaped strings). Pass KeyStore.redact to mask held keys too. */
  redact?(text: string): string;
  now?: () => number;
  /** Waits for a Retry-After; must resolve early when `signal` aborts. */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  /** Timer for the per-attempt timeout; returns a canceller. */
  setTimer?(fn: () => void, ms: number): () => void;
}

export interface DispatchResult {
  /** The answer's text (every text part, joined). */
  text: string;
  /** Tool calls in the answer. */
  toolCalls: number;
  /** The leg that served: its format and whether it was a passthrough. */
  leg: Leg;
  /** A plain request's answer. */
  answer?: LegAnswer;
  /** A stream's last chunk(s), not yet given to onChunk: the caller sends them after writing the ledger row. */
  tail: LegChunk[];
  provider: string;
  /** The pinned model id that served. */
  model: string;
  candidate: Candidate;
  usage?: Usage;
  finishReason: FinishReason;
  attempts: Attempt[];
  /** Streaming: ms from dispatch start to the first content delta. Null for a plain request. */
  ttftMs: number | null;
  /** Streaming: ms from the serving attempt's start to its first delta (the model's own TTFT, for latency stats). */
  upstreamTtftMs: number | null;
  totalMs: number;
  /** How many times dispatch moved on to another candidate. */
  fallbacks: number;
  /** The upstream response id and the model id it reported, when it did. */
  responseId?: string;
  upstreamModel?: string;
}

/** A caller that reads nothing for this long loses its stream (then the daemon holds nothing more for it). */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

export type DispatchErrorCode = 'all-failed' | 'permanent' | 'stream-cut' | 'cancelled';

const WIRE_CODES: Record<DispatchErrorCode, string> = {
  'all-failed': ErrorCodes.allFailed,
  permanent: ErrorCodes.permanent,
  'stream-cut': ErrorCodes.streamCut,
  cancelled: ErrorCodes.cancelled,
};

/** The last upstream's own account of its failure, for telling the caller in its format (status, type, code, retry-after). */
export interface UpstreamRejection extends UpstreamFailure {
  format: WireFormat;
  status: number;
}

export interface DispatchErrorDetails {
  attempts: Attempt[];
  upstream?: UpstreamRejection;
  partialText?: string;
  usage?: Usage | null;
  /** True when `usage` was reported after the last delta, so it accounts for all of `partialText`. */
  usageCoversText?: boolean;
  status?: number;
  /** The target that produced the partial text (stream-cut, or cancelled after the commit). */
  provider?: string;
  model?: string;
  candidate?: Candidate;
  ttftMs?: number | null;
  totalMs: number;
  fallbacks: number;
}

export class DispatchError extends Error {
  readonly attempts: Attempt[];
  /** Text already streamed to the caller; kept and billed. Empty when nothing was committed. */
  readonly partialText: string;
  /** Usage seen before the failure, else null. */
  readonly usage: Usage | null;
  /** The usage was reported after the last delta (a final count); false when it predates some of the text. */
  readonly usageCoversText: boolean;
  /** The upstream status of a permanent failure. */
  readonly status?: number;
  readonly provider?: string;
  readonly model?: string;
  readonly candidate?: Candidate;
  readonly ttftMs: number | null;
  readonly totalMs: number;
  readonly fallbacks: number;
  readonly upstream?: UpstreamRejection;

  constructor(readonly code: DispatchErrorCode, headline: string, details: DispatchErrorDetails) {
    super(`${headline}${details.attempts.length ? ` — ${details.attempts.map(describeAttempt).join('; ')}` : ''}`);
    this.name = 'DispatchError';
    this.attempts = details.attempts;
    this.partialText = details.partialText ?? '';
    this.usage = details.usage ?? null;
    this.usageCoversText = details.usageCoversText ?? false;
    if (details.status !== undefined) this.status = details.status;
    if (details.provider !== undefined) this.provider = details.provider;
    if (details.model !== undefined) this.model = details.model;
    if (details.candidate !== undefined) this.candidate = details.candidate;
    this.ttftMs = details.ttftMs ?? null;
    this.totalMs = details.totalMs;
    this.fallbacks = details.fallbacks;
    if (details.upstream) this.upstream = details.upstream;
  }

  /** The protocol's machine code (`E_ALL_CANDIDATES_FAILED`, …). */
  get wireCode(): string {
    return WIRE_CODES[this.code];
  }
}

const MAX_DETAIL = 160;

/** `openai/gpt-4o-mini: 429 rate-limited after 12 ms (retry-after 30000 ms): Rate limit reached…` */
export function describeAttempt(a: Attempt): string {
  const what = a.outcome === 'ok' ? 'ok' : `${a.status !== undefined ? `${a.status} ` : ''}${a.reason ?? a.outcome}`;
  const verb = a.outcome === 'skipped' ? 'skipped' : `after ${a.elapsedMs} ms`;
  const ra = a.retryAfterMs !== undefined ? ` (retry-after ${a.retryAfterMs} ms)` : '';
  const msg = a.message ? a.message.replace(/\s+/g, ' ').trim() : '';
  const detail = msg ? `: ${msg.length > MAX_DETAIL ? `${msg.slice(0, MAX_DETAIL - 1)}…` : msg}` : '';
  return `${a.provider}/${a.model}: ${what} ${verb}${ra}${detail}`;
}

/** Attempt reason for a provider error. */
export function reasonFor(err: ProviderError): string {
  switch (err.kind) {
    case 'http': {
      const s = err.status ?? 0;
      if (s === 429) return 'rate-limited';
      if (s === 503 || s === 529) return 'overloaded';
      if (s === 408) return 'timeout';
      if (s === 401 || s === 402 || s === 403) return 'auth';
      if (s >= 500) return 'server-error';
      return 'bad-request';
    }
    default:
      return err.kind;
  }
}

type ErrorClass = 'retryable' | 'provider' | 'permanent' | 'cancelled' | 'cut';

/** How dispatch treats a failure. `committed`: a content delta already reached the caller. */
export function classify(err: ProviderError, committed: boolean, retryOn: FallbackConfig['retryOn']): ErrorClass {
  if (err.kind === 'cancelled') return 'cancelled';
  if (committed) return 'cut';
  switch (err.kind) {
    case 'no-key':
      return 'provider';
    case 'http': {
      const s = err.status ?? 0;
      if (s === 401 || s === 402 || s === 403) return 'provider';
      return retryOn.includes(s) ? 'retryable' : 'permanent';
    }
    case 'timeout':
      return retryOn.includes('timeout') ? 'retryable' : 'permanent';
    case 'network':
    case 'stream-cut':
      return retryOn.includes('network') ? 'retryable' : 'permanent';
    case 'malformed':
      return 'retryable';
  }
}

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

const defaultSetTimer = (fn: () => void, ms: number): (() => void) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

interface AttemptOk {
  ok: true;
  text: string;
  toolCalls: number;
  usage?: Usage;
  finishReason: FinishReason;
  id?: string;
  model?: string;
  answer?: LegAnswer;
  tail: LegChunk[];
  ttftMs: number | null;
  upstreamTtftMs: number | null;
}

interface AttemptFailed {
  ok: false;
  error: ProviderError;
  committed: boolean;
  text: string;
  usage?: Usage;
  usageCoversText: boolean;
  /** Ended because the caller stopped reading (see stallTimeoutMs). */
  stalled: boolean;
  ttftMs: number | null;
}

export async function dispatch(options: DispatchOptions): Promise<DispatchResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const setTimer = options.setTimer ?? defaultSetTimer;
  const redact = options.redact ?? ((t: string) => redactKeys(t));
  const userSignal = options.signal ?? new AbortController().signal;
  const { retryOn, timeoutMs, maxRetryAfterMs } = options.fallback;
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const t0 = now();
  const attempts: Attempt[] = [];
  const deadProviders = new Map<string, string>();
  let fallbacks = 0;
  /** The last attempt's upstream rejection (an HTTP status), cleared by any later failure of another kind. */
  let lastRejection: UpstreamRejection | undefined;

  const callbackFailed = (what: string, err: unknown) => {
    try {
      options.onWarning?.(`dispatch: ${what} callback threw: ${err instanceof Error ? err.message : String(err)}`);
    } catch {
      // ignore
    }
  };
  const safely = <T>(what: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      callbackFailed(what, err);
      return undefined;
    }
  };
  const record = (a: Attempt): Attempt => {
    if (a.message !== undefined) a.message = redact(a.message);
    attempts.push(a);
    safely('onAttempt', () => options.onAttempt?.(a));
    return a;
  };
  const fail = (code: DispatchErrorCode, headline: string, extra: Partial<DispatchErrorDetails> = {}): DispatchError =>
    new DispatchError(code, headline, { attempts, totalMs: now() - t0, fallbacks, ...extra });

  /** One try at one target, with its own timeout and the caller's cancel wired to the upstream request. */
  const runAttempt = async (leg: Leg): Promise<AttemptOk | AttemptFailed> => {
    const start = now();
    const controller = new AbortController();
    const onUserAbort = () => controller.abort();
    userSignal.addEventListener('abort', onUserAbort, { once: true });
    let timedOut = false;
    let cancelTimer = setTimer(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const rearm = () => {
      cancelTimer();
      cancelTimer = setTimer(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
    };
    // Settles when our signal fires, so an adapter that ignores its signal cannot hang dispatch.
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(new ProviderError('cancelled', 'request cancelled')), { once: true });
    });
    aborted.catch(() => {});

    let stalled = false;
    /** Waits for a caller that is not ready for more (rejects through `aborted` on a stall or a cancel). */
    const waitForCaller = async (pending: Promise<void>): Promise<void> => {
      // We are not reading the upstream, so its silence is ours: the idle limit waits too; the stall limit bounds us.
      cancelTimer();
      const cancelStall = setTimer(() => {
        stalled = true;
        controller.abort();
      }, stallTimeoutMs);
      try {
        await Promise.race([Promise.resolve(pending).catch((err: unknown) => callbackFailed('onChunk', err)), aborted]);
      } finally {
        cancelStall();
      }
      rearm();
    };

    const signal = controller.signal;
    let text = '';
    let toolCalls = 0;
    let usage: Usage | undefined;
    let usageCoversText = false;
    let committed = false;
    let ttftMs: number | null = null;
    let upstreamTtftMs: number | null = null;
    let succeeded = false;
    try {
      if (!options.request.stream) {
        const answer = await Promise.race([leg.complete(signal), aborted]);
        const res = answer.response;
        let answerText = '';
        for (const p of res.content) {
          if (p.type === 'text') answerText += p.text;
          else if (p.type === 'tool_call') toolCalls++;
        }
        const ok: AttemptOk = { ok: true, text: answerText, toolCalls, finishReason: res.finishReason, answer, tail: [], ttftMs: null, upstreamTtftMs: null };
        if (res.usage) ok.usage = res.usage;
        if (res.id) ok.id = res.id;
        if (res.model) ok.model = res.model;
        succeeded = true;
        return ok;
      }
      /** Chunks read before the commit point: delivered at it, dropped if this attempt fails first. */
      const held: LegChunk[] = [];
      const deliver = async (chunk: LegChunk) => {
        const pending = safely('onChunk', () => options.onChunk?.(chunk, leg));
        if (pending) await waitForCaller(pending);
      };
      const iterator = leg.stream(signal)[Symbol.asyncIterator]();
      try {
        for (;;) {
          const step = await Promise.race([iterator.next(), aborted]);
          if (step.done) throw new ProviderError('stream-cut', 'stream ended without a final event');
          const chunk = step.value;
          if (committed) rearm();
          let done: Extract<LegChunk['events'][number], { type: 'done' }> | undefined;
          let content = false;
          for (const ev of chunk.events) {
            if (ev.type === 'usage') {
              usage = ev.usage;
              usageCoversText = true;
            } else if (ev.type === 'done') {
              done = ev;
            } else if (isContentEvent(ev) && !(ev.type === 'delta' && !ev.text)) {
              content = true;
              if (ev.type === 'delta') text += ev.text;
              else if (ev.type === 'tool_call') toolCalls++;
              usageCoversText = false;
            }
          }
          if (content && !committed) {
            committed = true;
            const t = now();
            ttftMs = t - t0;
            upstreamTtftMs = t - start;
            rearm();
          }
          if (done) {
            const ok: AttemptOk = { ok: true, text, toolCalls, finishReason: done.finishReason, tail: [...held, chunk], ttftMs, upstreamTtftMs };
            if (usage) ok.usage = usage;
            if (done.id) ok.id = done.id;
            if (done.model) ok.model = done.model;
            succeeded = true;
            return ok;
          }
          if (!committed) {
            held.push(chunk);
            continue;
          }
          while (held.length) await deliver(held.shift()!);
          await deliver(chunk);
        }
      } finally {
        // Release the upstream stream without waiting on it (it may be stuck on a dead socket).
        const closing = iterator.return?.();
        if (closing) Promise.resolve(closing).catch(() => {});
      }
    } catch (err) {
      let error: ProviderError;
      if (stalled) {
        error = new ProviderError('cancelled', `the caller read nothing for ${stallTimeoutMs} ms, so the stream was ended`);
      } else if (timedOut) {
        error = new ProviderError('timeout', committed ? `no data for ${timeoutMs} ms after the stream started` : `no answer within ${timeoutMs} ms`);
      } else if (userSignal.aborted) {
        error = new ProviderError('cancelled', 'cancelled by the caller');
      } else {
        error = toProviderError(err);
        // An adapter reporting `cancelled` that neither we nor the caller asked for: treat as a lost connection.
        if (error.kind === 'cancelled') error = new ProviderError('network', `upstream request aborted: ${error.message}`);
      }
      const failed: AttemptFailed = { ok: false, error, committed, text, usageCoversText, stalled, ttftMs };
      if (usage) failed.usage = usage;
      return failed;
    } finally {
      cancelTimer();
      userSignal.removeEventListener('abort', onUserAbort);
      // A failed attempt may still hold an upstream socket: abort frees it. After a success there is nothing to
      // free, and an abort would fire every SDK listener for nothing (~60 µs a request in the profile).
      if (!succeeded) controller.abort();
    }
  };

  if (userSignal.aborted) throw fail('cancelled', 'cancelled before any attempt');

  for (const candidate of options.decision.candidates) {
    const target = { provider: candidate.provider, model: candidate.model };
    if (userSignal.aborted) throw fail('cancelled', 'cancelled');

    const dead = deadProviders.get(candidate.provider);
    if (dead) {
      record({ ...target, outcome: 'skipped', reason: dead, message: `provider ${candidate.provider} skipped: ${dead === 'no-key' ? 'no API key' : 'its key was rejected'}`, elapsedMs: 0 });
      continue;
    }

    const leg = options.legFor(candidate);
    if (leg instanceof ProviderError) {
      const reason = leg.kind === 'no-key' ? 'no-key' : reasonFor(leg);
      record({ ...target, outcome: 'skipped', reason, message: leg.message, elapsedMs: 0 });
      deadProviders.set(candidate.provider, reason);
      safely('onWarning', () => options.onWarning?.(redact(`${candidate.provider}: ${leg.message} — skipping its candidates`)));
      continue;
    }

    let announced = false;
    let retried = false;
    for (;;) {
      const permit = options.circuits?.acquire(candidate.provider, candidate.model) ?? { allowed: true as const, probe: false };
      if (!permit.allowed) {
        record({ ...target, outcome: 'skipped', reason: 'circuit-open', message: `circuit open until ${new Date(permit.openUntil).toISOString()}`, elapsedMs: 0 });
        break;
      }
      if (!announced) {
        announced = true;
        const from = attempts.at(-1);
        if (from) {
          fallbacks++;
          safely('onFallback', () => options.onFallback?.(from, target));
        }
      }

      const started = now();
      const result = await runAttempt(leg);
      const elapsedMs = now() - started;

      if (result.ok) {
        options.circuits?.success(candidate.provider, candidate.model);
        record({ ...target, outcome: 'ok', elapsedMs });
        const out: DispatchResult = {
          text: result.text, toolCalls: result.toolCalls, leg, tail: result.tail, ...target, candidate, finishReason: result.finishReason, attempts,
          ttftMs: result.ttftMs, upstreamTtftMs: result.upstreamTtftMs, totalMs: now() - t0, fallbacks,
        };
        if (result.usage) out.usage = result.usage;
        if (result.id) out.responseId = result.id;
        if (result.model) out.upstreamModel = result.model;
        if (result.answer) out.answer = result.answer;
        return out;
      }

      const { error } = result;
      const cls = classify(error, result.committed, retryOn);
      lastRejection = error.kind === 'http' && error.status !== undefined ? { format: leg.call.format, status: error.status, ...error.upstream } : undefined;
      const attempt: Attempt = {
        ...target,
        outcome: cls === 'cancelled' ? 'cancelled' : 'failed',
        // After the commit a lost connection is a cut stream; other causes (timeout, malformed, an error event) keep their name.
        reason: cls === 'cancelled' ? (result.stalled ? 'client-stalled' : 'cancelled') : cls === 'cut' && error.kind === 'network' ? 'stream-cut' : reasonFor(error),
        message: error.message,
        elapsedMs,
      };
      if (error.status !== undefined) attempt.status = error.status;
      if (error.retryAfterMs !== undefined) attempt.retryAfterMs = error.retryAfterMs;

      if (cls === 'cancelled' || cls === 'permanent') options.circuits?.release(candidate.provider, candidate.model, permit.probe);
      else options.circuits?.failure(candidate.provider, candidate.model, permit.probe);
      record(attempt);

      const partial = result.committed
        ? { partialText: result.text, usage: result.usage ?? null, usageCoversText: result.usageCoversText, ...target, candidate, ttftMs: result.ttftMs }
        : {};
      switch (cls) {
        case 'cancelled':
          throw fail('cancelled', result.stalled ? 'cancelled: the caller stopped reading the stream' : 'cancelled', partial);
        case 'cut':
          throw fail('stream-cut', `stream from ${candidate.provider}/${candidate.model} failed after it started`, partial);
        case 'permanent':
          throw fail('permanent', `${candidate.provider}/${candidate.model} rejected the request`, error.status !== undefined ? { status: error.status, ...(lastRejection ? { upstream: lastRejection } : {}) } : {});
        case 'provider':
          deadProviders.set(candidate.provider, reasonFor(error));
          safely('onWarning', () => options.onWarning?.(redact(`${candidate.provider}: ${error.message} — skipping its candidates`)));
          break;
        case 'retryable':
          if (!retried && error.retryAfterMs !== undefined && error.retryAfterMs <= maxRetryAfterMs) {
            retried = true;
            await sleep(error.retryAfterMs, userSignal);
            if (userSignal.aborted) throw fail('cancelled', 'cancelled while waiting to retry');
            continue;
          }
          break;
      }
      break;
    }
  }

  throw fail('all-failed', options.decision.candidates.length ? 'every candidate failed' : 'no candidates to try', lastRejection ? { upstream: lastRejection } : {});
}
