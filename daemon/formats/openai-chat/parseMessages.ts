/**
 * A chat body's `messages` → the canonical system prompt and messages. System and developer messages, wherever
 * they stand, become the system prompt in order; a run of `tool` (and legacy `function`) messages becomes one user
 * message of tool_result parts; an assistant message's parts are its thinking, its text, then its tool calls.
 */
import type { ContentPart, Message, TextPart, ToolCallPart, ToolResultPart } from '../../../shared/canonical';
import { asText, invalid, isRecord } from '../common';
import { extraKeys, textContent, userContent, type Untranslatable } from './parseContent';
import { thinkingFromMessage } from './thinking';

/**
 * The keys each role may carry that canonical holds. Anything else (a system message's `name`, an assistant's
 * `audio`, a field Switchyard does not know) is recorded as untranslatable.
 */
const KNOWN_KEYS: Record<string, ReadonlySet<string>> = {
  system: new Set(['role', 'content']),
  developer: new Set(['role', 'content']),
  user: new Set(['role', 'content', 'name']),
  assistant: new Set(['role', 'content', 'refusal', 'tool_calls', 'function_call', 'name', 'reasoning_content', 'reasoning', 'thinking_blocks']),
  // `name` on a tool message (LangChain sends it) repeats the name of the call it answers, which the result keeps.
  tool: new Set(['role', 'content', 'tool_call_id', 'name']),
  function: new Set(['role', 'content', 'name']),
};
const TOOL_CALL_KEYS = new Set(['id', 'type', 'function']);
const FUNCTION_KEYS = new Set(['name', 'arguments']);

/** A legacy `function_call` carries no id; the one canonical needs is derived from the message's position. */
export const legacyCallId = (messageIndex: number): string => `call_legacy_${messageIndex}`;

function string(v: unknown, param: string): string {
  if (typeof v !== 'string') invalid(param, `${param} must be a string`);
  return v;
}

/** Arguments are JSON text as the model wrote them; an object (sent by some clients) is written as JSON. */
function argumentsText(v: unknown, param: string): string {
  if (typeof v === 'string') return v;
  if (isRecord(v)) return JSON.stringify(v);
  invalid(param, `${param} must be a string of JSON`);
}

function toolCall(tc: unknown, param: string, note: Untranslatable): ToolCallPart | undefined {
  if (!isRecord(tc)) invalid(param, `${param} must be an object`);
  if (tc.type === 'custom') {
    note(`${param}.custom`);
    return undefined;
  }
  if (tc.type !== undefined && tc.type !== 'function') {
    note(param);
    return undefined;
  }
  extraKeys(tc, TOOL_CALL_KEYS, param, note);
  const fn = tc.function;
  if (!isRecord(fn)) invalid(`${param}.function`, `${param}.function must be an object with name and arguments`);
  extraKeys(fn, FUNCTION_KEYS, `${param}.function`, note);
  return {
    type: 'tool_call',
    id: string(tc.id, `${param}.id`),
    name: string(fn.name, `${param}.function.name`),
    arguments: argumentsText(fn.arguments, `${param}.function.arguments`),
  };
}

interface LegacyCall { name: string; id: string }

function assistantMessage(m: Record<string, unknown>, i: number, note: Untranslatable, legacyCalls: LegacyCall[]): Message {
  const p = `messages[${i}]`;
  const content: ContentPart[] = thinkingFromMessage(m, p, invalid);
  if (m.content !== undefined && m.content !== null) content.push(...textContent(m.content, `${p}.content`, note, true));
  if (m.refusal !== undefined && m.refusal !== null) {
    const refusal = string(m.refusal, `${p}.refusal`);
    if (refusal) content.push({ type: 'text', text: refusal });
  }
  if (m.tool_calls !== undefined && m.tool_calls !== null) {
    if (!Array.isArray(m.tool_calls)) invalid(`${p}.tool_calls`, `${p}.tool_calls must be an array`);
    m.tool_calls.forEach((tc, j) => {
      const part = toolCall(tc, `${p}.tool_calls[${j}]`, note);
      if (part) content.push(part);
    });
  }
  if (m.function_call !== undefined && m.function_call !== null) {
    const fc = m.function_call;
    if (!isRecord(fc)) invalid(`${p}.function_call`, `${p}.function_call must be an object with name and arguments`);
    extraKeys(fc, FUNCTION_KEYS, `${p}.function_call`, note);
    const name = string(fc.name, `${p}.function_call.name`);
    const id = legacyCallId(i);
    legacyCalls.push({ name, id });
    content.push({ type: 'tool_call', id, name, arguments: argumentsText(fc.arguments, `${p}.function_call.arguments`) });
  }
  return named({ role: 'assistant', content }, m, p);
}

