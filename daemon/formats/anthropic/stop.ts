/** Anthropic `stop_reason` ⇄ canonical finish reasons. */
import type { FinishReason } from '../../../shared/canonical';
import type { StopReason } from './wire';

export function finishFromStopReason(reason: unknown): FinishReason {
  switch (reason) {
    case 'end_turn': return 'stop';
    case 'stop_sequence': return 'stop_sequence';
    case 'max_tokens':
    case 'model_context_window_exceeded': return 'length';
    case 'tool_use': return 'tool_calls';
    case 'refusal': return 'content_filter';
    // pause_turn (a server tool's long turn, to be continued by the caller) and reasons added later.
    default: return 'other';
  }
}

export function stopReasonFromFinish(reason: FinishReason): StopReason {
  switch (reason) {
    case 'stop_sequence': return 'stop_sequence';
    case 'length': return 'max_tokens';
    case 'tool_calls': return 'tool_use';
    case 'content_filter': return 'refusal';
    default: return 'end_turn';
  }
}
