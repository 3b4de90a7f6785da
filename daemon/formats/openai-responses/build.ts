/**
 * Canonical request (parsed from another format) → a Responses API body. The system prompt becomes `instructions`;
 * each message becomes input items in order: a user message's tool results are `function_call_output` items and
 * its other parts a user message; an assistant's text, tool calls and reasoning are a message, `function_call` and
 * `reasoning` items. The answer is never stored upstream (`store: false`): a translated conversation is sent whole
 * every turn, which is also why only reasoning with `encrypted_content` can be sent back.
 *
 * What the Responses API cannot express is refused with UnsupportedFieldError naming the caller's field and the
 * target. Removed on purpose (documented in the field tables): `cacheControl` (OpenAI caches prefixes itself) and
 * reasoning it cannot read (another provider's, or OpenAI's own without `encrypted_content`).
 */
import type { CanonicalRequest, DocumentPart, ImagePart, Message, TextPart, ThinkingPart, ToolResultPart } from '../../../shared/canonical';
import { budgetToEffort, isRecord, toDataUrl } from '../common';
import { UnsupportedFieldError, type TargetInfo } from '../types';
import { isCarried, summaryOf } from './reasoning';
import type { FunctionTool, InputContent, InputItem, TextFormat, ToolChoiceParam } from './wire';

/** OpenAI refuses a smaller `max_output_tokens`. */
export const MIN_OUTPUT_TOKENS = 16;

/** The caller's name for a canonical field, in the format it spoke. */
function named(request: CanonicalRequest, names: { chat: string; anthropic?: string }): string {
  if (request.raw?.format === 'anthropic' && names.anthropic) return names.anthropic;
  return names.chat;
}

function maxTokensField(request: CanonicalRequest): string {
  const body = request.raw?.body;
  if (request.raw?.format === 'openai-chat' && body && body.max_completion_tokens === undefined) return 'max_tokens';
  return named(request, { chat: 'max_completion_tokens', anthropic: 'max_tokens' });
}

export function toolsToResponses(request: CanonicalRequest): FunctionTool[] | undefined {
  // Responses makes a function strict when `strict` is left out; the other formats' default is not strict.
  return request.tools?.map((t) => ({
    type: 'function', name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parameters: t.parameters, strict: t.strict ?? false,
  }));
}

export function toolChoiceToResponses(request: CanonicalRequest): ToolChoiceParam | undefined {
  const c = request.toolChoice;
  if (!c) return undefined;
  return c.type === 'tool' ? { type: 'function', name: c.name } : c.type;
}

export function textFormatToResponses(request: CanonicalRequest): TextFormat | undefined {
  const f = request.responseFormat;
  if (!f || f.type !== 'json_schema') return f;
  return { type: 'json_schema', name: f.name, schema: f.schema, strict: f.strict ?? false, ...(f.description !== undefined ? { description: f.description } : {}) };
}

/**
 * Canonical reasoning → `reasoning`. No reasoning asked for (Anthropic's `thinking: disabled`, its default) sends
 * nothing. A thinking budget becomes the nearest effort, and a summary is asked for, since an Anthropic caller
 * asking for thinking expects to read it.
 */
export function reasoningToResponses(request: CanonicalRequest): { effort?: string; summary?: string } | undefined {
  const r = request.reasoning;
  if (!r || !r.enabled) return undefined;
  const out: { effort?: string; summary?: string } = {};
  const effort = r.effort ?? (r.budgetTokens !== undefined ? budgetToEffort(r.budgetTokens) : undefined);
  if (effort) out.effort = effort;
  const summary = r.summary ?? (r.budgetTokens !== undefined ? 'auto' : undefined);
  if (summary) out.summary = summary;
  return Object.keys(out).length ? out : undefined;
}

class Builder {
  private readonly where: string;

  constructor(private readonly request: CanonicalRequest, private readonly target: TargetInfo) {
    this.where = `${target.providerType} model ${target.model}`;
  }

  refuse(field: string, why: string): never {
    throw new UnsupportedFieldError(field, this.where, why);
  }

  /** A provider file id is readable only where the file was uploaded: OpenAI's, when the caller spoke an OpenAI format. */
  fileId(id: string, path: string): string {
    if (this.target.providerType !== 'openai' || this.request.raw?.format === 'anthropic') {
      this.refuse(path, 'a file id is readable only by the provider that holds the file; send the file itself');
    }
    return id;
  }

  image(p: ImagePart, path: string): InputContent {
    const s = p.source;
    const detail = p.detail ?? 'auto';
    if (s.kind === 'file') return { type: 'input_image', file_id: this.fileId(s.fileId, path), detail };
    return { type: 'input_image', image_url: s.kind === 'url' ? s.url : toDataUrl(s.mediaType, s.data), detail };
  }

  /** A plain-text document is its text, titled as Anthropic shows it to the model; OpenAI wants a filename with inline data. */
  document(p: DocumentPart, path: string): InputContent {
    const s = p.source;
    switch (s.kind) {
      case 'text': return { type: 'input_text', text: p.title ? `${p.title}\n\n${s.data}` : s.data };
      case 'url': return { type: 'input_file', file_url: s.url };
      case 'file': return { type: 'input_file', file_id: this.fileId(s.fileId, path) };
      case 'base64': {
        const filename = p.filename ?? p.title ?? (s.mediaType === 'application/pdf' ? 'document.pdf' : 'document');
        return { type: 'input_file', file_data: toDataUrl(s.mediaType, s.data), filename };
      }
    }
  }

