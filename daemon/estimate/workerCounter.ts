/**
 * Token counting for the daemon, off its event loop: tiktoken lives in a worker thread (tokenWorker.ts), started
 * on the first count and stopped after `idleMs` without one, so that its ≈70 MB of WASM memory is handed back
 * while the daemon idles. The whole-text cache stays on the main thread, so a repeated text (the editor previews
 * a request, then sends it) costs a Map lookup or a hash and no round trip. A new small text (MAIN_THREAD_CHARS in
 * all) is counted here too, once the worker has sent its vocabulary as typed arrays (ranks.ts, ≈4 MB, dropped with
 * the worker when idle): a round trip to the worker costs more than the count (≈60–140 µs of thread wake-ups on this
 * VM before any counting, against ≈50 µs to count 1 KB of code here). The worker is asked for it as it warms up
 * (and after a count when it was not), before other work: a table built later, after counts, left the daemon's malloc
 * heap ≈14 MB larger once idle (measured). A count that arrives during the ≈0.4 s build waits behind it, once per
 * worker. Counts equal the in-process counter's (tokens.ts `countRoute`) for every request: both count the pieces
 * routeCount.ts plans with the same function.
 *
 * A worker that restarts after idling loads its encoder again (≈0.3–1 s, on its own thread): the first request
 * after a quiet spell waits for that; the event loop does not.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Encoding } from '../../shared/catalog';
import type { RouteRequest } from '../../shared/decision';
import { RankCounter } from './ranks';
import { finishCount, planRouteCount, type RouteCount } from './routeCount';
import { TextCountCache, textKey } from './textCountCache';
import { normalizeEncoding } from './tokens';
import type { TokenWorkerReply, TokenWorkerRequest } from './tokenWorker';

/** Default idle period before the worker is stopped; SWITCHYARD_TOKENIZER_IDLE_MS overrides it. */
export const DEFAULT_IDLE_MS = 30_000;
/** New text up to this many characters per count is counted on the calling thread (≈60 µs a KB of code). */
export const MAIN_THREAD_CHARS = 8 * 1024;

export interface WorkerCounterOptions {
  /** Stop the worker after this long without a request (ms). */
  idleMs?: number;
  /** The worker's script; by default tokenWorker.js beside the bundle (dist/), or tokenWorker.ts here under tsx. */
  script?: string;
  /** Main-thread whole-text cache, per encoding: most entries, most bytes of keys (as in tokens.ts). */
  maxEntries?: number;
  maxBytes?: number;
}