function named(msg: Message, m: Record<string, unknown>, param: string): Message {
  if (m.name !== undefined && m.name !== null) msg.name = string(m.name, `${param}.name`);
  return msg;
}

function toolResult(m: Record<string, unknown>, param: string, note: Untranslatable): ToolResultPart {
  const toolCallId = string(m.tool_call_id, `${param}.tool_call_id`);
  if (m.content === undefined) invalid(`${param}.content`, `${param}.content is required`);
  return { type: 'tool_result', toolCallId, content: m.content === null ? [] : textContent(m.content, `${param}.content`, note) };
}

/** A legacy `function` message answers the latest unanswered `function_call` of its name. */
function functionResult(m: Record<string, unknown>, param: string, legacyCalls: LegacyCall[]): ToolResultPart {
  const name = string(m.name, `${param}.name`);
  let k = legacyCalls.length - 1;
  while (k >= 0 && legacyCalls[k]!.name !== name) k--;
  if (k < 0) invalid(`${param}.name`, `${param} answers function ${JSON.stringify(name)}, but no earlier assistant message called it (function_call)`);
  const [call] = legacyCalls.splice(k, 1);
  if (m.content !== undefined && m.content !== null && typeof m.content !== 'string') invalid(`${param}.content`, `${param}.content must be a string or null`);
  return { type: 'tool_result', toolCallId: call!.id, content: m.content ? [{ type: 'text', text: m.content }] : [] };
}

export function parseMessages(list: unknown, note: Untranslatable): { system: TextPart[]; messages: Message[] } {
  if (!Array.isArray(list) || list.length === 0) invalid('messages', 'messages must be a non-empty array');
  const system: TextPart[] = [];
  const messages: Message[] = [];
  const legacyCalls: LegacyCall[] = [];
  /** The user message the current run of tool results goes into. */
  let toolTurn: Message | undefined;
  list.forEach((m, i) => {
    const p = `messages[${i}]`;
    if (!isRecord(m)) invalid(p, `${p} must be an object`);
    const role = m.role;
    const known = typeof role === 'string' && Object.hasOwn(KNOWN_KEYS, role) ? KNOWN_KEYS[role] : undefined;
    if (!known) invalid(`${p}.role`, `${p}.role must be one of system, developer, user, assistant, tool, function; got ${asText(role)}`);
    extraKeys(m, known, p, note);
    if (role === 'tool' || role === 'function') {
      const part = role === 'tool' ? toolResult(m, p, note) : functionResult(m, p, legacyCalls);
      if (!toolTurn) messages.push(toolTurn = { role: 'user', content: [] });
      toolTurn.content.push(part);
      return;
    }
    toolTurn = undefined;
    if (role === 'assistant') {
      messages.push(assistantMessage(m, i, note, legacyCalls));
      return;
    }
    if (m.content === undefined || m.content === null) invalid(`${p}.content`, `${p}.content is required`);
    if (role === 'user') messages.push(named({ role: 'user', content: userContent(m.content, `${p}.content`, note) }, m, p));
    else system.push(...textContent(m.content, `${p}.content`, note));
  });
  if (messages.length === 0) invalid('messages', 'messages must contain a user, assistant or tool message, not only system and developer ones');
  return { system, messages };
}
