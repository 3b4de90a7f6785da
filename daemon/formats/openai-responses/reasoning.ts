/**
 * Reasoning items ⇄ ThinkingPart. A Responses client keeps the model's reasoning only as reasoning items — summary
 * text plus `encrypted_content`, sent back unchanged on the next turn when it runs stateless (`store: false`) — so
 * thinking of another format rides inside `encrypted_content`, marked as Switchyard's: Anthropic's signed thinking
 * given to a Responses client (Codex, the AI SDK) comes back to an Anthropic upstream with its signature intact, and
 * a compatible server's reasoning text (DeepSeek wants it back on tool-call turns) comes back as that format's.
 */
import type { ThinkingPart } from '../../../shared/canonical';
import { isRecord } from '../common';

/** Prefix of an `encrypted_content` that Switchyard wrote (OpenAI's own is opaque base64 and never starts so). */
const CARRIED = 'switchyard.thinking.v1:';

export interface ReasoningItem {
  type: 'reasoning';
  id: string;
  summary: { type: 'summary_text'; text: string }[];
  encrypted_content?: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

/** Whether an `encrypted_content` is thinking of another format that Switchyard carried, not OpenAI's own. */
export const isCarried = (encrypted: unknown): encrypted is string => typeof encrypted === 'string' && encrypted.startsWith(CARRIED);

export const summaryOf = (text: string): ReasoningItem['summary'] => (text ? [{ type: 'summary_text', text }] : []);

/**
 * The `encrypted_content` that lets `part` come back: OpenAI's own as it was; another format's thinking carried
 * (its text, and Anthropic's signature or redacted data). Anthropic thinking without either cannot be sent back.
 */
export function encryptedFor(part: Pick<ThinkingPart, 'format' | 'text' | 'signature' | 'redacted' | 'encrypted'>): string | undefined {
  if (part.format === 'openai-responses') return part.encrypted;
  if (part.format === 'anthropic' && part.signature === undefined && part.redacted === undefined) return undefined;
  const carried: Record<string, string> = { format: part.format, text: part.text };
  if (part.signature !== undefined) carried.signature = part.signature;
  if (part.redacted !== undefined) carried.redacted = part.redacted;
  return CARRIED + Buffer.from(JSON.stringify(carried), 'utf8').toString('base64');
}

/**
 * A reasoning item a client sent back → ThinkingPart: of the format it came from when it carries Switchyard's mark
 * (undefined when that payload is damaged), else OpenAI's own with its id and `encrypted_content`.
 */
export function thinkingFromItem(text: string, id: string | undefined, encrypted: string | undefined): ThinkingPart | undefined {
  if (isCarried(encrypted)) {
    let carried: unknown;
    try {
      carried = JSON.parse(Buffer.from(encrypted.slice(CARRIED.length), 'base64').toString('utf8'));
    } catch {
      return undefined;
    }
    if (!isRecord(carried) || (carried.format !== 'anthropic' && carried.format !== 'openai-chat') || typeof carried.text !== 'string') return undefined;
    const part: ThinkingPart = { type: 'thinking', text: carried.text, format: carried.format };
    if (typeof carried.signature === 'string') part.signature = carried.signature;
    if (typeof carried.redacted === 'string') part.redacted = carried.redacted;
    return part;
  }
  const part: ThinkingPart = { type: 'thinking', text, format: 'openai-responses' };
  if (id !== undefined) part.id = id;
  if (encrypted !== undefined) part.encrypted = encrypted;
  return part;
}
