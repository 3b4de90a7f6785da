// The daemon's token counter: tiktoken on a worker thread, the whole-text cache on the main thread.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { RouteRequest } from '../../shared/decision';
import { EXACT_CHARS } from '../../daemon/estimate/routeCount';
import { countRoute, countTokens, tokenCacheStats } from '../../daemon/estimate/tokens';
import { WorkerTokenCounter } from '../../daemon/estimate/workerCounter';

/** Deterministic PRNG (LCG on 32 bits). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
}

/** Text that defeats caches: made-up words, numbers, CJK, emoji (surrogate pairs), long runs. */
function hostile(size: number, seed: number): string {
  const r = rng(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const x = r();
    const p = x < 0.5 ? ' ' + Math.floor(r() * 2 ** 40).toString(36)
      : x < 0.6 ? String(Math.floor(r() * 1e6))
      : x < 0.7 ? '测试一下分词器' + String.fromCodePoint(0x4e00 + Math.floor(r() * 2000))
      : x < 0.8 ? '😀🚀' + String.fromCodePoint(0x1f300 + Math.floor(r() * 200))
      : x < 0.82 ? 'z'.repeat(300 + Math.floor(r() * 300))
      : x < 0.9 ? '\n\t' + '{}[]();'.slice(Math.floor(r() * 6))
      : ' the request is routed';
    parts.push(p);
    n += p.length;
  }
  return parts.join('').slice(0, size);
}

const counter = new WorkerTokenCounter({ idleMs: 60_000 });
after(() => counter.close());

describe('WorkerTokenCounter', () => {
  it('counts on its worker: this thread never creates an encoder or counts', async () => {
    // First in this file on purpose: nothing here has counted in process yet.
    const r = await counter.countRoute({ prompt: 'hello world' }, 'o200k_base');
    assert.equal(r.tokens, 9);
    assert.deepEqual(tokenCacheStats(), [], 'no in-process cache was created, so tiktoken never ran on this thread');
  });

  it('gives the in-process counter\'s counts, exact and sampled, in both encodings', async () => {
    const requests: RouteRequest[] = [
      { prompt: '' },
      { prompt: 'Is this spam?', system: 'You are a classifier.' },
      { prompt: 'and now?', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'and now?' }] },
      { prompt: hostile(20_000, 1), system: hostile(3_000, 2) },
      { prompt: hostile(EXACT_CHARS + 12_345, 3) }, // just past the cap: sampled
      { prompt: 'tail', messages: Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? 'assistant' as const : 'user' as const, content: hostile(40_000, 10 + i) })) },
    ];
    for (const enc of ['o200k_base', 'cl100k_base'] as const) {
      assert.equal(await counter.countText(requests[3].prompt, enc), countTokens(requests[3].prompt, enc));
      for (const req of requests) {
        const viaWorker = await counter.countRoute(req, enc);
        assert.deepEqual(viaWorker, countRoute(req, enc), `${enc}, prompt of ${req.prompt.length} chars`);
      }
    }
  });

  it('counts a 30 MB hostile body in bounded time without blocking the event loop, marked approximate', async () => {
    const block = hostile(1 << 20, 42);
    const big = block.repeat(30);
    let worstLag = 0;
    let last = performance.now();
    const ticker = setInterval(() => { const now = performance.now(); worstLag = Math.max(worstLag, now - last - 5); last = now; }, 5);
    const t0 = performance.now();
    const r = await counter.countRoute({ prompt: big }, 'o200k_base');
    const took = performance.now() - t0;
    clearInterval(ticker);
    assert.equal(r.approximate, true);
    // 30 copies of one block: the extrapolation from 1 Mi characters lands within 2 % of 30 × the block's count.
    const exact = 30 * countRoute({ prompt: block }, 'o200k_base').tokens;
    assert.ok(Math.abs(r.tokens - exact) / exact < 0.02, `${r.tokens} vs ≈${exact}`);
    assert.ok(took < 10_000, `took ${took.toFixed(0)} ms`); // whole-text tiktoken on this input: minutes
    assert.ok(worstLag < 200, `the event loop stalled ${worstLag.toFixed(0)} ms`);
  });

  it('stops its worker when idle, answers repeats from the main-thread cache, and restarts on demand', async () => {
    const c = new WorkerTokenCounter({ idleMs: 150 });
    try {
      const req = { prompt: 'count me, then go quiet' };
      const first = await c.countRoute(req, 'o200k_base');
      assert.equal(c.running, true);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(c.running, false, 'stopped after the idle period');
      assert.deepEqual(await c.countRoute(req, 'o200k_base'), first);
      assert.equal(c.running, false, 'a repeat is a cache hit: no worker needed');
      const other = await c.countRoute({ prompt: 'something new' }, 'o200k_base');
      assert.equal(other.tokens, countRoute({ prompt: 'something new' }, 'o200k_base').tokens);
      assert.equal(c.starts, 2, 'a new text started a new worker');
    } finally {
      await c.close();
    }
  });

  it('fails the counts in flight when its worker goes away, and the next count starts a new one', async () => {
    const c = new WorkerTokenCounter({ idleMs: 60_000 });
    try {
      const pending = c.countRoute({ prompt: hostile(200_000, 7) }, 'o200k_base');
      const failed = assert.rejects(pending, /stopped/);
      await c.close();
      await failed;
      assert.equal((await c.countRoute({ prompt: 'again' }, 'o200k_base')).tokens, countRoute({ prompt: 'again' }, 'o200k_base').tokens);
    } finally {
      await c.close();
    }
  });
});
