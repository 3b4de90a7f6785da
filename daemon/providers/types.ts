/** What every provider adapter offers the dispatcher: one send of a body already in the upstream's wire format. */
import type { WireFormat } from '../../shared/canonical';

/** One upstream request, planned by the engine for one candidate (daemon/engine.ts `plan`). */
export interface UpstreamCall {
  /** The upstream's wire format: decides the path and which codec reads the answer. */
  format: WireFormat;
  body: Record<string, unknown>;
  stream: boolean;
  /** The caller's own body with only `model` (and the fields Switchyard owns) replaced. */
  passthrough: boolean;
  /** Query parameters to keep (Claude Code's `?beta=true`). */
  query?: Record<string, string>;
  /** Caller headers forwarded on a same-format call (`anthropic-beta`, `openai-beta`). */
  headers?: Record<string, string>;
}

export interface ProviderAdapter {
  readonly name: string;
  /** The formats this provider's API speaks. */
  readonly formats: readonly WireFormat[];
  /**
   * Sends the call through the official SDK's raw-response path and resolves at the response headers (the body is
   * read by dispatch). Throws ProviderError for a non-2xx answer (with the upstream's error body) or no answer.
   */
  send(call: UpstreamCall, signal: AbortSignal): Promise<Response>;
  /** Any other endpoint of this provider (embeddings, count_tokens, completions), JSON in and out. */
  post(path: string, body: Record<string, unknown>, signal: AbortSignal, options?: { stream?: boolean; headers?: Record<string, string>; query?: Record<string, string> }): Promise<Response>;
}

export type ProviderErrorKind = 'http' | 'timeout' | 'network' | 'malformed' | 'stream-cut' | 'no-key' | 'cancelled';

/** What the upstream said about a failure, kept so the caller can be told in its own format (status, type, code). */
export interface UpstreamFailure {
  /** The parsed error body as the upstream sent it. */
  body?: unknown;
  /** The upstream's `retry-after` header as sent. */
  retryAfter?: string;
  /** The upstream's request id (`x-request-id` / `request-id`). */
  requestId?: string;
}

/** Every failure an adapter reports, classified once so dispatch can decide retry / skip provider / fail fast. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status?: number,
    /** From `retry-after-ms` or `retry-after` (seconds or HTTP date). */
    readonly retryAfterMs?: number,
    readonly upstream?: UpstreamFailure,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
