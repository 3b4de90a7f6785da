/**
 * What the status bar item shows, as a pure function of the spend summary, provider health, the connection and
 * the last request. The vscode glue (statusBar.ts) only copies the result onto the item.
 */
import { formatMs, formatUsd } from '../../shared/format';
import type { ProviderHealth, RulesSnapshot, SpendSummary } from '../../shared/protocol';
import { attemptLines, providerLabel } from '../hint/labels';
import type { Attempt } from '../../shared/protocol';

/** The last finished request, as far as the status bar cares. */
export interface LastRequest {
  ok: boolean;
  provider: string | null;
  model: string | null;
  fallbacks: number;
  attempts: Attempt[];
  costUsd: number | null;
  totalMs: number;
  error?: string;
}

export interface StatusInput {
  connected: boolean;
  /** Daemon version and pid, when connected. */
  daemon?: { version?: string; pid?: number } | null;
  summary: SpendSummary | null;
  health: ProviderHealth[] | null;
  lastRequest: LastRequest | null;
  /** A request in flight: `{ text: 'gpt-4o-… streaming' }`, or a fallback as it happens (`fallback: true`). */
  activity?: { text: string; fallback?: boolean } | null;
  /** Epoch ms, for "open for 20 s more". */
  now?: number;
  /** Why the daemon is not reachable, while disconnected. */
  disconnectReason?: string;
  /** The rules in use, when known: `stale` while the file on disk has errors and the last good version serves. */
  rules?: Pick<RulesSnapshot, 'file' | 'stale' | 'issues'> | null;
}

export type StatusBackground = 'warning' | 'error' | null;

export interface StatusView {
  text: string;
  background: StatusBackground;
  /** Markdown. */
  tooltip: string;
  /** What a click does: open the rules editor while the rules file is broken, else show spend. */
  command: 'switchyard.showSpend' | 'switchyard.openRulesEditor';
}

/** Spend warns from this share of a budget on. */
export const WARN_RATIO = 0.8;

/** The highest share of a budget spent (today vs daily, month vs monthly); null without budgets. */
export function budgetRatio(summary: SpendSummary | null): number | null {
  if (!summary) return null;
  const ratios: number[] = [];
  if (summary.dailyBudgetUsd !== null && summary.dailyBudgetUsd > 0) ratios.push(summary.todayUsd / summary.dailyBudgetUsd);
  if (summary.monthlyBudgetUsd !== null && summary.monthlyBudgetUsd > 0) ratios.push(summary.monthUsd / summary.monthlyBudgetUsd);
  return ratios.length ? Math.max(...ratios) : null;
}

export function openCircuits(health: ProviderHealth[] | null): ProviderHealth[] {
  return (health ?? []).filter((h) => h.state === 'open');
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}

function spendLine(label: string, spent: number, budget: number | null, requests: number): string {
  const count = `${requests} request${requests === 1 ? '' : 's'}`;
  if (budget === null || budget <= 0) return `${label}: ${formatUsd(spent)} · ${count}`;
  return `${label}: ${formatUsd(spent)} of ${formatUsd(budget)} (${percent(spent / budget)}) · ${count}`;
}

