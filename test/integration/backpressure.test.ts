/**
 * Backpressure and cancelled streams, against the real daemon (dist/) and the mock upstream:
 * - four HTTP streaming clients that never read a 20 MB answer raise the daemon's RSS by a bounded buffer each,
 *   because the daemon stops reading the upstream until each client drains;
 * - a client that disconnects mid-stream leaves a `cancelled` row with the serving provider and model, the
 *   delivered tokens and their cost.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { LedgerEntry } from '../../shared/protocol';
import { startMockUpstream, type MockUpstream } from '../fixtures/mock-upstream';
import { mockRules, startDaemon, type RunningDaemon } from './helpers/daemon';
import { TestClient } from './helpers/wsClient';

/**
 * What each stalled client may cost the daemon: the response's write buffer (16 KB) and one event, the upstream
 * chunk being parsed (≤ 64 KB), and the text delivered so far — which a client that never reads caps at what the
 * kernel socket buffers accept (Linux default tcp_wmem max 4 MB + tcp_rmem 128 KB) — plus about as much again of
 * garbage from relaying those bytes until the GC runs. Measured: ~10 MB a client. Without backpressure each
 * client costs its whole answer and more (+245 MB for four measured before the fix).
 */
const PER_CLIENT_BOUND_MB = 16;
const CLIENTS = 4;
const ANSWER_MB = 20;
/**
 * A window that does not read: ws.ts's 1 MB high-water mark of unsent frames, the text delivered before the kernel
 * buffers filled (≤ ~4 MB), and the garbage of framing it (V8's young generation grows to its 16 MB semi-spaces
 * under that churn). Measured: ~22 MB, whatever the answer's size. Without backpressure: +177 MB for a 20 MB answer.
 */
const WINDOW_BOUND_MB = 32;
const WINDOW_ANSWER_MB = 64;

let mock: MockUpstream;
let daemon: RunningDaemon;

before(async () => {
  mock = await startMockUpstream({ deltas: 5 });
  // A long attempt timeout: the mock takes ~0.5 s to plan each 20 MB answer, one after another.
  daemon = await startDaemon({ rulesText: mockRules(mock, { fallback: { timeoutMs: 20_000, maxRetryAfterMs: 500, circuit: { failures: 1000, coolDownMs: 1000 } } }) });
});
after(async () => { await daemon?.stop(); await mock?.close(); });
beforeEach(() => mock.reset());

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'VmRSS in /proc/<pid>/status');
  return Number(m[1]) / 1024;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** RSS once it has settled (the tokenizer worker a first request starts loads its encoder for up to a second). */
async function settledRssMb(pid: number): Promise<number> {
  let last = rssMb(pid);
  for (let i = 0; i < 20; i++) {
    await sleep(300);
    const now = rssMb(pid);
    if (Math.abs(now - last) < 0.5) return now;
    last = now;
  }
  return last;
}

/** The first bytes a paused socket has waiting (its status line and headers). */
function firstBytes(s: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    s.once('data', (d) => { s.pause(); resolve(d.toString('latin1', 0, 4000)); });
    s.once('error', reject);
    s.resume();
  });
}

/** Sends a streaming request on a raw socket; the caller decides whether anything is ever read. */
function streamRequest(path: string, body: object, opts: { read: boolean; to?: RunningDaemon }): Socket {
  const d = opts.to ?? daemon;
  const payload = JSON.stringify(body);
  const s = connect(d.port, '127.0.0.1');
  if (!opts.read) s.pause(); // never read: the kernel buffers fill and then the daemon must wait
  s.write(`POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${d.port}\r\nauthorization: Bearer ${d.token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`);
  return s;
}

/** The ledger row matching `match`, read through the WebSocket's `spend.recent` (waits up to ~10 s for it). */
async function ledgerRow(match: (r: LedgerEntry) => boolean, d: RunningDaemon = daemon): Promise<LedgerEntry> {
  const client = await TestClient.connect(d.port, d.token);
  try {
    for (let i = 0; i < 200; i++) {
      const row = (await client.request('spend.recent', { limit: 50 })).find(match);
      if (row) return row;
      await sleep(50);
    }
    throw new Error('no such ledger row');
  } finally { client.close(); }
}

const word = `${'x'.repeat(1023)} `;

