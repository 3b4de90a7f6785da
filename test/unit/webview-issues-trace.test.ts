/** Placing validation issues on fields, and the dry-run / replay view models. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { candidateKeys, issueCounts, issuePath, parseIssuePath, pathKey } from '../../extension/webviews/rulesEditor/issues';
import { buildDecisionView, buildReplayView, buildTrace, formatConditionValue } from '../../extension/webviews/rulesEditor/trace';
import { decision, replayResult, RULES_TEXT } from '../fixtures/webview-harness/data';

describe('issue paths', () => {
  test('the daemon format, JSON pointers, bracketed keys and metadata keys', () => {
    assert.deepEqual(parseIssuePath('rules[2].then'), ['rules', 2, 'then']);
    assert.deepEqual(parseIssuePath('rules[0].if.all[1].metadata.team'), ['rules', 0, 'if', 'all', 1, 'metadata.team']);
    assert.deepEqual(parseIssuePath('/rules/3/if/prompt/regex'), ['rules', 3, 'if', 'prompt', 'regex']);
    assert.deepEqual(parseIssuePath('rules[0]["metadata.team"]'), ['rules', 0, 'metadata.team']);
    assert.deepEqual(parseIssuePath('rules.1.name'), ['rules', 1, 'name']);
    assert.deepEqual(parseIssuePath('tests[0].request.metadata.team'), ['tests', 0, 'request', 'metadata', 'team'], 'outside a condition, metadata is a plain object');
  });

  test('pathKey matches the daemon\'s formatPath and the data-path keys of the form', () => {
    assert.equal(pathKey(['rules', 2, 'if', 'all', 0, 'metadata.team']), 'rules[2].if.all[0].metadata.team');
    assert.deepEqual(candidateKeys(['rules', 2, 'then']), ['rules[2].then', 'rules[2]', 'rules']);
  });

  test('an issue without a path is placed by its line, else by its rule name', () => {
    const line = RULES_TEXT.split('\n').findIndex((l) => l.includes('"big context"')) + 1;
    const col = RULES_TEXT.split('\n')[line - 1].indexOf('"then"') + 10;
    assert.deepEqual(issuePath({ severity: 'error', code: 'x', message: 'm', line, column: col }, RULES_TEXT, []), ['rules', 2, 'then', 0]);
    assert.deepEqual(issuePath({ severity: 'error', code: 'x', message: 'm', rule: 'team' }, RULES_TEXT, ['a', 'b', 'c', 'team']), ['rules', 3]);
    assert.deepEqual(issuePath({ severity: 'error', code: 'x', message: 'm', rule: '#2' }, RULES_TEXT, []), ['rules', 1]);
    assert.equal(issuePath({ severity: 'error', code: 'x', message: 'm' }, RULES_TEXT, []), null);
  });

  test('counts', () => {
    assert.equal(issueCounts([]), 'No problems');
    assert.equal(issueCounts([{ severity: 'error', code: 'a', message: '' }, { severity: 'warning', code: 'b', message: '' }, { severity: 'warning', code: 'c', message: '' }]), '1 error, 2 warnings');
  });
});

describe('dry-run view', () => {
  test('trace: matched, failed with expected vs actual, and rules never reached', () => {
    const rows = buildTrace(decision(), ['classification is cheap', 'small talk', 'big context', 'team']);
    assert.deepEqual(rows.map((r) => [r.rule, r.status]), [['classification is cheap', 'failed'], ['small talk', 'matched'], ['big context', 'not-reached'], ['team', 'not-reached']]);
    assert.equal(rows[0].detail, 'task: expected "classification", got "chat"');
  });

  test('values: comparisons, lists, unset', () => {
    assert.equal(formatConditionValue({ '>': 4000, '<=': 9000 }), '> 4000 and <= 9000');
    assert.equal(formatConditionValue(['a', 'b']), '["a", "b"]');
    assert.equal(formatConditionValue(null), '(not set)');
    assert.equal(formatConditionValue('x'.repeat(200)).length, 80);
  });

  test('headline: model, ≈cost, ≈latency, rule; a default decision and an all-skipped one', () => {
    const v = buildDecisionView(decision());
    assert.deepEqual([v.model, v.shortName, v.provider, v.cost, v.latency, v.rule, v.isDefault, v.tier], ['gpt-4o-mini-2024-07-18', 'mini', 'openai', '≈$0.00012', '≈0.7 s', 'small talk', false, 'fast']);
    const d = decision({ rule: 'default', ruleIndex: -1, candidates: [], skipped: [{ name: 'mini', provider: 'openai', model: 'gpt-4o-mini-2024-07-18', reason: 'no-key', detail: 'no API key for openai' }] });
    const w = buildDecisionView(d);
    assert.equal(w.isDefault, true);
    assert.equal(w.model, 'gpt-4o-mini-2024-07-18');
    assert.match(w.warning ?? '', /Every candidate is skipped/);
    assert.deepEqual(w.skipped, [{ name: 'mini', model: 'gpt-4o-mini-2024-07-18', reason: 'no-key', detail: 'no API key for openai' }]);
  });
});

describe('replay view', () => {
  test('cheaper, dearer, same, empty', () => {
    const v = buildReplayView(replayResult, 7);
    assert.equal(v.headline, 'The draft would have cost $0.80 less (-25 %) over 120 requests.');
    assert.deepEqual([v.actual, v.replay, v.delta, v.direction], ['$3.20', '$2.40', '-$0.80 (-25 %)', 'cheaper']);
    assert.equal(v.latency, '0.9 s → 0.8 s average');
    assert.equal(v.changed, '17 of 120 requests change tier');
    assert.equal(v.skipped, '4 skipped: 4 without a completed answer and reported usage');
    assert.equal(buildReplayView({ ...replayResult, replayCostUsd: 4 }, 7).direction, 'dearer');
    assert.match(buildReplayView({ ...replayResult, replayCostUsd: 3.2 }, 7).headline, /Same cost/);
    const empty = buildReplayView({ considered: 0, changedTier: 0, skipped: 3, actualCostUsd: 0, replayCostUsd: 0, actualLatencyMs: 0, replayLatencyMs: 0 }, 7);
    assert.equal(empty.empty, true);
    assert.equal(empty.headline, 'No requests in the last 7 days to replay (3 skipped).');
  });
});