type Pending = { resolve: (counts: number[]) => void; reject: (e: Error) => void };
type Message = TokenWorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export class WorkerTokenCounter {
  readonly idleMs: number;
  private readonly script: string;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly caches = new Map<Encoding, TextCountCache>();
  /** Counters on this thread by normalized encoding, from the worker's vocabulary; asked once per worker. */
  private readonly here = new Map<Encoding, RankCounter>();
  private readonly ranksAsked = new Map<number, Encoding>();
  /** Date.now() of the last count, wherever it ran: the worker stops `idleMs` after it. */
  private lastActive = 0;
  /** How many workers have been started (tests, benchmarks). */
  starts = 0;
  /** How many counts ran on this thread (tests, benchmarks). */
  countedHere = 0;

  constructor(opts: WorkerCounterOptions = {}) {
    this.idleMs = opts.idleMs ?? (Number(process.env.SWITCHYARD_TOKENIZER_IDLE_MS) || DEFAULT_IDLE_MS);
    this.script = opts.script ?? defaultScript();
    this.maxEntries = opts.maxEntries ?? 4096;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
  }

  /** Whether a worker thread is alive now. */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Start the worker and load `encodings` now (the daemon's start-up), rather than on the first request. */
  warm(encodings: readonly Encoding[]): void {
    this.send({ kind: 'warm', encodings: [...encodings] }).catch(() => { /* a count will report it */ });
    for (const e of encodings) this.askRanks(normalizeEncoding(e));
  }

  /** The request's tokens in `encoding`, as tokens.ts `countRoute` counts them. */
  readonly countRoute = async (req: Pick<RouteRequest, 'prompt' | 'system' | 'messages'>, encoding: Encoding): Promise<RouteCount> => {
    const plan = planRouteCount(req);
    // A sampled request came with a body of megabytes, just parsed in this turn of the event loop: hash and post
    // its windows in the next one, so that /health waits for one of the two.
    if (plan.countedChars < plan.totalChars) await new Promise((r) => setImmediate(r));
    return finishCount(plan, await this.countTexts(plan.texts, encoding));
  };

  /** Tokens of one text, as tokens.ts `countTokens` counts it. */
  readonly countText = async (text: string, encoding: Encoding): Promise<number> => (await this.countTexts([text], encoding))[0];

  /** Tokens of each text (special-token text counted as plain text), from the cache or the worker. */
  async countTexts(texts: readonly string[], encoding: Encoding): Promise<number[]> {
    const cache = this.cache(encoding);
    const counts = new Array<number>(texts.length);
    const missing: string[] = [];
    const missingKeys: string[] = [];
    const where = new Map<string, number[]>(); // key → indexes in `texts`
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i];
      const key = textKey(t);
      const c = cache.get(key, t.length);
      if (c !== undefined) { counts[i] = c; continue; }
      const at = where.get(key);
      if (at) { at.push(i); continue; }
      where.set(key, [i]);
      missing.push(t);
      missingKeys.push(key);
    }
    if (missing.length === 0) return counts;
    let got = this.countHere(missing, encoding);
    if (!got) {
      const counted = this.send({ kind: 'count', encoding, texts: missing });
      this.askRanks(normalizeEncoding(encoding)); // after the count: the worker answers that first
      got = await counted;
    }
    for (let j = 0; j < missing.length; j++) {
      cache.set(missingKeys[j], missing[j].length, got[j]);
      for (const i of where.get(missingKeys[j])!) counts[i] = got[j];
    }
    return counts;
  }

  /** Stop the worker now (it restarts on the next count). */
  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.detach(w, new Error('the tokenizer worker was stopped'));
    await w.terminate();
  }

  /** Small new texts counted on this thread, when the worker has sent the encoding's vocabulary; else null. */
  private countHere(texts: readonly string[], encoding: Encoding): number[] | null {
    const counter = this.here.get(normalizeEncoding(encoding));
    if (!counter) return null;
    let chars = 0;
    for (const t of texts) chars += t.length;
    if (chars > MAIN_THREAD_CHARS) return null;
    this.lastActive = Date.now();
    try {
      const counts = texts.map((t) => counter.count(t));
      this.countedHere++;
      return counts;
    } catch {
      return null; // a split this counter cannot follow (never seen): the worker's handles anything
    }
  }

  /** Ask the running worker for an encoding's vocabulary, once (its reply is handled in `start`). */
  private askRanks(encoding: Encoding): void {
    const w = this.worker;
    if (!w || this.here.has(encoding) || [...this.ranksAsked.values()].includes(encoding)) return;
    const id = this.nextId++;
    this.ranksAsked.set(id, encoding);
    w.postMessage({ id, kind: 'ranks', encoding } satisfies TokenWorkerRequest);
  }

  private cache(encoding: Encoding): TextCountCache {
    let c = this.caches.get(encoding);
    if (!c) this.caches.set(encoding, (c = new TextCountCache(this.maxEntries, this.maxBytes)));
    return c;
  }

  private send(message: Message): Promise<number[]> {
    const w = this.worker ?? this.start();
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = null; }
    this.lastActive = Date.now();
    const id = this.nextId++;
    return new Promise<number[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...message, id } as TokenWorkerRequest);
    });
  }

  private start(): Worker {
    // From source (tests under tsx) the worker registers tsx's loader itself: workers do not inherit `--import`.
    const w = this.script.endsWith('.ts')
      ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(this.script)});`, { eval: true })
      : new Worker(this.script);
    w.unref(); // never what keeps a process alive
    w.on('message', (r: TokenWorkerReply) => {
      const asked = this.ranksAsked.get(r.id);
      if (asked !== undefined) {
        this.ranksAsked.delete(r.id);
        // A worker that cannot build it (an error reply) leaves every count to the worker: slower, not wrong.
        if ('ranks' in r && this.worker === w) this.here.set(asked, new RankCounter(asked, r.ranks));
        return;
      }
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if ('error' in r) p.reject(new Error(`token count failed: ${r.error}`));
      else if ('counts' in r) p.resolve(r.counts);
      if (this.pending.size === 0 && this.worker === w) this.armIdle(w);
    });
    w.on('error', (e) => this.detach(w, e));
    w.on('exit', (code) => this.detach(w, new Error(`the tokenizer worker exited (code ${code})`)));
    this.worker = w;
    this.starts++;
    return w;
  }

  private armIdle(w: Worker, ms = this.idleMs): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.worker !== w || this.pending.size > 0) return;
      // Counting on this thread is activity too: wait out the rest of the idle period.
      const quiet = Date.now() - this.lastActive;
      if (quiet < this.idleMs) return this.armIdle(w, this.idleMs - quiet);
      this.worker = null;
      // The vocabularies go back to the worker and are freed with it, now rather than at some later GC here.
      const buffers = [...this.here.values()].flatMap((c) => c.buffers());
      this.here.clear();
      this.ranksAsked.clear();
      w.postMessage({ id: this.nextId++, kind: 'release' } satisfies TokenWorkerRequest, buffers);
      void w.terminate();
    }, ms);
    this.idleTimer.unref();
  }

  /** Forget `w` (crashed, exited or stopped): its pending counts fail, and the next count starts a new worker. */
  private detach(w: Worker, e: Error): void {
    if (this.worker !== w) return;
    this.worker = null;
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = null; }
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.ranksAsked.clear(); // a new worker is asked again for what is still missing
  }
}

function defaultScript(): string {
  // Bundled (dist/daemon.js, dist/cli.js): __dirname is dist/, where the build puts tokenWorker.js.
  const bundled = join(__dirname, 'tokenWorker.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'tokenWorker.ts');
}