describe('backpressure', () => {
  it(`${CLIENTS} clients that never read a ${ANSWER_MB} MB stream raise RSS by at most ${PER_CLIENT_BOUND_MB} MB each`, { timeout: 120_000 }, async () => {
    // 20,480 deltas of 1 KB: one answer is 20 MB of text (~23 MB of SSE).
    mock.setReply({ text: word.repeat(ANSWER_MB * 1024), deltas: ANSWER_MB * 1024 });
    // Warm up: modules, SDK clients and the ledger are loaded before the baseline.
    const warm = await fetch(`${daemon.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mini', stream: true, max_tokens: 50, messages: [{ role: 'user', content: 'warm up' }] }) });
    await warm.text();
    const baseline = await settledRssMb(daemon.proc.pid!);

    const sockets = Array.from({ length: CLIENTS }, (_, i) => streamRequest('/v1/chat/completions', { model: 'mini', stream: true, messages: [{ role: 'user', content: `stall ${i}` }] }, { read: false }));
    try {
      for (let i = 0; i < 200 && mock.count({ api: 'openai' }) < CLIENTS + 1; i++) await sleep(50);
      assert.equal(mock.count({ api: 'openai' }), CLIENTS + 1, 'every stalled client reached the upstream');
      // Long enough for every answer to be under way and for an unbounded daemon to have read them all (< 2 s).
      let peak = 0;
      for (let i = 0; i < 20; i++) { await sleep(250); peak = Math.max(peak, rssMb(daemon.proc.pid!)); }
      const growth = peak - baseline;
      console.log(`# RSS baseline ${baseline.toFixed(1)} MB, peak while ${CLIENTS} clients stall ${peak.toFixed(1)} MB (+${growth.toFixed(1)} MB, bound ${CLIENTS * PER_CLIENT_BOUND_MB} MB)`);
      assert.ok(growth <= CLIENTS * PER_CLIENT_BOUND_MB, `RSS grew ${growth.toFixed(1)} MB with ${CLIENTS} stalled clients (bound ${CLIENTS * PER_CLIENT_BOUND_MB} MB)`);
      // The daemon still answers while they stall.
      const health = await fetch(`${daemon.url}/health`);
      assert.equal(health.status, 200);
      // Each stalled client was really being streamed to (not failed early, which would also cost nothing).
      for (const s of sockets) assert.match(await firstBytes(s), /^HTTP\/1\.1 200 [^]*text\/event-stream[^]*data: /);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it(`a window that does not read a ${WINDOW_ANSWER_MB} MB \`complete\` stream raises RSS by at most ${WINDOW_BOUND_MB} MB`, { timeout: 60_000 }, async () => {
    // A daemon of its own, so the heap the test above grew does not hide this one's growth.
    const own = await startDaemon({ rulesText: mockRules(mock, { fallback: { timeoutMs: 20_000, maxRetryAfterMs: 500, circuit: { failures: 1000, coolDownMs: 1000 } } }) });
    const window = await TestClient.connect(own.port, own.token);
    try {
      const warm = await window.request('complete', { request: { prompt: 'thanks, warm up' }, stream: false });
      await window.next('complete.done', (r) => r.requestId === warm.requestId);
      mock.reset();
      mock.setReply({ text: word.repeat(WINDOW_ANSWER_MB * 1024), deltas: WINDOW_ANSWER_MB * 1024 });
      const baseline = await settledRssMb(own.proc.pid!);
      window.sendRaw(JSON.stringify({ id: 1, method: 'complete', params: { request: { prompt: 'thanks, stream a lot' } } }));
      window.ws.pause(); // the window stops reading its socket
      for (let i = 0; i < 100 && mock.count({ api: 'openai' }) < 1; i++) await sleep(50);
      assert.equal(mock.count({ api: 'openai' }), 1);
      let peak = 0;
      for (let i = 0; i < 16; i++) { await sleep(250); peak = Math.max(peak, rssMb(own.proc.pid!)); }
      const growth = peak - baseline;
      console.log(`# RSS baseline ${baseline.toFixed(1)} MB, peak while a window stalls ${peak.toFixed(1)} MB (+${growth.toFixed(1)} MB, bound ${WINDOW_BOUND_MB} MB)`);
      assert.ok(growth <= WINDOW_BOUND_MB, `RSS grew ${growth.toFixed(1)} MB with one stalled window (bound ${WINDOW_BOUND_MB} MB)`);
      window.ws.resume();
      await window.next('complete.delta', () => true, 5_000); // it was being streamed to
    } finally {
      window.close();
      await own.stop();
    }
  });
});

describe('a client that reads nothing for the stall limit', () => {
  it('loses its stream: a cancelled row says the client stopped reading, with provider, model, tokens and cost', { timeout: 60_000 }, async () => {
    const quick = await startDaemon({ rulesText: mockRules(mock, { fallback: { timeoutMs: 20_000, maxRetryAfterMs: 500, circuit: { failures: 1000, coolDownMs: 1000 } } }), env: { SWITCHYARD_STALL_TIMEOUT_MS: '1000' } });
    const s = streamRequest('/v1/chat/completions', { model: 'mini', stream: true, messages: [{ role: 'user', content: 'stall until dropped' }] }, { read: false, to: quick });
    try {
      // 8 MB: more than the socket buffers between a client and the daemon hold.
      mock.setReply({ text: word.repeat(8 * 1024), deltas: 8 * 1024 });
      const started = Date.now();
      const row = await ledgerRow((r) => r.status !== 'ok', quick);
      assert.ok(Date.now() - started >= 900, 'ended by the stall limit, not before');
      assert.equal(row.status, 'cancelled');
      assert.equal(row.attempts.at(-1)?.reason, 'client-stalled');
      assert.match(row.error ?? '', /stopped reading/);
      assert.match(row.error ?? '', /usage estimated/, 'the upstream reported no usage before the end: the row says its tokens are estimated');
      assert.equal(row.provider, 'openai');
      assert.equal(row.model, 'gpt-4o-mini-2024-07-18');
      // What the client's socket accepted before it stalled: at least one 1 KB delta, far from the 8 MB answer.
      assert.ok(row.outputTokens !== null && row.outputTokens > 0 && row.outputTokens < 8 * 1024 * 1024 / 4, `output tokens: ${row.outputTokens}`);
      assert.ok(row.costUsd !== null && row.costUsd > 0, `cost: ${row.costUsd}`);
      assert.equal(mock.count({ api: 'openai' }), 1, 'no fallback: the client, not the upstream, stalled');
    } finally {
      s.destroy();
      await quick.stop();
    }
  });
});

describe('a client that disconnects mid-stream', () => {
  for (const [api, path, task, provider, model] of [
    ['OpenAI', '/v1/chat/completions', undefined, 'openai', 'gpt-4o-mini-2024-07-18'],
    ['Anthropic', '/v1/messages', 'claude', 'anthropic', 'claude-3-5-haiku-20241022'],
  ] as const) {
    it(`leaves a cancelled row with the provider, model, delivered tokens and cost (${api} upstream)`, { timeout: 30_000 }, async () => {
      mock.setReply({ deltas: 200, deltaDelayMs: 20 });
      const body = { model: task ? 'switchyard/auto' : 'mini', stream: true, max_tokens: 500, messages: [{ role: 'user', content: 'tell me a long story about backpressure in streams' }] };
      const payload = JSON.stringify(body);
      const s = connect(daemon.port, '127.0.0.1');
      s.write(`POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${daemon.port}\r\nauthorization: Bearer ${daemon.token}\r\n${task ? `x-switchyard-task: ${task}\r\n` : ''}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`);
      let seen = '';
      await new Promise<void>((resolve, reject) => {
        s.on('data', (d) => { seen += d; if ((seen.match(/"(content|text)":"[^"]+"/g) ?? []).length >= 5) resolve(); });
        s.on('error', reject);
        setTimeout(() => reject(new Error(`no deltas: ${seen.slice(0, 300)}`)), 10_000);
      });
      const id = /x-switchyard-request-id: (\S+)/i.exec(seen)?.[1];
      assert.ok(id, 'request id header');
      s.destroy();

      const row = await ledgerRow((r) => r.id === id);
      assert.equal(row.status, 'cancelled');
      assert.equal(row.provider, provider);
      assert.equal(row.model, model);
      assert.ok(row.inputTokens !== null && row.inputTokens > 0, `input tokens: ${row.inputTokens}`);
      // At least the deltas the client saw, and fewer than the whole answer (the upstream was stopped).
      assert.ok(row.outputTokens !== null && row.outputTokens >= 5 && row.outputTokens < 200, `output tokens: ${row.outputTokens}`);
      assert.ok(row.costUsd !== null && row.costUsd > 0, `cost: ${row.costUsd}`);
      assert.match(row.error ?? '', /cancel/i);
    });
  }
});
