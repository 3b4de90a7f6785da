/**
 * `npm run eval:routing`: how well routing picks the intended tier (../shared/ROUTING.md) on the corpus's test
 * split — the classifier alone, the built-in default rules, and the default rules before the classifier (for
 * comparison) — with the confusion matrix, the under- and over-served shares, and the cost against sending
 * everything to `standard` and against the intended tiers. Every row is decided by the real router (decide())
 * with the real token counts and cost estimates.
 *
 *   --split validation   another split
 *   --rules FILE         route by another rules file (default: the built-in rules)
 *   --errors N           list up to N misrouted rows (default 12)
 *   --write              record the figures in data/routing/figures.json (CI checks quality never drops below them)
 *   --json               print the figures as JSON
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERDICT_TIERS, type RouterState } from '../../shared/decision';
import { classify } from '../../daemon/classifier/classify';
import { classifierInput } from '../../daemon/classifier/features';
import { estimateFor } from '../../daemon/estimate/estimate';
import { decide, resolveTarget } from '../../daemon/router/decide';
import { routeInput } from '../../daemon/router/prepare';
import { DEFAULT_RULES_TEXT } from '../../daemon/rules/defaults';
import { parseRules } from '../../daemon/rules/load';
import type { CompiledRules } from '../../daemon/rules/types';
import { CORPUS_DIR, loadSplit, toRouteRequest, type CorpusRow, type Split } from './corpus';
import { confusion, confusionTable, pct, type Confusion } from './metrics';

export const FIGURES_FILE = join(CORPUS_DIR, 'figures.json');

/** The rules before the classifier (issue 13's starting point), kept to show what it changed. */
export const PRE_CLASSIFIER_RULES = `{
  "version": 1,
  "providers": { "openai": { "type": "openai" }, "anthropic": { "type": "anthropic" } },
  "models": {
    "mini": { "provider": "openai", "id": "gpt-4o-mini-2024-07-18" }, "gpt4o": { "provider": "openai", "id": "gpt-4o-2024-08-06" },
    "haiku": { "provider": "anthropic", "id": "claude-3-5-haiku-20241022" }, "sonnet": { "provider": "anthropic", "id": "claude-3-5-sonnet-20241022" }
  },
  "tiers": { "fast": ["mini", "haiku"], "standard": ["gpt4o", "sonnet"], "deep": ["sonnet", "gpt4o"] },
  "rules": [
    { "name": "classification is cheap", "if": { "task": "classification" }, "then": "fast" },
    { "name": "small talk", "if": { "prompt": { "regex": "^\\\\s*(thanks|thank you|thx|ok|okay|lgtm|yes|no|hi|hello)\\\\b", "flags": "i" } }, "then": "fast" },
    { "name": "big context", "if": { "inputTokens": { ">": 4000 } }, "then": "deep" },
    { "name": "refactors and tests", "if": { "task": ["refactor", "tests"] }, "then": "standard" },
    { "name": "quick explanations", "if": { "all": [ { "task": "explain" }, { "inputTokens": { "<": 1500 } } ] }, "then": "fast" }
  ],
  "default": "standard"
}`;

export interface RoutedFigures extends Confusion {
  /** Estimated cost of the routed tiers ÷ the intended tiers' cost, and ÷ everything on `standard`. */
  costVsIntended: number;
  costVsStandard: number;
  costUsd: number;
}

export interface Figures {
  split: Split;
  rows: number;
  classifier: Confusion;
  rules: RoutedFigures;
  before: RoutedFigures;
  /** Intended tiers' and all-standard cost, USD (estimates: the tiers' first models, expected output tokens). */
  intendedCostUsd: number;
  standardCostUsd: number;
}

const STATE: RouterState = { now: 0, spentTodayUsd: 0, spentMonthUsd: 0, circuits: {}, keys: { openai: true, anthropic: true }, latencyStats: {}, calibration: {} };

export function compile(text: string, file: string | null): CompiledRules {
  const loaded = parseRules(text, file);
  if (!loaded.rules) throw new Error(`rules ${file ?? '(built-in)'}: ${loaded.issues.map((i) => i.message).join('; ')}`);
  return loaded.rules;
}

/** A tier's index in VERDICT_TIERS; a tier beyond them (e.g. `reasoning`) counts as the strongest. */
const tierIndex = (tier: string | null) => { const i = VERDICT_TIERS.indexOf(tier as never); return i >= 0 ? i : tier === null ? 1 : VERDICT_TIERS.length - 1; };

