/**
 * Proxy overhead, non-streaming: the same chat requests sent straight to the mock upstream ("direct") and through
 * the Switchyard daemon (`switchyard/auto`, the built-in default rules pointed at the mock) — and through Portkey's
 * gateway when it can be installed (bench/portkey.ts) — all on loopback, in one run, side by side.
 *
 * - Sequential: one keep-alive connection per target (node:http Agent, maxSockets 1); after a warm-up, rounds of
 *   one request per target in a shuffled order, so machine noise lands on every target alike. Time from the call
 *   to the last byte of the answer. Added = through − direct, per percentile.
 * - Under load: autocannon, 16 and 64 connections, each target in turn, twice (A B C C B A), for requests/s,
 *   P50 / P99 latency (every response's own time, not autocannon's whole-millisecond histogram) and errors.
 * - CPU: the proxy process's own CPU time per request (/proc/<pid>/stat) during the sequential phase — a measure
 *   of cost that the noise of a shared machine barely moves.
 * Every request carries a new ~1 KB slice of real code, so no cache (token counts, etc.) is ever hit.
 *   node --import tsx bench/proxy.ts
 */
import autocannon from 'autocannon';
import type { Agent } from 'node:http';
import { defaultRulesFor } from './rules';
import { startPortkey, type Portkey } from './portkey';
import { printTable, type Row } from './table';
import {
  chatBody, cpuMsOf, fmt, isMain, keepAliveAgent, ms, post, ratio, rng, rssOf, shuffle, startMock, startSwitchyard,
  summarize, TEST_KEYS, type Summary,
} from './util';

const WARMUP = 300;
const SEQUENTIAL = 2_000;
const LOAD_SECONDS = 4;
const CONNECTIONS = [16, 64] as const;
const BAR_ADDED_P99_MS = 0.5;
const BAR_P50_FACTOR = 1.1;
const BAR_THROUGHPUT_VS_PORTKEY = 10;
const UPSTREAM_MODEL = 'gpt-4o-2024-08-06';

type Key = 'direct' | 'switchyard' | 'portkey';
interface Target {
  key: Key;
  label: string;
  url: string;
  headers: Record<string, string>;
  model: string;
  /** The process whose CPU time is this target's cost (none for direct: the mock serves every target). */
  pid: number | null;
  agent: Agent;
  samples: number[];
  errors: number;
  firstError?: string;
  cpuMs?: number;
}
export interface LoadResult { rps: number; p50: number; p99: number; mean: number; requests: number; errors: number; detail: string }

export interface ProxyOutput {
  proxyRows: Row[];
  portkeyRows: Row[];
  /** Why Portkey is missing, when it is. */
  portkeyNote: string | null;
  sequential: Partial<Record<Key, Summary>>;
  load: Record<number, Partial<Record<Key, LoadResult>>>;
  /** Peak resident memory of the daemon seen during the load phases. */
  daemonPeakRss: number | null;
}

