/**
 * Decision time: `decide(input, rules, state)` with a 50-rule file (10 regex rules, substring tests, numeric
 * ranges, metadata, all/any/not), for a mix of realistic requests — from small talk that the 4th rule catches to
 * a 12 KB code question that falls through all 50 rules to the default. The request is prepared beforehand as the
 * daemon prepares it (prepare.ts: token counts, measured in bench/tokens.ts, and one scan of the prompt for all
 * of the rules' prompt conditions). The bar times the decision as routing pays for it: features, the rules tried
 * until one matches, the target resolved and an estimate for each candidate. Side rows time what the bar leaves
 * out, so that nothing hides: reading the decision's trace (written on first read — a preview, a dry run, the
 * CLI), the prompt scan alone, and decide() doing the scan itself.
 *   node --import tsx bench/decision.ts
 * The timing runs in a child process on an esbuild bundle built like dist/daemon.js (see bench/bundle.ts).
 * It also checks that the one-pass scanner answers like each condition on its own (bench/scanCheck.ts).
 */
import type { RouteRequest, RouterState } from '../shared/decision';
import { decide, type RouteInput } from '../daemon/router/decide';
import { routeInput } from '../daemon/router/prepare';
import { parseRules, hasErrors } from '../daemon/rules/load';
import type { CompiledRules } from '../daemon/rules/types';
import { warmTokenizer } from '../daemon/estimate/tokens';
import { runBundled } from './bundle';
import { checkPromptScanner } from './scanCheck';
import { FIFTY_RULES, fiftyRulesText } from './rules';
import { printTable, type Row } from './table';
import { corpus, fmt, isMain, percentile, rng, shuffle } from './util';

const BAR_P99_US = 10;
const WARMUP_ROUNDS = 500;
/** Rounds of every scenario: at most this many, fewer if TIME_BUDGET_MS runs out first. */
const MAX_ROUNDS = 20_000;
const TIME_BUDGET_MS = 8_000;
/** For the side rows: the trace read, the prompt scan. */
const SIDE_TIME_BUDGET_MS = 3_000;

interface Scenario { label: string; request: RouteRequest; expectRule?: string }

function code(at: number, size: number): string {
  const c = corpus();
  const start = (at * 104_729) % (c.length - size);
  return c.slice(start, start + size);
}

function scenarios(): Scenario[] {
  return [
    { label: 'small talk ("thanks, that works!")', request: { prompt: 'thanks, that works!', source: 'palette' }, expectRule: 'small talk' },
    {
      label: 'classification task, short text',
      request: { prompt: 'Is this message spam? "You won a free cruise, click here to claim within 24 hours."', task: 'classification', source: 'http' },
      expectRule: 'classification',
    },
    {
      label: 'refactor code action, 2 KB TypeScript',
      request: { prompt: `Refactor this to use early returns.\n\n${code(1, 2000)}`, task: 'refactor', source: 'codeAction', language: 'typescript' },
      expectRule: 'refactors',
    },
    {
      label: 'stack trace pasted into the palette',
      request: {
        prompt: 'Why does this crash on startup?\n\nTraceback (most recent call last):\n  File "app.py", line 12, in <module>\n    main()\n  File "app.py", line 8, in main\n    cfg = load(path)\nKeyError: \'path\'',
        source: 'palette', language: 'python',
      },
      expectRule: 'stack traces',
    },
    {
      label: 'SQL question with a query',
      request: { prompt: 'Make this faster on a 10M row table:\nSELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.created_at > now() - interval \'7 days\' ORDER BY o.created_at DESC;', language: 'sql', source: 'palette' },
      expectRule: 'sql',
    },
    {
      label: 'explain 9 KB of code (rule #32)',
      request: { prompt: `Explain this code.\n\n${code(2, 9000)}`, task: 'explain', source: 'codeAction', language: 'typescript' },
      expectRule: 'explain long',
    },
    {
      label: 'conversation, 3 turns, falls through to default',
      request: {
        prompt: `And what would you change here?\n\n${code(3, 1500)}`,
        system: 'You are a careful senior engineer.',
        messages: [
          { role: 'user', content: `Look at this module:\n${code(4, 1500)}` },
          { role: 'assistant', content: 'It parses the options, then builds the program and reports diagnostics.' },
          { role: 'user', content: `And what would you change here?\n\n${code(3, 1500)}` },
        ],
        source: 'http', language: 'python', metadata: { plan: 'team', locale: 'en' },
      },
      expectRule: 'default',
    },
    {
      label: '12 KB code question, falls through all 50 rules',
      request: { prompt: `What is wrong with this?\n\n${code(6, 12_000)}`, source: 'http', language: 'go', metadata: { plan: 'team' } },
      expectRule: 'default',
    },
  ];
}

