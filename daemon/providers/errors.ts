/**
 * Every failure the SDKs (or our own stream reading) can raise, mapped once to a ProviderError so dispatch
 * can decide: retry elsewhere, skip the provider, or fail fast.
 */
import * as OpenAISDK from 'openai';
import * as AnthropicSDK from '@anthropic-ai/sdk';
import { ProviderError } from './types';

type HeaderBag = Headers | Record<string, string | string[] | undefined> | undefined | null;

function header(headers: HeaderBag, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  const v = key ? rec[key] : undefined;
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Retry-After as milliseconds: `retry-after-ms` (OpenAI's, milliseconds) wins over `retry-after`, which is
 * either seconds (possibly fractional) or an HTTP date. Undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(headers: HeaderBag, now: number = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '') {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  }
  const ra = header(headers, 'retry-after');
  if (ra === undefined || ra.trim() === '') return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs)) return secs >= 0 ? Math.ceil(secs * 1000) : undefined;
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const isInstance = (err: unknown, ...classes: (abstract new (...args: never[]) => unknown)[]) =>
  classes.some((c) => err instanceof c);

/** The chain of `cause`s, for spotting a reset or a parse error buried in a wrapper. */
function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 6 && cur && typeof cur === 'object'; i++) {
    out.push(cur);
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Any error from an SDK call or from reading its body → ProviderError. If `signal` (ours: cancel or per-attempt
 * timeout) has fired, the answer is `cancelled` whatever the SDK threw — dispatch knows whether its timer did it.
 * Phase `body` means the response had started: a lost connection there is a cut stream, not a network error.
 */
export function toProviderError(err: unknown, signal?: AbortSignal, phase: 'request' | 'body' = 'request'): ProviderError {
  if (signal?.aborted) return err instanceof ProviderError && err.kind === 'cancelled' ? err : new ProviderError('cancelled', 'request cancelled');
  if (err instanceof ProviderError) return err;

  if (isInstance(err, OpenAISDK.APIUserAbortError, AnthropicSDK.APIUserAbortError)) return new ProviderError('cancelled', 'request cancelled');
  if (isInstance(err, OpenAISDK.APIConnectionTimeoutError, AnthropicSDK.APIConnectionTimeoutError)) {
    return new ProviderError('timeout', 'upstream request timed out');
  }
  if (isInstance(err, OpenAISDK.APIConnectionError, AnthropicSDK.APIConnectionError)) {
    const root = causes(err).at(-1);
    const detail = root && root !== err ? `: ${messageOf(root)}` : '';
    return new ProviderError('network', `connection failed${detail}`);
  }
  if (isInstance(err, OpenAISDK.APIError, AnthropicSDK.APIError)) {
    const e = err as { status?: number; headers?: Headers; message: string; error?: unknown };
    if (typeof e.status === 'number') {
      // The OpenAI SDK keeps the body's inner `error` object, Anthropic's the whole body: give the codecs the body.
      const body = err instanceof OpenAISDK.APIError && e.error !== undefined ? { error: e.error } : e.error;
      const upstream = { body, retryAfter: header(e.headers, 'retry-after'), requestId: header(e.headers, 'x-request-id') ?? header(e.headers, 'request-id') };
      return new ProviderError('http', e.message, e.status, parseRetryAfter(e.headers), upstream);
    }
    return new ProviderError('malformed', e.message);
  }
  if (isInstance(err, OpenAISDK.OpenAIError, AnthropicSDK.AnthropicError)) return new ProviderError('malformed', messageOf(err));

  const chain = causes(err);
  if (chain.some((c) => c instanceof SyntaxError)) return new ProviderError('malformed', `unparseable upstream body: ${messageOf(err)}`);
  if (chain.some((c) => (c as { name?: string }).name === 'AbortError')) return new ProviderError('cancelled', 'request cancelled');
  // Anything else is a transport failure (undici's `TypeError: terminated`, ECONNRESET, …).
  const detail = [messageOf(err), ...chain.slice(1).map(messageOf)].filter(Boolean).join(': ') || 'unknown upstream failure';
  if (phase === 'body') return new ProviderError('stream-cut', `connection lost mid-response: ${detail}`);
  return new ProviderError('network', detail);
}
