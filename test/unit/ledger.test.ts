// Local-time boundaries are only meaningful away from UTC; New York also has DST inside the tested ranges.
process.env.TZ = 'America/New_York';

import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Database } from 'node-sqlite3-wasm';
import { Ledger, LEDGER_FILE, type LedgerInsert } from '../../daemon/ledger/ledger';
import { MIGRATIONS, SCHEMA_VERSION } from '../../daemon/ledger/migrations';
import { localDate, median } from '../../daemon/ledger/queries';
import type { Attempt } from '../../shared/protocol';
import { BREAKDOWNS, replayReport, spendReport } from '../../daemon/reports';
import { compile, state } from './helpers/rules';

const homes: string[] = [];
after(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** A fresh, not-yet-existing home folder inside a temp dir. */
function tempHome(): string {
  const base = mkdtempSync(join(tmpdir(), 'switchyard-ledger-'));
  homes.push(base);
  return join(base, 'home');
}

/** Local wall-clock time → epoch ms (in the TZ set above). */
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) =>
  new Date(y, mo - 1, d, h, mi, s, ms).getTime();

let seq = 0;
function row(over: Partial<LedgerInsert> = {}): LedgerInsert {
  return {
    id: `req-${++seq}`,
    rule: 'default',
    tier: 'standard',
    source: 'palette',
    task: 'chat',
    provider: 'openai',
    model: 'gpt-4o-2024-08-06',
    status: 'ok',
    inputTokens: 100,
    outputTokens: 50,
    costUsd: 0.01,
    estimatedCostUsd: 0.012,
    totalMs: 1000,
    ttftMs: 200,
    ...over,
  };
}

/** A raw connection. A WAL database without shared memory (this WASM build has none) needs exclusive locking. */
function rawOpen(home: string): Database {
  const db = new Database(join(home, LEDGER_FILE));
  db.exec('PRAGMA locking_mode = EXCLUSIVE');
  return db;
}

function userVersion(home: string): number {
  const db = rawOpen(home);
  try {
    return Number((db.all('PRAGMA user_version')[0] as { user_version: number }).user_version);
  } finally {
    db.close();
  }
}

const close = (x: number, y: number, eps = 1e-9) => assert.ok(Math.abs(x - y) < eps, `${x} ≈ ${y}`);

describe('open, migrations, files', () => {
  test('fresh database is migrated; reopen keeps rows and version', () => {
    const home = tempHome();
    const l1 = Ledger.open(home);
    l1.record(row({ id: 'a', time: 1000 }));
    l1.close();
    assert.equal(userVersion(home), SCHEMA_VERSION);

    const l2 = Ledger.open(home);
    assert.equal(l2.count(), 1);
    assert.equal(l2.get('a')?.id, 'a');
    l2.record(row({ id: 'b', time: 2000 }));
    l2.close();
    assert.equal(userVersion(home), SCHEMA_VERSION);
    const l3 = Ledger.open(home);
    assert.deepEqual(l3.recent(10).map((e) => e.id), ['b', 'a']);
    l3.close();
  });

  test('a database from a newer schema is refused, not clobbered', () => {
    const home = tempHome();
    Ledger.open(home).close();
    const db = rawOpen(home);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    assert.throws(() => Ledger.open(home), /newer than this Switchyard/);
    // The failed open released its lock: a raw open still works.
    assert.equal(userVersion(home), SCHEMA_VERSION + 5);
  });

  test('folder 0700, database and WAL 0600; a readable existing file is tightened', { skip: process.platform === 'win32' }, () => {
    const home = tempHome();
    const l = Ledger.open(home);
    l.record(row());
    assert.equal(statSync(home).mode & 0o777, 0o700);
    assert.equal(statSync(join(home, LEDGER_FILE)).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, `${LEDGER_FILE}-wal`)).mode & 0o777, 0o600);
    l.close();

    chmodSync(join(home, LEDGER_FILE), 0o644);
    Ledger.open(home).close();
    assert.equal(statSync(join(home, LEDGER_FILE)).mode & 0o777, 0o600);
  });

  test('pragmas: WAL, exclusive locking, synchronous=NORMAL', () => {
    const home = tempHome();
    const l = Ledger.open(home);
    // While open, the exclusive lock keeps every other connection out.
    const other = rawOpen(home);
    assert.throws(() => other.all('SELECT 1 FROM requests'), /database is locked/);
    other.close();
    l.close();
    const db = rawOpen(home);
    assert.equal((db.all('PRAGMA journal_mode')[0] as { journal_mode: string }).journal_mode, 'wal');
    db.close();
  });

  test('a second open of the same ledger in one process is refused', () => {
    const home = tempHome();
    const l = Ledger.open(home);
    assert.throws(() => Ledger.open(home), /already open/);
    l.close();
    Ledger.open(home).close();
  });

  test('reopen after a simulated crash: a leftover .lock directory is removed', () => {
    const home = tempHome();
    const file = join(home, LEDGER_FILE);
    const l = Ledger.open(home);
    l.record(row({ id: 'before-crash' }));
    l.close();
    // What SIGKILL leaves behind (see test/integration/ledger-crash.test.ts for the real thing).
    mkdirSync(`${file}.lock`);
    const raw = rawOpen(home);
    assert.throws(() => raw.all('SELECT 1 FROM requests'), /database is locked/, 'the lock dir really blocks an open');
    raw.close();

    const again = Ledger.open(home);
    assert.equal(again.get('before-crash')?.id, 'before-crash');
    again.record(row({ id: 'after-crash' }));
    assert.deepEqual(again.integrityCheck(), ['ok']);
    again.close();
    assert.ok(!existsSync(`${file}.lock`));
  });

  test('a .lock that is not a directory is not deleted', () => {
    const home = tempHome();
    Ledger.open(home).close();
    writeFileSync(join(home, `${LEDGER_FILE}.lock`), 'x');
    assert.throws(() => Ledger.open(home), /not a directory/);
  });

  test('closed ledger refuses work; close is idempotent', () => {
    const l = Ledger.open(tempHome());
    l.close();
    l.close();
    assert.throws(() => l.record(row()), /closed/);
    assert.throws(() => l.recent(), /closed/);
  });
});

