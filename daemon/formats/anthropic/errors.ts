/**
 * Anthropic's error body `{type: "error", error: {type, message}}` ⇄ WireError. An error type from another format
 * (OpenAI's `server_error`, `insufficient_quota`…) becomes the Anthropic type its status stands for; `code` and
 * `param`, which Anthropic errors lack, are kept beside the message when the failure had them.
 */
import { asText, isRecord } from '../common';
import type { WireError } from '../types';
import type { ErrorBody, ErrorDetail } from './wire';

const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** Anthropic error `type` → the HTTP status it stands for (errors inside a stream carry no status). */
export function statusForErrorType(type: unknown): number {
  return typeof type === 'string' && Object.hasOwn(STATUS_BY_TYPE, type) ? STATUS_BY_TYPE[type] : 500;
}

function errorTypeForStatus(status: number): string {
  switch (status) {
    case 401: return 'authentication_error';
    case 402: return 'billing_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 504: return 'timeout_error';
    case 529: return 'overloaded_error';
    default: return status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

const isAnthropicType = (type: string): boolean => Object.hasOwn(STATUS_BY_TYPE, type);

export function errorDetail(message: string, type: string, status: number | undefined, code?: string | null, param?: string | null): ErrorDetail {
  const detail: ErrorDetail = {
    type: isAnthropicType(type) ? type : status !== undefined ? errorTypeForStatus(status) : 'api_error',
    message,
  };
  if (code) detail.code = code;
  if (param) detail.param = param;
  return detail;
}

export function encodeError(error: WireError): ErrorBody {
  return { type: 'error', error: errorDetail(error.message, error.type, error.status, error.code, error.param) };
}

/** An Anthropic upstream's error body (JSON, text, or nothing) → WireError. */
export function decodeError(status: number, body: unknown): WireError {
  const e = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const message = e && e.message !== undefined ? asText(e.message)
    : typeof body === 'string' && body.trim() ? body.trim().slice(0, 500)
    : `upstream answered HTTP ${status}`;
  const out: WireError = { status, message, type: e && typeof e.type === 'string' ? e.type : errorTypeForStatus(status) };
  if (e && typeof e.code === 'string') out.code = e.code;
  if (e && typeof e.param === 'string') out.param = e.param;
  return out;
}
