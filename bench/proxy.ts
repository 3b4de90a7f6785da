/**
 * Proxy overhead, non-streaming: the same chat requests, in one run and side by side, on every path of
 * bench/paths.ts — direct to the mock (OpenAI and Anthropic), through Switchyard same-format (passthrough) and
 * cross-format (translated to Anthropic), through a bare node:http relay (the floor) and through Portkey's gateway
 * both ways (when it can be installed) — all on loopback.
 *
 * - Sequential: one keep-alive connection per path (node:http Agent, maxSockets 1); after a warm-up, rounds of
 *   one request per path in a shuffled order, so machine noise lands on every path alike. Time from the call to
 *   the last byte of the answer. Added = through − its direct path, per percentile.
 * - CPU: each proxy process's CPU time per request (/proc/<pid>/stat) during the sequential phase — a measure of
 *   cost the noise of a shared machine barely moves — and, for Switchyard, split by thread.
 * - Under load: autocannon, 16 and 64 connections, each path in turn, twice (A B C … C B A), for requests/s,
 *   P50 / P99 latency (every response's own time, not autocannon's whole-millisecond histogram) and errors.
 * Every request carries a new ~1 KB slice of real code, so no cache (token counts, etc.) is ever hit.
 *   node --import tsx bench/proxy.ts
 */
import autocannon from 'autocannon';
import type { Agent } from 'node:http';
import { startPaths, type BenchPath, type PathKey } from './paths';
import { printTable, type Row } from './table';
import {
  cpuMsOf, fmt, isMain, keepAliveAgent, ms, post, ratio, rng, rssOf, shuffle, startMock, summarize, threadTimes, warmUp,
  type Daemon, type Summary, type ThreadTime,
} from './util';

const WARMUP = 300;
const SEQUENTIAL = 2_000;
/** Requests per proxy, alone and back to back, for its own CPU cost per request. */
const ALONE = 1_000;
const LOAD_SECONDS = 4;
const CONNECTIONS = [16, 64] as const;
/** The passthrough bars of issue #12. */
const BAR_CPU_MS = 1;
const BAR_ADDED_P50_MS = 0.5;
const BAR_THROUGHPUT_VS_PORTKEY = 3;
/** Kept from the first proxy bench. */
const BAR_ADDED_P99_MS = 0.5;
const KEYS: PathKey[] = ['direct', 'directAnthropic', 'relay', 'passthrough', 'translated', 'portkey', 'portkeyTranslated'];

export interface LoadResult { rps: number; p50: number; p99: number; mean: number; requests: number; errors: number; detail: string }

/** Where a Switchyard daemon's CPU time went during the sequential phase, per request. */
export interface ThreadSplit { main: number; helpers: number; later: number }

export interface ProxyOutput {
  proxyRows: Row[];
  portkeyRows: Row[];
  /** Why a path is missing, when one is. */
  notes: string[];
  sequential: Partial<Record<PathKey, Summary>>;
  /** CPU time per request of each proxy process (sequential phase, the paths taking turns). */
  cpuMs: Partial<Record<PathKey, number>>;
  /** The same with the proxy alone, its requests back to back (its own cost, not its neighbours' cache misses). */
  aloneCpuMs: Partial<Record<PathKey, number>>;
  /** The same during the load runs at each connection count (a busy process: caches hot, work batched). */
  loadCpuMs: Record<number, Partial<Record<PathKey, number>>>;
  threads: Partial<Record<PathKey, ThreadSplit>>;
  load: Record<number, Partial<Record<PathKey, LoadResult>>>;
  /** Peak resident memory of the passthrough daemon seen during the load phases. */
  daemonPeakRss: number | null;
}

interface Measured { path: BenchPath; agent: Agent; samples: number[]; errors: number; firstError?: string }

/** V8's helper threads start with the process; a thread started after the daemon was ready is its tokenizer worker. */
function splitThreads(daemon: Daemon, before: ThreadTime[], after: ThreadTime[], requests: number): ThreadSplit {
  const at = new Map(before.map((t) => [t.tid, t.cpuMs]));
  const split = { main: 0, helpers: 0, later: 0 };
  for (const t of after) {
    const used = (t.cpuMs - (at.get(t.tid) ?? 0)) / requests;
    if (t.tid === daemon.pid) split.main += used;
    else if (t.startedMs < daemon.child.readyMs / 2) split.helpers += used;
    else split.later += used;
  }
  return split;
}