describe('record', () => {
  test('record + recent round trip, attempts JSON, newest first', () => {
    const l = Ledger.open(tempHome());
    const attempts: Attempt[] = [
      { provider: 'openai', model: 'gpt-4o-2024-08-06', outcome: 'failed', status: 429, reason: 'rate-limited', message: 'slow down', elapsedMs: 120, retryAfterMs: 5000 },
      { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', outcome: 'ok', elapsedMs: 900 },
    ];
    const first = l.record(row({ id: 'r1', time: 10 }));
    const second = l.record(row({
      id: 'r2', time: 20, provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', attempts, fallbacks: 1,
      cachedTokens: 30, reasoningTokens: 0, costUsd: null, error: null, tier: null,
    }));
    const third = l.record(row({ id: 'r3', time: 20, status: 'cut', error: 'stream cut after 3 deltas' }));
    const recent = l.recent(10);
    assert.deepEqual(recent, [third, second, first]);
    assert.deepEqual(recent[1].attempts, attempts);
    assert.equal(recent[1].costUsd, null);
    assert.equal(recent[1].tier, null);
    assert.equal(recent[1].fallbacks, 1);
    assert.equal(recent[1].cachedTokens, 30);
    assert.equal(recent[1].reasoningTokens, 0);
    assert.equal(recent[0].error, 'stream cut after 3 deltas');
    assert.deepEqual(l.recent(2).map((e) => e.id), ['r3', 'r2']);
    assert.deepEqual(l.recent(0), []);
    l.close();
  });

  test('defaults: time from the injected clock, empty attempts, nulls', () => {
    const l = Ledger.open(tempHome(), { now: () => 123_456 });
    const e = l.record({ id: 'min', rule: 'default', status: 'error', costUsd: null, estimatedCostUsd: 0.5, totalMs: 5 });
    assert.equal(e.time, 123_456);
    assert.deepEqual(e.attempts, []);
    assert.equal(e.fallbacks, 0);
    const r = l.get('min');
    assert.ok(r);
    assert.equal(r.inputTokens, null);
    assert.equal(r.model, null);
    assert.equal(r.features, null);
    assert.equal(r.defaultCostUsd, null);
    l.close();
  });

  test('statements are prepared once and reused', () => {
    const l = Ledger.open(tempHome());
    const cache = (l as unknown as { statements: Map<string, unknown> }).statements;
    l.record(row());
    l.summary(local(2025, 1, 1));
    const insert = [...cache.entries()].find(([sql]) => sql.startsWith('INSERT'))?.[1];
    const size = cache.size;
    for (let i = 0; i < 50; i++) {
      l.record(row());
      l.summary(local(2025, 1, 1));
    }
    assert.equal(cache.size, size);
    assert.equal([...cache.entries()].find(([sql]) => sql.startsWith('INSERT'))?.[1], insert);
    l.close();
  });

  test('duplicate id throws; non-finite numbers become unknown', () => {
    const l = Ledger.open(tempHome());
    l.record(row({ id: 'dup' }));
    assert.throws(() => l.record(row({ id: 'dup' })), /UNIQUE/);
    l.record(row({ id: 'after-dup' })); // the failed insert did not poison the reused statement
    assert.equal(l.count(), 2);
    const e = l.record(row({ id: 'nan', costUsd: Number.NaN, ttftMs: Infinity }));
    assert.equal(e.costUsd, null);
    assert.equal(l.get('nan')?.costUsd, null);
    assert.equal(l.get('nan')?.ttftMs, null);
    l.close();
  });

  test('prompt is stored only when enabled; the hash and features always', () => {
    const l = Ledger.open(tempHome());
    const features = { task: 'chat', source: 'palette', urgency: 'high' as const, language: 'typescript', inputTokens: 12, maxOutputTokens: 256, metadata: { team: 'core' } };
    l.record(row({ id: 'off', prompt: 'secret stuff', features }));
    l.setStorePrompts(true);
    assert.equal(l.storePrompts, true);
    l.record(row({ id: 'on', prompt: 'thanks!', features }));
    const off = l.get('off');
    const on = l.get('on');
    assert.equal(off?.prompt, null);
    assert.equal(off?.promptHash, l.promptDigest('secret stuff'));
    assert.deepEqual(off?.features, features);
    assert.equal(on?.prompt, 'thanks!');
    assert.equal(on?.promptHash, l.promptDigest('thanks!'));
    l.close();
  });
});

describe('spend queries', () => {
  test('today and this month use local midnight / first of month', () => {
    const l = Ledger.open(tempHome());
    const now = local(2025, 3, 1, 0, 30); // 05:30 UTC on the same UTC date as the two rows before it
    l.record(row({ time: local(2025, 1, 31, 12), costUsd: 1 })); // January
    l.record(row({ time: local(2025, 2, 28, 23, 59, 59, 999), costUsd: 2 })); // Feb, 04:59 UTC Mar 1
    l.record(row({ time: local(2025, 3, 1, 0, 0), costUsd: 4 })); // exactly local midnight → today
    l.record(row({ time: local(2025, 3, 1, 0, 10), costUsd: 8 }));
    l.record(row({ time: local(2025, 3, 1, 0, 20), costUsd: null })); // unknown: not $0, not counted in spend
    assert.equal(l.spendToday(now), 12);
    assert.equal(l.spendThisMonth(now), 12);
    const midMonth = local(2025, 3, 15, 9);
    l.record(row({ time: local(2025, 3, 14, 23, 59), costUsd: 16 }));
    l.record(row({ time: local(2025, 3, 15, 8), costUsd: 32 }));
    assert.equal(l.spendToday(midMonth), 32);
    assert.equal(l.spendThisMonth(midMonth), 60);
    assert.equal(l.spendThisMonth(local(2025, 2, 10)), 2);
    assert.equal(l.spendSince(local(2025, 2, 28)), 62);
    assert.equal(l.spendSince(0), 63);
    // Defaults come from the injected clock.
    l.close();
    const l2 = Ledger.open(join(tempHome()), { now: () => midMonth });
    l2.record(row({ time: local(2025, 3, 15, 1), costUsd: 3 }));
    l2.record(row({ costUsd: 5 })); // time = now
    assert.equal(l2.spendToday(), 8);
    assert.equal(l2.spendThisMonth(), 8);
    l2.close();
  });

  test('summary: totals, unknown costs, savings, breakdowns, 30-day series', () => {
    const l = Ledger.open(tempHome());
    const now = local(2025, 3, 20, 15); // 30-day window crosses the DST change of 2025-03-09
    const mini = 'gpt-4o-mini-2024-07-18';
    const sonnet = 'claude-3-5-sonnet-20241022';
    // Last month: counted in the series only (Feb 19 is inside the 30 days).
    l.record(row({ time: local(2025, 2, 19, 10), model: mini, rule: 'small talk', costUsd: 0.5, defaultCostUsd: 5 }));
    l.record(row({ time: local(2025, 2, 18, 23), model: mini, rule: 'small talk', costUsd: 100 })); // outside 30 days
    // This month.
    l.record(row({ time: local(2025, 3, 9, 12), model: mini, rule: 'small talk', costUsd: 0.25, defaultCostUsd: 1 }));
    l.record(row({ time: local(2025, 3, 10, 1), model: sonnet, rule: 'big context', costUsd: 2, defaultCostUsd: 2 }));
    l.record(row({ time: local(2025, 3, 10, 2), model: sonnet, rule: 'big context', costUsd: null, defaultCostUsd: 3 }));
    l.record(row({ time: local(2025, 3, 20, 0, 5), model: mini, rule: 'urgent', costUsd: 0.125, defaultCostUsd: null }));
    l.record(row({ time: local(2025, 3, 20, 14), model: sonnet, rule: 'default', costUsd: 1, defaultCostUsd: 0.5 }));
    l.record(row({ time: local(2025, 3, 20, 14, 30), model: null, provider: null, rule: 'default', status: 'error', costUsd: null }));

    const s = l.summary(now, { dailyUsd: 10, monthlyUsd: 200 });
    assert.equal(s.todayUsd, 1.125);
    assert.equal(s.monthUsd, 3.375);
    assert.equal(s.requestsToday, 3);
    assert.equal(s.requestsMonth, 6);
    assert.equal(s.unknownCostRequests, 2);
    assert.equal(s.dailyBudgetUsd, 10);
    assert.equal(s.monthlyBudgetUsd, 200);
    // (1 − 0.25) + (2 − 2) + (0.5 − 1); the unknown-cost and unknown-default rows are left out.
    close(s.savingsVsDefaultUsd, 0.25);
    assert.deepEqual(s.byModel, [
      { key: sonnet, requests: 3, costUsd: 3 },
      { key: mini, requests: 2, costUsd: 0.375 },
      { key: '(none)', requests: 1, costUsd: 0 },
    ]);
    assert.deepEqual(s.byRule, [
      { key: 'big context', requests: 2, costUsd: 2 },
      { key: 'default', requests: 2, costUsd: 1 },
      { key: 'small talk', requests: 1, costUsd: 0.25 },
      { key: 'urgent', requests: 1, costUsd: 0.125 },
    ]);
    assert.equal(s.daily.length, 30);
    assert.equal(s.daily[0].date, '2025-02-19');
    assert.equal(s.daily[29].date, '2025-03-20');
    const dates = s.daily.map((d) => d.date);
    assert.equal(new Set(dates).size, 30, 'no duplicated day across DST');
    const byDate = Object.fromEntries(s.daily.map((d) => [d.date, d.costUsd]));
    assert.equal(byDate['2025-02-19'], 0.5);
    assert.equal(byDate['2025-03-09'], 0.25);
    assert.equal(byDate['2025-03-10'], 2);
    assert.equal(byDate['2025-03-20'], 1.125);
    assert.equal(byDate['2025-03-15'], 0, 'empty days are filled with 0');
    close(s.daily.reduce((a, d) => a + d.costUsd, 0), 0.5 + 3.375);

    // Defaults: no budgets → null.
    const s2 = l.summary(now);
    assert.equal(s2.dailyBudgetUsd, null);
    assert.equal(s2.monthlyBudgetUsd, null);
    l.close();
  });

  test('summary on an empty ledger', () => {
    const l = Ledger.open(tempHome());
    const s = l.summary(local(2025, 6, 1, 12), {});
    assert.equal(s.todayUsd, 0);
    assert.equal(s.monthUsd, 0);
    assert.equal(s.unknownCostRequests, 0);
    assert.deepEqual(s.byModel, []);
    assert.equal(s.daily.length, 30);
    assert.ok(s.daily.every((d) => d.costUsd === 0));
    assert.equal(s.daily[29].date, '2025-06-01');
    l.close();
  });

  test('breakdown by model, rule, tier, source since a time', () => {
    const l = Ledger.open(tempHome());
    l.record(row({ time: 100, model: 'old', costUsd: 50 }));
    l.record(row({ time: 1000, model: 'a', rule: 'r1', tier: 'fast', source: 'http', costUsd: 1 }));
    l.record(row({ time: 1001, model: 'a', rule: 'r2', tier: 'fast', source: 'palette', costUsd: 2 }));
    l.record(row({ time: 1002, model: 'b', rule: 'r2', tier: null, source: 'palette', costUsd: null }));
    l.record(row({ time: 1003, model: 'b', rule: 'r2', tier: 'deep', source: null, costUsd: 4 }));
    assert.deepEqual(l.breakdown(1000, 'model'), [
      { key: 'b', requests: 2, costUsd: 4 },
      { key: 'a', requests: 2, costUsd: 3 },
    ]);
    assert.deepEqual(l.breakdown(1000, 'rule'), [
      { key: 'r2', requests: 3, costUsd: 6 },
      { key: 'r1', requests: 1, costUsd: 1 },
    ]);
    assert.deepEqual(l.breakdown(1000, 'tier'), [
      { key: 'deep', requests: 1, costUsd: 4 },
      { key: 'fast', requests: 2, costUsd: 3 },
      { key: '(none)', requests: 1, costUsd: 0 },
    ]);
    assert.deepEqual(l.breakdown(1000, 'source'), [
      { key: '(none)', requests: 1, costUsd: 4 },
      { key: 'palette', requests: 2, costUsd: 2 },
      { key: 'http', requests: 1, costUsd: 1 },
    ]);
    assert.equal(l.breakdown(0, 'model')[0].key, 'old');
    assert.throws(() => l.breakdown(0, 'prompt' as never), /unknown breakdown/);
    l.close();
  });

  test('totals keep unknown costs separate', () => {
    const l = Ledger.open(tempHome());
    l.record(row({ time: 1, costUsd: null }));
    l.record(row({ time: 2, costUsd: null }));
    const t = l.totals(0);
    assert.deepEqual(t, { requests: 2, costUsd: 0, unknownCostRequests: 2, savingsVsDefaultUsd: 0 });
    l.record(row({ time: 3, costUsd: 0 })); // a known $0 (e.g. a local model) is not unknown
    assert.equal(l.totals(0).unknownCostRequests, 2);
    l.close();
  });
});

describe('statistics', () => {
  test('latency stats: median ttft and tokens/second over the last N computable ok rows per model', () => {
    const l = Ledger.open(tempHome());
    // Model a: tps = out / ((total − ttft) / 1000)
    l.record(row({ time: 1, model: 'a', ttftMs: 100, totalMs: 1100, outputTokens: 50 })); // 50 t/s (oldest, cut by lastN=3)
    l.record(row({ time: 2, model: 'a', ttftMs: 200, totalMs: 1200, outputTokens: 100 })); // 100 t/s
    l.record(row({ time: 3, model: 'a', ttftMs: 300, totalMs: 2300, outputTokens: 100 })); // 50 t/s
    l.record(row({ time: 4, model: 'a', ttftMs: 400, totalMs: 900, outputTokens: 100 })); // 200 t/s
    // Skipped rows: not ok, no ttft (not streamed), no output, total ≤ ttft.
    l.record(row({ time: 5, model: 'a', status: 'error', ttftMs: 1, totalMs: 2, outputTokens: 1000 }));
    l.record(row({ time: 6, model: 'a', ttftMs: null, totalMs: 500, outputTokens: 100 }));
    l.record(row({ time: 7, model: 'a', ttftMs: 10, totalMs: 500, outputTokens: 0 }));
    l.record(row({ time: 8, model: 'a', ttftMs: 500, totalMs: 500, outputTokens: 10 }));
    l.record(row({ time: 9, model: 'a', ttftMs: 10, totalMs: 500, outputTokens: null }));
    // Model b: one row. Model c: nothing computable → absent.
    l.record(row({ time: 10, model: 'b', ttftMs: 80, totalMs: 580, outputTokens: 20 })); // 40 t/s
    l.record(row({ time: 11, model: 'c', ttftMs: null, totalMs: 580, outputTokens: 20 }));
    l.record(row({ time: 12, model: null, ttftMs: 1, totalMs: 580, outputTokens: 20 }));

    const s = l.latencyStats(3);
    assert.deepEqual(Object.keys(s).sort(), ['a', 'b']);
    assert.deepEqual(s.a, { ttftMs: 300, tokensPerSecond: 100, samples: 3 });
    assert.deepEqual(s.b, { ttftMs: 80, tokensPerSecond: 40, samples: 1 });
    const all = l.latencyStats();
    assert.deepEqual(all.a, { ttftMs: 250, tokensPerSecond: 75, samples: 4 }); // even count: mean of the middle two
    l.close();
  });

  test('calibration: median of reported ÷ estimated input tokens per model', () => {
    const l = Ledger.open(tempHome());
    l.record(row({ time: 1, model: 'a', inputTokens: 300, estimatedInputTokens: 100 })); // 3 (oldest)
    l.record(row({ time: 2, model: 'a', inputTokens: 110, estimatedInputTokens: 100 })); // 1.1
    l.record(row({ time: 3, model: 'a', inputTokens: 120, estimatedInputTokens: 100 })); // 1.2
    l.record(row({ time: 4, model: 'a', inputTokens: 90, estimatedInputTokens: 100 })); // 0.9
    l.record(row({ time: 5, model: 'a', inputTokens: 500, estimatedInputTokens: null })); // skipped
    l.record(row({ time: 6, model: 'a', inputTokens: null, estimatedInputTokens: 100 })); // skipped
    l.record(row({ time: 7, model: 'a', status: 'error', inputTokens: 900, estimatedInputTokens: 100 })); // skipped
    l.record(row({ time: 8, model: 'b', inputTokens: 130, estimatedInputTokens: 100 }));
    l.record(row({ time: 9, model: 'c', inputTokens: 0, estimatedInputTokens: 100 })); // skipped → absent
    const c3 = l.calibration(3);
    assert.deepEqual(Object.keys(c3).sort(), ['a', 'b']);
    close(c3.a, 1.1);
    close(c3.b, 1.3);
    close(l.calibration().a, (1.1 + 1.2) / 2);
    l.close();
  });

  test('median helper', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });
});

