/**
 * A caller's `messages` and `system` (Anthropic messages format) → canonical parts. A block the canonical shape
 * cannot hold (server tool blocks, citations, search results, a document's `context`…) is not an error: its
 * path goes into `untranslatable`, so a same-format upstream still gets it (the caller's body passes through)
 * and any other format's builder refuses it by name.
 */
import type {
  CacheControl, ContentPart, DocumentPart, ImagePart, MediaSource, Message, TextPart, ToolCallPart, ToolResultPart,
} from '../../../shared/canonical';
import { asText, invalid, isRecord } from '../common';

/** Paths of what the caller sent that no other format can express, in body order. */
export type Untranslatable = string[];

/** Keys of a block that are set (not absent, not null) and not among `known`: each is untranslatable. */
function markUnknownKeys(block: Record<string, unknown>, known: readonly string[], path: string, out: Untranslatable): void {
  for (const [key, value] of Object.entries(block)) {
    if (value !== undefined && value !== null && !known.includes(key)) out.push(`${path}.${key}`);
  }
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') invalid(path, `${path} must be a string`);
  return v;
}

export function readCacheControl(v: unknown, path: string): CacheControl | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v) || v.type !== 'ephemeral') invalid(path, `${path} must be {"type":"ephemeral"}, got ${asText(v).slice(0, 60)}`);
  if (v.ttl === undefined || v.ttl === null) return { type: 'ephemeral' };
  return { type: 'ephemeral', ttl: str(v.ttl, `${path}.ttl`) };
}

function withCache<T extends object>(part: T, block: Record<string, unknown>, path: string): T & { cacheControl?: CacheControl } {
  const cacheControl = readCacheControl(block.cache_control, `${path}.cache_control`);
  return cacheControl ? { ...part, cacheControl } : part;
}

function textPart(block: Record<string, unknown>, path: string, out: Untranslatable): TextPart {
  const part = withCache<TextPart>({ type: 'text', text: str(block.text, `${path}.text`) }, block, path);
  // Citations the model gave in an earlier answer: only Anthropic can take them back.
  if (Array.isArray(block.citations) && block.citations.length > 0) out.push(`${path}.citations`);
  markUnknownKeys(block, ['type', 'text', 'cache_control', 'citations'], path, out);
  return part;
}

/** base64 / url / file sources, shared by images and documents; another kind is untranslatable. */
function mediaSource(source: Record<string, unknown>, path: string): MediaSource | undefined {
  switch (source.type) {
    case 'base64': return { kind: 'base64', mediaType: str(source.media_type, `${path}.media_type`), data: str(source.data, `${path}.data`) };
    case 'url': return { kind: 'url', url: str(source.url, `${path}.url`) };
    case 'file': return { kind: 'file', fileId: str(source.file_id, `${path}.file_id`) };
    default: return undefined;
  }
}

function imagePart(block: Record<string, unknown>, path: string, out: Untranslatable): ImagePart | undefined {
  if (!isRecord(block.source)) invalid(`${path}.source`, `${path}.source must be an object`);
  markUnknownKeys(block, ['type', 'source', 'cache_control'], path, out);
  const source = mediaSource(block.source, `${path}.source`);
  if (!source) {
    out.push(`${path}.source`);
    return undefined;
  }
  return withCache<ImagePart>({ type: 'image', source }, block, path);
}

function documentPart(block: Record<string, unknown>, path: string, out: Untranslatable): DocumentPart | undefined {
  const src = block.source;
  if (!isRecord(src)) invalid(`${path}.source`, `${path}.source must be an object`);
  const source: DocumentPart['source'] | undefined = src.type === 'text'
    ? { kind: 'text', mediaType: 'text/plain', data: str(src.data, `${path}.source.data`) }
    : mediaSource(src, `${path}.source`);
  // `citations: {enabled: true}` asks for cited answers, which only Anthropic gives.
  if (isRecord(block.citations) && block.citations.enabled === true) out.push(`${path}.citations`);
  markUnknownKeys(block, ['type', 'source', 'title', 'cache_control', 'citations'], path, out);
  if (!source) {
    // A `content` source (the caller's own chunks, cited by block) has no counterpart elsewhere.
    out.push(`${path}.source`);
    return undefined;
  }
  const part: DocumentPart = { type: 'document', source };
  if (block.title !== undefined && block.title !== null) part.title = str(block.title, `${path}.title`);
  return withCache(part, block, path);
}

type ResultContent = ToolResultPart['content'][number];