export async function benchProxy(opts: { portkey?: boolean; sequential?: number; loadSeconds?: number } = {}): Promise<ProxyOutput> {
  const nSeq = opts.sequential ?? SEQUENTIAL;
  const loadSeconds = opts.loadSeconds ?? LOAD_SECONDS;
  const mock = await startMock();
  const daemon = await startSwitchyard(defaultRulesFor(mock)).catch(async (e) => { await mock.stop(); throw e; });
  let portkey: Portkey | null = null;
  let portkeyNote: string | null = null;
  if (opts.portkey !== false) {
    try {
      portkey = await startPortkey(mock);
    } catch (e) {
      portkeyNote = `Portkey not measured: ${(e as Error).message.split('\n')[0]}`;
      console.error(`[bench] ${portkeyNote}`);
    }
  }
  try {
    const targets: Target[] = [
      { key: 'direct', label: 'direct to the mock upstream', url: `${mock.url}/v1/chat/completions`, headers: { authorization: `Bearer ${TEST_KEYS.OPENAI_API_KEY}` }, model: UPSTREAM_MODEL, pid: null, agent: keepAliveAgent(), samples: [], errors: 0 },
      { key: 'switchyard', label: 'through Switchyard', url: `${daemon.url}/v1/chat/completions`, headers: { authorization: `Bearer ${daemon.token}` }, model: 'switchyard/auto', pid: daemon.pid, agent: keepAliveAgent(), samples: [], errors: 0 },
    ];
    if (portkey) targets.push({ key: 'portkey', label: `through Portkey ${portkey.version}`, url: `${portkey.url}/v1/chat/completions`, headers: portkey.headers, model: UPSTREAM_MODEL, pid: portkey.pid, agent: keepAliveAgent(), samples: [], errors: 0 });

    // --- Sequential, one keep-alive connection each -------------------------------------------------------------
    const r = rng(99);
    const order = [...targets];
    const cpuStart = new Map<Target, number | null>();
    for (let round = 0; round < WARMUP + nSeq; round++) {
      if (round === WARMUP) {
        await mock.reset();
        for (const t of targets) cpuStart.set(t, t.pid ? cpuMsOf(t.pid) : null);
      }
      shuffle(order, r);
      for (const t of order) {
        const res = await post(t.url, JSON.stringify(chatBody(round, t.model)), t.headers, t.agent).catch((e: Error) => ({ status: 0, body: e.message, ms: NaN, headers: {} as Record<string, unknown> }));
        const ok = res.status === 200 && res.body.includes('"choices"') && (t.key !== 'switchyard' || res.headers['x-switchyard-model'] === UPSTREAM_MODEL);
        if (!ok) { t.errors++; t.firstError ??= `HTTP ${res.status} ${String(res.body).slice(0, 200)}`; continue; }
        if (round >= WARMUP) t.samples.push(res.ms);
      }
    }
    for (const t of targets) {
      const a = cpuStart.get(t);
      const b = t.pid ? cpuMsOf(t.pid) : null;
      if (a != null && b != null) t.cpuMs = b - a;
      t.agent.destroy();
    }
    const seq: Partial<Record<Key, Summary>> = {};
    for (const t of targets) seq[t.key] = summarize(t.samples);

    // --- Under load ---------------------------------------------------------------------------------------------
    const load: Record<number, Partial<Record<Key, LoadResult[]>>> = {};
    let peakRss: number | null = null;
    let bodyCounter = 1_000_000;
    for (const connections of CONNECTIONS) {
      load[connections] = {};
      const pass = [...targets, ...[...targets].reverse()];
      for (const t of pass) {
        await mock.reset();
        const sampler = setInterval(() => { const v = rssOf(daemon.pid); if (v !== null) peakRss = Math.max(peakRss ?? 0, v); }, 200);
        const res = await loadTest(t, connections, loadSeconds, () => JSON.stringify(chatBody(bodyCounter++, t.model)));
        clearInterval(sampler);
        (load[connections][t.key] ??= []).push(res);
      }
    }
    const loadMerged: Record<number, Partial<Record<Key, LoadResult>>> = {};
    for (const c of CONNECTIONS) {
      loadMerged[c] = {};
      for (const t of targets) loadMerged[c][t.key] = merge(load[c][t.key]!);
    }

    return { ...rowsFor(targets, seq, loadMerged, nSeq, loadSeconds, portkeyNote), portkeyNote, sequential: seq, load: loadMerged, daemonPeakRss: peakRss };
  } finally {
    await Promise.allSettled([daemon.stop(), mock.stop(), portkey?.stop()]);
  }
}

/** One autocannon run; latency percentiles from every response's own time (autocannon's histogram is whole ms). */
async function loadTest(t: Target, connections: number, seconds: number, body: () => string): Promise<LoadResult & { times: number[] }> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: t.url, method: 'POST', connections, pipelining: 1, duration: seconds,
      headers: { 'content-type': 'application/json', ...t.headers },
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

