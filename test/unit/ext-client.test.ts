// The daemon client against a tiny fake daemon on loopback: request/reply, errors, events, timeouts, the
// connect hook, and reconnecting with backoff when the daemon goes away and comes back.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { backoffDelay } from '../../extension/daemon/backoff';
import { DaemonClient, DaemonError, type Endpoint } from '../../extension/daemon/client';

type Handler = (method: string, params: unknown, socket: WebSocket) => unknown | Promise<unknown> | undefined;

interface FakeDaemon {
  port: number;
  token: string;
  sockets: Set<WebSocket>;
  authHeaders: string[];
  emit(event: string, data: unknown): void;
  close(): Promise<void>;
}

async function fakeDaemon(handler: Handler, port = 0, token = 'secret'): Promise<FakeDaemon> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const sockets = new Set<WebSocket>();
  const authHeaders: string[] = [];
  wss.on('connection', (socket, req) => {
    authHeaders.push(String(req.headers.authorization));
    if (req.headers.authorization !== `Bearer ${token}`) return socket.close(4401, 'unauthorized');
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', async (raw) => {
      const { id, method, params } = JSON.parse(raw.toString());
      try {
        const result = await handler(method, params, socket);
        if (result !== undefined) socket.send(JSON.stringify({ id, result }));
      } catch (err) {
        socket.send(JSON.stringify({ id, error: { code: (err as { code?: string }).code ?? 'E_INTERNAL', message: (err as Error).message } }));
      }
    });
  });
  return {
    port: (wss.address() as AddressInfo).port,
    token,
    sockets,
    authHeaders,
    emit(event, data) {
      for (const s of sockets) s.send(JSON.stringify({ event, data }));
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.terminate();
        wss.close(() => resolve());
      }),
  };
}

const echo: Handler = (method, params) => {
  if (method === 'hello') return { protocol: 1, daemonVersion: '0.1.0', rulesFile: null };
  if (method === 'spend.summary') return { todayUsd: 1 };
  if (method === 'rules.validate') throw Object.assign(new Error('bad rules'), { code: 'E_INVALID_RULES' });
  if (method === 'replay') return undefined; // never answers
  return { method, params };
};

const fastBackoff = { baseMs: 20, maxMs: 200, factor: 2, jitter: 0 };