describe('maintenance and replay', () => {
  test('prune deletes rows older than the retention', () => {
    const day = 86_400_000;
    const now = local(2025, 5, 1, 12);
    const l = Ledger.open(tempHome(), { now: () => now });
    l.record(row({ id: 'old', time: now - 91 * day }));
    l.record(row({ id: 'edge', time: now - 90 * day }));
    l.record(row({ id: 'new', time: now - 1 }));
    assert.equal(l.prune(90, now), 1);
    assert.deepEqual(l.recent().map((e) => e.id).sort(), ['edge', 'new']);
    assert.equal(l.prune(30), 1); // default now from the clock
    assert.deepEqual(l.recent().map((e) => e.id), ['new']);
    assert.throws(() => l.prune(0), RangeError);
    assert.throws(() => l.prune(Number.NaN), RangeError);
    l.close();
  });

  test('rowsSince returns full rows oldest first for replay', () => {
    const l = Ledger.open(tempHome(), { storePrompts: true });
    const features = { task: 'refactor', source: 'codeAction', inputTokens: 4200, maxOutputTokens: 1000 };
    l.record(row({ id: 'x0', time: 5 }));
    l.record(row({ id: 'x2', time: 30, tier: 'deep', prompt: 'p2', features, estimatedInputTokens: 4100, defaultCostUsd: 0.2, maxCostUsd: 0.9, costUsd: 0.1, ttftMs: 300, totalMs: 4000 }));
    l.record(row({ id: 'x1', time: 20 }));
    const rows = l.rowsSince(10);
    assert.deepEqual(rows.map((r) => r.id), ['x1', 'x2']);
    const x2 = rows[1];
    assert.equal(x2.tier, 'deep');
    assert.equal(x2.prompt, 'p2');
    assert.deepEqual(x2.features, features);
    assert.equal(x2.estimatedInputTokens, 4100);
    assert.equal(x2.defaultCostUsd, 0.2);
    assert.equal(x2.maxCostUsd, 0.9);
    assert.equal(x2.costUsd, 0.1);
    assert.equal(x2.ttftMs, 300);
    assert.equal(x2.totalMs, 4000);
    l.close();
  });

  test('replay: spend conditions see the spend before the window plus the replayed costs, per local day', () => {
    const l = Ledger.open(tempHome());
    const features = { task: 'chat', inputTokens: 100_000, maxOutputTokens: 0 };
    const served = { inputTokens: 100_000, outputTokens: 0, features, tier: 'deep' };
    l.record(row({ id: 'before', time: local(2025, 3, 4, 9), costUsd: 0.6 }));
    l.record(row({ id: 'w1', time: local(2025, 3, 4, 11), ...served }));
    l.record(row({ id: 'w2', time: local(2025, 3, 4, 12), ...served }));
    l.record(row({ id: 'w3', time: local(2025, 3, 4, 13), ...served }));
    l.record(row({ id: 'next-day', time: local(2025, 3, 5, 9), ...served }));
    // Sonnet prices 100k input tokens at $0.30, mini at $0.015. The guard trips once the day reaches $1:
    // 0.6 before the window → w1 deep (0.9) → w2 deep (1.2) → w3 fast; a new day starts from 0 → deep.
    const rules = compile({ rules: [{ name: 'guard', if: { spentTodayUsd: { '>=': 1 } }, then: 'fast' }], default: 'deep' });
    const r = replayReport(l, local(2025, 3, 4, 10), rules, state({ spentTodayUsd: 50, spentMonthUsd: 50 }));
    assert.equal(r.considered, 4);
    assert.ok(Math.abs(r.replayCostUsd - (0.3 + 0.3 + 0.015 + 0.3)) < 1e-9, `replayed ${r.replayCostUsd}`);
    assert.equal(r.changedTier, 1);
    l.close();
  });

  test('localDate formats local calendar dates', () => {
    assert.equal(localDate(local(2025, 1, 5, 23, 59)), '2025-01-05');
    assert.equal(localDate(local(2025, 12, 31, 0, 0)), '2025-12-31');
  });
});