function toolResultPart(block: Record<string, unknown>, path: string, out: Untranslatable): ToolResultPart {
  const content: ResultContent[] = [];
  const c = block.content;
  if (typeof c === 'string') {
    if (c) content.push({ type: 'text', text: c });
  } else if (Array.isArray(c)) {
    c.forEach((inner, i) => {
      const p = `${path}.content[${i}]`;
      if (!isRecord(inner)) invalid(p, `${p} must be an object`);
      const part = inner.type === 'text' ? textPart(inner, p, out)
        : inner.type === 'image' ? imagePart(inner, p, out)
        : inner.type === 'document' ? documentPart(inner, p, out)
        : blockElsewhere(inner, p, out);
      if (part) content.push(part);
    });
  } else if (c !== undefined && c !== null) {
    invalid(`${path}.content`, `${path}.content must be a string or an array of blocks`);
  }
  const part: ToolResultPart = { type: 'tool_result', toolCallId: str(block.tool_use_id, `${path}.tool_use_id`), content };
  if (block.is_error !== undefined && block.is_error !== null) {
    if (typeof block.is_error !== 'boolean') invalid(`${path}.is_error`, `${path}.is_error must be a boolean`);
    if (block.is_error) part.isError = true;
  }
  markUnknownKeys(block, ['type', 'tool_use_id', 'content', 'is_error', 'cache_control'], path, out);
  return withCache(part, block, path);
}

/** A block type canonical has no part for (server tools and their results, search_result, container_upload…). */
function blockElsewhere(block: Record<string, unknown>, path: string, out: Untranslatable): undefined {
  if (typeof block.type !== 'string' || !block.type) invalid(`${path}.type`, `${path}.type must be a string`);
  out.push(`${path} (${block.type})`);
  return undefined;
}

function contentPart(block: unknown, path: string, out: Untranslatable): ContentPart | undefined {
  if (!isRecord(block)) invalid(path, `${path} must be an object`);
  switch (block.type) {
    case 'text': return textPart(block, path, out);
    case 'image': return imagePart(block, path, out);
    case 'document': return documentPart(block, path, out);
    case 'tool_use': {
      if (block.caller !== undefined && block.caller !== null && !(isRecord(block.caller) && block.caller.type === 'direct')) out.push(`${path}.caller`);
      markUnknownKeys(block, ['type', 'id', 'name', 'input', 'cache_control', 'caller'], path, out);
      const part: ToolCallPart = {
        type: 'tool_call', id: str(block.id, `${path}.id`), name: str(block.name, `${path}.name`),
        arguments: JSON.stringify(block.input ?? {}),
      };
      return withCache(part, block, path);
    }
    case 'tool_result': return toolResultPart(block, path, out);
    case 'thinking':
      return { type: 'thinking', text: str(block.thinking, `${path}.thinking`), signature: str(block.signature, `${path}.signature`), format: 'anthropic' };
    case 'redacted_thinking':
      return { type: 'thinking', text: '', redacted: str(block.data, `${path}.data`), format: 'anthropic' };
    default: return blockElsewhere(block, path, out);
  }
}

/** A message's or tool result's `content`: a string (one text part) or blocks. */
function readContent(content: unknown, path: string, out: Untranslatable): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) invalid(path, `${path} must be a string or an array of content blocks`);
  const parts: ContentPart[] = [];
  content.forEach((block, i) => {
    const part = contentPart(block, `${path}[${i}]`, out);
    if (part) parts.push(part);
  });
  return parts;
}

/** `system` (or a system message's content): a string or text blocks. */
export function readSystem(v: unknown, path: string, out: Untranslatable): TextPart[] {
  if (typeof v === 'string') return v ? [{ type: 'text', text: v }] : [];
  if (!Array.isArray(v)) invalid(path, `${path} must be a string or an array of text blocks`);
  return v.map((block, i) => {
    const p = `${path}[${i}]`;
    if (!isRecord(block) || block.type !== 'text') invalid(`${p}.type`, `${p} must be a text block`);
    return textPart(block, p, out);
  });
}

/**
 * `messages` → canonical messages. System messages (Claude Code sends one after the first turn) join the system
 * prompt in order, as the chat format's do: the instruction reaches every format, at the prompt's head.
 */
export function readMessages(v: unknown, out: Untranslatable): { messages: Message[]; system: TextPart[] } {
  if (!Array.isArray(v) || v.length === 0) invalid('messages', 'messages must be a non-empty array');
  const messages: Message[] = [];
  const system: TextPart[] = [];
  v.forEach((m, i) => {
    const p = `messages[${i}]`;
    if (!isRecord(m)) invalid(p, `${p} must be an object`);
    if (m.role === 'system') {
      const parts = readSystem(m.content, `${p}.content`, out);
      system.push(...parts);
      return;
    }
    if (m.role !== 'user' && m.role !== 'assistant') invalid(`${p}.role`, `${p}.role must be user or assistant`);
    messages.push({ role: m.role, content: readContent(m.content, `${p}.content`, out) });
  });
  if (!messages.some((m) => m.role === 'user')) invalid('messages', 'messages must contain at least one user message');
  return { messages, system };
}