export function statusView(input: StatusInput): StatusView {
  const tooltip: string[] = ['**Switchyard**', ''];
  const warnings: string[] = [];
  let background: StatusBackground = null;
  const escalate = (to: Exclude<StatusBackground, null>) => {
    if (background !== 'error') background = to;
  };

  // Spend vs budget.
  const { summary } = input;
  const ratio = budgetRatio(summary);
  if (ratio !== null && ratio >= 1) {
    escalate('error');
    warnings.push('Spend is at or over the budget.');
  } else if (ratio !== null && ratio >= WARN_RATIO) {
    escalate('warning');
    warnings.push(`Spend has passed ${percent(WARN_RATIO)} of the budget.`);
  }
  if (summary) {
    tooltip.push(spendLine('Today', summary.todayUsd, summary.dailyBudgetUsd, summary.requestsToday), '');
    tooltip.push(spendLine('This month', summary.monthUsd, summary.monthlyBudgetUsd, summary.requestsMonth), '');
    if (summary.savingsVsDefaultUsd > 0) tooltip.push(`Saved vs the default tier: ${formatUsd(summary.savingsVsDefaultUsd)}`, '');
    if (summary.unknownCostRequests > 0) tooltip.push(`${summary.unknownCostRequests} request(s) with unknown cost`, '');
  }

  // Daemon and providers.
  if (!input.connected) {
    tooltip.push(input.disconnectReason ? `Daemon: not connected — ${input.disconnectReason}` : 'Daemon: not connected — reconnecting…', '');
  } else {
    const d = input.daemon;
    const version = d?.version ? (/^\d/.test(d.version) ? `v${d.version}` : d.version) : '';
    const details = [version, d?.pid ? `pid ${d.pid}` : ''].filter(Boolean).join(', ');
    tooltip.push(`Daemon: connected${details ? ` (${details})` : ''}`, '');
  }
  const open = openCircuits(input.health);
  if (open.length) {
    escalate('warning');
    warnings.push(`${open.length} circuit${open.length === 1 ? '' : 's'} open.`);
  }
  if (input.health && input.health.length) {
    const lines: string[] = [];
    for (const h of input.health) {
      if (h.state === 'closed' && h.hasKey) continue;
      const state = h.state === 'open'
        ? `circuit open${h.openUntil && input.now && h.openUntil > input.now ? ` for ${formatMs(h.openUntil - input.now)} more` : ''}`
        : h.state === 'half-open' ? 'probing (half-open)' : 'ok';
      lines.push(`- ${providerLabel(h.provider)} ${h.model}: ${state}${h.hasKey ? '' : ' · no API key'}`);
    }
    const healthy = input.health.filter((h) => h.state === 'closed' && h.hasKey).length;
    tooltip.push(`Providers: ${healthy} of ${input.health.length} targets healthy`, ...lines, '');
  }

  // A rules file that does not load: the daemon keeps the last good rules, and the user should know why.
  const rules = input.connected ? input.rules : null;
  const rulesBroken = !!rules?.stale;
  if (rules?.stale) {
    escalate('error');
    const errors = rules.issues.filter((i) => i.severity === 'error');
    const first = errors[0];
    const where = first ? `${first.file ?? rules.file ?? 'rules'}${first.line ? `:${first.line}` : ''}${first.rule ? ` (rule "${first.rule}")` : ''}` : (rules.file ?? 'the rules file');
    warnings.push(`The rules file has ${errors.length || 'some'} error${errors.length === 1 ? '' : 's'}; the daemon keeps serving the last good rules. First: ${where}: ${first?.message ?? 'see the rules editor'}`);
  }

  // The last request.
  const last = input.lastRequest;
  if (last) {
    if (last.fallbacks > 0) {
      escalate('warning');
      warnings.push(`The last request fell back ${last.fallbacks}×.`);
    }
    const what = last.ok
      ? `Last request: ${last.model ?? 'unknown model'} (${providerLabel(last.provider ?? '?')}) · ${formatUsd(last.costUsd)} · ${formatMs(last.totalMs)}`
      : `Last request failed: ${last.error ?? 'unknown error'}`;
    tooltip.push(what, ...attemptLines(last.attempts).map((l) => `- ${l}`), '');
  }

  // The text.
  let text: string;
  if (input.activity) {
    text = `${input.activity.fallback ? '$(warning)' : '$(sync~spin)'} ${input.activity.text}`;
    if (input.activity.fallback) escalate('warning');
  } else if (!input.connected) {
    text = '$(debug-disconnect) Switchyard';
  } else {
    const icon = rulesBroken ? '$(error)' : open.length || (last && last.fallbacks > 0) ? '$(warning)' : background === 'error' ? '$(error)' : '$(pulse)';
    if (rulesBroken) text = `${icon} Switchyard: rules file has errors`;
    else if (!summary) text = `${icon} Switchyard`;
    else if (summary.dailyBudgetUsd !== null && summary.dailyBudgetUsd > 0) text = `${icon} ${formatUsd(summary.todayUsd)} / ${formatUsd(summary.dailyBudgetUsd)}`;
    else text = `${icon} ${formatUsd(summary.todayUsd)} today`;
  }

  if (warnings.length) tooltip.push(...warnings.map((w) => `⚠ ${w}`), '');
  tooltip.push(rulesBroken ? 'Click to open the rules editor and fix it.' : 'Click to show spend.');
  return { text, background, tooltip: tooltip.join('\n'), command: rulesBroken ? 'switchyard.openRulesEditor' : 'switchyard.showSpend' };
}
