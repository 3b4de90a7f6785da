/**
 * The Anthropic messages shapes this codec writes (what callers of `/v1/messages` receive and what upstreams are
 * sent), as the API reference names them. Bodies read from callers and upstreams are checked field by field
 * instead, since they are untrusted.
 */

interface CacheControlParam {
  type: 'ephemeral';
  ttl?: string;
}

type ImageSourceParam =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string }
  | { type: 'file'; file_id: string };

type DocumentSourceParam =
  | ImageSourceParam
  | { type: 'text'; media_type: 'text/plain'; data: string };

export interface TextBlock { type: 'text'; text: string; cache_control?: CacheControlParam }
export interface ImageBlock { type: 'image'; source: ImageSourceParam; cache_control?: CacheControlParam }
export interface DocumentBlock { type: 'document'; source: DocumentSourceParam; title?: string; cache_control?: CacheControlParam }
interface ToolUseBlock { type: 'tool_use'; id: string; name: string; input: unknown; cache_control?: CacheControlParam }
interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | (TextBlock | ImageBlock | DocumentBlock)[];
  is_error?: boolean;
  cache_control?: CacheControlParam;
}
interface ThinkingBlock { type: 'thinking'; thinking: string; signature: string }
interface RedactedThinkingBlock { type: 'redacted_thinking'; data: string }

export type ContentBlock = TextBlock | ImageBlock | DocumentBlock | ToolUseBlock | ToolResultBlock | ThinkingBlock | RedactedThinkingBlock;

export interface MessageParam {
  role: 'user' | 'assistant';
  content: string | ContentBlock[];
}

export interface ToolParam {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  strict?: boolean;
  cache_control?: CacheControlParam;
}

export type ToolChoiceParam =
  | { type: 'auto' | 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export type ThinkingParam = { type: 'enabled'; budget_tokens: number } | { type: 'disabled' };

/** A messages request built for an upstream. */
export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: MessageParam[];
  system?: string | TextBlock[];
  tools?: ToolParam[];
  tool_choice?: ToolChoiceParam;
  thinking?: ThinkingParam;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  metadata?: { user_id: string };
  stream: boolean;
}

export type StopReason =
  | 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export interface UsageBody {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export type ResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | ThinkingBlock
  | RedactedThinkingBlock;

/** A messages answer, as a caller receives it. */
export interface MessageBody {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ResponseBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: UsageBody;
}

/** A block as `content_block_start` opens it: empty, filled by the deltas that follow. */
export type StartedBlock =
  | { type: 'text'; text: '' }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, never> }
  | { type: 'thinking'; thinking: ''; signature: '' }
  | RedactedThinkingBlock;

export type BlockDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string };

export type StreamEventBody =
  | { type: 'message_start'; message: MessageBody }
  | { type: 'content_block_start'; index: number; content_block: StartedBlock }
  | { type: 'content_block_delta'; index: number; delta: BlockDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: StopReason; stop_sequence: string | null }; usage: UsageBody }
  | { type: 'message_stop' }
  | { type: 'error'; error: ErrorDetail };

export interface ErrorDetail {
  type: string;
  message: string;
  /** Not in Anthropic's own errors: carried when the failure came from another format that had them. */
  code?: string;
  param?: string;
}

/** Anthropic's error body. */
export interface ErrorBody {
  type: 'error';
  error: ErrorDetail;
}
