/**
 * The way back when a route was wrong: which tier a request asked again "with a stronger model" goes to. Pure —
 * a ledger row and the rules in, a forced target (like a caller naming a tier) or the reason there is none out.
 */
import { escalationOrder } from '../shared/config';
import type { LedgerEntry } from '../shared/protocol';
import type { ForcedTarget } from './router/decide';
import type { CompiledRules } from './rules/types';

/** The tier a row counts as having gone to: its own, else the tier its first candidate leads (or is listed in). */
export function servedTier(row: Pick<LedgerEntry, 'tier' | 'attempts'>, rules: CompiledRules, order: readonly string[]): string | null {
  if (row.tier !== null && order.includes(row.tier)) return row.tier;
  // A model target (or a list) has no tier: its first candidate, the first attempt, says which it was like.
  const first = row.attempts[0];
  const model = first && Object.values(rules.models).find((m) => m.id === first.model && m.provider === first.provider);
  if (!model) return null;
  const tiers = rules.config.tiers;
  return order.find((t) => tiers[t]?.[0] === model.name) ?? order.find((t) => tiers[t]?.includes(model.name)) ?? null;
}

/**
 * The forced target for asking `row`'s request again one tier up the rules' `escalation` order. A row whose tier
 * is not in the order goes to the tier after its first candidate's, or to the order's second entry.
 */
export function escalationTarget(row: Pick<LedgerEntry, 'id' | 'tier' | 'attempts'>, rules: CompiledRules): ForcedTarget | { error: string } {
  const order = escalationOrder(rules.config).filter((t) => Object.hasOwn(rules.config.tiers, t));
  if (order.length < 2) {
    return { error: `there is no stronger tier to ask: "escalation" needs at least two tiers (it has ${order.length ? `only "${order[0]}"` : 'none'}; set "escalation" in the rules file, weakest first)` };
  }
  const from = servedTier(row, rules, order);
  const at = from === null ? 0 : order.indexOf(from);
  if (at === order.length - 1) {
    return { error: `request ${row.id} already went to "${from}", the strongest tier in "escalation" (${order.join(' → ')})` };
  }
  const to = order[at + 1];
  return { target: to, label: `escalation: ${from ?? row.tier ?? 'no tier'} → ${to}` };
}
