/**
 * Daemon internals: start-up (spawn → the `{"ready":true}` line, and spawn → the first routed answer), resident
 * memory (VmRSS from /proc/<pid>/status) right after start, busy (tokenizer worker running), idle (IDLE_WAIT_MS
 * after the last request: longer than the worker's idle timeout, so the worker has stopped), during and after
 * load (autocannon, 16 connections), /health while a 30 MB body is explained, and ledger writes per second
 * (bench/ledger.ts). The daemon is started as the extension starts it (bench/util.ts startSwitchyard).
 *   node --import tsx bench/daemon.ts
 */
import autocannon from 'autocannon';
import { request as httpRequest } from 'node:http';
import { DEFAULT_IDLE_MS } from '../daemon/estimate/workerCounter';
import { benchLedger } from './ledger';
import { defaultRulesFor } from './rules';
import { printTable, type Row } from './table';
import {
  chatBody, fmt, isMain, keepAliveAgent, mb, ms, post, rssOf, sleep, startMock, startSwitchyard, summarize,
} from './util';

const STARTS = 10;
const BAR_READY_MS = 300;
const BAR_IDLE_MB = 80;
const LOAD_SECONDS = 4;
const LOAD_CONNECTIONS = 16;
/** "Idle": this long after the last request — the tokenizer worker's idle timeout (30 s) plus 5 s. */
const IDLE_WAIT_MS = DEFAULT_IDLE_MS + 5_000;
const BAR_HEALTH_P99_MS = 100;
const EXPLAIN_BYTES = 30_000_000;

