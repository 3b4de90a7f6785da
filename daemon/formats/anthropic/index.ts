/**
 * The Anthropic messages wire format (`POST /v1/messages`): parse callers' bodies, build upstream bodies, decode
 * upstream answers and streams, encode answers, streams and errors for callers. See fields.ts for what happens to
 * each request field on every other format.
 */
import type { FormatCodec } from '../types';
import { buildRequest, passthroughBody } from './build';
import { decodeError, encodeError } from './errors';
import { parseRequest } from './parse';
import { relayFrame } from './relay';
import { decodeResponse, encodeResponse } from './response';
import { AnthropicStreamDecoder } from './streamDecoder';
import { AnthropicStreamEncoder } from './streamEncoder';

export const codec: FormatCodec = {
  format: 'anthropic',
  parseRequest,
  encodeResponse,
  streamEncoder: (ctx) => new AnthropicStreamEncoder(ctx),
  encodeError,
  buildRequest,
  passthroughBody,
  decodeResponse,
  streamDecoder: (request) => new AnthropicStreamDecoder(request),
  // Anthropic streams carry usage whatever the caller asked, so nothing is held back.
  relayFrame: (message) => relayFrame(message),
  decodeError,
};
