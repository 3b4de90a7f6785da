/**
 * The same facts read out of a request body in any of the three wire formats (OpenAI chat, OpenAI Responses,
 * Anthropic messages): its tools, tool choice, the tool calls and tool results in its history, its images, its
 * system prompt, the JSON schema it asks the answer to follow. A cross-format test compares what the client sent
 * with what the upstream received through these readers, so a translation is checked for what it means, not for
 * its spelling.
 */
import type { RecordedRequest } from '../../../fixtures/mock-upstream';
import type { SentRequest } from '../clients/gateway';

export type Wire = 'openai-chat' | 'openai-responses' | 'anthropic';

export const PATHS: Record<Wire, string> = {
  'openai-chat': '/v1/chat/completions',
  'openai-responses': '/v1/responses',
  anthropic: '/v1/messages',
};

/** A request's wire format, from its path (the daemon's and the mock's paths are the same). */
export function wireOf(req: SentRequest | RecordedRequest): Wire {
  const path = req.path.split('?')[0];
  const wire = (Object.keys(PATHS) as Wire[]).find((w) => PATHS[w] === path);
  if (!wire) throw new Error(`not a completion request: ${req.path}`);
  return wire;
}

export interface ToolDef { name: string; description?: string; schema: unknown }
export type Choice = 'auto' | 'required' | 'none' | { name: string } | undefined;
export interface ToolCall { id: string; name: string; input: unknown }
export interface ToolResult { id: string; text: string }
export type Image = { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };

const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const partsOf = (content: unknown): any[] => (typeof content === 'string' ? [{ type: 'text', text: content }] : list(content));
const textOf = (content: unknown): string => partsOf(content).filter((p) => typeof p?.text === 'string').map((p) => p.text).join(' ');
/** The Responses input as items (a string is one user message). */
const itemsOf = (body: any): any[] => (typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : list(body.input));

/** The function tools offered. */
export function toolsOf(req: SentRequest | RecordedRequest): ToolDef[] {
  const { body } = req;
  switch (wireOf(req)) {
    case 'openai-chat': return list(body.tools).map((t) => ({ name: t.function.name, description: t.function.description, schema: t.function.parameters }));
    case 'openai-responses': return list(body.tools).map((t) => ({ name: t.name, description: t.description, schema: t.parameters }));
    case 'anthropic': return list(body.tools).map((t) => ({ name: t.name, description: t.description, schema: t.input_schema }));
  }
}

/** The tool choice; undefined when the request leaves it to the API's default (auto). */
export function toolChoiceOf(req: SentRequest | RecordedRequest): Choice {
  const tc = req.body.tool_choice;
  if (tc === undefined || tc === null) return undefined;
  if (wireOf(req) === 'anthropic') {
    if (tc.type === 'any') return 'required';
    return tc.type === 'tool' ? { name: tc.name } : tc.type;
  }
  if (typeof tc === 'string') return tc as Choice;
  return { name: tc.function?.name ?? tc.name };
}

/** The assistant's tool calls in the conversation, in order, with their input parsed. */
export function toolCallsOf(req: SentRequest | RecordedRequest): ToolCall[] {
  const { body } = req;
  switch (wireOf(req)) {
    case 'openai-chat':
      return list(body.messages).flatMap((m) => list(m.tool_calls).map((c) => ({ id: c.id, name: c.function.name, input: JSON.parse(c.function.arguments) })));
    case 'openai-responses':
      return itemsOf(body).filter((i) => i.type === 'function_call').map((i) => ({ id: i.call_id, name: i.name, input: JSON.parse(i.arguments) }));
    case 'anthropic':
      return list(body.messages).flatMap((m) => (m.role === 'assistant' ? partsOf(m.content) : []))
        .filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, input: b.input }));
  }
}

