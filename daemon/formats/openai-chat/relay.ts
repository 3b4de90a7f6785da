/** Passthrough streaming: the upstream's SSE messages re-framed for the caller, `data` unchanged. */
import type { CanonicalRequest } from '../../../shared/canonical';
import type { SSEMessage } from '../types';

/** A chunk that may be the usage chunk (`"usage": {…}`); only these are parsed, so most chunks are relayed unread. */
const USAGE_OBJECT = /"usage"\s*:\s*\{/;

/**
 * The usage-only chunk (`choices: []`) exists because passthroughBody switched `include_usage` on for the ledger;
 * a caller who did not ask for it does not get it. Any other chunk, `[DONE]` and error objects pass as they are.
 */
function isUnaskedUsage(data: string, request: CanonicalRequest): boolean {
  if (request.includeUsage || !USAGE_OBJECT.test(data)) return false;
  try {
    const chunk = JSON.parse(data) as { choices?: unknown };
    return Array.isArray(chunk.choices) && chunk.choices.length === 0;
  } catch {
    return false;
  }
}

export function relayFrame(message: SSEMessage, request: CanonicalRequest): string {
  if (isUnaskedUsage(message.data, request)) return '';
  const data = message.data.includes('\n') ? message.data.split('\n').join('\ndata: ') : message.data;
  return `${message.event ? `event: ${message.event}\n` : ''}data: ${data}\n\n`;
}
