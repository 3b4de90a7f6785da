// One streamed completion: `complete`, then the events for its requestId — including events that arrive before
// the reply, events for other requests, fallbacks, errors, cancel and a lost connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompletionResult, EventName, Events, MethodName, Params, Result } from '../../shared/protocol';
import { CompletionError, startCompletion, type CompletionTransport } from '../../extension/requests/completion';

class FakeTransport implements CompletionTransport {
  listeners = new Map<string, Set<(d: unknown) => void>>();
  connection = new Set<(c: boolean) => void>();
  calls: { method: string; params: unknown }[] = [];
  /** What `complete` does before it replies (e.g. push events first). */
  beforeReply: () => void = () => {};
  failComplete: Error | null = null;

  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    this.calls.push({ method, params });
    if (method === 'complete') {
      if (this.failComplete) return Promise.reject(this.failComplete);
      this.beforeReply();
      return Promise.resolve({ requestId: 'r1' } as Result<M>);
    }
    if (method === 'cancel') return Promise.resolve({ cancelled: true } as Result<M>);
    return Promise.reject(new Error('unexpected'));
  }
  on<E extends EventName>(event: E, listener: (data: Events[E]) => void) {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (d: unknown) => void);
    return { dispose: () => void set!.delete(listener as (d: unknown) => void) };
  }
  onDidChangeConnection = (l: (c: boolean) => void) => {
    this.connection.add(l);
    return { dispose: () => void this.connection.delete(l) };
  };
  emit<E extends EventName>(event: E, data: Events[E]) {
    for (const l of [...(this.listeners.get(event) ?? [])]) l(data);
  }
  get listenerCount() {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0) + this.connection.size;
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function done(requestId: string, text: string): CompletionResult {
  return {
    requestId, text, provider: 'openai', model: 'gpt-4o-mini-2024-07-18', rule: 'small talk', tier: 'fast',
    usage: { inputTokens: 5, outputTokens: 2 }, finishReason: 'stop', costUsd: 0.00001, estimatedCostUsd: 0.00001, ttftMs: 100, totalMs: 300,
    attempts: [{ provider: 'openai', model: 'gpt-4o-mini-2024-07-18', outcome: 'ok', elapsedMs: 300 }], fallbacks: 0, escalatedFrom: null,
  };
}

