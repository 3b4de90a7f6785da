/**
 * Shared helpers for the benchmarks: statistics and formatting, starting the built daemon and mock upstream as
 * child processes, a keep-alive HTTP client with high-resolution timing, and resident-memory reads.
 * Everything is loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DAEMON_ENV, DAEMON_NODE_ARGS } from '../shared/daemonProcess';

/** The repository (a bundled bench is told through SWITCHYARD_BENCH_ROOT, since it runs from a temp folder). */
export const ROOT = process.env.SWITCHYARD_BENCH_ROOT ?? join(__dirname, '..');
export const DIST = join(ROOT, 'dist');

/**
 * Whether the file named `name` (without extension) is the program being run. Not `require.main === module`:
 * in a bundled bench every module shares the bundle's `module`, so that would be true for all of them.
 */
export function isMain(name: string): boolean {
  const entry = process.argv[1] ?? '';
  return new RegExp(`[\\\\/]${name}\\.(ts|js|cjs|mjs)$`).test(entry);
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics and formatting

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Summary { n: number; p50: number; p90: number; p99: number; mean: number; min: number; max: number }

export function summarize(xs: readonly number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), mean, min: s[0], max: s[s.length - 1] };
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n);

/** Milliseconds, printed in µs below 1 ms. */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a < 1 ? `${fmt(x * 1000, 0)} µs` : a < 10 ? `${fmt(x, 2)} ms` : a < 1000 ? `${fmt(x, 1)} ms` : `${fmt(x / 1000, 2)} s`;
}

/** A ratio like "1.23×". */
export const ratio = (a: number, b: number, digits = 2) => `${fmt(a / b, digits)}×`;

