/**
 * Streaming: a 50-delta SSE answer (the mock upstream emits one content delta every 2 ms), direct from the mock vs
 * through the daemon, runs interleaved on one keep-alive connection each. Per run: time to the response headers,
 * to the first content delta, to the last byte; every delta's arrival time, for the gaps between deltas. A proxy
 * that holds deltas back either glues them into one read (buffering) or delivers one late and the next right
 * after it (a catch-up): both are counted, through vs direct, so that the machine's own jitter cancels out.
 *   node --import tsx bench/streaming.ts
 */
import { request, type Agent } from 'node:http';
import { defaultRulesFor } from './rules';
import { printTable, type Row } from './table';
import { chatBody, fmt, isMain, keepAliveAgent, ms, post, rng, shuffle, startMock, startSwitchyard, summarize, TEST_KEYS, type Summary } from './util';

const DELTAS = 50;
const DELTA_DELAY_MS = 2;
const RUNS = 60;
const WARMUP = 5;
/** Streams with no delay between deltas before the measured runs, so both paths are JIT-warm (~2 s). */
const FAST_WARMUP = 300;
const BAR_FIRST_DELTA_MS = 1;

interface Run { headers: number; firstDelta: number; last: number; deltaTimes: number[]; reads: number[] }

/** One streaming request; times in ms from the call. `reads[i]` = content deltas in the i-th body read. */
function streamOnce(url: string, body: string, headers: Record<string, string>, agent: Agent): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const now = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      const run: Run = { headers: now(), firstDelta: NaN, last: NaN, deltaTimes: [], reads: [] };
      if (res.statusCode !== 200) { res.resume(); return reject(new Error(`HTTP ${res.statusCode}`)); }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const t = now();
        buf += chunk;
        let n = 0;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const event = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of event.split('\n')) {
            if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
            const data = JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> };
            if (data.choices?.[0]?.delta?.content) { run.deltaTimes.push(t); n++; }
          }
        }
        if (n) run.reads.push(n);
      });
      res.on('end', () => {
        run.last = now();
        run.firstDelta = run.deltaTimes[0] ?? NaN;
        if (run.deltaTimes.length !== DELTAS) return reject(new Error(`expected ${DELTAS} deltas, got ${run.deltaTimes.length}`));
        resolve(run);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function benchStreaming(runs = RUNS): Promise<Row[]> {
  const mock = await startMock({ deltas: DELTAS, deltaDelayMs: DELTA_DELAY_MS });
  const daemon = await startSwitchyard(defaultRulesFor(mock)).catch(async (e) => { await mock.stop(); throw e; });
  try {
    const targets = [
      { key: 'direct', url: `${mock.url}/v1/chat/completions`, headers: { authorization: `Bearer ${TEST_KEYS.OPENAI_API_KEY}` }, model: 'gpt-4o-2024-08-06', agent: keepAliveAgent(), runs: [] as Run[] },
      { key: 'through', url: `${daemon.url}/v1/chat/completions`, headers: { authorization: `Bearer ${daemon.token}` }, model: 'switchyard/auto', agent: keepAliveAgent(), runs: [] as Run[] },
    ];
    const order = [...targets];
    const r = rng(3);
    await post(`${mock.url}/__mock/reply`, { deltaDelayMs: 0 }, {}, keepAliveAgent());
    for (let i = 0; i < FAST_WARMUP; i++) {
      for (const t of targets) await streamOnce(t.url, JSON.stringify(chatBody(10_000 + i, t.model, { stream: true })), t.headers, t.agent);
    }
    await mock.reset(); // back to the command line's 50 deltas, 2 ms apart
    for (let i = 0; i < WARMUP + runs; i++) {
      shuffle(order, r);
      for (const t of order) {
        const run = await streamOnce(t.url, JSON.stringify(chatBody(i, t.model, { stream: true })), t.headers, t.agent);
        if (i >= WARMUP) t.runs.push(run);
      }
    }
    for (const t of targets) t.agent.destroy();
    const [d, s] = targets;
    const stat = (rs: Run[], f: (x: Run) => number) => summarize(rs.map(f));
    const gaps = (rs: Run[]) => summarize(rs.flatMap((x) => x.deltaTimes.slice(1).map((v, k) => v - x.deltaTimes[k])));
    const glued = (rs: Run[]) => { const all = rs.flatMap((x) => x.reads); return all.reduce((a, n) => a + (n - 1), 0) / (rs.length * (DELTAS - 1)); };
    // A held-back delta shows as a long gap followed at once by a catch-up (a very short gap): count those pairs.
    const catchUps = (rs: Run[]) => {
      let n = 0, pairs = 0;
      for (const x of rs) {
        const g = x.deltaTimes.slice(1).map((v, k) => v - x.deltaTimes[k]);
        for (let k = 0; k + 1 < g.length; k++) { pairs++; if (g[k] > 1.5 * DELTA_DELAY_MS && g[k + 1] < 0.5 * DELTA_DELAY_MS) n++; }
      }
      return n / pairs;
    };
    const pair = (a: Summary, b: Summary) => `P50 ${ms(a.p50)} → ${ms(b.p50)} · P99 ${ms(a.p99)} → ${ms(b.p99)}`;
    const fd = [stat(d.runs, (x) => x.firstDelta), stat(s.runs, (x) => x.firstDelta)];
    const hd = [stat(d.runs, (x) => x.headers), stat(s.runs, (x) => x.headers)];
    const lb = [stat(d.runs, (x) => x.last), stat(s.runs, (x) => x.last)];
    const gp = [gaps(d.runs), gaps(s.runs)];
    const gl = [glued(d.runs), glued(s.runs)];
    const cu = [catchUps(d.runs), catchUps(s.runs)];
    return [
      { name: `time to first content delta, direct → through (${runs} runs each, ${DELTAS} deltas ${DELTA_DELAY_MS} ms apart)`, value: pair(fd[0], fd[1]) },
      {
        name: 'added to the first content delta (first byte of the answer; each percentile through minus the same percentile direct)',
        value: `P50 ${ms(fd[1].p50 - fd[0].p50)} · P99 ${ms(fd[1].p99 - fd[0].p99)}`,
        bar: `P50 ≤ ${BAR_FIRST_DELTA_MS} ms`,
        ok: fd[1].p50 - fd[0].p50 <= BAR_FIRST_DELTA_MS,
      },
      { name: 'time to response headers, direct → through (the daemon sends its headers with the first delta: its commit point)', value: pair(hd[0], hd[1]) },
      { name: 'time to last byte, direct → through', value: pair(lb[0], lb[1]) },
      { name: 'added to the last byte', value: `P50 ${ms(lb[1].p50 - lb[0].p50)} · P99 ${ms(lb[1].p99 - lb[0].p99)}` },
      { name: `gap between consecutive deltas, direct → through (${fmt(gp[0].n)} gaps each)`, value: `${pair(gp[0], gp[1])} · max ${ms(gp[0].max)} → ${ms(gp[1].max)}` },
      { name: 'gap P99, through − direct (scheduling jitter on the shared machine shows here first)', value: ms(gp[1].p99 - gp[0].p99) },
      {
        name: 'deltas held back after the first: deltas glued to the previous one in the same read, direct → through',
        value: `${fmt(gl[0] * 100, 1)} % → ${fmt(gl[1] * 100, 1)} %`,
        bar: '≤ direct + 2 points',
        ok: gl[1] <= gl[0] + 0.02,
      },
      {
        name: `deltas held back after the first: a gap > ${fmt(1.5 * DELTA_DELAY_MS, 1)} ms then at once one < ${fmt(0.5 * DELTA_DELAY_MS, 1)} ms (late, then catching up), direct → through`,
        value: `${fmt(cu[0] * 100, 2)} % → ${fmt(cu[1] * 100, 2)} % of gap pairs`,
        bar: '≤ direct + 1 point',
        ok: cu[1] <= cu[0] + 0.01,
      },
    ];
  } finally {
    await Promise.allSettled([daemon.stop(), mock.stop()]);
  }
}

if (isMain('streaming')) {
  benchStreaming().then(
    (rows) => { printTable('Streaming (SSE, loopback)', rows); if (rows.some((x) => x.ok === false)) process.exitCode = 1; },
    (err) => { console.error(err); process.exit(1); },
  );
}
