/**
 * The routing classifier (daemon/classifier): classify() on palette prompts of 100 B, 1 KB and 12 KB (a question
 * above pasted code, each call a text it has not seen), the explanation a trace reads, and the built-in default
 * rules' decision beyond the classifier's own time (the verdict made beforehand, as prepare.ts makes it) and with it.
 *   node --import tsx bench/classifier.ts
 * The timing runs in a child process on an esbuild bundle built like dist/daemon.js (bench/bundle.ts).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { RouteRequest, RouterState } from '../shared/decision';
import { classify } from '../daemon/classifier/classify';
import { classifierInput } from '../daemon/classifier/features';
import { decide } from '../daemon/router/decide';
import { routeInput } from '../daemon/router/prepare';
import { DEFAULT_RULES_TEXT } from '../daemon/rules/defaults';
import { parseRules } from '../daemon/rules/load';
import { warmTokenizer } from '../daemon/estimate/tokens';
import { runBundled } from './bundle';
import { printTable, type Row } from './table';
import { corpus, fmt, isMain, percentile, ROOT } from './util';

const WARMUP = 2_000;
const ROUNDS = 20_000;
const BUDGET_MS = 4_000;

const ASKS = [
  'why does this hang under load when two requests update the same cart? it only happens in prod',
  'rename the variable usrCnt to userCount everywhere in this file, nothing else',
  'can you add input validation to this handler and return a 400 with the field name when it fails',
];

/** A palette prompt of about `size` characters: an ask above a slice of real code; `n` makes each one new. */
function prompt(size: number, n: number): string {
  const ask = `${ASKS[n % ASKS.length]} (${n})`;
  if (size <= ask.length + 40) return ask.slice(0, size);
  const c = corpus();
  const start = (n * 7919) % (c.length - size);
  return `${ask}\n\n\`\`\`typescript\n${c.slice(start, start + size - ask.length - 20)}\n\`\`\``;
}

async function measure(): Promise<Row[]> {
  const us = (ns: number) => `${fmt(ns / 1000, 2)} µs`;
  const time = (run: (n: number) => number): number[] => {
    const samples: number[] = [];
    let sink = 0;
    const deadline = performance.now() + BUDGET_MS;
    for (let n = 0; n < WARMUP + ROUNDS; n++) {
      if (n > WARMUP && performance.now() > deadline) break;
      const t0 = process.hrtime.bigint();
      sink += run(n);
      const ns = Number(process.hrtime.bigint() - t0);
      if (n >= WARMUP) samples.push(ns);
    }
    if (sink === -1) console.log('');
    return samples.sort((a, b) => a - b);
  };
  const rows: Row[] = [];
  const sizes: [string, number, number | undefined][] = [['100 B', 100, undefined], ['1 KB', 1024, 50_000], ['12 KB', 12 * 1024, 500_000]];
  for (const [label, size, barNs] of sizes) {
    // Prompts made beforehand: the timing is the classifier's alone.
    const prompts = Array.from({ length: 512 }, (_, n) => prompt(size, n));
    const inputs = prompts.map((p) => classifierInput({ prompt: p, task: 'chat', source: 'palette', language: 'typescript' }));
    const s = time((n) => classify(inputs[n % inputs.length]).confidence);
    const p99 = percentile(s, 99);
    rows.push({
      name: `classify(), palette prompt of ${label} (${fmt(prompts[0].length)} chars), P50 / P99`,
      value: `${us(percentile(s, 50))} / ${us(p99)}`,
      ...(barNs ? { bar: `P99 ≤ ${fmt(barNs / 1000)} µs`, ok: p99 <= barNs } : {}),
    });
  }
  const explainInputs = Array.from({ length: 64 }, (_, n) => classifierInput({ prompt: prompt(1024, n), task: 'chat', source: 'palette' }));
  const explained = time((n) => classify(explainInputs[n % explainInputs.length]).features.length);
  rows.push({ name: 'classify() and reading its features (a trace, a dry run), 1 KB, P50 / P99', value: `${us(percentile(explained, 50))} / ${us(percentile(explained, 99))}` });

  const loaded = parseRules(DEFAULT_RULES_TEXT, null);
  if (!loaded.rules) throw new Error('the built-in rules do not load');
  const rules = loaded.rules;
  for (const enc of rules.encodings) warmTokenizer(enc);
  const state: RouterState = { now: 1_700_000_000_000, spentTodayUsd: 1.2, spentMonthUsd: 40, circuits: {}, keys: { openai: true, anthropic: true }, latencyStats: {}, calibration: {} };
  const requests: RouteRequest[] = Array.from({ length: 64 }, (_, n) => ({ prompt: prompt(1024, n), task: 'chat', source: 'palette', language: 'typescript' }));
  const prepared = requests.map((r) => routeInput(r, rules));
  const beyond = time((n) => decide(prepared[n % prepared.length], rules, state).ruleIndex);
  rows.push({
    name: 'the built-in rules\' decision beyond the classifier (verdict made in prepare), 1 KB prompts, P50 / P99',
    value: `${us(percentile(beyond, 50))} / ${us(percentile(beyond, 99))}`,
    bar: 'P99 ≤ 10 µs', ok: percentile(beyond, 99) <= 10_000,
  });
  const unprepared = prepared.map(({ verdict: _v, ...input }) => input);
  const withIt = time((n) => decide(unprepared[n % unprepared.length], rules, state).ruleIndex);
  rows.push({ name: 'the same decision classifying the request itself, P50 / P99', value: `${us(percentile(withIt, 50))} / ${us(percentile(withIt, 99))}` });
  return rows;
}

export async function benchClassifier(): Promise<Row[]> {
  const rows = await runBundled<Row[]>('bench/classifier.ts');
  const bytes = statSync(join(ROOT, 'daemon/classifier/weights.json')).size;
  rows.push({ name: 'weights shipped (daemon/classifier/weights.json)', value: `${fmt(bytes / 1024 / 1024, 2)} MB`, bar: '≤ 3 MB', ok: bytes <= 3 * 1024 * 1024 });
  return rows;
}

if (isMain('classifier') && process.env.SWITCHYARD_BENCH_BUNDLED === '1') {
  measure().then((rows) => console.log(JSON.stringify(rows)), (err) => { console.error(err); process.exit(1); });
} else if (isMain('classifier')) {
  benchClassifier().then((rows) => printTable('Routing classifier', rows), (err) => { console.error(err); process.exit(1); });
}
