/**
 * Responses `input` → canonical system blocks and messages. A conversation here is a flat list of items; canonical
 * groups them into turns: an assistant turn is the run of assistant messages, function calls and reasoning items the
 * model produced together, and consecutive `function_call_output` items are one user message of tool results.
 * System and developer messages join the system prompt in order (after `instructions`).
 *
 * Items and parts canonical cannot hold (item references, built-in tool calls, types added later) are recorded in
 * `untranslatable` by path: a Responses upstream gets them as they came, any other target refuses them by name.
 */
import type { CacheControl, DocumentPart, ImagePart, Message, TextPart, ToolResultPart } from '../../../shared/canonical';
import { invalid, isRecord, parseDataUrl } from '../common';
import { thinkingFromItem } from './reasoning';

export interface ParsedInput {
  system: TextPart[];
  messages: Message[];
}

type InputPart = TextPart | ImagePart | DocumentPart;

/** OpenAI's explicit prompt-cache breakpoint on a part is Anthropic's cache_control marker. */
function cacheControlOf(part: Record<string, unknown>): CacheControl | undefined {
  return isRecord(part.prompt_cache_breakpoint) ? { type: 'ephemeral' } : undefined;
}

function withCache<T extends InputPart>(p: T, part: Record<string, unknown>): T {
  const cacheControl = cacheControlOf(part);
  if (cacheControl) p.cacheControl = cacheControl;
  return p;
}

const optionalString = (v: unknown, param: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') invalid(param, `${param} must be a string`);
  return v;
};

function imagePart(part: Record<string, unknown>, param: string, untranslatable: string[]): ImagePart {
  const url = optionalString(part.image_url, `${param}.image_url`);
  const fileId = optionalString(part.file_id, `${param}.file_id`);
  let image: ImagePart;
  if (url !== undefined) {
    const data = parseDataUrl(url);
    image = { type: 'image', source: data ? { kind: 'base64', mediaType: data.mediaType, data: data.data } : { kind: 'url', url } };
  } else if (fileId !== undefined) {
    image = { type: 'image', source: { kind: 'file', fileId } };
  } else {
    invalid(param, `${param} needs image_url or file_id`);
  }
  const detail = part.detail;
  if (detail === 'auto' || detail === 'low' || detail === 'high') image.detail = detail;
  else if (detail === 'original') untranslatable.push(`${param}.detail`);
  else if (detail !== undefined && detail !== null) invalid(`${param}.detail`, `${param}.detail must be auto, low, high or original`);
  return image;
}

/**
 * `file_data` is a data URL (`data:application/pdf;base64,…`, what the SDKs send); bare base64 is read as a PDF,
 * the type the Responses API documents for it.
 */
function filePart(part: Record<string, unknown>, param: string, untranslatable: string[]): DocumentPart {
  const fileData = optionalString(part.file_data, `${param}.file_data`);
  const fileId = optionalString(part.file_id, `${param}.file_id`);
  const fileUrl = optionalString(part.file_url, `${param}.file_url`);
  let doc: DocumentPart;
  if (fileData !== undefined) {
    const data = parseDataUrl(fileData);
    doc = { type: 'document', source: data ? { kind: 'base64', mediaType: data.mediaType, data: data.data } : { kind: 'base64', mediaType: 'application/pdf', data: fileData } };
  } else if (fileId !== undefined) {
    doc = { type: 'document', source: { kind: 'file', fileId } };
  } else if (fileUrl !== undefined) {
    doc = { type: 'document', source: { kind: 'url', url: fileUrl } };
  } else {
    invalid(param, `${param} needs file_data, file_id or file_url`);
  }
  const filename = optionalString(part.filename, `${param}.filename`);
  if (filename !== undefined) doc.filename = filename;
  if (part.detail !== undefined && part.detail !== null) untranslatable.push(`${param}.detail`);
  return doc;
}

/** One `input_text` / `input_image` / `input_file` part (of a user message or a function call's output). */
function inputPart(part: unknown, param: string, untranslatable: string[]): InputPart | undefined {
  if (!isRecord(part)) invalid(param, `${param} must be an object`);
  switch (part.type) {
    case 'input_text':
      if (typeof part.text !== 'string') invalid(`${param}.text`, `${param}.text must be a string`);
      return withCache({ type: 'text', text: part.text }, part);
    case 'input_image': return withCache(imagePart(part, param, untranslatable), part);
    case 'input_file': return withCache(filePart(part, param, untranslatable), part);
    default:
      if (typeof part.type !== 'string') invalid(`${param}.type`, `${param}.type must be a string`);
      untranslatable.push(`${param} (${part.type})`);
      return undefined;
  }
}

function inputParts(content: unknown, param: string, untranslatable: string[]): InputPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) invalid(param, `${param} must be a string or an array of content parts`);
  return content.flatMap((part, j) => inputPart(part, `${param}[${j}]`, untranslatable) ?? []);
}

