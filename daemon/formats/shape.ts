/**
 * What the router reads off a request besides its text: its shape (tools, images, turns, the calling client, the
 * reasoning asked for, and the capabilities a model needs to serve it) and the conversation it continues. Pure:
 * the same request and headers always give the same shape and key.
 */
import { createHash } from 'node:crypto';
import { partsText, type CanonicalRequest, type ContentPart, type WireFormat } from '../../shared/canonical';
import type { ConversationKey, RequestShape } from '../../shared/decision';

/** Request headers as Node gives them: lower-case names, a list for a repeated header. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

export function requestShape(request: CanonicalRequest, format: WireFormat, headers: RequestHeaders): RequestShape {
  const toolCount = request.tools?.length ?? 0;
  let hasImages = false;
  let hasPdf = false;
  let hasDocuments = false;
  let toolTraffic = false;
  let turns = 0;
  const visit = (parts: readonly ContentPart[]) => {
    for (const p of parts) {
      if (p.type === 'image') hasImages = true;
      else if (p.type === 'document') { hasDocuments = true; if (p.source.kind !== 'text') hasPdf = true; }
      else if (p.type === 'tool_call') toolTraffic = true;
      else if (p.type === 'tool_result') { toolTraffic = true; visit(p.content); }
    }
  };
  for (const m of request.messages) {
    visit(m.content);
    if (m.role === 'user' && m.content.some((p) => p.type !== 'tool_result')) turns++;
  }
  const last = request.messages.at(-1);
  const reasoning = request.reasoning?.enabled ? request.reasoning.effort ?? 'enabled' : undefined;
  const client = clientOf(headers);
  return {
    format,
    hasTools: toolCount > 0,
    toolCount,
    hasImages,
    hasDocuments,
    turns,
    lastIsToolResult: last?.role === 'user' && last.content.some((p) => p.type === 'tool_result'),
    ...(client !== undefined ? { client } : {}),
    ...(reasoning !== undefined ? { reasoning } : {}),
    needs: {
      // A conversation carrying tool calls or results needs a model that speaks tools, even when it offers none now.
      tools: toolCount > 0 || toolTraffic,
      vision: hasImages,
      // A plain-text document becomes text on any model; only a PDF needs a model that reads them.
      documents: hasPdf,
      structuredOutput: request.responseFormat?.type === 'json_schema',
      reasoning: reasoning !== undefined,
    },
  };
}

/**
 * User-agent patterns, tried in order: the agents before the SDKs they are built on (Cline and Roo send an SDK's
 * user agent too, and name themselves in the OpenRouter attribution headers `x-title` and `http-referer`).
 */
const AGENTS: readonly [RegExp, string][] = [
  [/\bclaude-(?:cli|code)\b/i, 'claude-cli'],
  [/\bcodex/i, 'codex'],
  [/\broo(?:[- ]?code|[- ]?cline|vetgit)\b/i, 'roo'],
  [/\bcline\b/i, 'cline'],
  [/\bcontinue(?:\.dev|dev)?\b/i, 'continue'],
  [/\baider\b/i, 'aider'],
  [/\bopencode\b/i, 'opencode'],
  [/\blangchain/i, 'langchain'],
  [/\bai-sdk\b/i, 'ai-sdk'],
];
const SDKS: readonly [RegExp, string][] = [
  [/\bopenai\/(?:js|python|go|java|\.net)\b/i, 'openai-sdk'],
  [/\banthropic\/(?:js|python|go|java)\b/i, 'anthropic-sdk'],
];

/** Longest client name an `x-switchyard-client` header may set (longer is cut). */
const CLIENT_NAME_CHARS = 64;

/** The calling client: `x-switchyard-client` when sent, else read off the user agent; undefined when unknown. */
function clientOf(headers: RequestHeaders): string | undefined {
  const explicit = header(headers, 'x-switchyard-client')?.trim().toLowerCase();
  if (explicit) return explicit.slice(0, CLIENT_NAME_CHARS);
  const ua = header(headers, 'user-agent') ?? '';
  const attribution = `${ua} ${header(headers, 'x-title') ?? ''} ${header(headers, 'http-referer') ?? ''}`;
  for (const [pattern, name] of AGENTS) if (pattern.test(attribution)) return name;
  for (const [pattern, name] of SDKS) if (pattern.test(ua)) return name;
  return undefined;
}

/** Longest conversation key kept as sent; a longer one is replaced by its digest (keys are held in memory). */
const KEY_CHARS = 256;

/**
 * The conversation a request continues, by the first of: the `x-switchyard-session` header, Anthropic's
 * `metadata.user_id`, OpenAI's `prompt_cache_key`, `user`, else a digest of the system prompt and the first user
 * message (an agent loop resends both unchanged every turn).
 */
export function conversationKey(request: CanonicalRequest, headers: RequestHeaders): ConversationKey {
  const session = header(headers, 'x-switchyard-session')?.trim();
  if (session) return { key: bounded(session), from: 'header' };
  const body = request.raw?.body;
  const metadata = body?.metadata;
  const userId = metadata !== null && typeof metadata === 'object' ? (metadata as Record<string, unknown>).user_id : undefined;
  if (typeof userId === 'string' && userId) return { key: bounded(userId), from: 'metadata.user_id' };
  const cacheKey = body?.prompt_cache_key;
  if (typeof cacheKey === 'string' && cacheKey) return { key: bounded(cacheKey), from: 'prompt_cache_key' };
  if (request.user) return { key: bounded(request.user), from: 'user' };
  const first = request.messages.find((m) => m.role === 'user');
  const opening = `${partsText(request.system ?? [])}\u0000${first ? partsText(first.content) : ''}`;
  return { key: digest(opening), from: 'digest' };
}

function bounded(key: string): string {
  return key.length <= KEY_CHARS ? key : digest(key);
}

/** 16 hex digits (64 bits) of SHA-256: collisions are negligible among the few thousand conversations held. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** A header's first value (Node lower-cases names; repeated headers arrive as a list). */
function header(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