export function compileFifty(): CompiledRules {
  const { rules, issues } = parseRules(fiftyRulesText(), 'bench-50-rules.json');
  if (!rules || hasErrors(issues)) throw new Error(`bench rules did not compile: ${JSON.stringify(issues)}`);
  return rules;
}

/** Runs the timing in a bundled child process (the code as it ships), then the fast-path check here. */
export async function benchDecision(): Promise<Row[]> {
  const rows = await runBundled<Row[]>('bench/decision.ts');
  const check = checkPromptScanner();
  rows.push({
    name: `one-pass prompt scanner vs each condition on its own: ${check.conditions} conditions × generated prompts`,
    value: `${fmt(check.cases)} cases, ${check.mismatches.length} different`,
    bar: 'identical answers',
    ok: check.mismatches.length === 0,
  });
  for (const m of check.mismatches.slice(0, 5)) rows.push({ name: '— mismatch', value: m });
  return rows;
}

async function measureDecision(): Promise<Row[]> {
  const rules = compileFifty();
  const regexRules = FIFTY_RULES.filter((r) => JSON.stringify(r.if).includes('"regex"')).length;
  const state: RouterState = {
    now: 1_700_000_000_000, spentTodayUsd: 2.4, spentMonthUsd: 61, circuits: {},
    keys: { openai: true, anthropic: true, local: true },
    latencyStats: { 'gpt-4o-mini-2024-07-18': { ttftMs: 310, tokensPerSecond: 105, samples: 50 }, 'gpt-4o-2024-08-06': { ttftMs: 420, tokensPerSecond: 80, samples: 50 } },
    calibration: { 'claude-3-5-sonnet-20241022': 1.07, 'claude-3-5-haiku-20241022': 1.07 },
  };
  for (const enc of rules.encodings) warmTokenizer(enc);
  const cases = scenarios().map((s) => ({ ...s, input: routeInput(s.request, rules) as RouteInput }));
  for (const c of cases) {
    const d = decide(c.input, rules, state);
    if (c.expectRule && d.rule !== c.expectRule) throw new Error(`scenario "${c.label}" matched "${d.rule}", expected "${c.expectRule}"`);
  }

  const r = rng(11);
  let sink = 0;
  /**
   * Times `run(i)` for every scenario, in a freshly shuffled order each round so that no scenario runs in a JIT-
   * or cache-friendly streak: warm-up rounds, then rounds until MAX_ROUNDS or `budgetMs`. Per-scenario samples (ns).
   */
  const interleaved = (run: (i: number) => number, budgetMs: number, warmup = WARMUP_ROUNDS): number[][] => {
    const order = cases.map((_, i) => i);
    const samples: number[][] = cases.map(() => []);
    let deadline = Infinity;
    for (let round = 0; round < warmup + MAX_ROUNDS; round++) {
      if (round === warmup) deadline = performance.now() + budgetMs;
      else if (round > warmup && performance.now() > deadline) break;
      shuffle(order, r);
      for (const i of order) {
        const t0 = process.hrtime.bigint();
        sink += run(i);
        const ns = Number(process.hrtime.bigint() - t0);
        if (round >= warmup) samples[i].push(ns);
      }
    }
    return samples;
  };

  // What routing a request costs: the decision, its trace unread (proxying never reads it).
  const decided = interleaved((i) => decide(cases[i].input, rules, state).ruleIndex, TIME_BUDGET_MS);
  // What a preview, a dry run or the CLI costs: the decision and then its trace.
  const explained = interleaved((i) => decide(cases[i].input, rules, state).trace.length, SIDE_TIME_BUDGET_MS);
  // Reading the prompt, which prepare.ts does beside the token count; and decide() doing it itself. The scanner
  // remembers prompts it has read, so each call gets a prompt it has not seen (a counter appended to the text).
  let fresh = 0;
  const unseen = (i: number) => `${cases[i].request.prompt}\n${fresh++}`;
  const scanned = interleaved((i) => rules.promptScanner.scan(unseen(i)).length, SIDE_TIME_BUDGET_MS, WARMUP_ROUNDS / 5);
  const rescanned = interleaved((i) => rules.promptScanner.scan(cases[i].request.prompt).length, SIDE_TIME_BUDGET_MS, WARMUP_ROUNDS / 5);
  const scannedAndDecided = interleaved(
    (i) => decide({ ...cases[i].input, request: { ...cases[i].request, prompt: unseen(i) }, promptScan: undefined }, rules, state).ruleIndex,
    SIDE_TIME_BUDGET_MS, WARMUP_ROUNDS / 5,
  );

  // A batch timing without per-call timer reads, as a cross-check of the per-call numbers.
  const t0 = process.hrtime.bigint();
  const BATCH = cases.length * 1_000;
  for (let k = 0; k < BATCH; k++) sink += decide(cases[k % cases.length].input, rules, state).ruleIndex;
  const batchNs = Number(process.hrtime.bigint() - t0) / BATCH;
  // The timer itself, for reference.
  const timer: number[] = [];
  for (let k = 0; k < 20_000; k++) { const a = process.hrtime.bigint(); timer.push(Number(process.hrtime.bigint() - a)); }
  timer.sort((a, b) => a - b);
  if (sink === 42) console.log('');

  const us = (ns: number) => `${fmt(ns / 1000, 2)} µs`;
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const p50p99 = (xs: number[]) => { const s = sorted(xs); return `${us(percentile(s, 50))} / ${us(percentile(s, 99))}`; };
  const p99 = (xs: number[]) => percentile(sorted(xs), 99);
  const rows: Row[] = [
    {
      name: `decide(), ${cases.length} scenarios interleaved (${fmt(decided.flat().length)} decisions), P50 / P99`,
      value: p50p99(decided.flat()),
      bar: `P99 ≤ ${BAR_P99_US} µs`,
      ok: p99(decided.flat()) <= BAR_P99_US * 1000,
    },
    { name: 'decide(), mean per decision in a tight loop (no timer reads)', value: us(batchNs) },
  ];
  cases.forEach((c, i) => {
    const d = decide(c.input, rules, state);
    rows.push({
      name: `— ${c.label}: rule "${d.rule}" after ${d.trace.length} rules, ${fmt(c.request.prompt.length)} chars, ${fmt(c.input.tokens.o200k_base ?? 0)} tokens`,
      value: p50p99(decided[i]),
      bar: `P99 ≤ ${BAR_P99_US} µs`,
      ok: p99(decided[i]) <= BAR_P99_US * 1000,
    });
  });
  rows.push({ name: 'decide() and then reading its trace (a preview, a dry run, the CLI: the rules run again, recording why each failed), all scenarios, P50 / P99', value: p50p99(explained.flat()) });
  cases.forEach((c, i) => rows.push({ name: `— ${c.label}`, value: p50p99(explained[i]) }));
  rows.push({ name: `reading the prompt (prepare.ts, beside the token count): all ${rules.promptScanner.size} prompt conditions in one pass`, value: 'P50 / P99 below' });
  cases.forEach((c, i) => rows.push({ name: `— ${c.label} (${fmt(c.request.prompt.length)} chars)`, value: p50p99(scanned[i]) }));
  const longest = cases.reduce((a, c, i) => (c.request.prompt.length > cases[a].request.prompt.length ? i : a), 0);
  rows.push({ name: 'reading the prompt, per character (longest scenario, P50)', value: `${fmt(percentile(sorted(scanned[longest]), 50) / cases[longest].request.prompt.length, 1)} ns` });
  rows.push({ name: `reading the same prompt again (remembered: a preview, then the send), longest scenario, P50 / P99`, value: p50p99(rescanned[longest]) });
  rows.push({ name: 'decide() reading the prompt itself (no prepared scan), all scenarios, P50 / P99', value: p50p99(scannedAndDecided.flat()) });
  cases.forEach((c, i) => rows.push({ name: `— ${c.label}`, value: p50p99(scannedAndDecided[i]) }));
  rows.push({ name: 'rules file', value: `${FIFTY_RULES.length} rules, ${regexRules} with regexes (RE2JS), ${rules.warnings.length} warnings` });
  rows.push({ name: 'timer overhead (hrtime.bigint pair), P50', value: `${fmt(percentile(timer, 50))} ns` });
  return rows;
}

if (isMain('decision') && process.env.SWITCHYARD_BENCH_BUNDLED === '1') {
  measureDecision().then(
    (rows) => console.log(JSON.stringify(rows)),
    (err) => { console.error(err); process.exit(1); },
  );
} else if (isMain('decision')) {
  benchDecision().then(
    (rows) => {
      printTable('Decision time (50 rules)', rows);
      if (rows.some((r) => r.ok === false)) process.exitCode = 1;
    },
    (err) => { console.error(err); process.exit(1); },
  );
}
