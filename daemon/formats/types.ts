/**
 * What each wire format's owner (daemon/formats/<format>/) offers. A format is spoken in two directions:
 * caller-facing (parse what a client POSTed, encode our answer in its shape) and upstream-facing (build a body
 * for a provider of this format, decode its answers). Everything here is pure: no I/O, no clock (the caller
 * passes `created` and ids in).
 */
import type { CanonicalRequest, CanonicalResponse, StreamEvent, WireFormat } from '../../shared/canonical';
import type { ProviderType } from '../../shared/config';

export interface SSEMessage {
  event?: string;
  data: string;
}

/** The upstream a body is built for. */
export interface TargetInfo {
  /** Provider name from the rules file, for messages. */
  provider: string;
  providerType: ProviderType;
  /** The pinned model id sent upstream. */
  model: string;
}

/** What a caller's body became: the `model` it asked for (routing decides what it means) and the request. */
export interface ParsedRequest {
  model: string;
  request: CanonicalRequest;
}

/** Context for encoding an answer to the caller. */
export interface EncodeContext {
  /** Our id for the answer when the upstream's cannot be used (a translated answer keeps the upstream id if it has one). */
  id: string;
  /** Model to report. */
  model: string;
  /** Unix seconds. */
  created: number;
  /** Routing estimate of input tokens (Anthropic's message_start wants a number before the upstream says). */
  inputTokens?: number;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage?: boolean;
  /** The request being answered (Responses echoes parts of it). */
  request?: CanonicalRequest;
  /**
   * The caller already has the start of this answer, relayed from a same-format upstream: the encoder continues it
   * (no second opening events), numbering on from `nextSequence` where the format numbers its events.
   */
  continues?: { nextSequence: number };
}

/** Canonical events → SSE text in this format, for one answer. */
export interface StreamEncoder {
  encode(event: StreamEvent): string;
  /** The error event for a stream that fails after it started (never followed by the format's clean end). */
  error(message: string, code: string, type: string): string;
}

/** Upstream SSE messages → canonical events. `finished` once the format's terminal event came. */
export interface StreamDecoder {
  decode(message: SSEMessage): StreamEvent[];
  readonly finished: boolean;
  /** The upstream answer's id once a message carried it (so a translated stream can keep it from its first chunk). */
  readonly id?: string;
}

/** An error in a format's own shape, decoded from or encoded to its error body. */
export interface WireError {
  status: number;
  message: string;
  /** OpenAI `error.type` / Anthropic `error.type` (translated between them by the formats). */
  type: string;
  code?: string | null;
  param?: string | null;
}

export interface FormatCodec {
  readonly format: WireFormat;
  // ---- caller-facing ----
  /** Throws RequestFormatError (400, naming the field) for a body that is not valid in this format. */
  parseRequest(body: unknown): ParsedRequest;
  encodeResponse(res: CanonicalResponse, ctx: EncodeContext): unknown;
  streamEncoder(ctx: EncodeContext): StreamEncoder;
  encodeError(error: WireError): unknown;
  // ---- upstream-facing ----
  /**
   * A body for `target` from a request parsed from ANOTHER format. Throws UnsupportedFieldError naming the field
   * and the target for anything the target cannot express (never drops it).
   */
  buildRequest(request: CanonicalRequest, target: TargetInfo): Record<string, unknown>;
  /** The caller's own body (same format) for `target`: `model` replaced and the fields Switchyard owns set. */
  passthroughBody(request: CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> }, target: TargetInfo): Record<string, unknown>;
  /**
   * An upstream answer → canonical. `request` is what was sent (as canonical): a decoder undoes what its builder
   * emulated (e.g. structured output sent to Anthropic as a forced tool comes back as JSON text).
   */
  decodeResponse(body: unknown, request: CanonicalRequest): CanonicalResponse;
  streamDecoder(request: CanonicalRequest): StreamDecoder;
  /**
   * Passthrough streaming: the SSE text to relay for one upstream message (the upstream's `data` unchanged), or ''
   * to hold it back (e.g. the usage chunk Switchyard asked for when the caller did not).
   */
  relayFrame(message: SSEMessage, request: CanonicalRequest): string;
  decodeError(status: number, body: unknown): WireError;
}

/** What happens to a request field on its way to an upstream of another format. */
export type FieldVerdict =
  /** Expressed in the target's own terms (may be renamed or reshaped). */
  | 'translated'
  /** The target cannot express it: a 400 naming the field and the target. */
  | 'refused'
  /** Deliberately not sent, documented (Anthropic `cache_control` on an OpenAI target). */
  | 'removed'
  /** Switchyard's own (`model`, `stream`): set by the daemon on every target. */
  | 'owned';

/**
 * One row of a format's field table (daemon/formats/<format>/fields.ts): every field of the format's request
 * reference, what happens to it on the same format and across formats. docs/FIELDS.md is this table, and a test
 * walks it (each sample sent through each target, checked against the verdict), so nothing is silently dropped.
 */
export interface FieldRule {
  /** The field's path: `temperature`, or a notable sub-field: `messages[].content[].image_url`. */
  field: string;
  /** A body (merged over the format's minimal body) that carries the field. */
  sample: Record<string, unknown>;
  /** Same-format target: the caller's value reaches the upstream unchanged ('passed') or Switchyard sets it ('owned'). */
  same: 'passed' | 'owned';
  across: Partial<Record<WireFormat, FieldVerdict>>;
  /** How it is translated, or why it is refused or removed. */
  note?: string;
}

/** A field of the request that the chosen target cannot express: a 400 naming both, never a silent drop. */
export class UnsupportedFieldError extends Error {
  readonly status = 400;
  constructor(readonly field: string, readonly target: string, why: string) {
    super(`${field} cannot be sent to ${target}: ${why}`);
    this.name = 'UnsupportedFieldError';
  }
}