export const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024, 1)} MB`;

export const sleep = (millis: number) => new Promise<void>((r) => setTimeout(r, millis));

/** Deterministic pseudo-random numbers (the benches must not differ run to run for reasons of their own). */
export function rng(seed = 0x2545f491): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
}

/** Fisher–Yates with the given random source. */
export function shuffle<T>(xs: T[], r: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

// ---------------------------------------------------------------------------------------------------------------
// Machine

export function machine(): { cpu: string; cores: number; memory: string; node: string; platform: string } {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memory: `${fmt(totalmem() / 1024 ** 3, 1)} GiB`,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Resident set size of a process in bytes (VmRSS), or the peak (VmHWM); null if unreadable (not Linux). */
export function rssOf(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | null {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (clock ticks of 10 ms: good
 * to a few percent over a phase of a second or more); null where unreadable.
 */
export function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15), USER_HZ = 100
  } catch {
    return null;
  }
}

export interface ThreadTime {
  tid: number;
  /** When the thread started, in ms after its process did (from the start times in clock ticks). */
  startedMs: number;
  cpuMs: number;
}

/**
 * CPU time of each thread of a process so far (/proc/<pid>/task/<tid>/stat: utime + stime, start time), so a
 * cost can be told apart by thread: the main thread (tid = pid), V8's helper threads (GC, compilers: started with
 * the process), threads started later (a worker thread, libuv's pool). Empty where unreadable (not Linux).
 */
export function threadTimes(pid: number): ThreadTime[] {
  const out: ThreadTime[] = [];
  const fields = (file: string) => { const st = readFileSync(file, 'utf8'); return st.slice(st.lastIndexOf(')') + 2).split(' '); };
  try {
    const processStart = Number(fields(`/proc/${pid}/stat`)[19]);
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const f = fields(`/proc/${pid}/task/${tid}/stat`);
        out.push({ tid: Number(tid), startedMs: (Number(f[19]) - processStart) * 10, cpuMs: (Number(f[11]) + Number(f[12])) * 10 });
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    return [];
  }
  return out;
}

/** Load average over the last minute (0 where unknown): how busy the shared machine was during a run. */
export function loadAverage(): number {
  try { return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]); } catch { return 0; }
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes

export interface Child {
  proc: ChildProcess;
  /** The first stdout line, parsed as JSON. */
  info: Record<string, unknown>;
  /** Milliseconds from spawn to that line. */
  readyMs: number;
  stderr(): string;
  stop(): Promise<void>;
}

/** Spawns `node [nodeArgs] script args` and resolves with its first stdout line parsed as JSON. */
export function spawnNode(script: string, args: string[], opts: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; timeoutMs?: number; cwd?: string } = {}): Promise<Child> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...args], {
    env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd,
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-8000); });
  const stop = () => new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const force = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', () => { clearTimeout(force); resolve(); });
    proc.kill('SIGTERM');
  });
  return new Promise<Child>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    const timer = setTimeout(() => { void stop(); reject(new Error(`${script} did not print its ready line in ${opts.timeoutMs ?? 20_000} ms: ${stderr}`)); }, opts.timeoutMs ?? 20_000);
    const onExit = (code: number | null) => { clearTimeout(timer); reject(new Error(`${script} exited (${code}) before it was ready: ${stderr}`)); };
    proc.once('exit', onExit);
    rl.on('line', (line) => {
      const trimmed = line.trim();
      if (!trimmed.startsWith('{')) return; // progress output of other programs
      clearTimeout(timer);
      proc.off('exit', onExit);
      rl.removeAllListeners('line');
      proc.stdout!.resume(); // never let a full pipe block the child
      try {
        resolve({ proc, info: JSON.parse(trimmed), readyMs: performance.now() - t0, stderr: () => stderr, stop });
      } catch (e) {
        void stop();
        reject(e);
      }
    });
  });
}

export interface Mock { url: string; port: number; openaiBaseURL: string; anthropicBaseURL: string; child: Child; reset(): Promise<void>; stop(): Promise<void> }

/** The built mock upstream (dist/mock-upstream.js). */
export async function startMock(opts: { deltas?: number; deltaDelayMs?: number } = {}): Promise<Mock> {
  const args = ['--port', '0'];
  if (opts.deltas !== undefined) args.push('--deltas', String(opts.deltas));
  if (opts.deltaDelayMs !== undefined) args.push('--delta-delay-ms', String(opts.deltaDelayMs));
  const child = await spawnNode(join(DIST, 'mock-upstream.js'), args);
  const url = String(child.info.url);
  return {
    url, port: Number(child.info.port), openaiBaseURL: `${url}/v1`, anthropicBaseURL: url, child,
    // The mock keeps every request it saw; clear it between phases so its memory and GC stay flat.
    reset: async () => { await post(`${url}/__mock/reset`, {}, {}, freshAgent()); },
    stop: () => child.stop(),
  };
}

export const TEST_KEYS = { OPENAI_API_KEY: 'sk-bench-openai-0123456789abcdef', ANTHROPIC_API_KEY: 'sk-ant-bench-0123456789abcdef' };

export interface Daemon { url: string; port: number; token: string; home: string; pid: number; child: Child; stop(): Promise<void> }

/**
 * The built daemon (dist/daemon.js) in a fresh SWITCHYARD_HOME, with the given rules, started as the extension
 * starts it (shared/daemonProcess.ts: V8 flags and environment), so memory and speed are the shipped ones.
 */
export async function startSwitchyard(rulesText: string, opts: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv; script?: string } = {}): Promise<Daemon> {
  const home = mkdtempSync(join(tmpdir(), 'sy-bench-'));
  const rulesFile = join(home, 'bench-rules.json');
  writeFileSync(rulesFile, rulesText);
  let child: Child;
  try {
    child = await spawnNode(opts.script ?? join(DIST, 'daemon.js'), ['--port', '0', '--rules', rulesFile], {
      env: { ...DAEMON_ENV, ...TEST_KEYS, SWITCHYARD_HOME: home, SWITCHYARD_QUIET: '1', ...opts.env }, nodeArgs: [...DAEMON_NODE_ARGS, ...(opts.nodeArgs ?? [])], cwd: home,
    });
  } catch (e) {
    rmSync(home, { recursive: true, force: true });
    throw e;
  }
  if (child.info.ready !== true) throw new Error(`daemon did not start: ${JSON.stringify(child.info)} ${child.stderr()}`);
  const token = (JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as { token: string }).token;
  const port = Number(child.info.port);
  return {
    url: `http://127.0.0.1:${port}`, port, token, home, pid: child.proc.pid!, child,
    stop: async () => { await child.stop(); rmSync(home, { recursive: true, force: true }); },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP client

/** One keep-alive connection: every request on this agent reuses the same socket. */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, keepAliveMsecs: 60_000 });
}
/** A connection per request (set-up calls that must not share a socket with the measured ones). */
export const freshAgent = () => new Agent({ keepAlive: false });

