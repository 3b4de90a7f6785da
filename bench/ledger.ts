/**
 * Ledger benchmark: autocommitted inserts per second (each one a committed transaction, as in the daemon),
 * per-insert latency percentiles, and the read queries the daemon runs (summary, recent, latency stats).
 *   node --import tsx bench/ledger.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, type LedgerInsert } from '../daemon/ledger/ledger';
import { printTable, type Row } from './table';

const WARMUP = 500;
const INSERTS = 10_000;
const MIN_INSERTS_PER_SECOND = 2_000; // 0.5 ms per request: far below any upstream call's latency

const MODELS = ['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06', 'claude-3-5-haiku-20241022', 'claude-3-5-sonnet-20241022'];
const RULES = ['small talk', 'classification is cheap', 'big context', 'refactors', 'default'];

function sampleRow(i: number, time: number): LedgerInsert {
  const model = MODELS[i % MODELS.length];
  return {
    id: `bench-${i}-${Math.random().toString(36).slice(2, 10)}`,
    time,
    source: i % 3 ? 'palette' : 'http',
    task: 'chat',
    rule: RULES[i % RULES.length],
    tier: 'fast',
    provider: model.startsWith('claude') ? 'anthropic' : 'openai',
    model,
    status: i % 50 ? 'ok' : 'error',
    inputTokens: 800 + (i % 400),
    outputTokens: 150 + (i % 100),
    cachedTokens: 0,
    reasoningTokens: null,
    estimatedInputTokens: 820,
    costUsd: i % 20 ? 0.0004 + (i % 7) * 0.0001 : null,
    estimatedCostUsd: 0.0005,
    defaultCostUsd: 0.004,
    maxCostUsd: 0.02,
    ttftMs: 250 + (i % 300),
    totalMs: 1800 + (i % 900),
    fallbacks: i % 25 ? 0 : 1,
    attempts: [{ provider: 'openai', model, outcome: 'ok', elapsedMs: 1800 }],
    error: null,
    prompt: 'Refactor this function to use early returns and keep behaviour identical.',
    features: { task: 'chat', source: 'palette', urgency: 'normal', language: 'typescript', inputTokens: 820, maxOutputTokens: 1024 },
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Median wall time (ms) of `runs` calls of fn. */
function timeIt(fn: () => unknown, runs = 20): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

export async function benchLedger(): Promise<Row[]> {
  const base = mkdtempSync(join(tmpdir(), 'switchyard-bench-ledger-'));
  const now = Date.now();
  const ledger = Ledger.open(join(base, 'home'), { now: () => now });
  try {
    // Spread rows over the last 40 days so the summary's day and month windows have real work to do.
    const span = 40 * 86_400_000;
    const timeOf = (i: number) => now - span + Math.floor((i / (WARMUP + INSERTS)) * span);
    for (let i = 0; i < WARMUP; i++) ledger.record(sampleRow(i, timeOf(i)));

    const each: number[] = new Array(INSERTS);
    const start = performance.now();
    for (let i = 0; i < INSERTS; i++) {
      const s = performance.now();
      ledger.record(sampleRow(WARMUP + i, timeOf(WARMUP + i)));
      each[i] = (performance.now() - s) * 1000;
    }
    const elapsed = (performance.now() - start) / 1000;
    const perSecond = INSERTS / elapsed;
    each.sort((a, b) => a - b);

    const summaryMs = timeIt(() => ledger.summary(now, { dailyUsd: 10, monthlyUsd: 200 }));
    const recentMs = timeIt(() => ledger.recent(50));
    const latencyMs = timeIt(() => ledger.latencyStats(50));
    const calibrationMs = timeIt(() => ledger.calibration(50));
    const todayMs = timeIt(() => ledger.spendToday(now), 100);
    const integrity = ledger.integrityCheck();

    return [
      { name: `inserts/s (autocommit, WAL, synchronous=NORMAL, ${fmt(INSERTS)} rows)`, value: fmt(perSecond), ok: perSecond >= MIN_INSERTS_PER_SECOND },
      { name: 'insert latency p50 / p99', value: `${fmt(percentile(each, 50), 1)} µs / ${fmt(percentile(each, 99), 1)} µs` },
      { name: `summary() over ${fmt(WARMUP + INSERTS)} rows (30-day series)`, value: `${fmt(summaryMs, 2)} ms`, ok: summaryMs < 100 },
      { name: 'spendToday()', value: `${fmt(todayMs * 1000, 1)} µs` },
      { name: 'recent(50)', value: `${fmt(recentMs, 2)} ms` },
      { name: 'latencyStats(50)', value: `${fmt(latencyMs, 2)} ms` },
      { name: 'calibration(50)', value: `${fmt(calibrationMs, 2)} ms` },
      { name: 'integrity_check', value: integrity.join(', '), ok: integrity.length === 1 && integrity[0] === 'ok' },
    ];
  } finally {
    ledger.close();
    rmSync(base, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchLedger().then(
    (rows) => {
      printTable('Ledger (node-sqlite3-wasm)', rows);
      if (rows.some((r) => r.ok === false)) process.exitCode = 1;
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
