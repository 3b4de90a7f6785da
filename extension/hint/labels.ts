/** One-line labels for a Decision, a fallback and a finished request. Pure: no `vscode`. */
import type { Decision } from '../../shared/decision';
import { formatMs, formatUsd } from '../../shared/format';
import type { Attempt, CompletionResult } from '../../shared/protocol';

const PROVIDER_LABELS: Record<string, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  local: 'Local',
  ollama: 'Ollama',
};

/** `openai` → `OpenAI`; unknown provider names are shown as written in the rules file. */
export function providerLabel(provider: string): string {
  return PROVIDER_LABELS[provider] ?? provider;
}

/** The model the decision will try first, or null when every candidate was skipped. */
export function decidedModel(decision: Decision): string | null {
  return decision.candidates[0]?.model ?? null;
}

/** `rule "small talk"`, `default` when no rule matched, `escalated fast → standard` for a request asked again stronger. */
export function ruleLabel(rule: string): string {
  if (rule.startsWith('escalation: ')) return `escalated ${rule.slice('escalation: '.length)}`;
  return rule === 'default' ? 'default' : `rule "${rule}"`;
}

/** `gpt-4o-mini-2024-07-18 · ≈$0.0004 · ≈0.7 s · rule "small talk"` (the Ask box's prompt line). */
export function decisionSummary(decision: Decision): string {
  const model = decidedModel(decision);
  if (!model) {
    const why = decision.skipped.length ? `all ${decision.skipped.length} candidates unavailable` : 'no candidates';
    return `no usable model (${why}) · ${ruleLabel(decision.rule)}`;
  }
  return `${model} · ≈${formatUsd(decision.estimate.costUsd)} · ≈${formatMs(decision.estimate.latencyMs)} · ${ruleLabel(decision.rule)}`;
}

/** `→ gpt-4o-mini-2024-07-18 · ≈$0.0004 · ≈0.7 s · rule "small talk"` (the inline hint). */
export function hintLabel(decision: Decision): string {
  return `→ ${decisionSummary(decision)}`;
}

/** `Refactor with Switchyard — gpt-4o-2024-08-06, ≈$0.003`; just the base title without a decision. */
export function codeActionTitle(base: string, decision?: Decision | null): string {
  const model = decision ? decidedModel(decision) : null;
  if (!decision || !model) return base;
  return `${base} — ${model}, ≈${formatUsd(decision.estimate.costUsd)}`;
}

const REASONS: Record<string, string> = {
  'rate-limited': 'rate-limited',
  overloaded: 'overloaded',
  'server-error': 'server error',
  timeout: 'timed out',
  network: 'unreachable',
  auth: 'rejected the key',
  'bad-request': 'rejected the request',
  'stream-cut': 'stream cut',
  'circuit-open': 'circuit open',
  'no-key': 'has no API key',
};

/** Why one attempt failed, in a few words: `rate-limited`, `server error 502`, `timed out`. */
export function attemptReason(attempt: Attempt): string {
  const base = attempt.reason ? REASONS[attempt.reason] ?? attempt.reason : attempt.status ? `HTTP ${attempt.status}` : attempt.outcome;
  return attempt.reason === 'server-error' && attempt.status ? `${base} ${attempt.status}` : base;
}

/** `OpenAI rate-limited → Anthropic claude-3-5-haiku-20241022`. */
export function fallbackText(from: Attempt, to: { provider: string; model: string }): string {
  return `${providerLabel(from.provider)} ${attemptReason(from)} → ${providerLabel(to.provider)} ${to.model}`;
}

/** `gpt-4o-2024-08-06 (OpenAI) · rule "refactors" · 1,204 → 311 tokens · $0.0061 · 3.2 s · 1 fallback`. */
export function resultSummary(result: CompletionResult): string {
  const parts = [`${result.model} (${providerLabel(result.provider)})`, ruleLabel(result.rule)];
  if (result.usage) parts.push(`${result.usage.inputTokens.toLocaleString('en-US')} → ${result.usage.outputTokens.toLocaleString('en-US')} tokens`);
  parts.push(result.costUsd === null ? `cost unknown (est. ≈${formatUsd(result.estimatedCostUsd)})` : formatUsd(result.costUsd));
  parts.push(formatMs(result.totalMs));
  if (result.fallbacks > 0) parts.push(`${result.fallbacks} fallback${result.fallbacks === 1 ? '' : 's'}`);
  if (result.finishReason === 'length') parts.push('stopped at the output limit');
  else if (result.finishReason === 'content_filter') parts.push('stopped by the content filter');
  return parts.join(' · ');
}

/** The failed attempts of a finished request, one line each: `OpenAI gpt-4o-… rate-limited (1.2 s)`. */
export function attemptLines(attempts: Attempt[]): string[] {
  return attempts
    .filter((a) => a.outcome !== 'ok')
    .map((a) => `${providerLabel(a.provider)} ${a.model} ${attemptReason(a)} (${formatMs(a.elapsedMs)})`);
}

/** The Markdown footer appended to an answer document. */
export function resultFooter(result: CompletionResult): string {
  const lines = ['', '', '---', '', `*${escapeMarkdown(resultSummary(result))}*`];
  const failed = attemptLines(result.attempts);
  if (failed.length) lines.push('', ...failed.map((l) => `- ${escapeMarkdown(l)}`));
  return lines.join('\n') + '\n';
}

/**
 * Backslash-escapes the characters that would start inline Markdown (emphasis, code, links, HTML, tables). Used
 * mid-line only, so block markers (`#`, `-`, `1.`) need no escaping — and model ids stay readable in the source.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`);
}

/** Inline code that survives backticks inside the value. */
export function inlineCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** Shortens a single-line rendering of a value for display. */
export function shorten(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
