/** `switchyard route`: print the Decision for a request — no upstream call. */
import { affinityText, formatMs, formatTraceValue, formatUsd } from '../../shared/format';
import type { Decision } from '../../shared/decision';
import { decide } from '../router/decide';
import { routeInput } from '../router/prepare';
import { cliState, loadRulesOrExit, parse, requestFromFlags, ROUTE_FLAGS_HELP, ROUTE_OPTIONS } from './common';

export const ROUTE_USAGE = `Usage: switchyard route (--prompt TEXT | --prompt-file F) [flags]

Prints which model the rules pick, why (the trace), and the estimated cost and latency. Calls no provider.

${ROUTE_FLAGS_HELP}`;

export function routeCommand(argv: string[]): number {
  const { values } = parse(argv, ROUTE_OPTIONS, ROUTE_USAGE);
  if (values.help) { console.log(ROUTE_USAGE); return 0; }
  const request = requestFromFlags(values);
  const rules = loadRulesOrExit(values.rules);
  const decision = decide(routeInput(request, rules), rules, cliState(rules, values));
  console.log(values.json ? JSON.stringify(decision, null, 2) : formatDecision(decision));
  return 0;
}

export function formatDecision(d: Decision): string {
  const first = d.candidates[0];
  const e = d.estimate;
  const lines: string[] = [];
  const head = first ? `${first.model} (${first.provider})` : `${d.skipped[0]?.model ?? 'nothing'} — but no target is usable now (see "skipped")`;
  lines.push(`→ ${head} · ≈${formatUsd(e.costUsd)} · ≈${formatMs(e.latencyMs)} · rule "${d.rule}"${d.tier ? ` · tier ${d.tier}` : ''}`);
  lines.push(`  estimate: ${e.inputTokens} input + ${e.outputTokens} output tokens; first token ≈${formatMs(e.ttftMs)}`);
  if (d.affinity) lines.push(`  conversation: ${affinityText(d.affinity)}`);
  if (d.candidates.length > 1) lines.push(`  fallbacks: ${d.candidates.slice(1).map((c) => `${c.model} (${c.provider}, ≈${formatUsd(c.estimate.costUsd)})`).join(' → ')}`);
  for (const s of d.skipped) lines.push(`  skipped ${s.model} (${s.provider}): ${s.detail}`);
  lines.push('trace:');
  for (const t of d.trace) {
    lines.push(t.matched
      ? `  ✓ #${t.index + 1} "${t.rule}" matched`
      : `  ✗ #${t.index + 1} "${t.rule}": ${t.failed!.path} expected ${formatTraceValue(t.failed!.expected)}, got ${formatTraceValue(t.failed!.actual)}`);
  }
  if (d.rule === 'default') lines.push(`  no rule matched → default`);
  if (d.verdict) {
    const v = d.verdict, p = v.probabilities;
    const pct = (x: number) => `${Math.round(x * 100)} %`;
    lines.push(`classifier: ${v.tier} (fast ${pct(p.fast)} · standard ${pct(p.standard)} · deep ${pct(p.deep)})`);
    lines.push(`  weighed most: ${v.features.map((f) => `${f.feature} ${f.weight >= 0 ? '+' : ''}${f.weight.toFixed(2)}`).join(', ')}`);
  }
  return lines.join('\n');
}
