// Hint, code-action and fallback labels, result footers, and the trace-to-Markdown hover.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Candidate, Decision } from '../../shared/decision';
import type { CompletionResult } from '../../shared/protocol';
import {
  attemptReason, codeActionTitle, decisionSummary, escapeMarkdown, fallbackText, hintLabel, inlineCode, resultFooter, resultSummary,
} from '../../extension/hint/labels';
import { traceToMarkdown } from '../../extension/hint/traceMarkdown';

function candidate(name: string, provider: string, model: string, costUsd: number, latencyMs: number): Candidate {
  return {
    name, provider, providerType: provider === 'anthropic' ? 'anthropic' : 'openai', model,
    estimate: { inputTokens: 120, outputTokens: 300, costUsd, ttftMs: 350, latencyMs },
  };
}

function decision(over: Partial<Decision> = {}): Decision {
  const candidates = over.candidates ?? [
    candidate('mini', 'openai', 'gpt-4o-mini-2024-07-18', 0.0004, 700),
    candidate('haiku', 'anthropic', 'claude-3-5-haiku-20241022', 0.0013, 900),
  ];
  return {
    rule: 'small talk',
    ruleIndex: 1,
    tier: 'fast',
    target: 'fast',
    candidates,
    skipped: [],
    trace: [
      { rule: 'classification is cheap', index: 0, matched: false, failed: { path: 'task', expected: 'classification', actual: 'explain' } },
      { rule: 'small talk', index: 1, matched: true },
    ],
    estimate: candidates[0]?.estimate ?? { inputTokens: 120, outputTokens: 300, costUsd: 0.0004, ttftMs: 350, latencyMs: 700 },
    inputTokens: 120,
    ...over,
  };
}

describe('hint labels', () => {
  it('formats the inline hint exactly like the design', () => {
    assert.equal(hintLabel(decision()), '→ gpt-4o-mini-2024-07-18 · ≈$0.0004 · ≈0.7 s · rule "small talk"');
  });

  it('the Ask prompt line has no arrow', () => {
    assert.equal(decisionSummary(decision()), 'gpt-4o-mini-2024-07-18 · ≈$0.0004 · ≈0.7 s · rule "small talk"');
  });

  it('says "default" when no rule matched', () => {
    assert.match(hintLabel(decision({ rule: 'default', ruleIndex: -1 })), / · default$/);
  });

  it('reports when every candidate was skipped', () => {
    const d = decision({
      candidates: [],
      skipped: [{ name: 'mini', provider: 'openai', model: 'gpt-4o-mini-2024-07-18', reason: 'no-key', detail: 'OPENAI_API_KEY not set' }],
    });
    assert.equal(hintLabel(d), '→ no usable model (all 1 candidates unavailable) · rule "small talk"');
  });

  it('code action titles carry the estimate, or nothing without one', () => {
    const d = decision({ candidates: [candidate('gpt4o', 'openai', 'gpt-4o-2024-08-06', 0.003, 2100)] });
    assert.equal(codeActionTitle('Refactor with Switchyard', d), 'Refactor with Switchyard — gpt-4o-2024-08-06, ≈$0.003');
    assert.equal(codeActionTitle('Refactor with Switchyard', null), 'Refactor with Switchyard');
    assert.equal(codeActionTitle('Refactor with Switchyard', decision({ candidates: [] })), 'Refactor with Switchyard');
  });

  it('describes fallbacks as they happen', () => {
    const from = { provider: 'openai', model: 'gpt-4o-mini-2024-07-18', outcome: 'failed' as const, status: 429, reason: 'rate-limited', elapsedMs: 120 };
    assert.equal(fallbackText(from, { provider: 'anthropic', model: 'claude-3-5-haiku-20241022' }), 'OpenAI rate-limited → Anthropic claude-3-5-haiku-20241022');
    assert.equal(attemptReason({ ...from, reason: 'server-error', status: 502 }), 'server error 502');
    assert.equal(attemptReason({ ...from, reason: undefined, status: 418 }), 'HTTP 418');
    assert.equal(fallbackText({ ...from, provider: 'local', reason: 'network' }, { provider: 'my-vllm', model: 'm' }), 'Local unreachable → my-vllm m');
  });

  it('summarises a finished request with model, tokens, cost and time', () => {
    const result: CompletionResult = {
      requestId: 'r1', text: 'hi', provider: 'anthropic', model: 'claude-3-5-haiku-20241022', rule: 'small talk', tier: 'fast',
      usage: { inputTokens: 1204, outputTokens: 311 }, finishReason: 'stop', costUsd: 0.0061, estimatedCostUsd: 0.005, ttftMs: 400, totalMs: 3200,
      attempts: [
        { provider: 'openai', model: 'gpt-4o-mini-2024-07-18', outcome: 'failed', status: 429, reason: 'rate-limited', elapsedMs: 150 },
        { provider: 'anthropic', model: 'claude-3-5-haiku-20241022', outcome: 'ok', elapsedMs: 3050 },
      ],
      fallbacks: 1, escalatedFrom: null,
    };
    assert.equal(resultSummary(result), 'claude-3-5-haiku-20241022 (Anthropic) · rule "small talk" · 1,204 → 311 tokens · $0.0061 · 3.2 s · 1 fallback');
    assert.match(resultSummary({ ...result, rule: 'escalation: fast → standard', tier: 'standard', escalatedFrom: 'r0' }), /^claude-3-5-haiku-20241022 \(Anthropic\) · escalated fast → standard · /);
    const footer = resultFooter(result);
    assert.match(footer, /^\n\n---\n\n\*claude/);
    assert.ok(footer.includes('\n- OpenAI gpt-4o-mini-2024-07-18 rate-limited (150 ms)\n'), footer);
    assert.match(resultSummary({ ...result, costUsd: null }), /cost unknown \(est\. ≈\$0\.005\)/);
    assert.match(resultSummary({ ...result, finishReason: 'length' }), / · stopped at the output limit$/);
  });

  it('escapes Markdown and builds inline code that survives backticks', () => {
    assert.equal(escapeMarkdown('a*b_c'), 'a\\*b\\_c');
    assert.equal(inlineCode('x'), '`x`');
    assert.equal(inlineCode('a`b'), '``a`b``');
    assert.equal(inlineCode('`a'), '`` `a ``');
  });
});

