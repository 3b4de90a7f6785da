/** Spend and replay reports over the ledger, shared by the CLI (no daemon) and the daemon's HTTP API. */
import type { ConversationSpend, ReplayResult, SpendBucket } from '../shared/protocol';
import type { BreakdownBy, Ledger, LedgerRow } from './ledger/ledger';
import { replaySteps } from './replay';
import { runSliced, runToEnd, type Steps } from './slices';
import type { CompiledRules } from './rules/types';
import type { RouterState } from '../shared/decision';

export interface SpendReport {
  sinceMs: number;
  requests: number;
  costUsd: number;
  unknownCostRequests: number;
  savingsVsDefaultUsd: number;
  by: BreakdownBy;
  buckets: SpendBucket[];
  /**
   * With `by: conversation`: the conversations active since `sinceMs`, most recent first, in detail (models, client,
   * tool calls…) and with their whole totals — a session that began before `sinceMs` counts all of it here, while
   * `buckets` counts only its requests since.
   */
  conversations?: ConversationSpend[];
}

export const BREAKDOWNS: readonly BreakdownBy[] = ['model', 'rule', 'tier', 'source', 'conversation', 'client', 'format'];

/** Conversations listed in detail by a `conversation` report. */
const REPORT_CONVERSATIONS = 50;

/** `7d`, `24h`, `30m`, `2w` → milliseconds. */
export function parseDuration(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/.exec(s.trim());
  if (!m) return null;
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
}

export function spendReport(ledger: Ledger, sinceMs: number, by: BreakdownBy): SpendReport {
  const t = ledger.totals(sinceMs);
  return {
    sinceMs, requests: t.requests, costUsd: t.costUsd, unknownCostRequests: t.unknownCostRequests, savingsVsDefaultUsd: t.savingsVsDefaultUsd, by,
    buckets: ledger.breakdown(sinceMs, by),
    ...(by === 'conversation' ? { conversations: ledger.conversations(sinceMs, REPORT_CONVERSATIONS) } : {}),
  };
}

/** Replays the ledger's requests since `sinceMs`; spend conditions start from what was really spent before it. */
export function replayReport(ledger: Ledger, sinceMs: number, rules: CompiledRules, state: RouterState): ReplayResult {
  return runToEnd(replayReportSteps(ledger, sinceMs, rules, state));
}

/** replayReport for the daemon: in slices, so a replay over thousands of rows never holds up other requests. */
export function replayReportAsync(ledger: Ledger, sinceMs: number, rules: CompiledRules, state: RouterState): Promise<ReplayResult> {
  return runSliced(replayReportSteps(ledger, sinceMs, rules, state));
}

function replayReportSteps(ledger: Ledger, sinceMs: number, rules: CompiledRules, state: RouterState): Steps<ReplayResult> {
  return replaySteps(pagesSince(ledger, sinceMs), rules, state, (from) => (from < sinceMs ? ledger.totals(from, sinceMs).costUsd : 0));
}

/** The ledger's rows since `sinceMs`, oldest first, a page per call; null after the last. */
function pagesSince(ledger: Ledger, sinceMs: number): () => LedgerRow[] | null {
  const PAGE = 50;
  let after: { time: number; rowid: number } | null = null;
  let done = false;
  return () => {
    if (done) return null;
    const page = ledger.rowsPage(sinceMs, after, PAGE);
    after = page.next;
    done = page.rows.length < PAGE;
    return page.rows.length ? page.rows : null;
  };
}
