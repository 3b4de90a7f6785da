/**
 * Errors in the Responses API's shape, which is OpenAI's: `{error: {message, type, code, param}}` for a refused
 * request; inside a stream, an `error` event (`code`, `message`, `param`) or a `response.failed` whose response
 * carries `error: {code, message}` — neither says an HTTP status, so one is read from the code.
 */
import { asText, isRecord } from '../common';
import type { WireError } from '../types';

/** Anthropic's error types that OpenAI has no type of that name for: said by status instead. */
const ANTHROPIC_ONLY = new Set(['api_error', 'overloaded_error', 'billing_error', 'request_too_large', 'timeout_error']);

export function openAITypeForStatus(status: number): string {
  switch (status) {
    case 400: case 409: case 413: case 422: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 402: return 'insufficient_quota';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 429: return 'rate_limit_error';
    default: return status >= 500 ? 'server_error' : 'invalid_request_error';
  }
}

const STATUS_FOR_TYPE: Record<string, number> = {
  invalid_request_error: 400, authentication_error: 401, permission_error: 403, not_found_error: 404,
  rate_limit_error: 429, insufficient_quota: 429, server_error: 500,
};

/** The HTTP status an error sent inside a stream stands for, from its code (or type, when a server sends one). */
export function statusForStreamError(code: unknown, type?: unknown): number {
  if (code === 'rate_limit_exceeded' || code === 'insufficient_quota') return 429;
  if (code === 'server_error') return 500;
  if (code === 'vector_store_timeout') return 504;
  if (typeof code === 'string' && /^(invalid_|context_length|image_|unsupported_|empty_|failed_to_download|bio_policy|data_residency)/.test(code)) return 400;
  return typeof type === 'string' && STATUS_FOR_TYPE[type] !== undefined ? STATUS_FOR_TYPE[type] : 500;
}

const optional = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

export function decodeError(status: number, body: unknown): WireError {
  const e = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (!e) {
    const message = typeof body === 'string' && body ? body : isRecord(body) && typeof body.message === 'string' ? body.message : `upstream answered ${status}`;
    return { status, message, type: openAITypeForStatus(status), code: null, param: null };
  }
  return {
    status,
    message: e.message === undefined ? `upstream answered ${status}` : asText(e.message),
    type: typeof e.type === 'string' && e.type ? e.type : openAITypeForStatus(status),
    code: optional(e.code),
    param: optional(e.param),
  };
}

export function encodeError(error: WireError): { error: { message: string; type: string; code: string | null; param: string | null } } {
  const type = ANTHROPIC_ONLY.has(error.type) || !error.type ? openAITypeForStatus(error.status) : error.type;
  return { error: { message: error.message, type, code: error.code ?? null, param: error.param ?? null } };
}
