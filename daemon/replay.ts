/**
 * Replay: re-decide logged requests under other rules and price the same tokens on the new choice. Pure over
 * its inputs. Requests whose rules need the prompt text (regex/contains) are skipped unless prompts were stored.
 *
 * Spend conditions see the spend the new rules would have produced by then: what was really spent on that day
 * (and month) before the replayed window, plus the replayed cost of the window's earlier requests — so a budget
 * guard trips where it would have, not where today's spend says.
 */
import type { RouterState } from '../shared/decision';
import type { ReplayResult } from '../shared/protocol';
import { classifySketch } from './classifier/classify';
import { priceUsage } from './estimate/estimate';
import type { LedgerRow } from './ledger/ledger';
import { localDayStart, localMonthStart } from './ledger/queries';
import { walkConditions } from './rules/load';
import { decide } from './router/decide';
import { runToEnd, type Steps } from './slices';
import type { CompiledRules } from './rules/types';

/** Whether any rule looks at the prompt text (regex or contains), which replay can only re-run on stored prompts. */
export function rulesNeedPrompt(rules: CompiledRules): boolean {
  let needs = false;
  for (const r of rules.config.rules) walkConditions(r.if, [], (c) => { if (c.prompt) needs = true; });
  return needs;
}

/**
 * @param rows        the window, oldest first (Ledger.rowsSince)
 * @param now         the live state; its spend is not used (see above), its latency stats and calibration are
 * @param spentBefore what was really spent from `fromMs` up to the window's start (0 when `fromMs` is in it)
 */
export function replay(rows: LedgerRow[], rules: CompiledRules, now: RouterState, spentBefore: (fromMs: number) => number): ReplayResult {
  let given = false;
  return runToEnd(replaySteps(() => (given ? null : ((given = true), rows)), rules, now, spentBefore));
}

/** Rows decided between two yields (a decision is a few microseconds; a row's bookkeeping about as much). */
const ROWS_PER_STEP = 50;

/**
 * As replay, over rows that arrive a page at a time (`nextPage` until it gives null), yielding every
 * ROWS_PER_STEP rows, for the daemon (runSliced). Pages are dropped once replayed: holding 10,000 rows until the
 * end made every minor GC copy them all, and its pauses added up to most of the replay.
 */
export function* replaySteps(nextPage: () => LedgerRow[] | null, rules: CompiledRules, now: RouterState, spentBefore: (fromMs: number) => number): Steps<ReplayResult> {
  const needsPrompt = rulesNeedPrompt(rules);
  const keys = Object.fromEntries(Object.keys(rules.providers).map((p) => [p, true]));
  const result: ReplayResult = { considered: 0, changedTier: 0, skipped: 0, actualCostUsd: 0, replayCostUsd: 0, actualLatencyMs: 0, replayLatencyMs: 0 };
  let skippedNoPrompt = 0;
  let skippedNoUsage = 0;
  let skippedNoSketch = 0;
  const spent = new SpendSoFar(spentBefore);
  let seen = 0;
  for (let page = nextPage(); page; page = nextPage()) {
    for (const row of page) {
      if (++seen % ROWS_PER_STEP === 0) yield;
      if (row.status !== 'ok' || row.inputTokens === null || row.outputTokens === null || row.costUsd === null || !row.features) {
        result.skipped++; skippedNoUsage++; spent.add(row.time, row.costUsd ?? 0); continue;
      }
      if (needsPrompt && row.prompt === null) { result.skipped++; skippedNoPrompt++; spent.add(row.time, row.costUsd); continue; }
      const f = row.features;
      // The classifier reads the prompt; without it, the features the row kept (its sketch) serve as well.
      const verdict = rules.usesClassifier && row.prompt === null ? (f.classifier ? classifySketch(f.classifier) : null) : undefined;
      if (verdict === null) { result.skipped++; skippedNoSketch++; spent.add(row.time, row.costUsd); continue; }
      const request = { prompt: row.prompt ?? '', task: f.task, source: f.source, urgency: f.urgency, language: f.language, maxOutputTokens: f.maxOutputTokens ?? row.outputTokens, latencyBudgetMs: f.latencyBudgetMs, metadata: f.metadata, ...(f.shape ? { shape: f.shape } : {}) };
      const state: RouterState = { ...now, now: row.time, keys, circuits: {}, spentTodayUsd: spent.today(row.time), spentMonthUsd: spent.month(row.time) };
      const d = decide({ request, tokens: { o200k_base: f.inputTokens, cl100k_base: f.inputTokens }, ...(verdict ? { verdict } : {}) }, rules, state);
      const first = d.candidates[0];
      const model = first && rules.models[first.name];
      const cost = priceUsage(model, { inputTokens: row.inputTokens, outputTokens: row.outputTokens });
      // A request the new rules could not place (no model) would not have been sent: it spends nothing.
      spent.add(row.time, cost ?? 0);
      result.considered++;
      if ((d.tier ?? first?.model) !== (row.tier ?? row.model)) result.changedTier++;
      result.actualCostUsd += row.costUsd;
      result.replayCostUsd += cost ?? 0;
      result.actualLatencyMs += row.totalMs;
      result.replayLatencyMs += first ? first.estimate.ttftMs + (row.outputTokens / Math.max(1, model!.tokensPerSecond)) * 1000 : 0;
    }
  }
  const reasons: string[] = [];
  if (skippedNoPrompt) reasons.push(`${skippedNoPrompt} because these rules test the prompt text and prompts are not stored (set "ledger": { "storePrompts": true } to replay them)`);
  if (skippedNoSketch) reasons.push(`${skippedNoSketch} recorded before the classifier kept its features (and without a stored prompt), which these rules' classifier conditions need`);
  if (skippedNoUsage) reasons.push(`${skippedNoUsage} without a completed answer and reported usage`);
  if (reasons.length) result.skippedReason = reasons.join('; ');
  return result;
}

/** Spend per local day and month as replay goes: the real spend before the window plus the replayed costs. */
class SpendSoFar {
  private readonly days = new Map<number, number>();
  private readonly months = new Map<number, number>();

  constructor(private readonly spentBefore: (fromMs: number) => number) {}

  today(t: number): number { return this.of(this.days, localDayStart(t)); }
  month(t: number): number { return this.of(this.months, localMonthStart(t)); }

  add(t: number, usd: number): void {
    const day = localDayStart(t), month = localMonthStart(t);
    this.days.set(day, this.of(this.days, day) + usd);
    this.months.set(month, this.of(this.months, month) + usd);
  }

  private of(totals: Map<number, number>, start: number): number {
    let v = totals.get(start);
    if (v === undefined) totals.set(start, (v = this.spentBefore(start)));
    return v;
  }
}