describe('trace to Markdown', () => {
  it('lists each rule with ✓/✗ and the failing condition with expected vs actual', () => {
    const md = traceToMarkdown(decision(), { title: 'Switchyard — routing' });
    const lines = md.split('\n');
    assert.equal(lines[0], '**Switchyard — routing**');
    assert.ok(lines.includes('- ✗ **classification is cheap** — `task`: expected `"classification"`, actual `"explain"`'), md);
    assert.ok(lines.includes('- ✓ **small talk** — matched'), md);
    assert.ok(md.includes('tier `fast`'));
  });

  it('lists candidates in order and skipped ones with reasons', () => {
    const md = traceToMarkdown(
      decision({
        skipped: [
          { name: 'sonnet', provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', reason: 'circuit-open', detail: '3 failures', until: 26_000 },
          { name: 'gpt4o', provider: 'openai', model: 'gpt-4o-2024-08-06', reason: 'no-key', detail: 'no-key' },
        ],
      }),
      { now: 1_000 },
    );
    assert.ok(md.includes('1. `mini` OpenAI `gpt-4o-mini-2024-07-18` · ≈$0.0004 · ≈0.7 s'), md);
    assert.ok(md.includes('2. `haiku` Anthropic `claude-3-5-haiku-20241022` · ≈$0.0013 · ≈0.9 s'), md);
    assert.ok(md.includes('**Skipped**'));
    assert.ok(md.includes('- `sonnet` Anthropic `claude-3-5-sonnet-20241022`: circuit open for 25 s more — 3 failures'), md);
    assert.ok(md.includes('- `gpt4o` OpenAI `gpt-4o-2024-08-06`: no API key'), md);
  });

  it('marks the default and shortens long actual values', () => {
    const long = 'x'.repeat(500);
    const md = traceToMarkdown(decision({
      rule: 'default', ruleIndex: -1, tier: 'standard',
      trace: [{ rule: 'small talk', index: 0, matched: false, failed: { path: 'prompt.regex', expected: '^(thanks|ok)\\b', actual: long } }],
    }));
    assert.ok(md.includes('- → no rule matched: **default**'));
    const line = md.split('\n').find((l) => l.includes('prompt.regex'))!;
    assert.ok(line.length < 200, line);
    assert.ok(line.includes('…'));
  });

  it('shows the classifier verdict when present: tier, probabilities, the top features', () => {
    assert.ok(!traceToMarkdown(decision()).includes('Classifier'), 'no line when the classifier did not run');
    const md = traceToMarkdown(decision({
      verdict: {
        tier: 'deep', confidence: 0.71, probabilities: { fast: 0.08, standard: 0.21, deep: 0.71 },
        features: [
          { feature: 'deadlock', weight: 1.24 }, { feature: 'why can', weight: 0.8 }, { feature: 'explain×"lock"', weight: 0.5 },
          { feature: 'paste.threaddump', weight: -0.3 }, { feature: 'code:mutex', weight: 0.2 },
        ],
      },
    }));
    const line = md.split('\n').find((l) => l.startsWith('Classifier:'))!;
    assert.equal(line, 'Classifier: `deep` 71 % (fast 8 % · standard 21 % · deep 71 %) · weighed most: `deadlock` +1.24, `why can` +0.80, `explain×"lock"` +0.50, `paste.threaddump` −0.30…');
    assert.ok(md.indexOf('Classifier:') < md.indexOf('**Rules**'), md);
    const bare = traceToMarkdown(decision({ verdict: { tier: 'fast', confidence: 0.9, probabilities: { fast: 0.9, standard: 0.1, deep: 0 }, features: [{ feature: '`x`', weight: 0.1 }] } }));
    assert.ok(bare.includes('Classifier: `fast` 90 % (fast 90 % · standard 10 % · deep 0 %) · weighed most: `` `x` `` +0.10'), bare);
  });

  it('a failed classifier condition names the tier and confidence asked', () => {
    const md = traceToMarkdown(decision({
      trace: [
        { rule: 'hard', index: 0, matched: false, failed: { path: 'if.classifier', expected: { tier: 'deep', minConfidence: 0.5 }, actual: 'standard (fast 0.08 · standard 0.71 · deep 0.21)' } },
        { rule: 'either', index: 1, matched: false, failed: { path: 'if.any[0].classifier', expected: { tier: ['standard', 'deep'] }, actual: 'fast (fast 0.60 · standard 0.30 · deep 0.10)' } },
      ],
    }));
    assert.ok(md.includes('- ✗ **hard** — `if.classifier`: expected `deep ≥ 0.50`, actual `standard (fast 0.08 · standard 0.71 · deep 0.21)`'), md);
    assert.ok(md.includes('- ✗ **either** — `if.any[0].classifier`: expected `standard or deep (likeliest)`, actual `fast (fast 0.60 · standard 0.30 · deep 0.10)`'), md);
  });

  it('escapes rule names so they cannot inject Markdown', () => {
    const md = traceToMarkdown(decision({ trace: [{ rule: '[click](http://x)', index: 0, matched: true }] }));
    assert.ok(md.includes('**\\[click\\](http://x)**'), md);
  });
});
