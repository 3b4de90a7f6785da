/**
 * Reasoning in the OpenAI chat format, which has no field of its own for it. Compatible servers (DeepSeek, vLLM,
 * Ollama, OpenRouter) send `reasoning_content` (or `reasoning`) text; Anthropic thinking travels as
 * `reasoning_content` plus `thinking_blocks: [{type:'thinking', thinking, signature}]` (LiteLLM's convention), so
 * an Anthropic agent loop run through an OpenAI client sends its signed blocks back and keeps them.
 */
import type { ThinkingPart } from '../../../shared/canonical';
import { isRecord } from '../common';

export type ThinkingBlock =
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data: string };

/** The assistant-message (or stream delta) fields that carry `parts`: text for every format, blocks for Anthropic's. */
export function thinkingFields(parts: readonly ThinkingPart[]): { reasoning_content?: string; thinking_blocks?: ThinkingBlock[] } {
  if (parts.length === 0) return {};
  const out: { reasoning_content?: string; thinking_blocks?: ThinkingBlock[] } = {};
  const text = parts.map((p) => p.text).join('');
  if (text) out.reasoning_content = text;
  const blocks = parts.filter((p) => p.format === 'anthropic').map(thinkingBlock);
  if (blocks.length) out.thinking_blocks = blocks;
  return out;
}

export function thinkingBlock(p: Pick<ThinkingPart, 'text' | 'signature' | 'redacted'>): ThinkingBlock {
  if (p.redacted !== undefined) return { type: 'redacted_thinking', data: p.redacted };
  return p.signature !== undefined ? { type: 'thinking', thinking: p.text, signature: p.signature } : { type: 'thinking', thinking: p.text };
}

/** `reasoning_content`, else `reasoning`, when it is non-empty text. */
export function reasoningText(m: Record<string, unknown>): string | undefined {
  const t = typeof m.reasoning_content === 'string' ? m.reasoning_content : m.reasoning;
  return typeof t === 'string' && t ? t : undefined;
}

/**
 * An assistant message's thinking as parts: its `thinking_blocks` (Anthropic's, signatures kept) when it has
 * them, else its reasoning text (the compatible servers' own). `bad` is called for a block that is not one.
 */
export function thinkingFromMessage(m: Record<string, unknown>, param: string, bad: (param: string, message: string) => never): ThinkingPart[] {
  if (m.thinking_blocks !== undefined && m.thinking_blocks !== null) {
    if (!Array.isArray(m.thinking_blocks)) bad(`${param}.thinking_blocks`, `${param}.thinking_blocks must be an array`);
    return m.thinking_blocks.map((b, i) => {
      const p = `${param}.thinking_blocks[${i}]`;
      if (!isRecord(b)) bad(p, `${p} must be an object`);
      if (b.type === 'redacted_thinking') {
        if (typeof b.data !== 'string') bad(`${p}.data`, `${p}.data must be a string`);
        return { type: 'thinking', text: '', redacted: b.data, format: 'anthropic' };
      }
      if (b.type !== 'thinking') bad(`${p}.type`, `${p}.type must be "thinking" or "redacted_thinking"`);
      if (typeof b.thinking !== 'string') bad(`${p}.thinking`, `${p}.thinking must be a string`);
      const part: ThinkingPart = { type: 'thinking', text: b.thinking, format: 'anthropic' };
      if (typeof b.signature === 'string') part.signature = b.signature;
      return part;
    });
  }
  const text = reasoningText(m);
  return text === undefined ? [] : [{ type: 'thinking', text, format: 'openai-chat' }];
}
