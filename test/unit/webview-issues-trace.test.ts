/** Placing validation issues on fields, and the dry-run / replay view models. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { candidateKeys, issueCounts, issuePath, parseIssuePath, pathKey } from '../../extension/webviews/rulesEditor/issues';
import {
  buildDecisionView, buildReplayView, buildTrace, buildVerdictView, formatClassifierExpected, formatConditionValue, formatPercent, formatWeight, VERDICT_FEATURES,
} from '../../extension/webviews/rulesEditor/trace';
import type { Verdict } from '../../shared/decision';
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

const VERDICT: Verdict = {
  tier: 'standard', confidence: 0.71, probabilities: { fast: 0.08, standard: 0.71, deep: 0.21 },
  features: [
    { feature: 'why can', weight: 1.24 }, { feature: 'explain×"lock"', weight: 0.8 }, { feature: 'code:mutex', weight: 0.42 },
    { feature: "'dlo'", weight: 0.1 }, { feature: 'paste.threaddump', weight: -0.31 }, { feature: 'ask.words=4', weight: 0.004 },
  ],
};

describe('classifier in the dry run', () => {
  test('a failed classifier condition reads as the tier and confidence asked, and the verdict the daemon saw', () => {
    const actual = 'standard (fast 0.08 · standard 0.71 · deep 0.21)';
    const rows = buildTrace(decision({
      trace: [
        { rule: 'hard ones', index: 0, matched: false, failed: { path: 'if.classifier', expected: { tier: 'deep', minConfidence: 0.5 }, actual } },
        { rule: 'either', index: 1, matched: false, failed: { path: 'if.all[1].classifier', expected: { tier: ['standard', 'deep'] }, actual: 'fast (fast 0.60 · standard 0.30 · deep 0.10)' } },
        { rule: 'small talk', index: 2, matched: true },
      ],
    }));
    assert.equal(rows[0].detail, `if.classifier: expected deep ≥ 0.50, got ${actual}`);
    assert.deepEqual([rows[0].conditionPath, rows[0].expected, rows[0].actual], ['if.classifier', 'deep ≥ 0.50', actual]);
    assert.equal(rows[1].detail, 'if.all[1].classifier: expected standard or deep (likeliest), got fast (fast 0.60 · standard 0.30 · deep 0.10)');
    // Summed probabilities for a list; anything else keeps the generic rendering.
    assert.equal(formatClassifierExpected({ tier: ['standard', 'deep'], minConfidence: 0.4 }), 'standard + deep ≥ 0.40');
    assert.equal(formatClassifierExpected({ tier: 'deep', minConfidence: 'x' }), undefined);
    assert.equal(formatClassifierExpected('deep'), undefined);
    const odd = buildTrace(decision({ trace: [{ rule: 'r', index: 0, matched: false, failed: { path: 'if.classifier', expected: 'deep', actual: 'x' } }] }));
    assert.equal(odd[0].detail, 'if.classifier: expected "deep", got "x"');
    // A metadata key that happens to be called classifier is not a classifier condition.
    const meta = buildTrace(decision({ trace: [{ rule: 'r', index: 0, matched: false, failed: { path: 'if.metadata.myclassifier', expected: { tier: 'deep' }, actual: 'a' } }] }));
    assert.equal(meta[0].expected, '{"tier":"deep"}');
  });

  test('the verdict: its tier and confidence, every tier\'s probability in order, the top features signed', () => {
    const v = buildDecisionView(decision({ verdict: VERDICT })).verdict;
    assert.ok(v);
    assert.equal(v.tier, 'standard');
    assert.equal(v.confidence, '71 %');
    assert.deepEqual(v.probabilities, [
      { tier: 'fast', value: 0.08, percent: '8 %', chosen: false },
      { tier: 'standard', value: 0.71, percent: '71 %', chosen: true },
      { tier: 'deep', value: 0.21, percent: '21 %', chosen: false },
    ]);
    assert.deepEqual(v.features.map((f) => [f.feature, f.weight]), [
      ['why can', '+1.24'], ['explain×"lock"', '+0.80'], ['code:mutex', '+0.42'], ["'dlo'", '+0.10'], ['paste.threaddump', '−0.31'], ['ask.words=4', '0.00'],
    ]);
    assert.equal(v.moreFeatures, 0);
  });

  test('no verdict when the classifier did not run; long feature lists are cut; odd numbers stay in range', () => {
    assert.equal(buildDecisionView(decision()).verdict, null);
    const many = buildVerdictView({ ...VERDICT, features: Array.from({ length: 20 }, (_, i) => ({ feature: `f${i}`, weight: 1 - i / 20 })) });
    assert.equal(many.features.length, VERDICT_FEATURES);
    assert.equal(many.moreFeatures, 20 - VERDICT_FEATURES);
    assert.equal(buildVerdictView(VERDICT, 2).features.length, 2);
    assert.deepEqual([formatPercent(0), formatPercent(0.001), formatPercent(0.996), formatPercent(1.2), formatPercent(NaN)], ['0 %', '<1 %', '100 %', '100 %', '0 %']);
    assert.deepEqual([formatWeight(2), formatWeight(-0.005), formatWeight(-0.0049), formatWeight(0)], ['+2.00', '−0.01', '0.00', '0.00']);
    const odd = buildVerdictView({ tier: 'deep', confidence: 1.4, probabilities: { fast: -0.1, standard: 0, deep: 1.4 }, features: [] });
    assert.deepEqual(odd.probabilities.map((p) => p.value), [0, 0, 1]);
    assert.equal(odd.confidence, '100 %');
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
