/** The wire formats, one owner each: caller-facing parse/encode and upstream-facing build/decode. */
import type { WireFormat } from '../../shared/canonical';
import { codec as anthropic } from './anthropic/index';
import { codec as openaiChat } from './openai-chat/index';
import { codec as openaiCompletions } from './openai-completions/index';
import { codec as openaiEmbeddings } from './openai-embeddings/index';
import { codec as openaiResponses } from './openai-responses/index';
import type { FormatCodec } from './types';

const CODECS: Record<WireFormat, FormatCodec> = {
  'openai-chat': openaiChat, 'openai-responses': openaiResponses, anthropic,
  'openai-completions': openaiCompletions, 'openai-embeddings': openaiEmbeddings,
};

export function codecFor(format: WireFormat): FormatCodec {
  return CODECS[format];
}