export async function benchProxy(opts: { portkey?: boolean; sequential?: number; loadSeconds?: number } = {}): Promise<ProxyOutput> {
  const nSeq = opts.sequential ?? SEQUENTIAL;
  const loadSeconds = opts.loadSeconds ?? LOAD_SECONDS;
  const mock = await startMock();
  const started = await startPaths(mock, KEYS, { portkey: opts.portkey }).catch(async (e) => { await mock.stop(); throw e; });
  for (const n of started.notes) console.error(`[bench] ${n}`);
  try {
    const measured: Measured[] = started.paths.map((path) => ({ path, agent: keepAliveAgent(), samples: [], errors: 0 }));
    // Every proxy JIT-warm first (util.ts warmUp), on bodies the measured requests never repeat.
    for (const m of measured) if (m.path.pid) await warmUp(m.path.url, m.path.headers, (i) => m.path.body(500_000 + i));

    // --- Sequential, one keep-alive connection each -------------------------------------------------------------
    const r = rng(99);
    const order = [...measured];
    const cpuStart = new Map<PathKey, number | null>();
    const threadStart = new Map<PathKey, ThreadTime[]>();
    for (let round = 0; round < WARMUP + nSeq; round++) {
      if (round === WARMUP) {
        await mock.reset();
        for (const m of measured) {
          const pid = m.path.pid;
          cpuStart.set(m.path.key, pid ? cpuMsOf(pid) : null);
          if (pid && started.daemons[m.path.key]) threadStart.set(m.path.key, threadTimes(pid));
        }
      }
      shuffle(order, r);
      for (const m of order) {
        const res = await post(m.path.url, m.path.body(round), m.path.headers, m.agent).catch((e: Error) => ({ status: 0, body: e.message, ms: NaN, headers: {} }));
        const problem = m.path.problem(res);
        if (problem) { m.errors++; m.firstError ??= problem; continue; }
        if (round >= WARMUP) m.samples.push(res.ms);
      }
    }
    const cpuMs: Partial<Record<PathKey, number>> = {};
    const threads: Partial<Record<PathKey, ThreadSplit>> = {};
    for (const m of measured) {
      const pid = m.path.pid;
      const a = cpuStart.get(m.path.key);
      const b = pid ? cpuMsOf(pid) : null;
      if (a != null && b != null) cpuMs[m.path.key] = (b - a) / nSeq;
      const t0 = threadStart.get(m.path.key);
      const daemon = started.daemons[m.path.key];
      if (daemon && t0?.length) threads[m.path.key] = splitThreads(daemon, t0, threadTimes(daemon.pid), nSeq);
      m.agent.destroy();
    }
    const sequential: Partial<Record<PathKey, Summary>> = {};
    for (const m of measured) sequential[m.path.key] = summarize(m.samples);

    // --- Each proxy alone, back to back -------------------------------------------------------------------------
    const aloneCpuMs: Partial<Record<PathKey, number>> = {};
    for (const m of measured) {
      const pid = m.path.pid;
      if (!pid) continue;
      const agent = keepAliveAgent();
      const c0 = cpuMsOf(pid);
      for (let i = 0; i < ALONE; i++) {
        const res = await post(m.path.url, m.path.body(700_000 + i), m.path.headers, agent);
        const problem = m.path.problem(res);
        if (problem) throw new Error(`${m.path.label}, alone: ${problem}`);
      }
      const c1 = cpuMsOf(pid);
      if (c0 !== null && c1 !== null) aloneCpuMs[m.path.key] = (c1 - c0) / ALONE;
      agent.destroy();
    }

    // --- Under load ---------------------------------------------------------------------------------------------
    const runs: Record<number, Partial<Record<PathKey, Array<LoadResult & { times: number[] }>>>> = {};
    const loadCpu: Record<number, Partial<Record<PathKey, { ms: number; requests: number }>>> = {};
    let peakRss: number | null = null;
    let bodyCounter = 1_000_000;
    const watched = started.daemons.passthrough;
    for (const connections of CONNECTIONS) {
      runs[connections] = {};
      loadCpu[connections] = {};
      for (const m of [...measured, ...[...measured].reverse()]) {
        await mock.reset();
        const sampler = setInterval(() => { const v = watched ? rssOf(watched.pid) : null; if (v !== null) peakRss = Math.max(peakRss ?? 0, v); }, 200);
        const c0 = m.path.pid ? cpuMsOf(m.path.pid) : null;
        const res = await loadTest(m.path, connections, loadSeconds, () => m.path.body(bodyCounter++));
        const c1 = m.path.pid ? cpuMsOf(m.path.pid) : null;
        clearInterval(sampler);
        (runs[connections][m.path.key] ??= []).push(res);
        if (c0 !== null && c1 !== null) {
          const acc = (loadCpu[connections][m.path.key] ??= { ms: 0, requests: 0 });
          acc.ms += c1 - c0;
          acc.requests += res.requests;
        }
      }
    }
    const load: Record<number, Partial<Record<PathKey, LoadResult>>> = {};
    const loadCpuMs: Record<number, Partial<Record<PathKey, number>>> = {};
    for (const c of CONNECTIONS) {
      load[c] = {};
      loadCpuMs[c] = {};
      for (const m of measured) {
        load[c][m.path.key] = merge(runs[c][m.path.key]!);
        const acc = loadCpu[c][m.path.key];
        if (acc?.requests) loadCpuMs[c][m.path.key] = acc.ms / acc.requests;
      }
    }
    const out = { sequential, cpuMs, aloneCpuMs, loadCpuMs, threads, load, notes: started.notes, daemonPeakRss: peakRss };
    return { ...out, ...rowsFor(measured, out, nSeq, loadSeconds) };
  } finally {
    await Promise.allSettled([started.stop(), mock.stop()]);
  }
}