/** `script`: another daemon build to measure (two builds compared run by run), dist/daemon.js by default. */
export async function benchDaemon(opts: { starts?: number; ledger?: boolean; script?: string } = {}): Promise<Row[]> {
  const starts = opts.starts ?? STARTS;
  const mock = await startMock();
  const rules = defaultRulesFor(mock);
  const rows: Row[] = [];
  try {
    // --- Start-up ----------------------------------------------------------------------------------------------
    const ready: number[] = [];
    const firstAnswer: number[] = [];
    const rssAtReady: number[] = [];
    for (let i = 0; i < starts; i++) {
      const t0 = performance.now();
      const d = await startSwitchyard(rules, { script: opts.script });
      ready.push(d.child.readyMs);
      rssAtReady.push(rssOf(d.pid) ?? NaN);
      const agent = keepAliveAgent();
      const r = await post(`${d.url}/v1/chat/completions`, JSON.stringify(chatBody(i, 'switchyard/auto')), { authorization: `Bearer ${d.token}` }, agent);
      if (r.status !== 200) throw new Error(`first request after start failed: HTTP ${r.status} ${r.body.slice(0, 200)}`);
      firstAnswer.push(performance.now() - t0);
      agent.destroy();
      await d.stop();
    }
    const rs = summarize(ready);
    const fa = summarize(firstAnswer);
    rows.push({
      name: `start-up: spawn → ready line (P50 / max of ${starts} starts, fresh home each)`,
      value: `${ms(rs.p50)} / ${ms(rs.max)}`,
      bar: `P50 ≤ ${BAR_READY_MS} ms`,
      ok: rs.p50 <= BAR_READY_MS,
    });
    rows.push({ name: 'start-up: spawn → first routed answer (the tokenizer worker starts just after ready), P50 / max', value: `${ms(fa.p50)} / ${ms(fa.max)}` });

    // --- Memory ------------------------------------------------------------------------------------------------
    const d = await startSwitchyard(rules, { script: opts.script });
    try {
      const atReady = rssOf(d.pid);
      const agent = keepAliveAgent();
      for (let i = 0; i < 20; i++) await post(`${d.url}/v1/chat/completions`, JSON.stringify(chatBody(i, 'switchyard/auto')), { authorization: `Bearer ${d.token}` }, agent);
      agent.destroy();
      await sleep(2_000);
      const busy = rssOf(d.pid);
      await sleep(IDLE_WAIT_MS - 2_000);
      const idle = rssOf(d.pid);
      rows.push({ name: 'resident memory right after ready (P50 of the starts above)', value: mb(summarize(rssAtReady).p50) });
      rows.push({ name: 'resident memory busy: 2 s after 20 requests (tokenizer worker running, ledger open)', value: mb(busy ?? NaN) });
      rows.push({
        name: `resident memory idle: ${IDLE_WAIT_MS / 1000} s after the last of 20 requests (the tokenizer worker stops after ${DEFAULT_IDLE_MS / 1000} s idle; ledger open)`,
        value: idle === null ? 'unreadable (no /proc)' : `${mb(idle)} (at ready ${mb(atReady ?? NaN)})`,
        bar: `≤ ${BAR_IDLE_MB} MB`,
        ok: idle !== null && idle <= BAR_IDLE_MB * 1024 * 1024,
      });
      const t1 = performance.now();
      const again = await post(`${d.url}/v1/chat/completions`, JSON.stringify(chatBody(50_000, 'switchyard/auto')), { authorization: `Bearer ${d.token}` }, keepAliveAgent());
      rows.push({ name: 'first request after idle (new prompt: the tokenizer worker restarts and loads its encoder)', value: again.status === 200 ? ms(performance.now() - t1) : `HTTP ${again.status}` });

      let peak = 0;
      const sampler = setInterval(() => { peak = Math.max(peak, rssOf(d.pid) ?? 0); }, 100);
      let n = 0;
      const result = await new Promise<autocannon.Result>((resolve, reject) => {
        autocannon({
          url: `${d.url}/v1/chat/completions`, method: 'POST', connections: LOAD_CONNECTIONS, duration: LOAD_SECONDS,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${d.token}` },
          requests: [{ setupRequest: (req: any) => ({ ...req, body: JSON.stringify(chatBody(100_000 + n++, 'switchyard/auto')) }) }],
        } as autocannon.Options, (err, res) => (err ? reject(err) : resolve(res)));
      });
      clearInterval(sampler);
      await sleep(2_000);
      const after = rssOf(d.pid);
      const hwm = rssOf(d.pid, 'VmHWM');
      rows.push({
        name: `resident memory under load: peak during ${LOAD_SECONDS} s at ${LOAD_CONNECTIONS} connections (${fmt(result.requests.total)} requests, ${result.errors + result.timeouts + result.non2xx} errors)`,
        value: `${mb(peak)} (VmHWM ${mb(hwm ?? NaN)})`,
      });
      rows.push({ name: 'resident memory 2 s after the load', value: mb(after ?? NaN) });

      const h = await healthDuringExplain(d.url, d.port, d.token);
      rows.push({
        name: `/health during one ${fmt(EXPLAIN_BYTES / 1e6)} MB POST /v1/route/explain (pings every 10 ms from another process; ${h.pings} pings, max ${ms(h.max)}, explain ${ms(h.explainMs)})`,
        value: `P99 ${ms(h.p99)}`,
        bar: `P99 ≤ ${BAR_HEALTH_P99_MS} ms`,
        ok: h.p99 <= BAR_HEALTH_P99_MS,
      });
    } finally {
      await d.stop();
    }
  } finally {
    await mock.stop();
  }

  // --- Ledger ----------------------------------------------------------------------------------------------------
  if (opts.ledger !== false) {
    const ledger = await benchLedger();
    const pick = (prefix: string) => ledger.find((r) => r.name.startsWith(prefix));
    const ins = pick('inserts/s');
    const lat = pick('insert latency');
    if (ins) rows.push({ name: `ledger writes/s (${ins.name.replace(/^inserts\/s /, '')}, bench/ledger.ts)`, value: ins.value, bar: ins.ok === undefined ? undefined : '≥ 2,000/s', ok: ins.ok });
    if (lat) rows.push({ name: `ledger ${lat.name}`, value: lat.value });
  }
  return rows;
}

/** Pings /health from a child process (so that building and sending 30 MB here cannot delay them) during one explain. */
export async function healthDuringExplain(url: string, port: number, token: string): Promise<{ p99: number; max: number; pings: number; explainMs: number }> {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < EXPLAIN_BYTES; i++) { const l = `line ${i.toString(36)}: const v${i} = compute(${(i * 7919) % 100003}, "${(i * 104729).toString(36)}");\n`; lines.push(l); size += l.length; }
  const body = Buffer.from(JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: lines.join('') }] }));
  const script = `const http = require('node:http'); const agent = new http.Agent({ keepAlive: true, maxSockets: 1 }); const lat = []; let stop = false;
process.stdin.on('data', () => { stop = true; });
const ping = () => new Promise((r) => { const t0 = performance.now(); http.get({ host: '127.0.0.1', port: ${port}, path: '/health', agent }, (res) => { res.resume(); res.on('end', () => r(performance.now() - t0)); }).on('error', () => r(Infinity)); });
(async () => { console.log('started'); while (!stop) { lat.push(await ping()); await new Promise((r) => setTimeout(r, 10)); } console.log(JSON.stringify(lat)); agent.destroy(); })();`;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const done = new Promise<number[]>((resolve, reject) => child.once('exit', (c) => (c === 0 ? resolve(JSON.parse(out.split('\n')[1]) as number[]) : reject(new Error(`pinger exited ${c}`)))));
  await new Promise<void>((resolve) => child.stdout.on('data', (x) => { out += x; if (out.startsWith('started\n')) resolve(); }));
  await sleep(300);
  const t0 = performance.now();
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${url}/v1/route/explain`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
    req.on('error', reject);
    req.end(body);
  });
  const explainMs = performance.now() - t0;
  if (status !== 200) throw new Error(`explain of ${body.length} bytes: HTTP ${status}`);
  await sleep(300);
  child.stdin.end('stop\n');
  const lat = (await done).sort((a, b) => a - b);
  return { p99: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))], max: lat[lat.length - 1], pings: lat.length, explainMs };
}

if (isMain('daemon')) {
  benchDaemon().then(
    (rows) => { printTable('Daemon internals', rows); if (rows.some((x) => x.ok === false)) process.exitCode = 1; },
    (err) => { console.error(err); process.exit(1); },
  );
}
