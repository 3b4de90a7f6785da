/**
 * Replay: re-decide logged requests under other rules and price the same tokens on the new choice. Pure over
 * its inputs. Requests whose rules need the prompt text (regex/contains) are skipped unless prompts were stored.
 */
import type { RouterState } from '../shared/decision';
import type { ReplayResult } from '../shared/protocol';
import { priceUsage } from './estimate/estimate';
import type { LedgerRow } from './ledger/ledger';
import { walkConditions } from './rules/load';
import { decide } from './router/decide';
import type { CompiledRules } from './rules/types';

/** Whether any rule looks at the prompt text (regex or contains), which replay can only re-run on stored prompts. */
export function rulesNeedPrompt(rules: CompiledRules): boolean {
  let needs = false;
  for (const r of rules.config.rules) walkConditions(r.if, [], (c) => { if (c.prompt) needs = true; });
  return needs;
}

export function replay(rows: LedgerRow[], rules: CompiledRules, now: RouterState): ReplayResult {
  const needsPrompt = rulesNeedPrompt(rules);
  const keys = Object.fromEntries(Object.keys(rules.providers).map((p) => [p, true]));
  const result: ReplayResult = { considered: 0, changedTier: 0, skipped: 0, actualCostUsd: 0, replayCostUsd: 0, actualLatencyMs: 0, replayLatencyMs: 0 };
  let skippedNoPrompt = 0;
  let skippedNoUsage = 0;
  for (const row of rows) {
    if (row.status !== 'ok' || row.inputTokens === null || row.outputTokens === null || row.costUsd === null || !row.features) { result.skipped++; skippedNoUsage++; continue; }
    if (needsPrompt && row.prompt === null) { result.skipped++; skippedNoPrompt++; continue; }
    const f = row.features;
    const request = { prompt: row.prompt ?? '', task: f.task, source: f.source, urgency: f.urgency, language: f.language, maxOutputTokens: f.maxOutputTokens ?? row.outputTokens, latencyBudgetMs: f.latencyBudgetMs, metadata: f.metadata };
    // Spend-based rules see the spend of that moment as well as we know it: today's total now (documented limit).
    const state: RouterState = { ...now, now: row.time, keys, circuits: {} };
    const d = decide({ request, tokens: { o200k_base: f.inputTokens, cl100k_base: f.inputTokens } }, rules, state);
    const first = d.candidates[0];
    const model = first && rules.models[first.name];
    const cost = priceUsage(model, { inputTokens: row.inputTokens, outputTokens: row.outputTokens });
    result.considered++;
    if ((d.tier ?? first?.model) !== (row.tier ?? row.model)) result.changedTier++;
    result.actualCostUsd += row.costUsd;
    result.replayCostUsd += cost ?? 0;
    result.actualLatencyMs += row.totalMs;
    result.replayLatencyMs += first ? first.estimate.ttftMs + (row.outputTokens / Math.max(1, model!.tokensPerSecond)) * 1000 : 0;
  }
  const reasons: string[] = [];
  if (skippedNoPrompt) reasons.push(`${skippedNoPrompt} because these rules test the prompt text and prompts are not stored (set "ledger": { "storePrompts": true } to replay them)`);
  if (skippedNoUsage) reasons.push(`${skippedNoUsage} without a completed answer and reported usage`);
  if (reasons.length) result.skippedReason = reasons.join('; ');
  return result;
}