/** An assistant message's content: its own output (`output_text`, `refusal`), or text written as input. */
function assistantParts(content: unknown, param: string, untranslatable: string[]): TextPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) invalid(param, `${param} must be a string or an array of content parts`);
  return content.flatMap((part, j): TextPart[] => {
    const p = `${param}[${j}]`;
    if (!isRecord(part)) invalid(p, `${p} must be an object`);
    if (part.type === 'output_text' || part.type === 'input_text') {
      if (typeof part.text !== 'string') invalid(`${p}.text`, `${p}.text must be a string`);
      return [{ type: 'text', text: part.text }];
    }
    if (part.type === 'refusal') {
      if (typeof part.refusal !== 'string') invalid(`${p}.refusal`, `${p}.refusal must be a string`);
      return [{ type: 'text', text: part.refusal }];
    }
    if (typeof part.type !== 'string') invalid(`${p}.type`, `${p}.type must be a string`);
    untranslatable.push(`${p} (${part.type})`);
    return [];
  });
}

/** System and developer messages: their text joins the system prompt; anything else in them cannot. */
function systemParts(content: unknown, param: string, untranslatable: string[]): TextPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) invalid(param, `${param} must be a string or an array of content parts`);
  return content.flatMap((part, j): TextPart[] => {
    const p = inputPart(part, `${param}[${j}]`, untranslatable);
    if (p?.type === 'text') return [p];
    if (p) untranslatable.push(`${param}[${j}] (${p.type} in a system message)`);
    return [];
  });
}

function reasoningText(item: Record<string, unknown>, param: string): string {
  const texts = (list: unknown, key: string, type: string): string[] => {
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) invalid(`${param}.${key}`, `${param}.${key} must be an array`);
    return list.map((s, j) => {
      if (!isRecord(s) || s.type !== type || typeof s.text !== 'string') invalid(`${param}.${key}[${j}]`, `${param}.${key}[${j}] must be {type: "${type}", text}`);
      return s.text;
    });
  };
  const summary = texts(item.summary, 'summary', 'summary_text');
  // Open models served through the Responses API give their raw reasoning as `content` and no summary.
  return (summary.length ? summary : texts(item.content, 'content', 'reasoning_text')).join('\n\n');
}

/** Appends `part`s to the last message when it is of `role` (and `fits`), else starts a new one. */
function appendTo(messages: Message[], role: Message['role'], parts: Message['content'], fits = true): void {
  const last = messages[messages.length - 1];
  if (last && last.role === role && fits) last.content.push(...parts);
  else messages.push({ role, content: parts });
}

const onlyToolResults = (m: Message | undefined) => !!m && m.role === 'user' && m.content.every((p) => p.type === 'tool_result');

function requireString(item: Record<string, unknown>, key: string, param: string): string {
  if (typeof item[key] !== 'string') invalid(`${param}.${key}`, `${param}.${key} must be a string`);
  return item[key] as string;
}

export function parseInput(input: unknown, untranslatable: string[]): ParsedInput {
  const out: ParsedInput = { system: [], messages: [] };
  if (typeof input === 'string') {
    out.messages.push({ role: 'user', content: [{ type: 'text', text: input }] });
    return out;
  }
  if (!Array.isArray(input)) invalid('input', 'input must be a string or an array of input items');
  input.forEach((item, i) => {
    const p = `input[${i}]`;
    if (!isRecord(item)) invalid(p, `${p} must be an object`);
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message': {
        if (item.phase !== undefined && item.phase !== null) untranslatable.push(`${p}.phase`);
        const role = item.role;
        if (role === 'system' || role === 'developer') out.system.push(...systemParts(item.content, `${p}.content`, untranslatable));
        else if (role === 'user') out.messages.push({ role: 'user', content: inputParts(item.content, `${p}.content`, untranslatable) });
        else if (role === 'assistant') appendTo(out.messages, 'assistant', assistantParts(item.content, `${p}.content`, untranslatable));
        else invalid(`${p}.role`, `${p}.role must be one of user, assistant, system, developer`);
        return;
      }
      case 'function_call': {
        if (item.namespace !== undefined && item.namespace !== null) untranslatable.push(`${p}.namespace`);
        const callId = requireString(item, 'call_id', p);
        const name = requireString(item, 'name', p);
        const args = requireString(item, 'arguments', p);
        appendTo(out.messages, 'assistant', [{ type: 'tool_call', id: callId, name, arguments: args }]);
        return;
      }
      case 'function_call_output': {
        const callId = requireString(item, 'call_id', p);
        if (typeof item.output !== 'string' && !Array.isArray(item.output)) invalid(`${p}.output`, `${p}.output must be a string or an array of content parts`);
        const result: ToolResultPart = { type: 'tool_result', toolCallId: callId, content: inputParts(item.output, `${p}.output`, untranslatable) };
        appendTo(out.messages, 'user', [result], onlyToolResults(out.messages[out.messages.length - 1]));
        return;
      }
      case 'reasoning': {
        const id = optionalString(item.id, `${p}.id`);
        const encrypted = optionalString(item.encrypted_content, `${p}.encrypted_content`);
        const part = thinkingFromItem(reasoningText(item, p), id, encrypted);
        if (!part) invalid(`${p}.encrypted_content`, `${p}.encrypted_content carries Switchyard's mark but is damaged; send reasoning items back exactly as they came`);
        appendTo(out.messages, 'assistant', [part]);
        return;
      }
      default:
        if (typeof type !== 'string') invalid(`${p}.type`, `${p}.type must be a string (or the item must have a role)`);
        // item_reference, built-in tool calls and their outputs, custom tools, MCP, compaction…: OpenAI-side state.
        untranslatable.push(`${p} (${type})`);
    }
  });
  return out;
}
