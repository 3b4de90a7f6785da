/**
 * Canonical request (parsed from another format) → an Anthropic messages body. What Anthropic cannot express is
 * refused with UnsupportedFieldError naming the caller's field and the target; nothing is dropped, except what the
 * docs say is removed: other providers' reasoning items (unverifiable here) and OpenAI's image `detail` hint
 * (Anthropic chooses the resolution itself).
 */
import type {
  CacheControl, CanonicalRequest, ContentPart, DocumentPart, ImagePart, Message, TextPart, ToolDefinition,
} from '../../../shared/canonical';
import { effortToBudget, isRecord } from '../common';
import { UnsupportedFieldError, type TargetInfo } from '../types';
import { jsonFormat, jsonTool } from './structured';
import type {
  ContentBlock, DocumentBlock, ImageBlock, MessageParam, MessagesRequest, TextBlock, ThinkingParam, ToolChoiceParam, ToolParam,
} from './wire';

/** Anthropic requires `max_tokens`; this is sent when the request has none. */
export const DEFAULT_MAX_TOKENS = 4096;

/** The image types Anthropic reads. */
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

function where(target: TargetInfo): string {
  return `${target.providerType} model ${target.model}`;
}

/** The caller's name for a field: Responses callers spell some differently. Indices count canonical messages. */
function named(request: CanonicalRequest, chat: string, responses: string): string {
  return request.raw?.format === 'openai-responses' ? responses : chat;
}

const partPath = (r: CanonicalRequest, m: number, p: number) => named(r, `messages[${m}].content[${p}]`, `input[${m}].content[${p}]`);

class Builder {
  constructor(private readonly request: CanonicalRequest, private readonly target: TargetInfo) {}

  refuse(field: string, why: string): never {
    throw new UnsupportedFieldError(field, where(this.target), why);
  }

  cache<T extends object>(block: T, cc: CacheControl | undefined): T {
    return cc ? { ...block, cache_control: cc.ttl ? { type: cc.type, ttl: cc.ttl } : { type: cc.type } } : block;
  }

  text(p: TextPart): TextBlock {
    return this.cache({ type: 'text', text: p.text }, p.cacheControl);
  }

  image(p: ImagePart, path: string): ImageBlock {
    const s = p.source;
    if (s.kind === 'file') this.refuse(path, 'a file id names a file uploaded to another provider; send the image itself (base64 or URL)');
    if (s.kind === 'base64' && !IMAGE_TYPES.includes(s.mediaType)) this.refuse(path, `Anthropic reads ${IMAGE_TYPES.join(', ')} images, not ${s.mediaType}`);
    const source = s.kind === 'url' ? { type: 'url' as const, url: s.url } : { type: 'base64' as const, media_type: s.mediaType, data: s.data };
    return this.cache({ type: 'image', source }, p.cacheControl);
  }

  document(p: DocumentPart, path: string): DocumentBlock {
    const s = p.source;
    let source: DocumentBlock['source'];
    if (s.kind === 'file') this.refuse(path, 'a file id names a file uploaded to another provider; send the document itself (base64)');
    if (s.kind === 'url' || s.kind === 'text') source = s.kind === 'url' ? { type: 'url', url: s.url } : { type: 'text', media_type: 'text/plain', data: s.data };
    else if (s.mediaType === 'application/pdf') source = { type: 'base64', media_type: 'application/pdf', data: s.data };
    else if (s.mediaType === 'text/plain') source = { type: 'text', media_type: 'text/plain', data: Buffer.from(s.data, 'base64').toString('utf8') };
    else this.refuse(path, `Anthropic reads PDF and plain-text documents, not ${s.mediaType}`);
    const block: DocumentBlock = { type: 'document', source };
    // Anthropic has no file name; the title is what it shows the model about the document.
    const title = p.title ?? p.filename;
    if (title) block.title = title;
    return this.cache(block, p.cacheControl);
  }

  toolInput(args: string, path: string): Record<string, unknown> {
    if (args.trim() === '') return {};
    let input: unknown;
    try {
      input = JSON.parse(args);
    } catch {
      this.refuse(path, 'Anthropic takes tool-call arguments as a JSON object, and these are not valid JSON');
    }
    if (!isRecord(input)) this.refuse(path, 'Anthropic takes tool-call arguments as a JSON object');
    return input;
  }

