/** Errors in the caller's own wire format: OpenAI `{error:{…}}` or Anthropic `{type:"error",error:{…}}`. */
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Attempt } from '../../shared/protocol';

export type ApiFormat = 'openai' | 'anthropic';

const OPENAI_TYPES: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 413: 'invalid_request_error', 429: 'rate_limit_error' };
const ANTHROPIC_TYPES: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 529: 'overloaded_error' };

export function errorBody(format: ApiFormat, status: number, message: string, code?: string, extra?: { attempts?: Attempt[]; param?: string }) {
  if (format === 'anthropic') {
    return { type: 'error', error: { type: ANTHROPIC_TYPES[status] ?? 'api_error', message, ...(extra?.attempts ? { attempts: extra.attempts } : {}) } };
  }
  return { error: { message, type: OPENAI_TYPES[status] ?? 'api_error', code: code ?? null, param: extra?.param ?? null, ...(extra?.attempts ? { attempts: extra.attempts } : {}) } };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, format: ApiFormat, status: number, message: string, code?: string, extra?: { attempts?: Attempt[]; param?: string }, headers?: Record<string, string>): void {
  if (res.headersSent) { res.end(); return; }
  sendJson(res, status, errorBody(format, status, message, code, extra), headers);
}

/**
 * A header value for user text (rule, tier, provider and model names): printable ASCII goes as it is; anything
 * else — non-Latin-1 letters, an em dash, a control character, or a `%` that would make the value ambiguous — is
 * sent percent-encoded as UTF-8. `decodeURIComponent` therefore gives back the exact name in every case.
 */
export function headerValue(v: string): string {
  return /^[\x20-\x24\x26-\x7e]*$/.test(v) ? v : encodeURIComponent(v);
}

/** A schema's complaints about a caller's input, one line: `params.request.prompt: expected string; …` (first 5). */
export function describeIssues(issues: readonly z.core.$ZodIssue[], root: string): string {
  return issues.slice(0, 5).map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
}
