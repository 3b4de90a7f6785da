/**
 * A daemon under fuzz: the built dist/ daemon against the fault-injecting mock upstream, restarted when a
 * case kills it (so shrinking replays each smaller case against a live daemon and the counterexample is the
 * smallest input that really kills it), plus a raw HTTP client and a raw WebSocket client that send exactly
 * the bytes a case holds.
 */
import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import { after, before } from 'node:test';
import { startMockUpstream, type Fault, type MockUpstream } from '../../fixtures/mock-upstream';
import { AGENT_MODELS } from './surface';
import { toJsonText } from './arbitraries';
import { mockRules, startDaemon, type RunningDaemon } from '../../integration/helpers/daemon';

/** FUZZ_DIST points the suite at another build's dist/ (e.g. an older commit, to see what the suite finds there). */
const ENTRY = process.env.FUZZ_DIST ? join(process.env.FUZZ_DIST, 'daemon.js') : undefined;

/**
 * The fuzz daemon's rules: the integration rules plus a tier outside Latin-1 that a rule and the `model` field reach,
 * and what agent traffic needs to get past routing: a reasoning model per provider, an embedding model, and an
 * OpenAI-compatible server (the third provider type the formats build for, and legacy completions' home).
 */
export function fuzzRules(mock: MockUpstream): string {
  const base = JSON.parse(mockRules(mock)) as Record<string, any>;
  return JSON.stringify({
    ...base,
    providers: { ...base.providers, local: { type: 'openai-compatible', baseURL: mock.openaiBaseURL } },
    models: { ...base.models, ...AGENT_MODELS },
    tiers: { ...base.tiers, 快速: ['mini', 'haiku'], reasoning: ['o3', 'sonnet4'], embeddings: ['embed'], local: ['local', 'mini'] },
    rules: [...base.rules, { name: 'unicode — 快速', if: { task: 'unicode' }, then: '快速' }],
    // Short cool-down: faults open circuits, and later cases should mostly reach the upstream again.
    fallback: { timeoutMs: 3000, maxRetryAfterMs: 50, circuit: { failures: 3, coolDownMs: 200 } },
  }, null, 2);
}

/** The enclosing suite's daemon under fuzz and its mock upstream, started before its tests and stopped after. */
export function useFuzzDaemon(): { readonly mock: MockUpstream; readonly daemon: FuzzDaemon } {
  const fuzz = {} as { mock: MockUpstream; daemon: FuzzDaemon };
  before(async () => {
    fuzz.mock = await startMockUpstream({ deltas: 5 });
    fuzz.daemon = await FuzzDaemon.start(fuzzRules(fuzz.mock));
  });
  after(async () => { await fuzz.daemon?.stop(); await fuzz.mock?.close(); });
  return fuzz;
}

export interface HttpReply { status: number; headers: IncomingHttpHeaders; body: string; ms: number }

/** Whether a body (JSON text) asked for a stream: only then may the reply be SSE. */
export const streamAsked = (body: string): boolean => { try { return (JSON.parse(body) as { stream?: unknown })?.stream === true; } catch { return false; } };

/** A case's upstream fault, if any, used once; the last case's faults, recordings and replies are forgotten first. */
export function injectFault(mock: MockUpstream, fault: Fault | undefined): void {
  mock.reset();
  if (fault) mock.fail({ fault, times: 1 });
}

/**
 * The ledger count the daemon reports, re-read after a restart (a new daemon has a new home) and after a case that
 * failed before its count was checked (its row is not a later case's): so a shrunk case is judged on its own rows.
 */
