/**
 * Where the daemon's time goes on the passthrough path: the daemon runs under `node --cpu-prof`, is JIT-warmed
 * (util.ts warmUp), then sequential requests (the proxy bench's: an OpenAI chat body, `switchyard/auto`, routed to
 * gpt-4o at the mock, same format) go through it. The main thread's profile is read three ways: self time by
 * area (package or source folder of the bundle), time by calling area (Node's work charged to the code that asked
 * for it: a socket write to the server or the upstream client, the worker's postMessage to the tokenizer, an fsync
 * to the ledger) and the top functions; /proc gives the CPU time per request of each thread. bench/run.ts puts it
 * in docs/BENCHMARKS.md.
 *   node --import tsx bench/profile.ts [requests] [model]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfTimeByArea, timeByCaller, topSelfTime, type SelfTime } from './cpuprofile';
import { defaultRulesFor } from './rules';
import { printTable, type Row } from './table';
import { chatBody, cpuMsOf, DIST, fmt, isMain, JIT_WARMUP, keepAliveAgent, ms, post, startMock, startSwitchyard, threadTimes, warmUp } from './util';

export interface DaemonProfile {
  requests: number;
  cpuMsPerRequest: number;
  /** Profiled time inside the measured phase (start-up and warm-up excluded). */
  sampledMs: number;
  top: SelfTime[];
  /** Top functions by self time, and CPU per request by thread. */
  rows: Row[];
  /** Self time by package / source folder. */
  areaRows: Row[];
  /** Time by the package / source folder on whose behalf it was spent. */
  callerRows: Row[];
}

/** `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`: the main thread is thread 0. */
const MAIN_THREAD_PROFILE = /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/;

export async function profileDaemon(requests = 1_500, top = 15, model = 'switchyard/auto'): Promise<DaemonProfile> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-prof-'));
  const mock = await startMock();
  const spawnedAt = performance.now();
  const daemon = await startSwitchyard(defaultRulesFor(mock), { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  const url = `${daemon.url}/v1/chat/completions`;
  const headers = { authorization: `Bearer ${daemon.token}` };
  let cpuMs = NaN;
  let window: [number, number] = [0, Infinity];
  const byThread: Row[] = [];
  try {
    await warmUp(url, headers, (i) => JSON.stringify(chatBody(500_000 + i, model)));
    const agent = keepAliveAgent();
    const send = async (i: number) => {
      const r = await post(url, JSON.stringify(chatBody(i, model)), headers, agent);
      if (r.status !== 200) throw new Error(`profile request failed: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    };
    for (let i = 0; i < 200; i++) await send(i);
    const c0 = cpuMsOf(daemon.pid);
    const t0 = threadTimes(daemon.pid);
    // The profile starts a little after the spawn (Node's own bootstrap): the window errs on the late side.
    const from = performance.now() - spawnedAt;
    for (let i = 0; i < requests; i++) await send(10_000 + i);
    window = [from, performance.now() - spawnedAt - 50];
    const c1 = cpuMsOf(daemon.pid);
    if (c0 !== null && c1 !== null) cpuMs = (c1 - c0) / requests;
    const before = new Map(t0.map((t) => [t.tid, t.cpuMs]));
    const split = { main: 0, helpers: 0, later: 0 };
    // V8's helper threads start with the process; a thread started after the ready line is the tokenizer worker.
    for (const t of threadTimes(daemon.pid)) {
      const used = (t.cpuMs - (before.get(t.tid) ?? 0)) / requests;
      if (t.tid === daemon.pid) split.main += used;
      else if (t.startedMs < daemon.child.readyMs / 2) split.helpers += used;
      else split.later += used;
    }
    byThread.push(
      { name: `daemon CPU time per request (${fmt(requests)} sequential requests after ${fmt(JIT_WARMUP)} to warm the JIT; all threads)`, value: ms(cpuMs) },
      { name: '— main thread / V8 helper threads (GC, compilers) / threads started later (the tokenizer worker)', value: `${ms(split.main)} / ${ms(split.helpers)} / ${ms(split.later)}` },
    );
    agent.destroy();
  } finally {
    await daemon.stop(); // SIGTERM → the daemon exits → V8 writes the profile (one per thread: the worker's too)
    await mock.stop();
  }
  const file = readdirSync(dir).find((f) => MAIN_THREAD_PROFILE.test(f));
  if (!file) throw new Error(`the daemon wrote no main-thread .cpuprofile into ${dir}: ${readdirSync(dir).join(', ')}`);
  const bundle = join(DIST, 'daemon.js');
  const { total, top: list } = topSelfTime(join(dir, file), top, undefined, window);
  const { areas } = selfTimeByArea(join(dir, file), bundle, window);
  const { areas: callers } = timeByCaller(join(dir, file), bundle, window);
  rmSync(dir, { recursive: true, force: true });
  const perReq = (x: number) => ms(x / requests);
  const share = (a: { ms: number; share: number }) => `${fmt(a.share * 100, 1)} % · ${perReq(a.ms)} per request`;
  const rows: Row[] = [...byThread, ...list.map((t) => ({ name: `${t.fn}${t.where ? ` — ${t.where}` : ''}`, value: share(t) }))];
  const areaRows: Row[] = areas.slice(0, top).map((a) => ({ name: a.area, value: share(a) }));
  const callerRows: Row[] = callers.slice(0, top).map((a) => ({ name: a.area, value: share(a) }));
  return { requests, cpuMsPerRequest: cpuMs, sampledMs: total, top: list, rows, areaRows, callerRows };
}

if (isMain('profile')) {
  profileDaemon(Number(process.argv[2]) || undefined, 15, process.argv[3]).then(
    (p) => {
      printTable(`Daemon CPU profile, time by calling area (${fmt(p.sampledMs)} ms sampled over ${fmt(p.requests)} requests)`, p.callerRows);
      printTable('Daemon CPU profile, self time by area', p.areaRows);
      printTable('Daemon CPU profile, by thread and top functions by self time', p.rows);
    },
    (err) => { console.error(err); process.exit(1); },
  );
}
