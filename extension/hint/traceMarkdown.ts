/** A Decision as Markdown for hovers: the estimate, each rule tried (✓/✗ with expected vs actual), candidates and skipped. Pure. */
import { VERDICT_TIERS, type Decision, type FailedCondition, type Skipped, type Verdict } from '../../shared/decision';
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

/** `deep ≥ 0.50`, `standard + deep ≥ 0.40`, `deep (likeliest)`: a classifier condition in words, or undefined. */
function classifierExpected(failed: FailedCondition): string | undefined {
  if (!/(^|[.\]])classifier$/.test(failed.path)) return undefined;
  const cond = failed.expected as { tier?: unknown; minConfidence?: unknown } | null;
  if (!cond || typeof cond !== 'object') return undefined;
  const tiers = typeof cond.tier === 'string' ? [cond.tier] : Array.isArray(cond.tier) && cond.tier.every((t) => typeof t === 'string') ? cond.tier as string[] : [];
  if (!tiers.length) return undefined;
  if (typeof cond.minConfidence === 'number') return `${tiers.join(' + ')} ≥ ${cond.minConfidence.toFixed(2)}`;
  return cond.minConfidence === undefined ? `${tiers.join(' or ')} (likeliest)` : undefined;
}

export function failedConditionText(failed: FailedCondition): string {
  const classifier = classifierExpected(failed);
  if (classifier) {
    const actual = typeof failed.actual === 'string' ? inlineCode(shorten(failed.actual, 80)) : show(failed.actual);
    return `${inlineCode(failed.path)}: expected ${inlineCode(classifier)}, actual ${actual}`;
  }
  return `${inlineCode(failed.path)}: expected ${show(failed.expected)}, actual ${show(failed.actual)}`;
}

const percent = (p: number) => `${Math.round(Math.min(1, Math.max(0, Number.isFinite(p) ? p : 0)) * 100)} %`;
const signed = (w: number) => (Math.abs(w) < 0.005 ? '0.00' : `${w < 0 ? '−' : '+'}${Math.abs(w).toFixed(2)}`);

/** How many of the verdict's features the hover names. */
export const VERDICT_FEATURES_SHOWN = 4;

/**
 * The classifier's verdict in one line: Classifier: `deep` 71 % (fast 8 % · standard 21 % · deep 71 %) · weighed most:
 * `deadlock` +1.24, `why can` +0.80…
 */
export function verdictText(v: Verdict): string {
  const probs = VERDICT_TIERS.map((t) => `${t} ${percent(v.probabilities?.[t] ?? 0)}`).join(' · ');
  const features = (v.features ?? []).slice(0, VERDICT_FEATURES_SHOWN).map((f) => `${inlineCode(shorten(f.feature, 40))} ${signed(f.weight)}`);
  const more = (v.features?.length ?? 0) > VERDICT_FEATURES_SHOWN ? '…' : '';
  return `Classifier: ${inlineCode(v.tier)} ${percent(v.confidence)} (${probs})${features.length ? ` · weighed most: ${features.join(', ')}${more}` : ''}`;
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
  if (decision.verdict) out.push('', verdictText(decision.verdict));

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