export class LedgerTracker {
  private rows = -1;
  private crashes = -1;
  private unchecked = false;
  constructor(private readonly fuzz: { readonly daemon: FuzzDaemon }) {}
  async sync(): Promise<void> {
    const d = this.fuzz.daemon;
    if (this.crashes !== d.crashes || this.rows < 0 || this.unchecked) { this.rows = await d.ledgerRows(); this.crashes = d.crashes; }
    this.unchecked = true;
  }
  async expectGrowth(by: number, what: string): Promise<void> {
    const now = await this.fuzz.daemon.ledgerRows();
    if (now - this.rows !== by) {
      // Which rows they are says which request wrote them (an earlier case's row written late, say).
      const recent = await this.fuzz.daemon.ws.call('spend.recent', { limit: Math.min(5, Math.max(1, now - this.rows + 1)) });
      const rows = (recent.result as any[] | undefined)?.map((row) => ({ id: row.id, model: row.model, status: row.status, error: String(row.error ?? '').slice(0, 120) }));
      assert.fail(`the ledger grew by ${now - this.rows} rows after ${what}, expected ${by}; the newest rows: ${JSON.stringify(rows)}`);
    }
    this.rows = now;
    this.unchecked = false;
  }
  /** One row for a reply with an x-switchyard-request-id, and it is the newest row (returned); none for any other reply. */
  async expectRowFor(r: HttpReply, what: string): Promise<Record<string, any> | undefined> {
    const id = r.headers['x-switchyard-request-id'];
    await this.expectGrowth(id ? 1 : 0, `${what} → ${r.status} ${id ? `with request id ${String(id)}` : 'without a request id'}`);
    if (!id) return undefined;
    const recent = await this.fuzz.daemon.ws.call('spend.recent', { limit: 1 });
    assert.equal(recent.result?.[0]?.id, id, `the newest ledger row is ${JSON.stringify(recent.result?.[0]?.id)}, not the request ${String(id)}`);
    return recent.result[0];
  }
}

export class DaemonCrashed extends Error {}

export class FuzzDaemon {
  daemon!: RunningDaemon;
  private stderr = '';
  private agent = new Agent({ keepAlive: true, maxSockets: 4 });
  ws!: FuzzSocket;
  crashes = 0;

  private constructor(private readonly rulesText: string) {}

  static async start(rulesText: string): Promise<FuzzDaemon> {
    const d = new FuzzDaemon(rulesText);
    await d.boot();
    return d;
  }

  private async boot(): Promise<void> {
    this.daemon = await startDaemon({ rulesText: this.rulesText, entry: ENTRY });
    this.deathReported = false;
    // A death no case's check saw (the daemon answered /health, then died of something the case left running).
    this.daemon.proc.once('exit', (code, signal) => {
      if (this.deathReported || this.stopping) return;
      setTimeout(() => {
        if (this.deathReported) return;
        this.lateDeaths.push(`the daemon died during or after ${this.lastCase} (code ${code}, signal ${signal}); its stderr ends:\n${this.stderr.slice(-1500)}`);
        console.error(`fuzz: ${this.lateDeaths.at(-1)}`);
      }, 50);
    });
    this.stderr = '';
    this.daemon.proc.stderr!.on('data', (c) => { this.stderr = (this.stderr + c).slice(-4000); });
    this.agent.destroy();
    this.agent = new Agent({ keepAlive: true, maxSockets: 4 });
    this.ws = await FuzzSocket.connect(this.daemon.port, this.daemon.token);
  }

  get exited(): boolean { return this.daemon.proc.exitCode !== null || this.daemon.proc.signalCode !== null; }

  /** Deaths no case's check saw: what the last case was, and the daemon's stderr. A property fails on them. */
  readonly lateDeaths: string[] = [];
  private lastCase = '';
  private deathReported = false;
  private stopping = false;

  /** Before each case: a daemon a previous case killed is started afresh (same rules, new home). */
  async ensureUp(): Promise<void> {
    if (!this.exited && this.ws.open) return;
    if (!this.exited) { await this.reconnect(); return; }
    this.crashes++;
    await this.boot();
  }

