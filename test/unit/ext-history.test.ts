// The requests a window remembers so it can ask one again with a stronger model (extension/requests/history.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escalationSteps, HISTORY_LIMIT, requestLabel, RequestHistory, servedLabel } from '../../extension/requests/history';
import type { CompletionResult } from '../../shared/protocol';

const result = (requestId: string, over: Partial<CompletionResult> = {}): CompletionResult => ({
  requestId, text: 'hi', provider: 'openai', model: 'gpt-4o-mini-2024-07-18', rule: 'small talk', tier: 'fast', finishReason: 'stop',
  costUsd: 0.0001, estimatedCostUsd: 0.0001, ttftMs: 10, totalMs: 20, attempts: [], fallbacks: 0, escalatedFrom: null, ...over,
});

describe('RequestHistory', () => {
  it('keeps requests by id, newest first, with where they went and how to show them again', () => {
    const h = new RequestHistory<string>();
    h.add(result('a'), { prompt: 'thanks!' }, { title: 'Ask', again: 'plan-a', time: 1 });
    h.add(result('b', { rule: 'escalation: fast → standard', tier: 'standard', model: 'gpt-4o-2024-08-06', escalatedFrom: 'a' }), { prompt: 'thanks!' }, { title: 'Ask', again: 'plan-b', time: 2 });
    assert.deepEqual(h.list().map((e) => e.requestId), ['b', 'a']);
    assert.equal(h.latest?.requestId, 'b');
    const b = h.get('b')!;
    assert.deepEqual([b.tier, b.model, b.escalatedFrom, b.again, b.label, b.request.prompt], ['standard', 'gpt-4o-2024-08-06', 'a', 'plan-b', 'thanks!', 'thanks!']);
    assert.equal(h.get('nope'), undefined);
  });

  it(`is bounded (the last ${HISTORY_LIMIT} by default): the oldest is forgotten first`, () => {
    const h = new RequestHistory<null>(3);
    for (const id of ['1', '2', '3', '4']) h.add(result(id), { prompt: id }, { title: 'Ask', again: null, time: Number(id) });
    assert.equal(h.size, 3);
    assert.deepEqual(h.list().map((e) => e.requestId), ['4', '3', '2']);
    assert.equal(h.get('1'), undefined);
    assert.equal(new RequestHistory().list().length, 0);
    assert.equal(HISTORY_LIMIT, 50);
  });

  it('labels: the prompt\'s first line, shortened; the escalation steps; where it went', () => {
    assert.equal(requestLabel({ prompt: '\n  what is   a monad?\nmore' }), 'what is a monad?');
    assert.equal(requestLabel({ prompt: 'x'.repeat(100) }, 10), `${'x'.repeat(9)}…`);
    assert.equal(requestLabel({ prompt: '' }), '(empty prompt)');
    assert.equal(escalationSteps('escalation: fast → standard'), 'fast → standard');
    assert.equal(escalationSteps('small talk'), null);
    assert.equal(servedLabel({ model: 'm', tier: 'fast', rule: 'small talk' }), 'm · fast tier · rule "small talk"');
    assert.equal(servedLabel({ model: 'm', tier: 'deep', rule: 'escalation: standard → deep' }), 'm · deep tier · asked again: standard → deep');
    assert.equal(servedLabel({ model: 'm', tier: null, rule: 'default' }), 'm · default');
    assert.equal(servedLabel({ model: 'm', tier: 'fast', rule: 'default', failed: true }), 'm · fast tier · default · failed');
  });

  it('remembers a failed request from what its decision said, so it can be asked again stronger', () => {
    const h = new RequestHistory<null>();
    const e = h.add({ requestId: 'f', rule: 'small talk', tier: 'fast', model: 'gpt-4o-mini-2024-07-18', failed: true }, { prompt: 'hi' }, { title: 'Ask', again: null, time: 1 });
    assert.deepEqual([e.failed, e.escalatedFrom, h.latest?.requestId], [true, null, 'f']);
    assert.equal(h.add(result('ok'), { prompt: 'hi' }, { title: 'Ask', again: null, time: 2 }).failed, undefined);
  });
});