describe('privacy: keyed prompt digests, scrubbed error text, a private home', () => {
  const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

  test('a prompt digest is keyed: not sha256; same prompt, same install → same; two installs → different', () => {
    const homeA = tempHome();
    const a = Ledger.open(homeA);
    a.record(row({ id: 'a1', prompt: 'hi' }));
    a.record(row({ id: 'a2', prompt: 'hi' }));
    a.record(row({ id: 'a3', prompt: 'hello' }));
    const d = a.get('a1')!.promptHash!;
    assert.match(d, /^[0-9a-f]{64}$/);
    assert.notEqual(d, sha256('hi'), 'an unsalted hash is guessable from the ledger alone');
    assert.equal(a.get('a2')!.promptHash, d);
    assert.notEqual(a.get('a3')!.promptHash, d);
    a.close();
    // The same install after a restart (the key is read back from the home).
    const again = Ledger.open(homeA);
    again.record(row({ id: 'a4', prompt: 'hi' }));
    assert.equal(again.get('a4')!.promptHash, d);
    again.close();

    const b = Ledger.open(tempHome());
    b.record(row({ id: 'b1', prompt: 'hi' }));
    assert.notEqual(b.get('b1')!.promptHash, d);
    b.close();
  });

  test('migration 2: old sha256 digests are re-keyed where the prompt was stored and dropped where not', () => {
    const home = tempHome();
    mkdirSync(home, { mode: 0o700 });
    const db = rawOpen(home);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(MIGRATIONS[0] as string);
    db.exec('PRAGMA user_version = 1');
    const insert = "INSERT INTO requests (id, time, rule, status, estimated_cost_usd, total_ms, prompt_hash, prompt) VALUES (?, 1, 'r', 'ok', 0, 1, ?, ?)";
    db.run(insert, ['kept', sha256('stored prompt'), 'stored prompt']);
    db.run(insert, ['gone', sha256('hi'), null]);
    db.close();

    const l = Ledger.open(home);
    assert.equal(l.get('kept')!.promptHash, l.promptDigest('stored prompt'));
    assert.equal(l.get('gone')!.promptHash, null);
    l.close();
    assert.equal(userVersion(home), SCHEMA_VERSION);
  });

  test('error text and attempt messages lose key shapes and, with prompt storage off, the echoed prompt', () => {
    const prompt = 'Draft the layoff announcement for the Berlin office, 40 people, effective March 1.';
    const upstream = `400 from upstream (key sk-proj-Ab3dEfGh1jKlMn0pQrSt): could not process "${prompt.slice(0, 50)}"`;
    const attempts: Attempt[] = [{ provider: 'openai', model: 'm', outcome: 'failed', status: 400, message: upstream, elapsedMs: 5 }, { provider: 'x', model: 'y', outcome: 'skipped', elapsedMs: 0 }];
    const l = Ledger.open(tempHome());
    const entry = l.record(row({ id: 'e', status: 'error', prompt, error: `all failed: ${upstream}`, attempts }));
    for (const stored of [l.get('e')!, entry]) {
      assert.equal(stored.error, 'all failed: 400 from upstream (key ***): could not process "[prompt]"');
      assert.equal(stored.attempts[0].message, '400 from upstream (key ***): could not process "[prompt]"');
      assert.equal(stored.attempts[1].message, undefined);
    }
    assert.equal(attempts[0].message, upstream, "the caller's attempts are not mutated");

    // The system prompt and earlier turns (the request's context) are looked for too, and never stored.
    const system = 'You are the HR assistant of Example GmbH; never reveal salary bands to anyone.';
    l.record(row({ id: 'ctx', status: 'error', prompt: 'short ask', context: system, error: `400: context "${system.slice(5, 60)}" rejected` }));
    assert.equal(l.get('ctx')!.error, '400: context "[prompt]" rejected');

    // Prompt stored anyway: the echo reveals nothing more and stays; keys never do.
    l.setStorePrompts(true);
    l.record(row({ id: 'e2', status: 'error', prompt, error: upstream }));
    assert.equal(l.get('e2')!.error, `400 from upstream (key ***): could not process "${prompt.slice(0, 50)}"`);
    l.close();
  });

  test('an existing home others can read is refused, not chmodded', { skip: process.platform === 'win32' }, () => {
    const home = tempHome();
    mkdirSync(home);
    chmodSync(home, 0o755);
    assert.throws(() => Ledger.open(home), new RegExp(`refusing to use ${home} .*chmod 700 ${home}`));
    assert.equal(statSync(home).mode & 0o777, 0o755);
    assert.ok(!existsSync(join(home, LEDGER_FILE)), 'nothing written into it');
  });
});