  /**
   * Runs one step of a case: when it fails because the daemon died (a reset connection, a reply that never
   * came), the failure says so, with the daemon's stderr, instead of "socket hang up".
   */
  async step<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.lastCase = what;
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof DaemonCrashed)) await this.assertUp(what);
      throw e;
    }
  }

  /** A new connection: a case's `hello` (or anything else a window sets) does not carry over to the next case. */
  async reconnect(): Promise<void> {
    this.ws.close();
    this.ws = await FuzzSocket.connect(this.daemon.port, this.daemon.token);
  }

  /** After each case: the process is alive and /health answers 200 (within 2 s) — else the case is the crash. */
  async assertUp(what: string): Promise<void> {
    this.lastCase = what;
    if (!this.exited) {
      try {
        const h = await this.http({ method: 'GET', path: '/health', timeoutMs: 2000 });
        if (h.status === 200 && JSON.parse(h.body).ok === true) return;
        throw new Error(`/health answered ${h.status} ${h.body.slice(0, 200)}`);
      } catch (e) {
        // A dying process refuses connections a moment before its exit is seen: wait for it to tell.
        await new Promise<void>((r) => { const t = setTimeout(r, 1000); this.daemon.proc.once('exit', () => { clearTimeout(t); r(); }); });
        if (!this.exited) throw new Error(`daemon stopped answering /health after ${what}: ${(e as Error).message}`);
      }
    }
    this.deathReported = true;
    await new Promise((r) => setTimeout(r, 20));
    throw new DaemonCrashed(`daemon exited (code ${this.daemon.proc.exitCode}, signal ${this.daemon.proc.signalCode}) after ${what}; its stderr ends:\n${this.stderr.slice(-1500)}`);
  }

  http(opts: { method: string; path: string; body?: string | Buffer; headers?: Record<string, string>; auth?: boolean; timeoutMs?: number }): Promise<HttpReply> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...(opts.auth === false ? {} : { authorization: `Bearer ${this.daemon.token}` }), ...opts.headers };
      if (opts.body !== undefined) { headers['content-type'] ??= 'application/json'; headers['content-length'] = Buffer.byteLength(opts.body); }
      const req = httpRequest({ host: '127.0.0.1', port: this.daemon.port, method: opts.method, path: opts.path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }));
        res.on('error', reject);
      });
      req.setTimeout(opts.timeoutMs ?? 15_000, () => req.destroy(new Error(`no complete answer within ${opts.timeoutMs ?? 15_000} ms (stall)`)));
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  /** Ledger rows counted by the daemon itself (GET /v1/switchyard/spend over every row). */
  async ledgerRows(): Promise<number> {
    const r = await this.http({ method: 'GET', path: '/v1/switchyard/spend?since=5200w' });
    if (r.status !== 200) throw new Error(`spend answered ${r.status}: ${r.body.slice(0, 300)}`);
    return (JSON.parse(r.body) as { requests: number }).requests;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.ws?.close();
    this.agent.destroy();
    await this.daemon?.stop();
  }
}

export interface Frame { id?: unknown; result?: any; error?: any; event?: string; data?: any }

/** A WebSocket client that sends any text or bytes and hands back replies (frames without `event`) in order. */
export class FuzzSocket {
  readonly events: Frame[] = [];
  private replies: Frame[] = [];
  private waiting: ((f: Frame | Error) => void) | undefined;
  private eventWaiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  readonly problems: string[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('error', () => { /* a reset connection: 'close' follows, and the case's checks tell why */ });
    ws.on('message', (raw) => {
      let frame: Frame;
      try { frame = JSON.parse(raw.toString()); } catch { this.problems.push(`a frame that is not JSON: ${raw.toString().slice(0, 200)}`); return; }
      if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) { this.problems.push(`a frame that is not an object: ${raw.toString().slice(0, 200)}`); return; }
      if ('event' in frame) {
        this.events.push(frame);
        if (this.events.length > 2000) this.events.splice(0, 1000);
        this.eventWaiters = this.eventWaiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
        return;
      }
      if (this.waiting) { const w = this.waiting; this.waiting = undefined; w(frame); } else this.replies.push(frame);
    });
    ws.on('close', () => { const w = this.waiting; this.waiting = undefined; w?.(new Error('the daemon closed the connection before replying')); });
  }

  static connect(port: number, token: string): Promise<FuzzSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}` }, maxPayload: 64 * 1024 * 1024 });
      ws.once('open', () => resolve(new FuzzSocket(ws)));
      ws.once('error', reject);
    });
  }

  get open() { return this.ws.readyState === WebSocket.OPEN; }

  /** Sends one frame and waits for the next reply; rejects when none comes within `timeoutMs`. */
  send(data: string | Buffer, timeoutMs = 10_000): Promise<Frame> {
    if (this.replies.length) throw new Error(`an unexpected extra reply arrived earlier: ${JSON.stringify(this.replies.shift()).slice(0, 300)}`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiting = undefined; reject(new Error(`no reply within ${timeoutMs} ms${this.open ? '' : ' (the connection closed)'}`)); }, timeoutMs);
      this.waiting = (f) => { clearTimeout(timer); if (f instanceof Error) reject(f); else resolve(f); };
      this.ws.send(data, (err) => { if (err) { clearTimeout(timer); this.waiting = undefined; reject(err); } });
    });
  }

  async call(method: string, params: unknown, id: number | string = Math.floor(Math.random() * 1e9)): Promise<Frame> {
    const reply = await this.send(toJsonText({ id, method, params }));
    if (reply.id !== id) throw new Error(`reply id ${JSON.stringify(reply.id)} for request id ${JSON.stringify(id)}`);
    return reply;
  }

  nextEvent(match: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms`)), timeoutMs);
      this.eventWaiters.push({ match, resolve: (f) => { clearTimeout(timer); resolve(f); } });
    });
  }

  close() { this.ws.close(); }
}