/** One autocannon run; latency percentiles from every response's own time (autocannon's histogram is whole ms). */
async function loadTest(path: BenchPath, connections: number, seconds: number, body: () => string): Promise<LoadResult & { times: number[] }> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: path.url, method: 'POST', connections, pipelining: 1, duration: seconds,
      headers: { 'content-type': 'application/json', ...path.headers },
      requests: [{ setupRequest: (req: any) => ({ ...req, body: body() }) }],
    } as autocannon.Options, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => { if (statusCode === 200) times.push(responseTime); });
  });
  const s = summarize(times);
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    rps: result.requests.total / (result.duration || seconds), p50: s.p50, p99: s.p99, mean: s.mean, requests: result.requests.total, errors, times,
    detail: `errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}`,
  };
}

function merge(runs: Array<LoadResult & { times?: number[] }>): LoadResult {
  const times = runs.flatMap((x) => x.times ?? []);
  const s = summarize(times);
  return {
    rps: runs.reduce((a, x) => a + x.rps, 0) / runs.length, p50: s.p50, p99: s.p99, mean: s.mean,
    requests: runs.reduce((a, x) => a + x.requests, 0), errors: runs.reduce((a, x) => a + x.errors, 0),
    detail: runs.map((x) => x.detail).join('; '),
  };
}

type Results = Pick<ProxyOutput, 'sequential' | 'cpuMs' | 'aloneCpuMs' | 'loadCpuMs' | 'threads' | 'load' | 'notes'>;