/** The tool results sent back, in order, as text. */
export function toolResultsOf(req: SentRequest | RecordedRequest): ToolResult[] {
  const { body } = req;
  switch (wireOf(req)) {
    case 'openai-chat':
      return list(body.messages).filter((m) => m.role === 'tool').map((m) => ({ id: m.tool_call_id, text: textOf(m.content) }));
    case 'openai-responses':
      return itemsOf(body).filter((i) => i.type === 'function_call_output').map((i) => ({ id: i.call_id, text: textOf(i.output) }));
    case 'anthropic':
      return list(body.messages).flatMap((m) => (m.role === 'user' ? partsOf(m.content) : []))
        .filter((b) => b.type === 'tool_result').map((b) => ({ id: b.tool_use_id, text: textOf(b.content) }));
  }
}

function imageOfUrl(url: string): Image {
  const data = /^data:([^;,]+);base64,(.*)$/.exec(url);
  return data ? { kind: 'base64', mediaType: data[1], data: data[2] } : { kind: 'url', url };
}

/** The images in the user messages, in order. */
export function imagesOf(req: SentRequest | RecordedRequest): Image[] {
  const { body } = req;
  switch (wireOf(req)) {
    case 'openai-chat':
      return list(body.messages).flatMap((m) => (m.role === 'user' ? partsOf(m.content) : []))
        .filter((p) => p.type === 'image_url').map((p) => imageOfUrl(typeof p.image_url === 'string' ? p.image_url : p.image_url.url));
    case 'openai-responses':
      return itemsOf(body).flatMap((i) => (i.role === 'user' ? partsOf(i.content) : []))
        .filter((p) => p.type === 'input_image').map((p) => imageOfUrl(p.image_url));
    case 'anthropic':
      return list(body.messages).flatMap((m) => (m.role === 'user' ? partsOf(m.content) : []))
        .filter((b) => b.type === 'image')
        .map((b) => (b.source.type === 'url' ? { kind: 'url', url: b.source.url } : { kind: 'base64', mediaType: b.source.media_type, data: b.source.data }));
  }
}

/** The system prompt's text pieces, in order: chat system / developer messages, Responses `instructions` (and system / developer items), Anthropic `system`. */
export function systemOf(req: SentRequest | RecordedRequest): string[] {
  const { body } = req;
  const texts = (content: unknown) => partsOf(content).filter((p) => typeof p?.text === 'string').map((p) => p.text as string);
  const isSystem = (m: any) => m.role === 'system' || m.role === 'developer';
  switch (wireOf(req)) {
    case 'openai-chat': return list(body.messages).filter(isSystem).flatMap((m) => texts(m.content));
    case 'openai-responses': return [...(typeof body.instructions === 'string' ? [body.instructions] : []), ...itemsOf(body).filter(isSystem).flatMap((i) => texts(i.content))];
    case 'anthropic': return body.system === undefined ? [] : texts(body.system);
  }
}

/** The text of the last user message (the mock's prompt). */
export function lastUserTextOf(req: SentRequest | RecordedRequest): string {
  const { body } = req;
  const messages = wireOf(req) === 'openai-responses' ? itemsOf(body).filter((i) => (i.type ?? 'message') === 'message') : list(body.messages);
  const users = messages.filter((m) => m.role === 'user' && textOf(m.content));
  return users.length ? textOf(users[users.length - 1].content) : '';
}

/**
 * The JSON schema the answer must follow, by the format's own structured-output field (chat `response_format`,
 * Responses `text.format`, Anthropic `output_config.format`); undefined when there is none.
 */
export function outputSchemaOf(req: SentRequest | RecordedRequest): unknown {
  const { body } = req;
  switch (wireOf(req)) {
    case 'openai-chat': return body.response_format?.type === 'json_schema' ? body.response_format.json_schema.schema : undefined;
    case 'openai-responses': return body.text?.format?.type === 'json_schema' ? body.text.format.schema : undefined;
    case 'anthropic': {
      const format = body.output_config?.format ?? body.output_format;
      return format?.type === 'json_schema' ? format.schema : undefined;
    }
  }
}

/** The name a chat or Responses request gives its output schema. */
export function outputSchemaNameOf(req: SentRequest | RecordedRequest): string | undefined {
  const { body } = req;
  return wireOf(req) === 'openai-chat' ? body.response_format?.json_schema?.name : body.text?.format?.name;
}