  block(part: ContentPart, m: number, p: number, toolCall: number): ContentBlock | undefined {
    const path = partPath(this.request, m, p);
    switch (part.type) {
      case 'text': return this.text(part);
      case 'image': return this.image(part, path);
      case 'document': return this.document(part, path);
      case 'tool_call': {
        const argsPath = named(this.request, `messages[${m}].tool_calls[${toolCall}].function.arguments`, `input[${m}].arguments`);
        const block: ContentBlock = { type: 'tool_use', id: part.id, name: part.name, input: this.toolInput(part.arguments, argsPath) };
        return this.cache(block, part.cacheControl);
      }
      case 'tool_result': {
        const content = part.content.map((c) => (c.type === 'text' ? this.text(c) : c.type === 'image' ? this.image(c, path) : this.document(c, path)));
        const block: ContentBlock = { type: 'tool_result', tool_use_id: part.toolCallId };
        if (content.length === 1 && content[0].type === 'text' && !content[0].cache_control) block.content = content[0].text;
        else if (content.length) block.content = content;
        if (part.isError) block.is_error = true;
        return this.cache(block, part.cacheControl);
      }
      case 'thinking':
        // Another provider's reasoning cannot be verified by Anthropic (removed, documented); Anthropic's own
        // comes back with its signature unchanged.
        if (part.format !== 'anthropic') return undefined;
        if (part.redacted !== undefined) return { type: 'redacted_thinking', data: part.redacted };
        return { type: 'thinking', thinking: part.text, signature: part.signature ?? '' };
    }
  }

  /** Anthropic wants alternating roles and a user message's tool results before anything else in it. */
  messages(messages: Message[]): MessageParam[] {
    const out: { role: Message['role']; content: ContentBlock[] }[] = [];
    messages.forEach((msg, m) => {
      let toolCalls = 0;
      const blocks = msg.content
        .map((part, p) => this.block(part, m, p, part.type === 'tool_call' ? toolCalls++ : 0))
        .filter((b): b is ContentBlock => b !== undefined);
      if (!blocks.length) return;
      const last = out[out.length - 1];
      if (last && last.role === msg.role) last.content.push(...blocks);
      else out.push({ role: msg.role, content: blocks });
    });
    return out.map(({ role, content }) => {
      const ordered = role === 'user'
        ? [...content.filter((b) => b.type === 'tool_result'), ...content.filter((b) => b.type !== 'tool_result')]
        : content;
      const only = ordered[0];
      return ordered.length === 1 && only.type === 'text' && !only.cache_control ? { role, content: only.text } : { role, content: ordered };
    });
  }

  tool(t: ToolDefinition, i: number): ToolParam {
    const schema = t.parameters;
    if (schema.type !== undefined && schema.type !== 'object') {
      this.refuse(named(this.request, `tools[${i}].function.parameters`, `tools[${i}].parameters`), 'Anthropic tool inputs are JSON objects (schema type "object")');
    }
    const tool: ToolParam = { name: t.name, input_schema: schema.type === undefined ? { type: 'object', properties: {}, ...schema } : schema };
    if (t.description !== undefined) tool.description = t.description;
    if (t.strict !== undefined) tool.strict = t.strict;
    return this.cache(tool, t.cacheControl);
  }

  toolChoice(): ToolChoiceParam | undefined {
    const { toolChoice, parallelToolCalls } = this.request;
    const choice: ToolChoiceParam | undefined = !toolChoice ? undefined
      : toolChoice.type === 'required' ? { type: 'any' }
      : toolChoice.type === 'tool' ? { type: 'tool', name: toolChoice.name }
      : { type: toolChoice.type };
    if (parallelToolCalls === undefined || choice?.type === 'none') return choice;
    return { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: !parallelToolCalls } as ToolChoiceParam;
  }

  thinking(): ThinkingParam | undefined {
    const r = this.request.reasoning;
    if (!r) return undefined;
    if (!r.enabled) return { type: 'disabled' };
    // Anthropic requires a tool loop's last assistant turn to open with Claude's own signed thinking; a loop begun
    // on another provider has none to give, and the API's own advice is to think on the next turn instead.
    if (this.continuesForeignToolLoop()) return undefined;
    // Without an effort or budget (Responses `reasoning: {summary}`), OpenAI's default effort: medium.
    return { type: 'enabled', budget_tokens: r.budgetTokens ?? effortToBudget(r.effort ?? 'medium') };
  }