function rowsFor(measured: Measured[], res: Results, nSeq: number, loadSeconds: number): { proxyRows: Row[]; portkeyRows: Row[] } {
  const { sequential: seq, cpuMs, aloneCpuMs, loadCpuMs, threads, load } = res;
  const path = (k: PathKey) => measured.find((m) => m.path.key === k);
  const has = (k: PathKey) => !!path(k);
  const quad = (x: Summary) => `${ms(x.p50)} / ${ms(x.p90)} / ${ms(x.p99)} / ${ms(x.mean)}`;
  const errs = (k: PathKey) => { const m = path(k); return m && m.errors ? ` (${m.errors} errors: ${m.firstError})` : ''; };
  const added = (k: PathKey, at: 'p50' | 'p99' | 'mean') => seq[k]![at] - seq[path(k)!.path.baseline!]![at];
  const rows: Row[] = [];
  for (const m of measured) {
    rows.push({ name: `sequential — ${m.path.label}: P50 / P90 / P99 / mean (${fmt(nSeq)} requests after ${WARMUP} warm-up)`, value: quad(seq[m.path.key]!) + errs(m.path.key) });
  }
  const passErrors = path('passthrough')!.errors;
  rows.push(
    {
      name: 'passthrough: added at P50 (through Switchyard − direct)',
      value: `${ms(added('passthrough', 'p50'))} (through ÷ direct ${ratio(seq.passthrough!.p50, seq.direct!.p50)})`,
      bar: `≤ ${ms(BAR_ADDED_P50_MS)}`, ok: added('passthrough', 'p50') <= BAR_ADDED_P50_MS && !passErrors,
    },
    { name: 'passthrough: added at P99', value: ms(added('passthrough', 'p99')), bar: `≤ ${ms(BAR_ADDED_P99_MS)}`, ok: added('passthrough', 'p99') <= BAR_ADDED_P99_MS },
    { name: 'passthrough: added, mean', value: ms(added('passthrough', 'mean')) },
    {
      name: `passthrough: Switchyard daemon CPU time per request, all threads — alone, ${fmt(ALONE)} requests back to back (JIT-warm)`,
      value: `${ms(aloneCpuMs.passthrough ?? NaN)} (taking turns with the other paths: ${ms(cpuMs.passthrough ?? NaN)})`,
      bar: `≤ ${ms(BAR_CPU_MS)}`, ok: (aloneCpuMs.passthrough ?? Infinity) <= BAR_CPU_MS,
    },
    {
      name: 'translated (OpenAI chat → Anthropic): added at P50 / P99 / mean (through Switchyard − direct to Anthropic)',
      value: `${ms(added('translated', 'p50'))} / ${ms(added('translated', 'p99'))} / ${ms(added('translated', 'mean'))}`,
    },
    { name: 'translated: Switchyard daemon CPU time per request, all threads — alone (taking turns)', value: `${ms(aloneCpuMs.translated ?? NaN)} (${ms(cpuMs.translated ?? NaN)})` },
    { name: 'translation\'s own cost: translated − passthrough, added P50 / CPU per request alone', value: `${ms(added('translated', 'p50') - added('passthrough', 'p50'))} / ${ms((aloneCpuMs.translated ?? NaN) - (aloneCpuMs.passthrough ?? NaN))}` },
  );
  for (const k of ['passthrough', 'translated'] as const) {
    const t = threads[k];
    if (t) rows.push({ name: `${k}: CPU per request by thread — main / V8 helpers (GC, compilers) / started later (the tokenizer worker)`, value: `${ms(t.main)} / ${ms(t.helpers)} / ${ms(t.later)}` });
  }
  if (has('relay')) {
    rows.push({
      name: 'the floor: a bare node:http relay (bench/relay.ts) — added at P50 / CPU per request',
      value: `${ms(added('relay', 'p50'))} / ${ms(aloneCpuMs.relay ?? NaN)} alone (passthrough ÷ relay: added P50 ${ratio(added('passthrough', 'p50'), added('relay', 'p50'))}, CPU ${ratio(aloneCpuMs.passthrough ?? NaN, aloneCpuMs.relay ?? NaN)})`,
    });
  }
  const line = (x: LoadResult) => `${fmt(x.rps)} req/s · P50 ${ms(x.p50)} · P99 ${ms(x.p99)} · ${fmt(x.errors)} errors`;
  for (const c of CONNECTIONS) {
    for (const m of measured) {
      const k = m.path.key;
      const l = load[c][k]!;
      const base = m.path.baseline ? load[c][m.path.baseline] : undefined;
      const cpu = loadCpuMs[c][k];
      const row: Row = {
        name: `${c} connections, ${2 * loadSeconds} s (autocannon) — ${m.path.label}`,
        value: `${line(l)}${base ? ` (${ratio(l.rps, base.rps)} of direct req/s)` : ''}${cpu !== undefined ? ` · proxy CPU ${ms(cpu)} per request` : ''}`,
      };
      if (c === 64 && (k === 'passthrough' || k === 'translated')) Object.assign(row, { bar: 'zero errors', ok: l.errors === 0 });
      rows.push(row);
    }
  }
  const l16 = load[16];
  rows.push(l16.portkey
    ? {
      name: 'passthrough: throughput at 16 connections, Switchyard ÷ Portkey (same format), errors',
      value: `${ratio(l16.passthrough!.rps, l16.portkey.rps)} (${fmt(l16.passthrough!.rps)} vs ${fmt(l16.portkey.rps)} req/s), ${l16.passthrough!.errors} errors`,
      bar: `≥ ${BAR_THROUGHPUT_VS_PORTKEY}×, zero errors`,
      ok: l16.passthrough!.rps >= BAR_THROUGHPUT_VS_PORTKEY * l16.portkey.rps && l16.passthrough!.errors === 0,
    }
    : { name: 'passthrough: throughput at 16 connections vs Portkey', value: `${fmt(l16.passthrough!.rps)} req/s, ${l16.passthrough!.errors} errors; ${res.notes.join('; ') || 'Portkey not run'}`, bar: `≥ ${BAR_THROUGHPUT_VS_PORTKEY}× Portkey, zero errors` });
  if (l16.portkeyTranslated) {
    rows.push({ name: 'translated: throughput at 16 connections, Switchyard ÷ Portkey (both translating to Anthropic)', value: `${ratio(l16.translated!.rps, l16.portkeyTranslated.rps)} (${fmt(l16.translated!.rps)} vs ${fmt(l16.portkeyTranslated.rps)} req/s)` });
  }

  const portkeyRows: Row[] = [];
  const pairs: Array<[PathKey, PathKey, string]> = [['passthrough', 'portkey', 'same format'], ['translated', 'portkeyTranslated', 'OpenAI chat → Anthropic']];
  for (const [s, p, what] of pairs) {
    if (!has(p)) continue;
    const S = seq[s]!, P = seq[p]!;
    portkeyRows.push(
      { name: `${what}: sequential P50 / P99, Switchyard ÷ Portkey`, value: `${ratio(S.p50, P.p50)} / ${ratio(S.p99, P.p99)} (${ms(S.p50)} vs ${ms(P.p50)}; ${ms(S.p99)} vs ${ms(P.p99)})` },
      { name: `${what}: added over direct at P50, Switchyard ÷ Portkey`, value: `${ratio(added(s, 'p50'), added(p, 'p50'))} (${ms(added(s, 'p50'))} vs ${ms(added(p, 'p50'))})` },
      { name: `${what}: proxy CPU time per request alone, Switchyard ÷ Portkey`, value: `${ratio(aloneCpuMs[s] ?? NaN, aloneCpuMs[p] ?? NaN)} (${ms(aloneCpuMs[s] ?? NaN)} vs ${ms(aloneCpuMs[p] ?? NaN)})` },
    );
    for (const c of CONNECTIONS) {
      const ls = load[c][s]!, lp = load[c][p]!;
      portkeyRows.push(
        { name: `${what}: ${c} connections, requests/s / P50 / P99, Switchyard ÷ Portkey`, value: `${ratio(ls.rps, lp.rps)} / ${ratio(ls.p50, lp.p50)} / ${ratio(ls.p99, lp.p99)} (${fmt(ls.rps)} vs ${fmt(lp.rps)} req/s)` },
        { name: `${what}: ${c} connections, errors Switchyard / Portkey`, value: `${ls.errors} / ${lp.errors}${lp.errors ? ` (Portkey: ${lp.detail})` : ''}` },
      );
    }
  }
  for (const n of res.notes) portkeyRows.push({ name: 'not measured', value: n });
  if (!portkeyRows.length) portkeyRows.push({ name: 'Portkey', value: 'not run' });
  return { proxyRows: rows, portkeyRows };
}

if (isMain('proxy')) {
  benchProxy({ portkey: process.env.SWITCHYARD_BENCH_NO_PORTKEY !== '1' }).then(
    (r) => {
      printTable('Proxy overhead, non-streaming (loopback)', r.proxyRows);
      printTable('Switchyard vs Portkey (same mock upstream, same requests)', r.portkeyRows);
      if (r.proxyRows.some((x) => x.ok === false)) process.exitCode = 1;
    },
    (err) => { console.error(err); process.exit(1); },
  );
}
