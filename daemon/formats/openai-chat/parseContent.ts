/** Content of a chat message (a string or a list of typed parts) → canonical parts. */
import type { CacheControl, DocumentPart, ImagePart, TextPart } from '../../../shared/canonical';
import { asText, invalid, isRecord, parseDataUrl } from '../common';

/** Records the path of a field canonical cannot hold: passed on a same-format target, refused on any other. */
export type Untranslatable = (path: string) => void;

type UserPart = TextPart | ImagePart | DocumentPart;

/**
 * OpenAI's explicit prompt-cache breakpoint marks the end of a cacheable prefix, as Anthropic's `cache_control`
 * does, so it becomes one.
 */
function cacheControl(part: Record<string, unknown>, param: string): CacheControl | undefined {
  const b = part.prompt_cache_breakpoint;
  if (b === undefined || b === null) return undefined;
  if (!isRecord(b) || b.mode !== 'explicit') invalid(`${param}.prompt_cache_breakpoint`, `${param}.prompt_cache_breakpoint must be {"mode":"explicit"}`);
  return { type: 'ephemeral' };
}

function withCache<T extends { cacheControl?: CacheControl }>(out: T, part: Record<string, unknown>, param: string): T {
  const cc = cacheControl(part, param);
  if (cc) out.cacheControl = cc;
  return out;
}

function string(v: unknown, param: string): string {
  if (typeof v !== 'string') invalid(param, `${param} must be a string`);
  return v;
}

/** Keys of `obj` outside `known` (null ones mean "not set") are recorded as untranslatable: a same-format upstream still gets them. */
export function extraKeys(obj: Record<string, unknown>, known: ReadonlySet<string>, param: string, note: Untranslatable): void {
  for (const k of Object.keys(obj)) if (!known.has(k) && obj[k] !== null) note(param ? `${param}.${k}` : k);
}

const TEXT_KEYS = new Set(['type', 'text', 'prompt_cache_breakpoint']);
const IMAGE_KEYS = new Set(['type', 'image_url', 'prompt_cache_breakpoint']);
const FILE_KEYS = new Set(['type', 'file', 'prompt_cache_breakpoint']);

function textPart(part: Record<string, unknown>, param: string, note: Untranslatable): TextPart {
  extraKeys(part, TEXT_KEYS, param, note);
  const out: TextPart = { type: 'text', text: string(part.text, `${param}.text`) };
  return withCache(out, part, param);
}

function imagePart(part: Record<string, unknown>, param: string, note: Untranslatable): ImagePart {
  extraKeys(part, IMAGE_KEYS, param, note);
  const p = `${param}.image_url`;
  if (!isRecord(part.image_url)) invalid(p, `${p} must be an object with a url`);
  const url = string(part.image_url.url, `${p}.url`);
  let source: ImagePart['source'];
  if (/^data:/i.test(url)) {
    const data = parseDataUrl(url);
    if (!data) invalid(`${p}.url`, `${p}.url must be an http(s) URL or a base64 data URL (data:image/png;base64,…)`);
    source = { kind: 'base64', ...data };
  } else source = { kind: 'url', url };
  const out: ImagePart = { type: 'image', source };
  const detail = part.image_url.detail;
  if (detail !== undefined && detail !== null) {
    if (detail !== 'auto' && detail !== 'low' && detail !== 'high') invalid(`${p}.detail`, `${p}.detail must be "auto", "low" or "high", got ${asText(detail)}`);
    out.detail = detail;
  }
  return withCache(out, part, param);
}

/** A `file` part: inline data (a data URL; bare base64 is read as the PDF Chat Completions expects) or an uploaded file's id. */
function filePart(part: Record<string, unknown>, param: string, note: Untranslatable): DocumentPart {
  extraKeys(part, FILE_KEYS, param, note);
  const p = `${param}.file`;
  if (!isRecord(part.file)) invalid(p, `${p} must be an object with file_data or file_id`);
  const { file_data: fileData, file_id: fileId, filename } = part.file;
  let source: DocumentPart['source'];
  if (typeof fileData === 'string' && fileData) {
    if (fileId !== undefined && fileId !== null) invalid(p, `${p} must have file_data or file_id, not both`);
    source = { kind: 'base64', ...(parseDataUrl(fileData) ?? { mediaType: 'application/pdf', data: fileData }) };
  } else if (typeof fileId === 'string' && fileId) source = { kind: 'file', fileId };
  else invalid(p, `${p} must have a non-empty file_data (data:application/pdf;base64,…) or file_id`);
  const out: DocumentPart = { type: 'document', source };
  if (filename !== undefined && filename !== null) out.filename = string(filename, `${p}.filename`);
  return withCache(out, part, param);
}

function partList(content: unknown, param: string): Record<string, unknown>[] {
  if (!Array.isArray(content)) invalid(param, `${param} must be a string or an array of content parts`);
  return content.map((part, i) => {
    if (!isRecord(part)) invalid(`${param}[${i}]`, `${param}[${i}] must be an object`);
    if (typeof part.type !== 'string') invalid(`${param}[${i}].type`, `${param}[${i}].type must be a string`);
    return part;
  });
}

/** A user message's content: text, image_url and file parts. Audio input and unknown part types have no canonical form. */
export function userContent(content: unknown, param: string, note: Untranslatable): UserPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const out: UserPart[] = [];
  partList(content, param).forEach((part, i) => {
    const p = `${param}[${i}]`;
    switch (part.type) {
      case 'text': out.push(textPart(part, p, note)); break;
      case 'image_url': out.push(imagePart(part, p, note)); break;
      case 'file': out.push(filePart(part, p, note)); break;
      case 'input_audio': note(`${p}.input_audio`); break;
      default: note(p);
    }
  });
  return out;
}

/**
 * Content that may hold only text parts (system, developer and tool messages, `prediction`); assistant content may
 * also hold `refusal` parts, which are what the assistant said and become text.
 */
export function textContent(content: unknown, param: string, note: Untranslatable, allowRefusal = false): TextPart[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  const out: TextPart[] = [];
  partList(content, param).forEach((part, i) => {
    const p = `${param}[${i}]`;
    if (part.type === 'text') out.push(textPart(part, p, note));
    else if (part.type === 'refusal' && allowRefusal) out.push({ type: 'text', text: string(part.refusal, `${p}.refusal`) });
    else note(p);
  });
  return out;
}
