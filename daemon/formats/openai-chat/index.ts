/** The OpenAI chat-completions wire format (`POST /v1/chat/completions`), both directions. */
import type { FormatCodec } from '../types';
import { buildRequest, passthroughBody } from './build';
import { decodeError, encodeError } from './errors';
import { parseRequest } from './parse';
import { relayFrame } from './relay';
import { decodeResponse, encodeResponse } from './response';
import { ChatStreamDecoder } from './streamDecoder';
import { ChatStreamEncoder } from './streamEncoder';

export const codec: FormatCodec = {
  format: 'openai-chat',
  parseRequest,
  encodeResponse,
  streamEncoder: (ctx) => new ChatStreamEncoder(ctx),
  encodeError,
  buildRequest,
  passthroughBody,
  decodeResponse,
  streamDecoder: () => new ChatStreamDecoder(),
  relayFrame,
  decodeError,
};