  content(p: TextPart | ImagePart | DocumentPart, path: string): InputContent {
    if (p.type === 'text') return { type: 'input_text', text: p.text };
    return p.type === 'image' ? this.image(p, path) : this.document(p, path);
  }

  /** An error result says so in words, as the chat format does: the Responses API has no error flag. */
  toolResult(p: ToolResultPart, path: string): InputItem {
    const content = p.content.map((c, k) => this.content(c, `${path}.content[${k}]`));
    if (p.isError) content.unshift({ type: 'input_text', text: 'Error:' });
    const only = content[0];
    const output = content.length === 0 ? '' : content.length === 1 && only.type === 'input_text' ? only.text : content;
    return { type: 'function_call_output', call_id: p.toolCallId, output };
  }

  /** Only OpenAI's own reasoning with its `encrypted_content` can be read back by a model that stores nothing. */
  reasoning(p: ThinkingPart): InputItem | undefined {
    if (p.format !== 'openai-responses' || p.encrypted === undefined) return undefined;
    return { type: 'reasoning', ...(p.id !== undefined ? { id: p.id } : {}), summary: summaryOf(p.text), encrypted_content: p.encrypted };
  }

  message(m: Message, i: number): InputItem[] {
    if (m.name !== undefined) this.refuse(`messages[${i}].name`, 'Responses input messages have no name');
    const items: InputItem[] = [];
    let user: InputContent[] = [];
    let said: { type: 'output_text'; text: string }[] = [];
    const flush = () => {
      if (user.length) items.push({ type: 'message', role: 'user', content: user });
      if (said.length) items.push({ type: 'message', role: 'assistant', content: said });
      user = [];
      said = [];
    };
    m.content.forEach((p, j) => {
      const path = `messages[${i}].content[${j}]`;
      if (m.role === 'user') {
        if (p.type === 'tool_result') {
          flush();
          items.push(this.toolResult(p, path));
        } else if (p.type === 'text' || p.type === 'image' || p.type === 'document') user.push(this.content(p, path));
        else this.refuse(path, `a user message cannot carry a ${p.type} part`);
        return;
      }
      if (p.type === 'text') said.push({ type: 'output_text', text: p.text });
      else if (p.type === 'tool_call') {
        flush();
        items.push({ type: 'function_call', call_id: p.id, name: p.name, arguments: p.arguments });
      } else if (p.type === 'thinking') {
        const item = this.reasoning(p);
        if (item) {
          flush();
          items.push(item);
        }
      } else this.refuse(path, `an assistant message in the Responses API carries text, function calls and reasoning, not a ${p.type} part`);
    });
    flush();
    return items;
  }

  build(): Record<string, unknown> {
    const r = this.request;
    const first = r.untranslatable?.[0];
    if (first) this.refuse(first, 'it has no equivalent in the OpenAI Responses API');
    if (r.stop?.length) this.refuse(named(r, { chat: 'stop', anthropic: 'stop_sequences' }), 'the Responses API has no stop sequences');
    if (r.seed !== undefined) this.refuse('seed', 'the Responses API has no sampling seed');
    if (r.n !== undefined && r.n > 1) this.refuse('n', 'the Responses API gives one answer per request');
    // Compatible servers that speak Responses (vLLM) take top_k; OpenAI has none.
    if (r.topK !== undefined && this.target.providerType === 'openai') this.refuse('top_k', 'OpenAI has no top_k sampling');
    if (r.maxTokens !== undefined && r.maxTokens < MIN_OUTPUT_TOKENS && this.target.providerType === 'openai') {
      this.refuse(maxTokensField(r), `OpenAI's Responses API takes max_output_tokens of ${MIN_OUTPUT_TOKENS} or more, got ${r.maxTokens}`);
    }

    const body: Record<string, unknown> = { model: this.target.model };
    if (r.system?.length) body.instructions = r.system.map((p) => p.text).join('\n\n');
    body.input = r.messages.flatMap((m, i) => this.message(m, i));
    const tools = toolsToResponses(r);
    if (tools?.length) body.tools = tools;
    const choice = toolChoiceToResponses(r);
    if (choice) body.tool_choice = choice;
    if (r.parallelToolCalls !== undefined) body.parallel_tool_calls = r.parallelToolCalls;
    const format = textFormatToResponses(r);
    if (format) body.text = { format };
    const reasoning = reasoningToResponses(r);
    if (reasoning) body.reasoning = reasoning;
    if (r.temperature !== undefined) body.temperature = r.temperature;
    if (r.topP !== undefined) body.top_p = r.topP;
    if (r.topK !== undefined) body.top_k = r.topK;
    if (r.maxTokens !== undefined) body.max_output_tokens = r.maxTokens;
    if (r.user !== undefined) body.user = r.user;
    body.stream = r.stream;
    body.store = false;
    return body;
  }
}

export function buildRequest(request: CanonicalRequest, target: TargetInfo): Record<string, unknown> {
  return new Builder(request, target).build();
}

/**
 * The caller's own body for a Responses upstream: `model` replaced (Responses streams always carry usage, so no
 * other field is Switchyard's) — and without the reasoning items Switchyard itself wrote to carry another
 * provider's thinking (reasoning.ts), which OpenAI cannot read: they appear when a conversation that an Anthropic
 * model served falls back to OpenAI.
 */
export function passthroughBody(request: CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> }, target: TargetInfo): Record<string, unknown> {
  const body: Record<string, unknown> = { ...request.raw.body, model: target.model };
  const input = body.input;
  const carried = (item: unknown) => isRecord(item) && item.type === 'reasoning' && isCarried(item.encrypted_content);
  if (Array.isArray(input) && input.some(carried)) body.input = input.filter((item) => !carried(item));
  return body;
}
