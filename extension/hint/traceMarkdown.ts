/** A Decision as Markdown for hovers: the estimate, each rule tried (✓/✗ with expected vs actual), candidates and skipped. Pure. */
import type { Decision, FailedCondition, Skipped } from '../../shared/decision';
import { affinityText, formatMs, formatTraceValue, formatUsd } from '../../shared/format';
import { decisionSummary, escapeMarkdown, inlineCode, providerLabel, shorten } from './labels';

export interface TraceMarkdownOptions {
  /** Heading line, e.g. `Switchyard — Explain Selection`. */
  title?: string;
  /** Epoch ms, for "circuit open for 25 s more". */
  now?: number;
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = formatTraceValue(value);
  return inlineCode(shorten(text, 80));
}

export function failedConditionText(failed: FailedCondition): string {
  return `${inlineCode(failed.path)}: expected ${show(failed.expected)}, actual ${show(failed.actual)}`;
}

function skippedText(s: Skipped, now?: number): string {
  let why: string = s.reason;
  if (s.reason === 'circuit-open') {
    why = s.until !== undefined && now !== undefined && s.until > now ? `circuit open for ${formatMs(s.until - now)} more` : 'circuit open';
  } else if (s.reason === 'no-key') {
    why = 'no API key';
  } else if (s.reason === 'unknown-model') {
    why = 'unknown model';
  } else if (s.reason === 'capability') {
    why = 'cannot serve this request';
  } else if (s.reason === 'context-window') {
    why = 'request too large';
  }
  const detail = s.detail && s.detail !== s.reason ? ` — ${escapeMarkdown(s.detail)}` : '';
  return `${inlineCode(s.name)} ${escapeMarkdown(providerLabel(s.provider))} ${inlineCode(s.model)}: ${why}${detail}`;
}

export function traceToMarkdown(decision: Decision, options: TraceMarkdownOptions = {}): string {
  const out: string[] = [];
  if (options.title) out.push(`**${escapeMarkdown(options.title)}**`, '');
  out.push(escapeMarkdown(`→ ${decisionSummary(decision)}`));
  const tier = decision.tier ? `tier ${inlineCode(decision.tier)}` : `target ${inlineCode(JSON.stringify(decision.target))}`;
  out.push('', `${tier} · ≈${decision.estimate.inputTokens.toLocaleString('en-US')} input → ≈${decision.estimate.outputTokens.toLocaleString('en-US')} output tokens · first token ≈${formatMs(decision.estimate.ttftMs)}`);
  if (decision.affinity) out.push('', `Conversation: ${escapeMarkdown(affinityText(decision.affinity))}`);

  out.push('', '**Rules**', '');
  if (decision.trace.length === 0) out.push('- no rules');
  for (const entry of decision.trace) {
    const name = `**${escapeMarkdown(entry.rule)}**`;
    if (entry.matched) out.push(`- ✓ ${name} — matched`);
    else out.push(`- ✗ ${name}${entry.failed ? ` — ${failedConditionText(entry.failed)}` : ''}`);
  }
  if (decision.rule === 'default') out.push(`- → no rule matched: **default**`);

  out.push('', '**Candidates**', '');
  if (decision.candidates.length === 0) out.push('- none available');
  decision.candidates.forEach((c, i) => {
    out.push(`${i + 1}. ${inlineCode(c.name)} ${escapeMarkdown(providerLabel(c.provider))} ${inlineCode(c.model)} · ≈${formatUsd(c.estimate.costUsd)} · ≈${formatMs(c.estimate.latencyMs)}`);
  });
  if (decision.skipped.length) {
    out.push('', '**Skipped**', '');
    for (const s of decision.skipped) out.push(`- ${skippedText(s, options.now)}`);
  }
  return out.join('\n');
}
