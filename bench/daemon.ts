/**
 * Daemon internals: start-up (spawn → the `{"ready":true}` line, and spawn → the first routed answer), resident
 * memory (VmRSS from /proc/<pid>/status) right after start, idle after a first request, and during and after
 * load (autocannon, 16 connections), and ledger writes per second (bench/ledger.ts).
 *   node --import tsx bench/daemon.ts
 */
import autocannon from 'autocannon';
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

export async function benchDaemon(opts: { starts?: number; ledger?: boolean } = {}): Promise<Row[]> {
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
      const d = await startSwitchyard(rules);
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
    rows.push({ name: 'start-up: spawn → first routed answer (tokenizer loads just after ready), P50 / max', value: `${ms(fa.p50)} / ${ms(fa.max)}` });

    // --- Memory ------------------------------------------------------------------------------------------------
    const d = await startSwitchyard(rules);
    try {
      const atReady = rssOf(d.pid);
      const agent = keepAliveAgent();
      for (let i = 0; i < 20; i++) await post(`${d.url}/v1/chat/completions`, JSON.stringify(chatBody(i, 'switchyard/auto')), { authorization: `Bearer ${d.token}` }, agent);
      agent.destroy();
      await sleep(2_000);
      const idle = rssOf(d.pid);
      rows.push({ name: 'resident memory right after ready (P50 of the starts above)', value: mb(summarize(rssAtReady).p50) });
      rows.push({
        name: 'resident memory idle: after 20 requests (tokenizer loaded, ledger open), 2 s quiet',
        value: idle === null ? 'unreadable (no /proc)' : `${mb(idle)} (at ready ${mb(atReady ?? NaN)})`,
        bar: `≤ ${BAR_IDLE_MB} MB`,
        ok: idle !== null && idle <= BAR_IDLE_MB * 1024 * 1024,
      });

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

if (isMain('daemon')) {
  benchDaemon().then(
    (rows) => { printTable('Daemon internals', rows); if (rows.some((x) => x.ok === false)) process.exitCode = 1; },
    (err) => { console.error(err); process.exit(1); },
  );
}
