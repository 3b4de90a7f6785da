// Small pure helpers: debounce, waiting for the connection, the decision cache behind code-action titles.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decision } from '../../shared/decision';
import { DecisionCache } from '../../extension/codeActions/decisionCache';
import { whenConnected } from '../../extension/util/connection';
import { debounce } from '../../extension/util/debounce';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const d = (rule: string) => ({ rule }) as unknown as Decision;

describe('debounce', () => {
  it('runs once with the last arguments after the quiet period', async () => {
    const calls: number[] = [];
    const f = debounce((n: number) => calls.push(n), 30);
    f(1);
    f(2);
    await sleep(10);
    f(3);
    assert.deepEqual(calls, []);
    await sleep(60);
    assert.deepEqual(calls, [3]);
  });

  it('cancel drops and flush runs a pending call', async () => {
    const calls: number[] = [];
    const f = debounce((n: number) => calls.push(n), 20);
    f(1);
    f.cancel();
    f(2);
    f.flush();
    f.flush();
    await sleep(40);
    assert.deepEqual(calls, [2]);
  });
});

describe('whenConnected', () => {
  function fake(connected: boolean) {
    const listeners = new Set<(c: boolean) => void>();
    return {
      connected,
      listeners,
      onDidChangeConnection(l: (c: boolean) => void) {
        listeners.add(l);
        return { dispose: () => void listeners.delete(l) };
      },
    };
  }

  it('resolves at once when connected, on connect, or false after the timeout', async () => {
    assert.equal(await whenConnected(fake(true), 10), true);
    const api = fake(false);
    const p = whenConnected(api, 1000);
    setTimeout(() => {
      api.connected = true;
      for (const l of api.listeners) l(true);
    }, 10);
    assert.equal(await p, true);
    assert.equal(api.listeners.size, 0);
    const never = fake(false);
    assert.equal(await whenConnected(never, 20), false);
    assert.equal(never.listeners.size, 0);
  });
});

describe('decision cache', () => {
  it('computes once per key, also while in flight', async () => {
    const cache = new DecisionCache();
    let computed = 0;
    const compute = async () => {
      computed++;
      await sleep(5);
      return d('r');
    };
    const key = DecisionCache.key('refactor', 'const a = 1;');
    const [a, b] = await Promise.all([cache.get(key, compute), cache.get(key, compute)]);
    assert.equal(a, b);
    assert.equal(await cache.get(key, compute), a);
    assert.equal(computed, 1);
    assert.notEqual(DecisionCache.key('explain', 'const a = 1;'), key);
  });

  it('does not cache failures', async () => {
    const cache = new DecisionCache();
    assert.equal(await cache.get('k', () => Promise.reject(new Error('offline'))), null);
    assert.equal(cache.size, 0);
    assert.deepEqual(await cache.get('k', async () => d('ok')), d('ok'));
  });

  it('evicts the least recently used entry and clears', () => {
    const cache = new DecisionCache(2);
    cache.set('a', d('a'));
    cache.set('b', d('b'));
    cache.peek('a');
    cache.set('c', d('c'));
    assert.ok(cache.peek('a'));
    assert.equal(cache.peek('b'), undefined);
    cache.clear();
    assert.equal(cache.size, 0);
  });
});
