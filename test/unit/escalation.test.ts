// The way back (daemon/escalation.ts and the ledger's side of it): which tier an escalation goes to, the link and
// the feedback mark in the ledger (migration 4), and the rates per rule and per verdict in the summary.
process.env.TZ = 'America/New_York';

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Database } from 'node-sqlite3-wasm';
import { escalationTarget } from '../../daemon/escalation';
import { Ledger, LEDGER_FILE, type LedgerInsert } from '../../daemon/ledger/ledger';
import { MIGRATIONS, SCHEMA_VERSION } from '../../daemon/ledger/migrations';
import { parseRules } from '../../daemon/rules/load';
import type { Attempt } from '../../shared/protocol';
import { BASE, compile } from './helpers/rules';

const homes: string[] = [];
after(() => { for (const h of homes) rmSync(h, { recursive: true, force: true }); });
function tempHome(): string {
  const base = mkdtempSync(join(tmpdir(), 'switchyard-escalation-'));
  homes.push(base);
  return join(base, 'home');
}

const attempt = (provider: string, model: string): Attempt => ({ provider, model, outcome: 'ok', elapsedMs: 10 });
const row = (tier: string | null, attempts: Attempt[] = []) => ({ id: 'r1', tier, attempts });

describe('escalationTarget: one tier up the escalation order', () => {
  const rules = compile({});

  test('fast → standard → deep, forced like a caller naming the tier, and the label says from where to where', () => {
    assert.deepEqual(escalationTarget(row('fast'), rules), { target: 'standard', label: 'escalation: fast → standard' });
    assert.deepEqual(escalationTarget(row('standard'), rules), { target: 'deep', label: 'escalation: standard → deep' });
  });

  test('the strongest tier is an error that names it, and there is no target', () => {
    const r = escalationTarget(row('deep'), rules);
    assert.ok('error' in r);
    assert.equal(r.error, 'request r1 already went to "deep", the strongest tier in "escalation" (fast → standard → deep)');
  });

  test('the default order is the tiers among fast, standard and deep that the file defines, in that order', () => {
    const two = compile({ tiers: { deep: ['sonnet'], fast: ['mini'], local: ['haiku'] }, default: 'fast' });
    assert.deepEqual(escalationTarget(row('fast'), two), { target: 'deep', label: 'escalation: fast → deep' });
    const one = compile({ tiers: { fast: ['mini'] }, default: 'fast' });
    const r = escalationTarget(row('fast'), one);
    assert.ok('error' in r && /needs at least two tiers \(it has only "fast"/.test(r.error), JSON.stringify(r));
  });

  test('"escalation" in the file sets the order', () => {
    const custom = compile({ tiers: { ...BASE.tiers, local: ['haiku'] }, escalation: ['local', 'fast', 'deep'] });
    assert.deepEqual(escalationTarget(row('local'), custom), { target: 'fast', label: 'escalation: local → fast' });
    assert.deepEqual(escalationTarget(row('fast'), custom), { target: 'deep', label: 'escalation: fast → deep' });
    // standard is not in the order: its first candidate (gpt4o) leads no tier of it and is listed in deep → the top.
    const r = escalationTarget(row('standard', [attempt('openai', 'gpt-4o-2024-08-06')]), custom);
    assert.ok('error' in r && r.error.includes('already went to "deep"'), JSON.stringify(r));
  });

  test('a row without a tier in the order escalates from its first candidate\'s tier, else to the second entry', () => {
    // A model target ("then": "mini"): mini leads fast.
    assert.deepEqual(escalationTarget(row(null, [attempt('openai', 'gpt-4o-mini-2024-07-18')]), rules), { target: 'standard', label: 'escalation: fast → standard' });
    // gpt4o leads standard (and is listed in deep): the tier it leads counts.
    assert.deepEqual(escalationTarget(row(null, [attempt('openai', 'gpt-4o-2024-08-06')]), rules), { target: 'deep', label: 'escalation: standard → deep' });
    // haiku leads no tier but is listed in fast.
    assert.deepEqual(escalationTarget(row(null, [attempt('anthropic', 'claude-3-5-haiku-20241022')]), rules), { target: 'standard', label: 'escalation: fast → standard' });
    // No candidate (a refusal before any attempt), or one the rules no longer know: the order's second entry.
    assert.deepEqual(escalationTarget(row(null), rules), { target: 'standard', label: 'escalation: no tier → standard' });
    assert.deepEqual(escalationTarget(row(null, [attempt('openai', 'gone-2020-01-01')]), rules), { target: 'standard', label: 'escalation: no tier → standard' });
  });

  test('the rules file is checked: "escalation" names defined tiers, each once', () => {
    const bad = parseRules(JSON.stringify({ ...BASE, escalation: ['fast', 'stnadard', 'fast'] }), 'r.json');
    assert.equal(bad.rules, null);
    const errors = bad.issues.filter((i) => i.severity === 'error');
    assert.deepEqual(errors.map((i) => [i.code, i.path]), [['unknown-tier', 'escalation[1]'], ['duplicate-tier', 'escalation[2]']]);
    assert.match(errors[0].message, /"escalation" names "stnadard", which is not a tier — did you mean "standard"\?/);
    assert.ok(errors[0].line! > 0);
    assert.equal(parseRules(JSON.stringify({ ...BASE, escalation: [] }), 'r.json').rules, null, 'an empty order is an error');
  });
});

const local = (y: number, mo: number, d: number, h = 12) => new Date(y, mo - 1, d, h).getTime();
const NOW = local(2025, 6, 15);
let seq = 0;
function insert(over: Partial<LedgerInsert> = {}): LedgerInsert {
  return {
    id: `req-${++seq}`, time: NOW - 1000, rule: 'default', tier: 'standard', provider: 'openai', model: 'gpt-4o-2024-08-06',
    status: 'ok', costUsd: 0.01, estimatedCostUsd: 0.01, totalMs: 100, ...over,
  };
}
const verdict = (tier: 'fast' | 'standard' | 'deep', confidence = 0.8) => ({ inputTokens: 10, verdict: { tier, confidence } });

describe('ledger: the escalation link, the feedback mark and the verdict', () => {
  test('migration 4 adds escalated_from and feedback: rows recorded before it read null and can be marked', () => {
    const home = tempHome();
    mkdirSync(home, { mode: 0o700 });
    const db = new Database(join(home, LEDGER_FILE));
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(MIGRATIONS[0] as string);
    db.exec(MIGRATIONS[2] as string);
    db.exec('PRAGMA user_version = 3');
    db.run("INSERT INTO requests (id, time, rule, tier, status, estimated_cost_usd, total_ms, cost_usd) VALUES ('old', ?, 'small talk', 'fast', 'ok', 0, 1, 0.5)", [NOW - 5000]);
    db.close();

    const l = Ledger.open(home, { now: () => NOW });
    const old = l.get('old')!;
    assert.deepEqual([old.escalatedFrom, old.feedback, old.verdict], [null, null, null]);
    assert.equal(old.costUsd, 0.5);
    const esc = l.record(insert({ id: 'new', rule: 'escalation: fast → standard', escalatedFrom: 'old' }));
    assert.equal(esc.escalatedFrom, 'old');
    assert.equal(l.setFeedback('old', 'overkill')?.feedback, 'overkill');
    assert.deepEqual(l.summary(NOW).escalations!.byRule, [{ key: 'small talk', requests: 1, escalated: 1, overkill: 1 }]);
    l.close();
    const db2 = new Database(join(home, LEDGER_FILE));
    db2.exec('PRAGMA locking_mode = EXCLUSIVE');
    assert.equal(Number((db2.all('PRAGMA user_version')[0] as { user_version: number }).user_version), SCHEMA_VERSION);
    db2.close();
  });

  test('record and read back escalatedFrom, feedback and verdict (the verdict read from the features)', () => {
    const l = Ledger.open(tempHome(), { now: () => NOW });
    const first = l.record(insert({ id: 'a', tier: 'fast', features: verdict('fast') }));
    const again = l.record(insert({ id: 'b', escalatedFrom: 'a', features: { inputTokens: 10 } }));
    assert.deepEqual([first.escalatedFrom, first.feedback, first.verdict], [null, null, 'fast']);
    assert.deepEqual([again.escalatedFrom, again.verdict], ['a', null]);
    assert.deepEqual(l.recent(5), [again, first], 'what record() returns is what is read back');
    assert.deepEqual(l.get('a')!.features, verdict('fast'));
    l.close();
  });

  test('setFeedback marks, clears and reports an unknown id', () => {
    const l = Ledger.open(tempHome(), { now: () => NOW });
    l.record(insert({ id: 'a' }));
    const marked = l.setFeedback('a', 'overkill')!;
    assert.equal(marked.feedback, 'overkill');
    assert.equal('prompt' in marked, false, 'the entry, not the full row (no prompt, no features)');
    assert.equal(l.recent(1)[0].feedback, 'overkill');
    assert.equal(l.setFeedback('a', null)!.feedback, null);
    assert.equal(l.get('a')!.feedback, null);
    assert.equal(l.setFeedback('nope', 'overkill'), null);
    l.close();
  });

  test('summary.escalations: per rule and per verdict of the original row; escalations are not requests of a rule', () => {
    const l = Ledger.open(tempHome(), { now: () => NOW });
    // small talk: 3 requests, one escalated twice over (fast → standard → deep counts once), one marked overkill.
    l.record(insert({ id: 's1', rule: 'small talk', tier: 'fast', features: verdict('fast') }));
    l.record(insert({ id: 's2', rule: 'small talk', tier: 'fast', features: verdict('standard') }));
    l.record(insert({ id: 's3', rule: 'small talk', tier: 'fast' }));
    l.record(insert({ id: 'e1', rule: 'escalation: fast → standard', escalatedFrom: 's1', features: verdict('fast') }));
    l.record(insert({ id: 'e2', rule: 'escalation: standard → deep', tier: 'deep', escalatedFrom: 'e1' }));
    l.setFeedback('s3', 'overkill');
    // default: one request, never escalated; one marked overkill and then cleared.
    l.record(insert({ id: 'd1', features: verdict('deep') }));
    l.setFeedback('d1', 'overkill');
    l.setFeedback('d1', null);
    // Last month's rows are not this month's rates (an escalation this month of last month's request neither).
    l.record(insert({ id: 'old', rule: 'small talk', time: local(2025, 5, 20) }));
    l.record(insert({ id: 'e-old', rule: 'escalation: fast → standard', escalatedFrom: 'old' }));

    const { byRule, byVerdict } = l.summary(NOW).escalations!;
    assert.deepEqual(byRule, [
      { key: 'small talk', requests: 3, escalated: 1, overkill: 1 },
      { key: 'default', requests: 1, escalated: 0, overkill: 0 },
    ]);
    assert.deepEqual(byVerdict, [
      { key: 'fast', requests: 1, escalated: 1, overkill: 0 },
      { key: 'none', requests: 1, escalated: 0, overkill: 1 },
      { key: 'deep', requests: 1, escalated: 0, overkill: 0 },
      { key: 'standard', requests: 1, escalated: 0, overkill: 0 },
    ]);
    l.close();
  });

  test('an empty ledger has empty buckets', () => {
    const l = Ledger.open(tempHome(), { now: () => NOW });
    assert.deepEqual(l.summary(NOW).escalations, { byRule: [], byVerdict: [] });
    l.close();
  });
});
