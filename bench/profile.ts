/**
 * Where the daemon's time goes on the proxy path: the daemon runs under `node --cpu-prof` while sequential
 * non-streaming requests (the proxy bench's requests) go through it; on exit the profile is read and the
 * functions with the most self time are listed. bench/run.ts includes it in docs/BENCHMARKS.md.
 *   node --import tsx bench/profile.ts [requests]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfTimeByArea, topSelfTime, type SelfTime } from './cpuprofile';
import { defaultRulesFor } from './rules';
import { printTable, type Row } from './table';
import { chatBody, cpuMsOf, DIST, fmt, isMain, keepAliveAgent, ms, post, startMock, startSwitchyard } from './util';

export interface DaemonProfile {
  requests: number;
  cpuMsPerRequest: number;
  /** Profiled time inside the measured phase (start-up and warm-up excluded). */
  sampledMs: number;
  top: SelfTime[];
  areas: Array<{ area: string; ms: number; share: number }>;
  /** Top functions by self time. */
  rows: Row[];
  /** Self time by package / source folder. */
  areaRows: Row[];
}

export async function profileDaemon(requests = 1_500, top = 15): Promise<DaemonProfile> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-prof-'));
  const mock = await startMock();
  const spawnedAt = performance.now();
  const daemon = await startSwitchyard(defaultRulesFor(mock), { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  let cpuMs = NaN;
  let window: [number, number] = [0, Infinity];
  try {
    const agent = keepAliveAgent();
    const send = async (i: number) => {
      const r = await post(`${daemon.url}/v1/chat/completions`, JSON.stringify(chatBody(i, 'switchyard/auto')), { authorization: `Bearer ${daemon.token}` }, agent);
      if (r.status !== 200) throw new Error(`profile request failed: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    };
    for (let i = 0; i < 200; i++) await send(i);
    const c0 = cpuMsOf(daemon.pid);
    // The profile starts a little after the spawn (Node's own bootstrap): the window errs on the late side.
    const from = performance.now() - spawnedAt;
    for (let i = 0; i < requests; i++) await send(10_000 + i);
    window = [from, performance.now() - spawnedAt - 50];
    const c1 = cpuMsOf(daemon.pid);
    if (c0 !== null && c1 !== null) cpuMs = (c1 - c0) / requests;
    agent.destroy();
  } finally {
    await daemon.stop(); // SIGTERM → the daemon exits → V8 writes the profile
    await mock.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`the daemon wrote no .cpuprofile into ${dir}`);
  const { total, top: list } = topSelfTime(join(dir, file), top, undefined, window);
  const { areas } = selfTimeByArea(join(dir, file), join(DIST, 'daemon.js'), window);
  rmSync(dir, { recursive: true, force: true });
  const perReq = (x: number) => ms(x / requests);
  const rows: Row[] = [
    { name: `daemon CPU time per request (${fmt(requests)} sequential requests, after 200 warm-up; all threads)`, value: ms(cpuMs) },
    ...list.map((t) => ({ name: `${t.fn}${t.where ? ` — ${t.where}` : ''}`, value: `${fmt(t.share * 100, 1)} % · ${perReq(t.ms)} per request` })),
  ];
  const areaRows: Row[] = areas.slice(0, top).map((a) => ({ name: a.area, value: `${fmt(a.share * 100, 1)} % · ${perReq(a.ms)} per request` }));
  return { requests, cpuMsPerRequest: cpuMs, sampledMs: total, top: list, areas, rows, areaRows };
}

if (isMain('profile')) {
  profileDaemon(Number(process.argv[2]) || undefined).then(
    (p) => {
      printTable(`Daemon CPU profile by area (${fmt(p.sampledMs)} ms sampled over ${fmt(p.requests)} requests)`, p.areaRows);
      printTable('Daemon CPU profile, top functions by self time', p.rows);
    },
    (err) => { console.error(err); process.exit(1); },
  );
}