export interface Timed { status: number; headers: IncomingHttpHeaders; body: string; ms: number }

/** POST a JSON body; resolves with status, body and the time from the call to the last byte. */
export function post(url: string, body: unknown, headers: Record<string, string>, agent: Agent): Promise<Timed> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = httpRequest(url, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'),
        ms: Number(process.hrtime.bigint() - t0) / 1e6,
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * JIT warm-up: `n` requests over `connections` keep-alive connections, answers only checked for their status.
 * V8 keeps optimising a daemon's hot code for its first ~3,000 requests (their compile jobs run on its helper
 * threads, ≈0.5 ms of CPU per request at first), so per-request costs are measured after this.
 */
export async function warmUp(url: string, headers: Record<string, string>, body: (i: number) => string, n = JIT_WARMUP, connections = 4): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    const agent = keepAliveAgent();
    try {
      while (next < n) {
        const res = await post(url, body(next++), headers, agent);
        if (res.status !== 200) throw new Error(`warm-up request to ${url} failed: HTTP ${res.status} ${res.body.slice(0, 200)}`);
      }
    } finally {
      agent.destroy();
    }
  }));
}

/** Requests before a proxy's per-request costs are measured (see warmUp). */
export const JIT_WARMUP = 3_000;

// ---------------------------------------------------------------------------------------------------------------
// Request bodies

let corpusCache: string | null = null;
/** Real code to put into prompts (TypeScript's compiler from node_modules), else synthetic text. */
export function corpus(): string {
  if (corpusCache) return corpusCache;
  try {
    corpusCache = readFileSync(require.resolve('typescript/lib/typescript.js', { paths: [ROOT] }), 'utf8').slice(0, 4 << 20);
  } catch {
    const r = rng(7);
    const words = ['const', 'return', 'function', 'value', 'node', 'type', 'if', 'else', 'the', 'of', 'checker', 'symbol'];
    const parts: string[] = [];
    for (let n = 0; n < 4 << 20;) {
      const w = words[Math.floor(r() * words.length)];
      parts.push(w, r() < 0.1 ? ';\n' : ' ');
      n += w.length + 1;
    }
    corpusCache = parts.join('');
  }
  return corpusCache;
}

/**
 * Everyday asks: the built-in rules' classifier routes them (with the code below them) to the standard tier — a
 * few to fast — never deep, so a path through `switchyard/auto` stays on OpenAI, same format as the caller.
 */
const ASKS = [
  'Add input validation to the handler below and return a 400 naming the bad field.',
  'Refactor the function below into smaller functions; keep the behaviour identical.',
  'Write unit tests for the function below.',
  'Review the code below and suggest improvements.',
];

const SYSTEM_PROMPT = 'You are a careful senior engineer. Answer briefly, with code when code is asked for.';

/** The i-th user message of a benchmark: an ask and a new ~1 KB slice of real code. */
function userMessage(i: number, codeChars = 1000): string {
  const text = corpus();
  const at = (i * 7919 + 101) % Math.max(1, text.length - codeChars);
  return `${ASKS[i % ASKS.length]}\n\n\`\`\`ts\n${text.slice(at, at + codeChars)}\n\`\`\``;
}

/**
 * The i-th chat request body of a benchmark: a system prompt and a user message holding a new ~1 KB slice of
 * real code, so no request is a cache hit anywhere (as with real traffic). Identical for every target.
 */
export function chatBody(i: number, model: string, opts: { stream?: boolean; codeChars?: number } = {}): Record<string, unknown> {
  return {
    model,
    messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: userMessage(i, opts.codeChars) }],
    max_tokens: 256,
    ...(opts.stream ? { stream: true } : {}),
  };
}

/** The same request as `chatBody(i, …)` in the Anthropic messages format (the direct baseline of a translation). */
export function anthropicBody(i: number, model: string, opts: { stream?: boolean; codeChars?: number } = {}): Record<string, unknown> {
  return {
    model,
    system: SYSTEM_PROMPT,
    messages: [{ role: 'user', content: userMessage(i, opts.codeChars) }],
    max_tokens: 256,
    ...(opts.stream ? { stream: true } : {}),
  };
}
