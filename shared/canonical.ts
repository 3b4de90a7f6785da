/** The daemon's canonical request and stream format; providers translate to and from their wire formats. */
import type { ChatMessage } from './decision';

export interface CanonicalRequest {
  system?: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  stream: boolean;
}

export type FinishReason = 'stop' | 'length' | 'stop_sequence' | 'content_filter' | 'tool_calls' | 'other';

export interface Usage {
  /** Every input token, cached or not. */
  inputTokens: number;
  outputTokens: number;
  /** Of `inputTokens`, those read from the provider's prompt cache. */
  cachedInputTokens?: number;
  /** Of `inputTokens`, those written to the prompt cache (Anthropic's cache_creation_input_tokens). */
  cacheWriteInputTokens?: number;
  reasoningTokens?: number;
}

export interface CanonicalResponse {
  id: string;
  /** The model id the upstream reports. */
  model: string;
  text: string;
  finishReason: FinishReason;
  usage?: Usage;
}

export type StreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'done'; finishReason: FinishReason; id?: string; model?: string };
