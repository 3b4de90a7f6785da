/** Passthrough streaming: an Anthropic upstream's SSE message re-framed for the caller, its data unchanged. */
import type { SSEMessage } from '../types';

export function relayFrame(message: SSEMessage): string {
  // A message's data may span lines (several `data:` lines joined with \n): each goes back on its own line.
  const data = message.data.split('\n').map((line) => `data: ${line}\n`).join('');
  return `${message.event ? `event: ${message.event}\n` : ''}${data}\n`;
}
