/**
 * Canonical system prompt and messages → chat `messages`. A user message's tool results become `tool` messages,
 * in order, and its other parts follow as a user message. `cacheControl` is removed (OpenAI caches prefixes by
 * itself). Thinking goes back only where it came from: compatible servers' `reasoning_content` (DeepSeek wants it
 * back on tool-call turns) to a compatible server; Anthropic's and Responses' thinking is removed, since no other
 * provider can verify it.
 */
import type {
  CanonicalRequest, ContentPart, DocumentPart, ImagePart, Message, TextPart, ToolResultPart, WireFormat,
} from '../../../shared/canonical';
import { toDataUrl } from '../common';
import { UnsupportedFieldError, type TargetInfo } from '../types';

type Fail = (field: string, why: string) => never;

export interface BuildContext {
  target: TargetInfo;
  /** The format the request came in: a provider file id is OpenAI's only when the caller spoke an OpenAI format. */
  from?: WireFormat;
  fail: Fail;
}

export function failFor(target: TargetInfo): Fail {
  return (field, why) => {
    throw new UnsupportedFieldError(field, `${target.providerType} model ${target.model}`, why);
  };
}

type WirePart = Record<string, unknown>;

/**
 * Where a part sits in the caller's body, for refusals: Responses callers name their list `input` and a tool
 * result's parts `output`. Indices count canonical messages.
 */
const partPath = (ctx: BuildContext, i: number, j: number) => `${ctx.from === 'openai-responses' ? 'input' : 'messages'}[${i}].content[${j}]`;
const resultPath = (ctx: BuildContext, i: number, j: number, k: number) => (ctx.from === 'openai-responses' ? `input[${i}].output[${k}]` : `${partPath(ctx, i, j)}.content[${k}]`);

/** One text part as a string, several as a list of text parts (the API takes both, and keeps their boundaries). */
function textContent(parts: readonly TextPart[]): string | WirePart[] {
  return parts.length === 1 ? parts[0]!.text : parts.map((p) => ({ type: 'text', text: p.text }));
}

function imagePart(p: ImagePart, field: string, ctx: BuildContext): WirePart {
  if (p.source.kind === 'file') ctx.fail(field, 'an uploaded image is read by its provider only, and chat image_url parts take a URL or base64 data');
  const url = p.source.kind === 'url' ? p.source.url : toDataUrl(p.source.mediaType, p.source.data);
  return { type: 'image_url', image_url: p.detail ? { url, detail: p.detail } : { url } };
}

/**
 * Chat Completions reads PDFs only, inline or by OpenAI file id; a plain-text document is its text (titled, as
 * Anthropic shows it to the model). OpenAI wants a filename with inline data: the document's own, else its title.
 */
function documentPart(p: DocumentPart, field: string, ctx: BuildContext): WirePart {
  const s = p.source;
  switch (s.kind) {
    case 'text': return { type: 'text', text: p.title ? `${p.title}\n\n${s.data}` : s.data };
    case 'url': return ctx.fail(field, 'chat file parts take inline data or a file id, not a URL');
    case 'file':
      if (ctx.target.providerType !== 'openai' || (ctx.from !== 'openai-chat' && ctx.from !== 'openai-responses')) {
        ctx.fail(field, 'a file id is readable only by the provider that holds the file');
      }
      return { type: 'file', file: p.filename ? { file_id: s.fileId, filename: p.filename } : { file_id: s.fileId } };
    case 'base64':
      if (s.mediaType !== 'application/pdf') ctx.fail(field, `Chat Completions reads PDF documents only, not ${s.mediaType}`);
      return { type: 'file', file: { file_data: toDataUrl(s.mediaType, s.data), filename: p.filename ?? p.title ?? 'document.pdf' } };
  }
}

/** A tool message carries text only. An error result says so in words, since the format has no error flag. */
function toolMessage(p: ToolResultPart, i: number, j: number, ctx: BuildContext): WirePart {
  const parts: TextPart[] = [];
  p.content.forEach((c, k) => {
    if (c.type === 'text') parts.push(c);
    else if (c.type === 'document' && c.source.kind === 'text') parts.push({ type: 'text', text: c.source.data });
    else ctx.fail(resultPath(ctx, i, j, k), `chat tool messages carry text only, not ${c.type === 'image' ? 'an image' : 'a document'}`);
  });
  if (p.isError) parts.unshift({ type: 'text', text: 'Error:' });
  return { role: 'tool', tool_call_id: p.toolCallId, content: parts.length ? textContent(parts) : '' };
}

function userMessages(m: Message, i: number, ctx: BuildContext): WirePart[] {
  const tools: WirePart[] = [];
  const rest: WirePart[] = [];
  m.content.forEach((p, j) => {
    const field = partPath(ctx, i, j);
    switch (p.type) {
      case 'tool_result': tools.push(toolMessage(p, i, j, ctx)); break;
      case 'text': rest.push({ type: 'text', text: p.text }); break;
      case 'image': rest.push(imagePart(p, field, ctx)); break;
      case 'document': rest.push(documentPart(p, field, ctx)); break;
      default: ctx.fail(field, `a user message cannot carry a ${p.type} part`);
    }
  });
  if (rest.length === 0) return tools;
  const content = rest.every((p) => p.type === 'text') && rest.length === 1 ? (rest[0] as { text: string }).text : rest;
  const user: WirePart = { role: 'user', content };
  if (m.name !== undefined) user.name = m.name;
  return [...tools, user];
}

function assistantMessage(m: Message, i: number, ctx: BuildContext): WirePart {
  const texts: TextPart[] = [];
  const calls: WirePart[] = [];
  let reasoning = '';
  m.content.forEach((p: ContentPart, j) => {
    switch (p.type) {
      case 'text': texts.push(p); break;
      case 'tool_call': calls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments } }); break;
      case 'thinking':
        if (p.format === 'openai-chat' && ctx.target.providerType === 'openai-compatible') reasoning += p.text;
        break;
      default: ctx.fail(partPath(ctx, i, j), `an assistant message carries text and tool calls only, not a ${p.type} part`);
    }
  });
  const out: WirePart = { role: 'assistant', content: texts.length ? textContent(texts) : calls.length ? null : '' };
  if (reasoning) out.reasoning_content = reasoning;
  if (calls.length) out.tool_calls = calls;
  if (m.name !== undefined) out.name = m.name;
  return out;
}

export function buildMessages(req: CanonicalRequest, ctx: BuildContext): WirePart[] {
  const out: WirePart[] = [];
  if (req.system?.length) out.push({ role: 'system', content: textContent(req.system) });
  req.messages.forEach((m, i) => {
    if (m.role === 'assistant') out.push(assistantMessage(m, i, ctx));
    else out.push(...userMessages(m, i, ctx));
  });
  return out;
}