function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() > deadline) return reject(new Error('timed out waiting'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function connectedClient(daemon: FakeDaemon, extra: Partial<ConstructorParameters<typeof DaemonClient>[0]> = {}) {
  const client = new DaemonClient({
    resolve: async () => ({ url: `ws://127.0.0.1:${daemon.port}/ws`, token: daemon.token }),
    backoff: fastBackoff,
    ...extra,
  });
  cleanup.push(() => client.dispose());
  client.start();
  await waitFor(() => client.connected);
  return client;
}

describe('daemon client', () => {
  it('sends the bearer token and matches replies to requests by id', async () => {
    const daemon = await fakeDaemon(async (method, params) => {
      // Answer out of order: the slow one first in, last out.
      if (method === 'route.preview') await new Promise((r) => setTimeout(r, 50));
      return echo(method, params, null as never);
    });
    cleanup.push(() => daemon.close());
    const client = await connectedClient(daemon);
    assert.deepEqual(daemon.authHeaders, ['Bearer secret']);
    const [slow, fast] = await Promise.all([
      client.request('route.preview', { request: { prompt: 'hi' } }),
      client.request('spend.summary', {}),
    ]);
    assert.deepEqual(slow, { method: 'route.preview', params: { request: { prompt: 'hi' } } });
    assert.deepEqual(fast, { todayUsd: 1 });
  });

  it('rejects with the daemon\'s error code', async () => {
    const daemon = await fakeDaemon(echo);
    cleanup.push(() => daemon.close());
    const client = await connectedClient(daemon);
    await assert.rejects(client.request('rules.validate', { text: '{' }), (err: unknown) => {
      assert.ok(err instanceof DaemonError);
      assert.equal(err.code, 'E_INVALID_RULES');
      assert.equal(err.message, 'bad rules');
      return true;
    });
  });

  it('times out a request the daemon never answers', async () => {
    const daemon = await fakeDaemon(echo);
    cleanup.push(() => daemon.close());
    const client = await connectedClient(daemon, { requestTimeoutMs: 80 });
    await assert.rejects(client.request('replay', { sinceMs: 0 }), { code: 'E_TIMEOUT' });
  });

  it('rejects at once while disconnected', async () => {
    const client = new DaemonClient({ resolve: async () => { throw new Error('no daemon'); }, backoff: fastBackoff });
    cleanup.push(() => client.dispose());
    client.start();
    assert.equal(client.connected, false);
    await assert.rejects(client.request('spend.summary', {}), { code: 'E_DISCONNECTED' });
  });

  it('delivers events to listeners until they are disposed; a throwing listener does not stop the others', async () => {
    const daemon = await fakeDaemon(echo);
    cleanup.push(() => daemon.close());
    const errors: string[] = [];
    const client = await connectedClient(daemon, { log: { debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) } });
    const seen: unknown[] = [];
    client.on('spend.updated', () => {
      throw new Error('boom');
    });
    const sub = client.on('spend.updated', (data) => seen.push(data));
    daemon.emit('spend.updated', { entry: { id: 'a' } });
    await waitFor(() => seen.length === 1);
    sub.dispose();
    daemon.emit('spend.updated', { entry: { id: 'b' } });
    daemon.emit('health.changed', []);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen, [{ entry: { id: 'a' } }]);
    assert.ok(errors.some((e) => e.includes('boom')));
  });

  it('runs the connect hook (hello, keys.set) before reporting connected', async () => {
    const calls: string[] = [];
    const daemon = await fakeDaemon((method, params) => {
      calls.push(method);
      return echo(method, params, null as never);
    });
    cleanup.push(() => daemon.close());
    const states: boolean[] = [];
    let connectedDuringHook: boolean | null = null;
    const client = new DaemonClient({
      resolve: async () => ({ url: `ws://127.0.0.1:${daemon.port}/ws`, token: daemon.token }),
      backoff: fastBackoff,
      onConnect: async (c) => {
        connectedDuringHook = c.connected;
        await c.request('hello', { client: 'test', version: '0' });
        await c.request('keys.set', { provider: 'openai', key: 'sk-1' });
      },
    });
    cleanup.push(() => client.dispose());
    client.onDidChangeConnection((c) => states.push(c));
    client.start();
    await waitFor(() => client.connected);
    assert.equal(connectedDuringHook, false);
    assert.deepEqual(calls, ['hello', 'keys.set']);
    assert.deepEqual(states, [true]);
  });

  it('fails pending requests and reconnects with backoff when the daemon goes away and comes back', async () => {
    let daemon = await fakeDaemon(echo);
    const port = daemon.port;
    const resolves: number[] = [];
    let handshakes = 0;
    const client = new DaemonClient({
      resolve: async () => {
        resolves.push(Date.now());
        return { url: `ws://127.0.0.1:${port}/ws`, token: 'secret' } satisfies Endpoint;
      },
      onConnect: async () => {
        handshakes++;
      },
      backoff: fastBackoff,
    });
    cleanup.push(() => client.dispose());
    const states: boolean[] = [];
    client.onDidChangeConnection((c) => states.push(c));
    client.start();
    await waitFor(() => client.connected);

    const pending = client.request('replay', { sinceMs: 0 });
    await daemon.close();
    await assert.rejects(pending, { code: 'E_DISCONNECTED' });
    await waitFor(() => !client.connected);

    // Down for a while: several attempts, spaced by growing delays.
    await new Promise((r) => setTimeout(r, 250));
    const attempts = resolves.length;
    assert.ok(attempts >= 3, `expected several attempts, got ${attempts}`);
    // Attempt k waits at least 20·2^k ms (capped at 200) before attempt k+1 — timers never fire early. The first
    // gap belongs to the lost connection itself (reconnect at the base delay).
    const gaps = resolves.slice(1).map((t, i) => t - resolves[i]);
    gaps.slice(1).forEach((gap, k) => assert.ok(gap >= Math.min(200, 20 * 2 ** k) - 1, `gaps should grow: ${gaps.join(', ')}`));

    daemon = await fakeDaemon(echo, port);
    cleanup.push(() => daemon.close());
    await waitFor(() => client.connected);
    assert.deepEqual(states, [true, false, true]);
    assert.equal(handshakes, 2);
    assert.deepEqual(await client.request('spend.summary', {}), { todayUsd: 1 });
  });

  it('reconnect() drops the socket and connects again at once', async () => {
    const daemon = await fakeDaemon(echo);
    cleanup.push(() => daemon.close());
    let resolves = 0;
    const client = await connectedClient(daemon, {
      resolve: async () => {
        resolves++;
        return { url: `ws://127.0.0.1:${daemon.port}/ws`, token: daemon.token };
      },
    });
    assert.equal(resolves, 1);
    client.reconnect();
    await waitFor(() => resolves === 2 && client.connected);
  });

  it('a wrong token never connects, and the retries back off', async () => {
    const daemon = await fakeDaemon(echo, 0, 'right');
    cleanup.push(() => daemon.close());
    const client = new DaemonClient({ resolve: async () => ({ url: `ws://127.0.0.1:${daemon.port}/ws`, token: 'wrong' }), backoff: fastBackoff });
    cleanup.push(() => client.dispose());
    client.start();
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(client.connected, false);
    // 20, 40, 80, 160 ms… → about 4 tries in 400 ms, not 20.
    assert.ok(daemon.authHeaders.length >= 2 && daemon.authHeaders.length <= 6, `${daemon.authHeaders.length} tries`);
  });

  it('dispose stops reconnecting and rejects pending requests', async () => {
    const daemon = await fakeDaemon(echo);
    cleanup.push(() => daemon.close());
    let resolves = 0;
    const client = await connectedClient(daemon, {
      resolve: async () => {
        resolves++;
        return { url: `ws://127.0.0.1:${daemon.port}/ws`, token: daemon.token };
      },
    });
    const pending = client.request('replay', { sinceMs: 0 });
    client.dispose();
    await assert.rejects(pending, { code: 'E_DISCONNECTED' });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(resolves, 1);
    assert.equal(client.state, 'disposed');
    assert.equal(daemon.sockets.size, 0);
  });
});

describe('backoff', () => {
  it('grows exponentially up to the cap', () => {
    const o = { baseMs: 250, maxMs: 10_000, factor: 2, jitter: 0 };
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, o)), [250, 500, 1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('jitters within ±jitter and never past the cap', () => {
    const o = { baseMs: 1000, maxMs: 1500, factor: 2, jitter: 0.2 };
    assert.equal(backoffDelay(0, o, () => 0), 800);
    assert.equal(backoffDelay(0, o, () => 1), 1200);
    assert.equal(backoffDelay(5, o, () => 1), 1500);
  });
});
