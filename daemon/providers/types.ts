/** What every provider adapter offers the dispatcher. Adapters wrap the official SDKs; translators are pure. */
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../shared/canonical';

export interface ProviderCallOptions {
  /** Pinned upstream model id. */
  model: string;
  /** Aborts the upstream request (cancel and per-attempt timeout). */
  signal: AbortSignal;
}

export interface ProviderAdapter {
  readonly name: string;
  complete(request: CanonicalRequest, options: ProviderCallOptions): Promise<CanonicalResponse>;
  /** Yields canonical events; throws ProviderError on failure (before or after the first delta). */
  stream(request: CanonicalRequest, options: ProviderCallOptions): AsyncIterable<StreamEvent>;
}

export type ProviderErrorKind = 'http' | 'timeout' | 'network' | 'malformed' | 'stream-cut' | 'no-key' | 'cancelled';

/** Every failure an adapter reports, classified once so dispatch can decide retry / skip provider / fail fast. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status?: number,
    /** From `retry-after-ms` or `retry-after` (seconds or HTTP date). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
