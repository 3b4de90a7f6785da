/**
 * The requests this window sent, newest first, kept in memory only (prompts never leave the window beyond the
 * request itself) and bounded, so "Ask Again With a Stronger Model" can send one again with `escalateFrom`.
 * A reload forgets them: the daemon's ledger keeps a digest of the prompt, never the prompt. No `vscode`.
 */
import type { RouteRequest } from '../../shared/decision';
import type { CompletionResult } from '../../shared/protocol';

/** How many requests a window remembers. */
export const HISTORY_LIMIT = 50;

export interface SentRequest<Again> {
  requestId: string;
  request: RouteRequest;
  /** The command that sent it: `Ask`, `Explain Selection`, `Refactor Selection`… */
  title: string;
  /** What it was about, for a pick list: the question's first line, or the code's location. */
  label: string;
  time: number;
  rule: string;
  tier: string | null;
  model: string;
  escalatedFrom: string | null;
  /** The request failed or was cut (the model is the one it was routed to): asking again stronger is the way on. */
  failed?: boolean;
  /** How to show the answer when it is asked again (the command's own sink and follow-up). */
  again: Again;
}

/** Where a request went: its CompletionResult, or for a failed one what its decision said. */
export type Served = Pick<CompletionResult, 'requestId' | 'rule' | 'tier' | 'model'> & { escalatedFrom?: string | null; failed?: boolean };

export class RequestHistory<Again> {
  private readonly byId = new Map<string, SentRequest<Again>>();

  constructor(private readonly limit = HISTORY_LIMIT) {}

  add(result: Served, request: RouteRequest, sent: { title: string; label?: string; again: Again; time: number }): SentRequest<Again> {
    const { title, again, time } = sent;
    const entry: SentRequest<Again> = {
      requestId: result.requestId, request, title, label: sent.label ?? requestLabel(request), time, rule: result.rule, tier: result.tier, model: result.model,
      escalatedFrom: result.escalatedFrom ?? null, ...(result.failed ? { failed: true } : {}), again,
    };
    // Map order is insertion order: the oldest goes first when the window has sent more than `limit`.
    this.byId.delete(entry.requestId);
    this.byId.set(entry.requestId, entry);
    while (this.byId.size > this.limit) this.byId.delete(this.byId.keys().next().value!);
    return entry;
  }

  get(requestId: string): SentRequest<Again> | undefined {
    return this.byId.get(requestId);
  }

  /** Newest first. */
  list(): SentRequest<Again>[] {
    return [...this.byId.values()].reverse();
  }

  get latest(): SentRequest<Again> | undefined {
    return this.list()[0];
  }

  get size(): number {
    return this.byId.size;
  }
}

/** One line for a pick list: what was asked (first line, shortened), never more of the prompt than that. */
export function requestLabel(request: RouteRequest, max = 70): string {
  const first = request.prompt.split('\n').find((l) => l.trim()) ?? '';
  const flat = first.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat || '(empty prompt)';
}

/** `fast → standard`, from the daemon's escalation rule label (`escalation: fast → standard`); null otherwise. */
export function escalationSteps(rule: string): string | null {
  return rule.startsWith('escalation: ') ? rule.slice('escalation: '.length) : null;
}

/** `gpt-4o-mini-2024-07-18 · fast tier · rule "small talk"` — where a remembered request went. */
export function servedLabel(e: Pick<SentRequest<unknown>, 'model' | 'tier' | 'rule' | 'failed'>): string {
  const steps = escalationSteps(e.rule);
  return [e.model, e.tier ? `${e.tier} tier` : null, steps ? `asked again: ${steps}` : e.rule === 'default' ? 'default' : `rule "${e.rule}"`, e.failed ? 'failed' : null]
    .filter(Boolean).join(' · ');
}