function rowsFor(targets: Target[], seq: Partial<Record<Key, Summary>>, load: Record<number, Partial<Record<Key, LoadResult>>>, nSeq: number, loadSeconds: number, portkeyNote: string | null): { proxyRows: Row[]; portkeyRows: Row[] } {
  const d = seq.direct!, s = seq.switchyard!, p = seq.portkey;
  const by = (k: Key) => targets.find((t) => t.key === k);
  const triple = (x: Summary) => `${ms(x.p50)} / ${ms(x.p99)} / ${ms(x.mean)}`;
  const errs = (k: Key) => { const t = by(k); return t && t.errors ? ` (${t.errors} errors: ${t.firstError})` : ''; };
  const cpuPerReq = (k: Key) => { const t = by(k); return t?.cpuMs !== undefined ? t.cpuMs / t.samples.length : NaN; };
  const proxyRows: Row[] = [
    { name: `sequential, 1 keep-alive connection, ${fmt(nSeq)} requests each after ${WARMUP} warm-up — direct: P50 / P99 / mean`, value: triple(d) + errs('direct') },
    { name: 'sequential — through Switchyard: P50 / P99 / mean', value: triple(s) + errs('switchyard') },
    {
      name: 'added by Switchyard at P50 (through − direct)',
      value: `${ms(s.p50 - d.p50)} (= ${fmt((s.p50 - d.p50) / d.p50, 2)} × direct P50; through ÷ direct ${ratio(s.p50, d.p50)})`,
      bar: `≤ ${BAR_P50_FACTOR} × direct P50`,
      ok: s.p50 - d.p50 <= BAR_P50_FACTOR * d.p50 && !by('switchyard')!.errors,
    },
    { name: 'added by Switchyard at P99', value: ms(s.p99 - d.p99), bar: `≤ ${BAR_ADDED_P99_MS} ms`, ok: s.p99 - d.p99 <= BAR_ADDED_P99_MS },
    { name: 'added by Switchyard, mean', value: ms(s.mean - d.mean) },
    { name: 'Switchyard daemon CPU time per request (sequential phase)', value: ms(cpuPerReq('switchyard')) },
  ];
  for (const c of CONNECTIONS) {
    const ld = load[c].direct!, ls = load[c].switchyard!;
    const line = (x: LoadResult) => `${fmt(x.rps)} req/s · P50 ${ms(x.p50)} · P99 ${ms(x.p99)} · ${fmt(x.errors)} errors`;
    proxyRows.push({ name: `${c} connections, ${2 * loadSeconds} s each (autocannon) — direct`, value: line(ld) });
    proxyRows.push({
      name: `${c} connections — through Switchyard`,
      value: `${line(ls)} (${ratio(ls.rps, ld.rps)} of direct req/s)`,
      ...(c === 16 ? {} : { bar: 'zero errors', ok: ls.errors === 0 }),
    });
  }
  const l16s = load[16].switchyard!, l16p = load[16].portkey;
  proxyRows.push(l16p
    ? {
      name: 'throughput at 16 connections: Switchyard ÷ Portkey, errors',
      value: `${ratio(l16s.rps, l16p.rps)} (${fmt(l16s.rps)} vs ${fmt(l16p.rps)} req/s), ${l16s.errors} errors`,
      bar: `≥ ${BAR_THROUGHPUT_VS_PORTKEY}×, zero errors`,
      ok: l16s.rps >= BAR_THROUGHPUT_VS_PORTKEY * l16p.rps && l16s.errors === 0,
    }
    : { name: 'throughput at 16 connections vs Portkey', value: `${fmt(l16s.rps)} req/s, ${l16s.errors} errors; ${portkeyNote ?? 'Portkey not run'}`, bar: `≥ ${BAR_THROUGHPUT_VS_PORTKEY}× Portkey, zero errors` });

  const portkeyRows: Row[] = [];
  if (p) {
    const pk = by('portkey')!;
    portkeyRows.push(
      { name: `sequential — ${pk.label}: P50 / P99 / mean`, value: triple(p) + errs('portkey') },
      { name: 'sequential P50: Switchyard ÷ Portkey', value: `${ratio(s.p50, p.p50)} (${ms(s.p50)} vs ${ms(p.p50)})` },
      { name: 'sequential P99: Switchyard ÷ Portkey', value: `${ratio(s.p99, p.p99)} (${ms(s.p99)} vs ${ms(p.p99)})` },
      { name: 'sequential mean: Switchyard ÷ Portkey', value: `${ratio(s.mean, p.mean)} (${ms(s.mean)} vs ${ms(p.mean)})` },
      { name: 'added over direct at P50: Switchyard ÷ Portkey', value: `${ratio(s.p50 - d.p50, p.p50 - d.p50)} (${ms(s.p50 - d.p50)} vs ${ms(p.p50 - d.p50)})` },
      { name: 'added over direct at P99: Switchyard ÷ Portkey', value: `${ratio(s.p99 - d.p99, p.p99 - d.p99)} (${ms(s.p99 - d.p99)} vs ${ms(p.p99 - d.p99)})` },
      { name: 'proxy CPU time per request: Switchyard ÷ Portkey', value: `${ratio(cpuPerReq('switchyard'), cpuPerReq('portkey'))} (${ms(cpuPerReq('switchyard'))} vs ${ms(cpuPerReq('portkey'))})` },
    );
    for (const c of CONNECTIONS) {
      const ls = load[c].switchyard!, lp = load[c].portkey!;
      portkeyRows.push(
        { name: `${c} connections, requests/s: Switchyard ÷ Portkey`, value: `${ratio(ls.rps, lp.rps)} (${fmt(ls.rps)} vs ${fmt(lp.rps)})` },
        { name: `${c} connections, P50 latency: Switchyard ÷ Portkey`, value: `${ratio(ls.p50, lp.p50)} (${ms(ls.p50)} vs ${ms(lp.p50)})` },
        { name: `${c} connections, P99 latency: Switchyard ÷ Portkey`, value: `${ratio(ls.p99, lp.p99)} (${ms(ls.p99)} vs ${ms(lp.p99)})` },
        { name: `${c} connections, errors: Switchyard / Portkey`, value: `${ls.errors} / ${lp.errors}${lp.errors ? ` (Portkey: ${lp.detail})` : ''}` },
      );
    }
  } else {
    portkeyRows.push({ name: 'Portkey', value: portkeyNote ?? 'not run' });
  }
  return { proxyRows, portkeyRows };
}

if (isMain('proxy')) {
  benchProxy().then(
    (r) => {
      printTable('Proxy overhead, non-streaming (loopback)', r.proxyRows);
      printTable('Switchyard vs Portkey (same mock upstream, same requests)', r.portkeyRows);
      if (r.proxyRows.some((x) => x.ok === false)) process.exitCode = 1;
    },
    (err) => { console.error(err); process.exit(1); },
  );
}
