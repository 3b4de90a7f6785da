/**
 * Errors in the Responses API: a refused request has OpenAI's body, read and written by the chat format's owner
 * (openai-chat/errors.ts). Inside a stream an error is an `error` event (`code`, `message`, `param`) or a
 * `response.failed` whose response carries `error: {code, message}` — neither says an HTTP status, so one is read
 * from the code.
 */
export { decodeError, encodeError } from '../openai-chat/errors';

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