  /** The last assistant turn called tools without Anthropic thinking of its own (another provider answered it). */
  private continuesForeignToolLoop(): boolean {
    const last = [...this.request.messages].reverse().find((m) => m.role === 'assistant');
    return !!last && last.content.some((p) => p.type === 'tool_call') && !last.content.some((p) => p.type === 'thinking' && p.format === 'anthropic');
  }

  /** Sampling limits Anthropic puts on thinking: temperature 1 only, no top_k, top_p of 0.95 or more. */
  checkSamplingWithThinking(): void {
    const r = this.request;
    const why = 'Anthropic allows no temperature but 1, no top_k and no top_p under 0.95 while thinking (asked for by reasoning)';
    if (r.temperature !== undefined && r.temperature !== 1) this.refuse('temperature', why);
    if (r.topK !== undefined) this.refuse('top_k', why);
    if (r.topP !== undefined && r.topP < 0.95) this.refuse('top_p', why);
  }

  /** Structured output as one forced tool (see structured.ts). */
  forceJsonTool(body: MessagesRequest, thinkingBudget: number): void {
    const r = this.request;
    const format = jsonFormat(r);
    if (!format) return;
    const field = named(r, 'response_format', 'text.format');
    if (r.tools?.length) this.refuse(field, 'Anthropic gets structured output through one forced tool, which cannot be combined with the request\'s own tools');
    if (thinkingBudget) this.refuse(field, 'Anthropic gets structured output through a forced tool, which it does not allow while thinking (asked for by reasoning)');
    if (format.type === 'json_schema' && format.schema.type !== undefined && format.schema.type !== 'object') {
      this.refuse(field, 'Anthropic gets structured output through a tool, whose input must be a JSON object (schema type "object")');
    }
    const tool = jsonTool(format);
    body.tools = [tool];
    body.tool_choice = { type: 'tool', name: tool.name };
  }

  build(): MessagesRequest {
    const r = this.request;
    const first = r.untranslatable?.[0];
    if (first) this.refuse(first, `it has no equivalent in Anthropic's messages API`);
    if (r.seed !== undefined) this.refuse('seed', 'Anthropic has no sampling seed');
    if (r.n !== undefined && r.n > 1) this.refuse('n', 'Anthropic gives one answer per request');

    const thinking = this.thinking();
    const budget = thinking?.type === 'enabled' ? thinking.budget_tokens : 0;
    // Thinking counts against max_tokens, which must exceed the budget: the budget comes on top of the answer's.
    const body: MessagesRequest = {
      model: this.target.model,
      max_tokens: budget + (r.maxTokens ?? DEFAULT_MAX_TOKENS),
      messages: this.messages(r.messages),
      stream: r.stream,
    };
    if (r.system?.length) {
      const [only] = r.system;
      body.system = r.system.length === 1 && !only.cacheControl ? only.text : r.system.map((p) => this.text(p));
    }
    if (r.tools?.length) body.tools = r.tools.map((t, i) => this.tool(t, i));
    if (jsonFormat(r)) this.forceJsonTool(body, budget);
    else if (body.tools || r.toolChoice?.type === 'required' || r.toolChoice?.type === 'tool') {
      // Without tools, `auto` and `none` say nothing, and Anthropic refuses a tool_choice with no tools.
      const choice = this.toolChoice();
      if (budget && (choice?.type === 'any' || choice?.type === 'tool')) {
        this.refuse('tool_choice', 'Anthropic does not force tool use while thinking (asked for by reasoning); use auto');
      }
      if (choice) body.tool_choice = choice;
    }
    if (thinking) body.thinking = thinking;
    if (budget) this.checkSamplingWithThinking();
    // OpenAI takes temperatures up to 2, Anthropic up to 1: clamped, so a valid request is not refused upstream.
    if (r.temperature !== undefined) body.temperature = Math.min(1, Math.max(0, r.temperature));
    if (r.topP !== undefined) body.top_p = r.topP;
    if (r.topK !== undefined) body.top_k = r.topK;
    if (r.stop?.length) body.stop_sequences = [...r.stop];
    if (r.user !== undefined) body.metadata = { user_id: r.user };
    return body;
  }
}

export function buildRequest(request: CanonicalRequest, target: TargetInfo): Record<string, unknown> {
  return new Builder(request, target).build() as unknown as Record<string, unknown>;
}

/** The caller's own body for an Anthropic upstream: only `model` replaced (Anthropic streams always carry usage). */
export function passthroughBody(request: CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> }, target: TargetInfo): Record<string, unknown> {
  return { ...request.raw.body, model: target.model };
}