/** Each row's routed tier under `rules`, and the estimated cost of each row on each tier's first model. */
function route(rows: readonly CorpusRow[], rules: CompiledRules, costs: number[][]): { routed: number[]; cost: number } {
  let cost = 0;
  const routed = rows.map((row, n) => {
    const d = decide(routeInput(toRouteRequest(row), rules), rules, STATE);
    const t = tierIndex(d.tier);
    cost += costs[n][t];
    return t;
  });
  return { routed, cost };
}

/** Cost of each row on each verdict tier's first model (the built-in rules' tiers). */
function tierCosts(rows: readonly CorpusRow[], rules: CompiledRules): number[][] {
  return rows.map((row) => {
    const input = routeInput(toRouteRequest(row), rules);
    return VERDICT_TIERS.map((t) => estimateFor(resolveTarget(t, rules)[0], input.tokens, input.request, STATE).costUsd);
  });
}

export function evaluate(split: Split, rulesText = DEFAULT_RULES_TEXT, rulesFile: string | null = null): { figures: Figures; rows: CorpusRow[]; routed: number[] } {
  const rows = loadSplit(split);
  const labels = rows.map((r) => VERDICT_TIERS.indexOf(r.tier));
  const rules = compile(rulesText, rulesFile);
  const costs = tierCosts(rows, compile(DEFAULT_RULES_TEXT, null));
  const intendedCostUsd = labels.reduce((sum, l, n) => sum + costs[n][l], 0);
  const standardCostUsd = costs.reduce((sum, c) => sum + c[1], 0);
  const classifier = confusion(labels, rows.map((r) => VERDICT_TIERS.indexOf(classify(classifierInput(toRouteRequest(r))).tier)));
  const routedFigures = (routed: number[], cost: number): RoutedFigures => ({
    ...confusion(labels, routed), costUsd: cost, costVsIntended: cost / intendedCostUsd, costVsStandard: cost / standardCostUsd,
  });
  const now = route(rows, rules, costs);
  const old = route(rows, compile(PRE_CLASSIFIER_RULES, null), costs);
  return {
    figures: { split, rows: rows.length, classifier, rules: routedFigures(now.routed, now.cost), before: routedFigures(old.routed, old.cost), intendedCostUsd, standardCostUsd },
    rows, routed: now.routed,
  };
}

const ratio = (x: number) => `${(x * 100).toFixed(0)} %`;

export function figuresTable(f: Figures): string {
  const line = (name: string, m: Confusion, r?: RoutedFigures) =>
    `| ${name} | ${pct(m.accuracy)} | ${pct(m.under)} | ${pct(m.over)} | ${r ? ratio(r.costVsIntended) : '—'} | ${r ? ratio(r.costVsStandard) : '—'} |`;
  return [
    `| on the ${f.split} split (${f.rows} rows) | accuracy | under-served | over-served | cost ÷ intended | cost ÷ all standard |`,
    '|---|---:|---:|---:|---:|---:|',
    line('default rules (with the classifier)', f.rules, f.rules),
    line('the classifier alone (its likeliest tier)', f.classifier),
    line('the rules before the classifier', f.before, f.before),
  ].join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const split = (opt('--split') ?? 'test') as Split;
  const rulesFile = opt('--rules');
  const { figures, rows, routed } = evaluate(split, rulesFile ? readFileSync(rulesFile, 'utf8') : DEFAULT_RULES_TEXT, rulesFile ?? null);
  if (args.includes('--json')) { console.log(JSON.stringify(figures, null, 2)); return; }
  console.log(figuresTable(figures));
  console.log(`\nDefault rules, intended ↓ · routed → (${split}):\n${confusionTable(figures.rules)}`);
  console.log(`\nEstimated cost: routed $${figures.rules.costUsd.toFixed(4)} · intended $${figures.intendedCostUsd.toFixed(4)} · all standard $${figures.standardCostUsd.toFixed(4)}`);
  const limit = Number(opt('--errors') ?? 12);
  const wrong = rows.map((r, n) => ({ r, to: VERDICT_TIERS[routed[n]] })).filter(({ r, to }) => r.tier !== to);
  if (wrong.length && limit > 0) {
    console.log(`\nMisrouted (${wrong.length}; under-served first):`);
    wrong.sort((a, b) => (VERDICT_TIERS.indexOf(a.to) - VERDICT_TIERS.indexOf(a.r.tier)) - (VERDICT_TIERS.indexOf(b.to) - VERDICT_TIERS.indexOf(b.r.tier)));
    for (const { r, to } of wrong.slice(0, limit)) console.log(`- ${r.id}: ${r.tier} → ${to} · ${JSON.stringify(r.prompt.slice(0, 110))}${r.prompt.length > 110 ? '…' : ''}`);
  }
  if (args.includes('--write')) {
    writeFileSync(FIGURES_FILE, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`\nwrote ${FIGURES_FILE}`);
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) main();
