/**
 * Error bodies: `{error: {message, type, param, code}}` (OpenAI), plus the shapes compatible servers answer with
 * (vLLM's top-level `{object: "error", message, type, …}`, Ollama's `{error: "text"}`).
 */
import { asText, isRecord } from '../common';
import type { WireError } from '../types';

/** OpenAI's error type for a status, for errors that carry another format's type or none. */
function openAITypeForStatus(status: number): string {
  switch (status) {
    case 401: return 'authentication_error';
    case 402: return 'insufficient_quota';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 429: return 'rate_limit_error';
    default: return status >= 500 ? 'server_error' : 'invalid_request_error';
  }
}

/** Anthropic's error types that OpenAI does not have (the rest, such as `invalid_request_error`, both share). */
const ANTHROPIC_ONLY_TYPES = new Set(['billing_error', 'request_too_large', 'api_error', 'overloaded_error', 'timeout_error']);

const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  insufficient_quota: 429,
  overloaded_error: 529,
  server_error: 500,
};

/** The HTTP status an error object inside a stream stands for (it has none of its own): its status, its numeric code, or its type's. */
export function statusForError(e: Record<string, unknown>): number {
  for (const v of [e.status, e.code]) if (typeof v === 'number' && Number.isInteger(v) && v >= 400 && v <= 599) return v;
  if (e.code === 'rate_limit_exceeded') return 429;
  return typeof e.type === 'string' && Object.hasOwn(STATUS_BY_TYPE, e.type) ? STATUS_BY_TYPE[e.type]! : 500;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function decodeError(status: number, body: unknown): WireError {
  let b = body;
  if (typeof b === 'string') {
    try {
      b = JSON.parse(b);
    } catch {
      // Not JSON: the text is the message.
    }
  }
  const e = isRecord(b) ? (isRecord(b.error) ? b.error : typeof b.error === 'string' ? { message: b.error } : b) : undefined;
  const rawMessage = e?.message ?? (typeof b === 'string' && b.trim() ? b.trim() : undefined);
  const out: WireError = {
    status,
    message: rawMessage !== undefined ? asText(rawMessage) : `the upstream answered HTTP ${status}`,
    type: text(e?.type) ?? openAITypeForStatus(status),
    code: text(e?.code),
    param: text(e?.param),
  };
  return out;
}

/** A chat caller's error body. An Anthropic-only type becomes OpenAI's for the status; code and param stay as they are. */
export function encodeError(error: WireError): { error: { message: string; type: string; param: string | null; code: string | null } } {
  const type = ANTHROPIC_ONLY_TYPES.has(error.type) ? openAITypeForStatus(error.status) : error.type;
  const code = error.code ?? (error.status === 429 && type === 'rate_limit_error' ? 'rate_limit_exceeded' : null);
  return { error: { message: error.message, type, param: error.param ?? null, code } };
}
