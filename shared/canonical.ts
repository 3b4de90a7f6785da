/**
 * The daemon's one request shape: every wire format a caller speaks (OpenAI chat completions, OpenAI Responses,
 * Anthropic messages) is parsed into a CanonicalRequest, routed, and either passed through to an upstream of the
 * same format (the caller's body with `model` replaced: `raw`) or built into another format's body. Each wire
 * format has one owner, daemon/formats/<format>/, which parses it, builds it, decodes its answers and encodes them.
 *
 * Conventions: content is always a list of parts; tool results are parts of a user message (as in Anthropic's
 * format; OpenAI's `tool` messages map to and from them); tool-call arguments are JSON text as the model wrote it.
 */
import type { ChatMessage } from './decision';

/**
 * The wire formats the daemon speaks, to callers and to upstreams. The first three translate into each other; legacy
 * completions (fill in the middle) and embeddings go only to an upstream of their own format.
 */
export type WireFormat = 'openai-chat' | 'openai-responses' | 'anthropic' | 'openai-completions' | 'openai-embeddings';

/** Anthropic's prompt-cache marker; carried on Anthropic targets, removed (documented) on OpenAI ones. */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: string;
}

export type MediaSource =
  | { kind: 'url'; url: string }
  | { kind: 'base64'; mediaType: string; data: string }
  /** An id of a file uploaded to the provider (OpenAI `file_id`, Anthropic Files API): only its own provider can read it. */
  | { kind: 'file'; fileId: string };

export interface TextPart { type: 'text'; text: string; cacheControl?: CacheControl }
export interface ImagePart { type: 'image'; source: MediaSource; detail?: 'auto' | 'low' | 'high'; cacheControl?: CacheControl }
/** A PDF (or plain-text) document. */
export interface DocumentPart {
  type: 'document';
  source: MediaSource | { kind: 'text'; mediaType: 'text/plain'; data: string };
  filename?: string;
  title?: string;
  cacheControl?: CacheControl;
}
/** An assistant's call of a tool. `arguments` is JSON text, exactly as the model produced it. */
export interface ToolCallPart { type: 'tool_call'; id: string; name: string; arguments: string; cacheControl?: CacheControl }
/** The result of a tool call, sent back by the caller (inside a user message). */
export interface ToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  content: (TextPart | ImagePart | DocumentPart)[];
  isError?: boolean;
  cacheControl?: CacheControl;
}
/**
 * The model's reasoning, as the upstream returned it. `signature` (Anthropic) or `encrypted` (OpenAI Responses
 * `encrypted_content`) must come back unchanged when the conversation continues; `format` says whose it is, since
 * neither provider accepts the other's.
 */
export interface ThinkingPart {
  type: 'thinking';
  text: string;
  signature?: string;
  /** Anthropic `redacted_thinking.data`. */
  redacted?: string;
  /** OpenAI Responses reasoning item: its id and `encrypted_content`. */
  id?: string;
  encrypted?: string;
  format: 'anthropic' | 'openai-responses' | 'openai-chat';
}

export type ContentPart = TextPart | ImagePart | DocumentPart | ToolCallPart | ToolResultPart | ThinkingPart;

export interface Message {
  role: 'user' | 'assistant';
  content: ContentPart[];
  /** OpenAI `name` on a message. */
  name?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
  strict?: boolean;
  cacheControl?: CacheControl;
}

export type ToolChoice = { type: 'auto' } | { type: 'required' } | { type: 'none' } | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

/** Requested reasoning: OpenAI's `reasoning_effort` / `reasoning.effort`, Anthropic's `thinking` budget. */
export interface Reasoning {
  /** False for Anthropic `thinking: { type: "disabled" }`. */
  enabled: boolean;
  effort?: ReasoningEffort;
  budgetTokens?: number;
  /** Responses `reasoning.summary`. */
  summary?: string;
}

export interface CanonicalRequest {
  /** System prompt blocks in order (OpenAI system/developer messages, Anthropic `system`, Responses `instructions`). */
  system?: TextPart[];
  messages: Message[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** OpenAI `parallel_tool_calls`; Anthropic's `tool_choice.disable_parallel_tool_use` is its negation. */
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  reasoning?: Reasoning;
  temperature?: number;
  topP?: number;
  /** Anthropic only. */
  topK?: number;
  /** OpenAI only. */
  seed?: number;
  maxTokens?: number;
  stop?: string[];
  /** OpenAI `user`, Anthropic `metadata.user_id`, Responses `user`/`safety_identifier`. */
  user?: string;
  /** Completions wanted (OpenAI `n`); the daemon serves 1 unless the target format can do more. */
  n?: number;
  stream: boolean;
  /** The caller's wants the final usage chunk (OpenAI `stream_options.include_usage`). */
  includeUsage?: boolean;
  /**
   * Fields of the caller's body that no other format can express (`logprobs`, `service_tier`, `previous_response_id`,
   * built-in tools…), by their path: passed through on a same-format target, and a 400 that names them on any other.
   */
  untranslatable?: string[];
  /** The caller's body as it came, and its format: a same-format target gets it with `model` replaced. */
  raw?: { format: WireFormat; body: Record<string, unknown> };
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
  /** The answer's parts in order: text, thinking, tool calls. */
  content: (TextPart | ToolCallPart | ThinkingPart)[];
  finishReason: FinishReason;
  /** The stop sequence that ended the answer, when the upstream says (Anthropic `stop_sequence`). */
  stopSequence?: string;
  usage?: Usage;
}

/**
 * Canonical stream events. Content events (`delta`, `thinking`, `tool_call`, `tool_call_delta`) are the commit
 * point: before the first, a failure falls back invisibly. `index` numbers the answer's parts, as the upstream did.
 */
export type StreamEvent =
  | { type: 'delta'; text: string; index?: number }
  | { type: 'thinking'; text: string; signature?: string; redacted?: string; index?: number; format?: ThinkingPart['format']; id?: string; encrypted?: string }
  | { type: 'tool_call'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; arguments: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'done'; finishReason: FinishReason; stopSequence?: string; id?: string; model?: string };

export const isContentEvent = (e: StreamEvent): boolean => e.type !== 'usage' && e.type !== 'done';

/** The text of a message's parts as the router and the token counter read it (tool calls and results included). */
export function partsText(parts: readonly ContentPart[]): string {
  let out = '';
  for (const p of parts) {
    const t = p.type === 'text' ? p.text
      : p.type === 'tool_call' ? `${p.name}(${p.arguments})`
      : p.type === 'tool_result' ? partsText(p.content)
      : p.type === 'thinking' ? p.text
      : p.type === 'document' && p.source.kind === 'text' ? p.source.data
      : '';
    if (t) out = out ? `${out}\n${t}` : t;
  }
  return out;
}

/** A conversation as plain text messages (what rules and token counts read). */
export function textMessages(messages: readonly Message[]): ChatMessage[] {
  return messages.map((m) => ({ role: m.role, content: partsText(m.content) }));
}

/** The answer's text parts joined: what the editor shows and the ledger counts. */
export function responseText(res: Pick<CanonicalResponse, 'content'>): string {
  return res.content.filter((p) => p.type === 'text').map((p) => (p as TextPart).text).join('');
}