describe('streamed completion', () => {
  it('streams deltas for its own requestId and resolves with the result', async () => {
    const t = new FakeTransport();
    const deltas: string[] = [];
    let started = '';
    const c = startCompletion(t, { prompt: 'hi', task: 'chat' }, { onDelta: (d) => deltas.push(d), onStart: (id) => (started = id) });
    await tick();
    assert.deepEqual(t.calls[0], { method: 'complete', params: { request: { prompt: 'hi', task: 'chat' }, stream: true } });
    t.emit('complete.delta', { requestId: 'r1', text: 'Hel' });
    t.emit('complete.delta', { requestId: 'other', text: 'XXX' });
    t.emit('complete.delta', { requestId: 'r1', text: 'lo' });
    t.emit('complete.done', done('r1', 'Hello'));
    const result = await c.result;
    assert.equal(started, 'r1');
    assert.deepEqual(deltas, ['Hel', 'lo']);
    assert.equal(c.text, 'Hello');
    assert.equal(result.model, 'gpt-4o-mini-2024-07-18');
    assert.equal(t.listenerCount, 0, 'listeners are released');
  });

  it('asks again with a stronger model: escalateFrom goes with the request, and the result says where it came from', async () => {
    const t = new FakeTransport();
    const c = startCompletion(t, { prompt: 'hi' }, {}, { escalateFrom: 'r0' });
    await tick();
    assert.deepEqual(t.calls[0], { method: 'complete', params: { request: { prompt: 'hi' }, stream: true, escalateFrom: 'r0' } });
    t.emit('complete.done', { ...done('r1', 'Better'), rule: 'escalation: fast → standard', tier: 'standard', escalatedFrom: 'r0' });
    assert.equal((await c.result).escalatedFrom, 'r0');
  });

  it('an escalation the daemon refuses (the strongest tier already) rejects with its code and message', async () => {
    const t = new FakeTransport();
    t.failComplete = Object.assign(new Error('request r0 already went to "deep", the strongest tier in "escalation" (fast → standard → deep)'), { code: 'E_BAD_REQUEST' });
    const c = startCompletion(t, { prompt: 'hi' }, {}, { escalateFrom: 'r0' });
    await assert.rejects(c.result, (e: { code?: string; message?: string }) => e.code === 'E_BAD_REQUEST' && /already went to "deep"/.test(e.message ?? ''));
  });

  it('keeps events that arrive before the complete reply', async () => {
    const t = new FakeTransport();
    t.beforeReply = () => {
      t.emit('complete.delta', { requestId: 'r1', text: 'early ' });
      t.emit('complete.delta', { requestId: 'r0', text: 'not mine ' });
      t.emit('complete.fallback', {
        requestId: 'r1',
        from: { provider: 'openai', model: 'a', outcome: 'failed', status: 429, reason: 'rate-limited', elapsedMs: 5 },
        to: { provider: 'anthropic', model: 'b' },
      });
    };
    const fallbacks: string[] = [];
    const c = startCompletion(t, { prompt: 'hi' }, { onFallback: (e) => fallbacks.push(`${e.from.provider}→${e.to.provider}`) });
    await tick();
    t.emit('complete.delta', { requestId: 'r1', text: 'late' });
    t.emit('complete.done', done('r1', 'early late'));
    await c.result;
    assert.equal(c.text, 'early late');
    assert.deepEqual(fallbacks, ['openai→anthropic']);
  });

  it('rejects with the error event, keeping the partial text and attempts', async () => {
    const t = new FakeTransport();
    const c = startCompletion(t, { prompt: 'hi' });
    await tick();
    t.emit('complete.delta', { requestId: 'r1', text: 'partial' });
    t.emit('complete.error', {
      requestId: 'r1', code: 'E_STREAM_CUT', message: 'upstream cut the stream', partialText: 'partial',
      attempts: [{ provider: 'openai', model: 'a', outcome: 'failed', reason: 'stream-cut', elapsedMs: 900 }],
    });
    await assert.rejects(c.result, (err: unknown) => {
      assert.ok(err instanceof CompletionError);
      assert.equal(err.code, 'E_STREAM_CUT');
      assert.equal(err.partialText, 'partial');
      assert.equal(err.attempts.length, 1);
      return true;
    });
  });

  it('a failed complete request rejects with its code', async () => {
    const t = new FakeTransport();
    t.failComplete = Object.assign(new Error('over budget'), { code: 'E_BUDGET_EXCEEDED' });
    const c = startCompletion(t, { prompt: 'hi' });
    await assert.rejects(c.result, { code: 'E_BUDGET_EXCEEDED', message: 'over budget' });
    assert.equal(t.listenerCount, 0);
  });

  it('cancel before the reply is sent once the requestId is known; the end is E_CANCELLED', async () => {
    const t = new FakeTransport();
    const c = startCompletion(t, { prompt: 'hi' });
    c.cancel();
    c.cancel();
    await tick();
    assert.deepEqual(t.calls.map((x) => x.method), ['complete', 'cancel']);
    assert.deepEqual(t.calls[1].params, { requestId: 'r1' });
    t.emit('complete.error', { requestId: 'r1', code: 'E_INTERNAL', message: 'aborted', partialText: '', attempts: [] });
    await assert.rejects(c.result, { code: 'E_CANCELLED' });
  });

  it('cancel ends the request even if the daemon never confirms', async () => {
    const t = new FakeTransport();
    const c = startCompletion(t, { prompt: 'hi' }, {}, { graceMs: 20 });
    await tick();
    c.cancel();
    await assert.rejects(c.result, { code: 'E_CANCELLED' });
  });

  it('a lost connection fails the request', async () => {
    const t = new FakeTransport();
    const c = startCompletion(t, { prompt: 'hi' });
    await tick();
    t.emit('complete.delta', { requestId: 'r1', text: 'so far' });
    for (const l of t.connection) l(false);
    await assert.rejects(c.result, (err: unknown) => err instanceof CompletionError && err.code === 'E_DISCONNECTED' && err.partialText === 'so far');
  });
});