describe('reading rows a page at a time', () => {
  test('rowsPage walks exactly the rows of rowsSince, in order, also through equal times', () => {
    const l = Ledger.open(tempHome());
    for (let i = 0; i < 257; i++) l.record(row({ id: `p${i}`, time: 1_000 + Math.floor(i / 3) }));
    const all = l.rowsSince(1_010);
    const paged: string[] = [];
    let after: { time: number; rowid: number } | null = null;
    for (;;) {
      const page = l.rowsPage(1_010, after, 10);
      paged.push(...page.rows.map((r) => r.id));
      if (page.rows.length < 10) break;
      after = page.next;
    }
    assert.deepEqual(paged, all.map((r) => r.id));
    assert.equal(all.length, 257 - 30);
    l.close();
  });
});

describe('agent traffic: conversations, clients, formats, tools, images, cache writes', () => {
  const agent = (over: Partial<LedgerInsert> = {}) => row({
    source: 'http', conversation: 'sess-1', client: 'claude-cli', format: 'anthropic', passthrough: true,
    toolCalls: 1, toolResults: 1, images: 0, cachedTokens: 40, cacheWriteTokens: 10, usageEstimated: false, ...over,
  });
  const shape = (turns: number) => ({
    format: 'anthropic' as const, hasTools: true, toolCount: 3, hasImages: false, hasDocuments: false, turns, lastIsToolResult: true, client: 'claude-cli',
    needs: { tools: true, vision: false, documents: false, structuredOutput: false, reasoning: false },
  });

  test('migration 3 adds the columns: rows recorded before it read null in each, never 0 or false', () => {
    const home = tempHome();
    mkdirSync(home, { mode: 0o700 });
    const db = rawOpen(home);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(MIGRATIONS[0] as string);
    db.exec('PRAGMA user_version = 2');
    db.run("INSERT INTO requests (id, time, rule, status, estimated_cost_usd, total_ms, cost_usd) VALUES ('old', 1, 'r', 'ok', 0, 1, 0.5)");
    db.close();

    const l = Ledger.open(home);
    const old = l.get('old')!;
    assert.deepEqual(
      [old.conversation, old.client, old.format, old.passthrough, old.toolCalls, old.toolResults, old.images, old.cacheWriteTokens, old.usageEstimated],
      [null, null, null, null, null, null, null, null, null],
    );
    assert.equal(old.costUsd, 0.5);
    l.record(agent({ id: 'new' }));
    assert.equal(l.get('new')!.conversation, 'sess-1');
    l.close();
    assert.equal(userVersion(home), SCHEMA_VERSION);
  });

  test('record + read back every new field', () => {
    const l = Ledger.open(tempHome());
    const same = l.record(agent({ id: 'same' }));
    const cross = l.record(agent({ id: 'cross', format: 'anthropic→openai-chat', passthrough: false, toolCalls: 0, toolResults: 2, images: 3, cacheWriteTokens: null, usageEstimated: true, status: 'cut' }));
    const unreached = l.record(agent({ id: 'unreached', format: null, provider: null, model: null, status: 'error', passthrough: null, usageEstimated: null }));
    const editor = l.record(row({ id: 'editor' }));
    assert.deepEqual(l.recent(10), [editor, unreached, cross, same], 'what record() returns is what is read back');
    assert.deepEqual(
      [same.conversation, same.client, same.format, same.passthrough, same.toolCalls, same.toolResults, same.images, same.cachedTokens, same.cacheWriteTokens, same.usageEstimated],
      ['sess-1', 'claude-cli', 'anthropic', true, 1, 1, 0, 40, 10, false],
    );
    assert.deepEqual([cross.format, cross.passthrough, cross.toolResults, cross.images, cross.cacheWriteTokens, cross.usageEstimated], ['anthropic→openai-chat', false, 2, 3, null, true]);
    assert.deepEqual([unreached.format, unreached.passthrough, unreached.usageEstimated], [null, null, null]);
    assert.deepEqual(
      [editor.conversation, editor.client, editor.format, editor.passthrough, editor.toolCalls, editor.usageEstimated],
      [null, null, null, null, null, null], 'a plain editor request says nothing about agent traffic',
    );
    // An empty key or client is no key (it would join unrelated requests); non-finite counts are unknown.
    const blank = l.record(agent({ id: 'blank', conversation: '', client: '', format: '', toolCalls: Number.NaN, images: Infinity }));
    assert.deepEqual([blank.conversation, blank.client, blank.format, blank.toolCalls, blank.images], [null, null, null, null, null]);
    assert.deepEqual(l.get('blank')!.conversation, null);
    l.close();
  });

  test('features carry the request shape, for replaying shape conditions', () => {
    const l = Ledger.open(tempHome());
    const features = { source: 'http', inputTokens: 900, shape: { ...shape(4), reasoning: 'high' as const } };
    l.record(agent({ id: 's', features }));
    assert.deepEqual(l.get('s')!.features, features);
    assert.deepEqual(l.rowsSince(0)[0].features, features);
    l.close();
  });

  test('recent: every row, only those outside conversations, or one conversation (newest first, through its index)', () => {
    const home = tempHome();
    const l = Ledger.open(home);
    l.record(row({ id: 'e1', time: 1 }));
    l.record(agent({ id: 'a1', time: 2 }));
    l.record(agent({ id: 'b1', time: 3, conversation: 'sess-2' }));
    l.record(agent({ id: 'a2', time: 4 }));
    l.record(row({ id: 'e2', time: 5 }));
    assert.deepEqual(l.recent(10).map((e) => e.id), ['e2', 'a2', 'b1', 'a1', 'e1']);
    assert.deepEqual(l.recent(10, null).map((e) => e.id), ['e2', 'e1']);
    assert.deepEqual(l.recent(10, 'sess-1').map((e) => e.id), ['a2', 'a1']);
    assert.deepEqual(l.recent(1, 'sess-1').map((e) => e.id), ['a2']);
    assert.deepEqual(l.recent(10, 'nobody'), []);
    l.close();
    const db = rawOpen(home);
    const plan = db.all("EXPLAIN QUERY PLAN SELECT * FROM requests WHERE conversation = 'x' ORDER BY time DESC, rowid DESC LIMIT 5").map((r) => String((r as { detail: string }).detail)).join('\n');
    db.close();
    assert.match(plan, /requests_conversation_time/);
  });

  test('conversations: each session with its whole totals, the most recently active since a time first', () => {
    const l = Ledger.open(tempHome());
    const sonnet = 'claude-sonnet-4-20250514';
    const mini = 'gpt-4o-mini-2024-07-18';
    const none = { inputTokens: null, outputTokens: null, cachedTokens: null, toolCalls: null };
    l.record(agent({ time: 100, model: sonnet, costUsd: 0.25, inputTokens: 1000, outputTokens: 10, cachedTokens: 0, toolCalls: 2, client: null, features: { inputTokens: 1, shape: shape(1) } }));
    l.record(agent({ time: 110, model: mini, costUsd: 0.5, inputTokens: 2000, outputTokens: 20, cachedTokens: 900, toolCalls: 3, fallbacks: 1, features: { inputTokens: 1, shape: shape(3) } }));
    l.record(agent({ time: 120, model: sonnet, costUsd: null, ...none, status: 'cut', features: { inputTokens: 1, shape: shape(2) } }));
    l.record(agent({ time: 130, model: null, provider: null, status: 'error', costUsd: null, client: 'claude-cli', ...none }));
    l.record(agent({ time: 125, conversation: 'sess-2', client: 'codex', model: mini, costUsd: 1, toolCalls: 0 }));
    l.record(agent({ time: 140, conversation: 'sess-3', client: null, model: null, costUsd: null, features: null }));
    l.record(row({ time: 150, costUsd: 5 })); // a single editor request: in no conversation
    assert.throws(() => l.record(agent({ id: l.recent(1, 'sess-2')[0].id, costUsd: 100 })), /UNIQUE/);

    const list = l.conversations(100);
    assert.deepEqual(list.map((c) => c.key), ['sess-3', 'sess-1', 'sess-2']);
    assert.deepEqual(list[1], {
      key: 'sess-1', firstTime: 100, lastTime: 130, requests: 4, costUsd: 0.75, unknownCostRequests: 2,
      inputTokens: 3000, outputTokens: 30, cachedTokens: 900, models: [sonnet, mini], client: 'claude-cli', turns: 3,
      toolCalls: 5, fallbacks: 1, errors: 2,
    });
    assert.deepEqual([list[2].models, list[2].client, list[2].costUsd, list[2].requests], [[mini], 'codex', 1, 1], 'a failed duplicate insert counts nothing');
    assert.deepEqual([list[0].models, list[0].client, list[0].turns, list[0].costUsd, list[0].unknownCostRequests], [[], null, null, 0, 1]);
    assert.deepEqual(l.conversations(100, 2).map((c) => c.key), ['sess-3', 'sess-1']);
    // Active since 126: sess-1 (last at 130) with all of it, sess-2 (last at 125) not at all.
    assert.deepEqual(l.conversations(126).map((c) => [c.key, c.requests, c.firstTime]), [['sess-3', 1, 140], ['sess-1', 4, 100]]);
    assert.deepEqual(l.conversations(1_000), []);
    l.close();
  });

  test('the running totals agree with the requests they count, also across a reopen', () => {
    const home = tempHome();
    let l = Ledger.open(home);
    const models = ['m-a', 'm-b', 'm-c'];
    for (let i = 0; i < 120; i++) {
      if (i === 60) { l.close(); l = Ledger.open(home); }
      l.record(agent({
        time: 1_000 + i, conversation: `s${i % 4}`, model: i % 11 === 0 ? null : models[i % 3], costUsd: i % 7 === 0 ? null : i / 100,
        toolCalls: i % 5, fallbacks: i % 9 === 0 ? 1 : 0, status: i % 13 === 0 ? 'error' : 'ok', inputTokens: i, outputTokens: 2 * i, cachedTokens: i % 3,
        client: i % 6 === 0 ? null : `client-${i % 4}`, features: i % 8 === 0 ? null : { inputTokens: 1, shape: shape(i % 17) },
      }));
    }
    const rows = l.rowsSince(0);
    for (const c of l.conversations(0)) {
      const mine = rows.filter((r) => r.conversation === c.key);
      const sum = (f: (r: (typeof mine)[number]) => number | null) => mine.reduce((a, r) => a + (f(r) ?? 0), 0);
      const turns = mine.map((r) => r.features?.shape?.turns).filter((t): t is number => t !== undefined);
      assert.deepEqual(c, {
        key: c.key, firstTime: Math.min(...mine.map((r) => r.time)), lastTime: Math.max(...mine.map((r) => r.time)), requests: mine.length,
        costUsd: c.costUsd, unknownCostRequests: mine.filter((r) => r.costUsd === null).length,
        inputTokens: sum((r) => r.inputTokens), outputTokens: sum((r) => r.outputTokens), cachedTokens: sum((r) => r.cachedTokens),
        models: [...new Set(mine.map((r) => r.model).filter((m): m is string => m !== null))],
        client: mine.filter((r) => r.client).at(-1)?.client ?? null, turns: Math.max(...turns),
        toolCalls: sum((r) => r.toolCalls), fallbacks: sum((r) => r.fallbacks), errors: mine.filter((r) => r.status === 'error').length,
      }, c.key);
      close(c.costUsd, sum((r) => r.costUsd));
    }
    l.close();
  });

  test('prune takes a conversation with its last request; one that goes on keeps its totals', () => {
    const day = 86_400_000;
    const now = local(2025, 5, 1, 12);
    const l = Ledger.open(tempHome(), { now: () => now });
    l.record(agent({ time: now - 40 * day, conversation: 'gone', costUsd: 1 }));
    l.record(agent({ time: now - 40 * day, conversation: 'ongoing', costUsd: 2 }));
    l.record(agent({ time: now - 1 * day, conversation: 'ongoing', costUsd: 3 }));
    assert.equal(l.prune(30), 2);
    assert.deepEqual(l.conversations(0).map((c) => [c.key, c.requests, c.costUsd]), [['ongoing', 2, 5]]);
    assert.deepEqual(l.recent(10, 'ongoing').length, 1);
    l.close();
  });

  test('breakdowns and the spend report by conversation, client and format', () => {
    const l = Ledger.open(tempHome());
    l.record(agent({ time: 10, costUsd: 1 }));
    l.record(agent({ time: 11, costUsd: 2, format: 'anthropic→openai-chat', model: 'gpt-4o-2024-08-06' }));
    l.record(agent({ time: 12, conversation: 'sess-2', client: 'codex', format: 'openai-responses', costUsd: 0.5 }));
    l.record(row({ time: 13, costUsd: 0.25 }));
    assert.deepEqual(l.breakdown(0, 'conversation'), [
      { key: 'sess-1', requests: 2, costUsd: 3 },
      { key: 'sess-2', requests: 1, costUsd: 0.5 },
      { key: '(none)', requests: 1, costUsd: 0.25 },
    ]);
    assert.deepEqual(l.breakdown(0, 'client').map((b) => [b.key, b.requests]), [['claude-cli', 2], ['codex', 1], ['(none)', 1]]);
    assert.deepEqual(l.breakdown(0, 'format').map((b) => [b.key, b.costUsd]), [['anthropic→openai-chat', 2], ['anthropic', 1], ['openai-responses', 0.5], ['(none)', 0.25]]);
    const report = spendReport(l, 0, 'conversation');
    assert.equal(report.requests, 4);
    assert.deepEqual(report.buckets, l.breakdown(0, 'conversation'));
    assert.deepEqual(report.conversations, l.conversations(0, 50));
    assert.equal(spendReport(l, 0, 'model').conversations, undefined, 'the detailed list comes with the conversation breakdown only');
    assert.ok(BREAKDOWNS.includes('conversation'), 'the CLI and GET /v1/switchyard/spend?by= accept it');
    l.close();
  });
});
