/**
 * The OpenAI Responses API (`POST /v1/responses`), spoken to callers (Codex CLI, the AI SDK's `openai()` provider,
 * `client.responses.*`) and to OpenAI upstreams. Same format in and out passes the caller's body through with only
 * `model` replaced — conversation state (`previous_response_id`), built-in tools and everything else reach OpenAI
 * unchanged — and relays the upstream's events as they come (usage is always in `response.completed`, so Switchyard
 * owns no field here). Across formats, see parse.ts and build.ts; fields.ts is the table of every request field.
 */
import type { FormatCodec, SSEMessage } from '../types';
import { buildRequest, passthroughBody } from './build';
import { decodeError, encodeError } from './errors';
import { parseRequest } from './parse';
import { decodeResponse, encodeResponse } from './response';
import { ResponsesStreamDecoder } from './streamDecoder';
import { ResponsesStreamEncoder } from './streamEncoder';

/** The upstream's SSE message as it came: its event name, and its data line by line. */
export function relayFrame(message: SSEMessage): string {
  const data = message.data.split('\n').map((line) => `data: ${line}`).join('\n');
  return `${message.event ? `event: ${message.event}\n` : ''}${data}\n\n`;
}

export const codec: FormatCodec = {
  format: 'openai-responses',
  parseRequest,
  encodeResponse,
  streamEncoder: (ctx) => new ResponsesStreamEncoder(ctx),
  encodeError,
  buildRequest,
  passthroughBody,
  decodeResponse,
  streamDecoder: () => new ResponsesStreamDecoder(),
  relayFrame,
  decodeError,
};
