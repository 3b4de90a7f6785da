/**
 * Streaming: a 50-delta SSE answer (the mock upstream emits one content delta every 2 ms) on every path of
 * bench/paths.ts — direct (OpenAI and Anthropic), through Switchyard same-format (passthrough: the upstream's
 * frames relayed) and cross-format (Anthropic events translated to OpenAI chunks), through a bare relay (the floor)
 * and through Portkey — runs interleaved, one keep-alive connection each. Per run: time to the response headers, to
 * the first content delta, to the last byte; every delta's arrival time, for the gaps between deltas. A proxy
 * that holds deltas back either glues them into one read (buffering) or delivers one late and the next right
 * after it (a catch-up): both are counted, through vs direct, so that the machine's own jitter cancels out.
 *   node --import tsx bench/streaming.ts
 */
import { request, type Agent } from 'node:http';
import { startPaths, type BenchPath, type ClientFormat, type PathKey } from './paths';
import { printTable, type Row } from './table';
import { fmt, isMain, keepAliveAgent, ms, post, rng, shuffle, startMock, summarize, warmUp, type Summary } from './util';

const DELTAS = 50;
const DELTA_DELAY_MS = 2;
const RUNS = 60;
const WARMUP = 5;
/** Streams with no delay between deltas before the measured runs, so the streaming code is JIT-warm too (~2 s). */
const FAST_WARMUP = 300;
const BAR_FIRST_DELTA_MS = 1;
const KEYS: PathKey[] = ['direct', 'directAnthropic', 'relay', 'passthrough', 'translated', 'portkey', 'portkeyTranslated'];

interface Run { headers: number; firstDelta: number; last: number; deltaTimes: number[]; reads: number[] }

/** Whether one SSE `data:` payload is a content delta with text, in the client's format. */
function isContentDelta(format: ClientFormat, data: string): boolean {
  if (format === 'openai') {
    if (data === '[DONE]') return false;
    return !!(JSON.parse(data) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content;
  }
  const event = JSON.parse(data) as { type?: string; delta?: { type?: string; text?: string } };
  return event.type === 'content_block_delta' && event.delta?.type === 'text_delta' && !!event.delta.text;
}

/** One streaming request; times in ms from the call. `reads[i]` = content deltas in the i-th body read. */
function streamOnce(path: BenchPath, i: number, agent: Agent): Promise<Run> {
  const body = path.body(i, true);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const now = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const req = request(path.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...path.headers } }, (res) => {
      const run: Run = { headers: now(), firstDelta: NaN, last: NaN, deltaTimes: [], reads: [] };
      const problem = path.problem({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
      if (problem) { res.resume(); return reject(new Error(problem)); }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const t = now();
        buf += chunk;
        let n = 0;
        let at: number;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const event = buf.slice(0, at);
          buf = buf.slice(at + 2);
          for (const line of event.split('\n')) {
            if (line.startsWith('data: ') && isContentDelta(path.format, line.slice(6))) { run.deltaTimes.push(t); n++; }
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

interface Measured { path: BenchPath; agent: Agent; runs: Run[] }

export async function benchStreaming(runs = RUNS, opts: { portkey?: boolean } = {}): Promise<Row[]> {
  const mock = await startMock({ deltas: DELTAS, deltaDelayMs: DELTA_DELAY_MS });
  const started = await startPaths(mock, KEYS, opts).catch(async (e) => { await mock.stop(); throw e; });
  const notes = [...started.notes];
  try {
    // A path that cannot stream at all (Portkey translating to Anthropic fails on Node) is left out with the reason.
    let measured: Measured[] = [];
    for (const path of started.paths) {
      const agent = keepAliveAgent();
      try {
        await streamOnce(path, 0, agent);
        measured.push({ path, agent, runs: [] });
      } catch (e) {
        agent.destroy();
        if (path.key === 'direct' || path.key === 'passthrough') throw new Error(`${path.label}: ${(e as Error).message}`);
        notes.push(`${path.label}: streams fail (${(e as Error).message.slice(0, 120)}), not measured`);
      }
    }
    // Every proxy JIT-warm (util.ts warmUp: plain requests run the same code up to the upstream call), then streams.
    for (const m of measured) if (m.path.pid) await warmUp(m.path.url, m.path.headers, (i) => m.path.body(500_000 + i));
    await post(`${mock.url}/__mock/reply`, { deltaDelayMs: 0 }, {}, keepAliveAgent());
    for (let i = 0; i < FAST_WARMUP; i++) {
      for (const m of measured) await streamOnce(m.path, 10_000 + i, m.agent);
    }
    await mock.reset(); // back to the command line's 50 deltas, 2 ms apart
    const order = [...measured];
    const r = rng(3);
    for (let i = 0; i < WARMUP + runs; i++) {
      shuffle(order, r);
      for (const m of order) {
        const run = await streamOnce(m.path, i, m.agent);
        if (i >= WARMUP) m.runs.push(run);
      }
    }
    for (const m of measured) m.agent.destroy();
    measured = measured.filter((m) => m.runs.length);
    return rowsFor(measured, runs, notes);
  } finally {
    await Promise.allSettled([started.stop(), mock.stop()]);
  }
}

function rowsFor(measured: Measured[], runs: number, notes: string[]): Row[] {
  const get = (k: PathKey) => measured.find((m) => m.path.key === k);
  const stat = (rs: Run[], f: (x: Run) => number) => summarize(rs.map(f));
  const gaps = (rs: Run[]) => summarize(rs.flatMap((x) => x.deltaTimes.slice(1).map((v, k) => v - x.deltaTimes[k])));
  const glued = (rs: Run[]) => rs.flatMap((x) => x.reads).reduce((a, n) => a + (n - 1), 0) / (rs.length * (DELTAS - 1));
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
  const rows: Row[] = [];
  for (const m of measured) {
    const fd = stat(m.runs, (x) => x.firstDelta), lb = stat(m.runs, (x) => x.last);
    rows.push({ name: `${m.path.label}: time to the first content delta / to the last byte (${runs} runs, ${DELTAS} deltas ${DELTA_DELAY_MS} ms apart)`, value: `P50 ${ms(fd.p50)} · P99 ${ms(fd.p99)} / P50 ${ms(lb.p50)}` });
  }
  for (const m of measured) {
    const base = m.path.baseline && get(m.path.baseline);
    if (!base) continue;
    const k = m.path.key;
    const [d, s] = [base, m].map((x) => ({
      fd: stat(x.runs, (r) => r.firstDelta), hd: stat(x.runs, (r) => r.headers), lb: stat(x.runs, (r) => r.last),
      gp: gaps(x.runs), gl: glued(x.runs), cu: catchUps(x.runs),
    }));
    const swy = k === 'passthrough' || k === 'translated';
    const first: Row = {
      name: `${k}: added to the first content delta (each percentile through − the same percentile ${base.path.key === 'direct' ? 'direct' : 'direct to Anthropic'})`,
      value: `P50 ${ms(s.fd.p50 - d.fd.p50)} · P99 ${ms(s.fd.p99 - d.fd.p99)}`,
    };
    if (k === 'passthrough') Object.assign(first, { bar: `P50 ≤ ${ms(BAR_FIRST_DELTA_MS)}`, ok: s.fd.p50 - d.fd.p50 <= BAR_FIRST_DELTA_MS });
    rows.push(first);
    if (!swy) continue;
    rows.push(
      { name: `${k}: time to response headers, direct → through (Switchyard sends its headers with the first delta: its commit point)`, value: pair(d.hd, s.hd) },
      { name: `${k}: added to the last byte`, value: `P50 ${ms(s.lb.p50 - d.lb.p50)} · P99 ${ms(s.lb.p99 - d.lb.p99)}` },
      { name: `${k}: gap between consecutive deltas, direct → through (${fmt(s.gp.n)} gaps)`, value: `${pair(d.gp, s.gp)} · max ${ms(d.gp.max)} → ${ms(s.gp.max)}` },
      {
        name: `${k}: deltas held back after the first — glued to the previous one in the same read, direct → through`,
        value: `${fmt(d.gl * 100, 1)} % → ${fmt(s.gl * 100, 1)} %`, bar: '≤ direct + 2 points', ok: s.gl <= d.gl + 0.02,
      },
      {
        name: `${k}: deltas held back after the first — a gap > ${fmt(1.5 * DELTA_DELAY_MS, 1)} ms then at once one < ${fmt(0.5 * DELTA_DELAY_MS, 1)} ms (late, then catching up), direct → through`,
        value: `${fmt(d.cu * 100, 2)} % → ${fmt(s.cu * 100, 2)} % of gap pairs`, bar: '≤ direct + 1 point', ok: s.cu <= d.cu + 0.01,
      },
    );
  }
  const pass = get('passthrough'), portkey = get('portkey'), relay = get('relay');
  const ttft = (m: Measured) => stat(m.runs, (x) => x.firstDelta).p50;
  if (pass && portkey) rows.push({ name: 'time to the first content delta at P50, Switchyard passthrough ÷ Portkey', value: `${fmt(ttft(pass) / ttft(portkey), 2)}× (${ms(ttft(pass))} vs ${ms(ttft(portkey))})` });
  if (pass && relay) rows.push({ name: 'added to the first content delta at P50: passthrough − the bare relay (what Switchyard adds over the floor)', value: ms(ttft(pass) - ttft(relay)) });
  for (const n of notes) rows.push({ name: 'not measured', value: n });
  return rows;
}

if (isMain('streaming')) {
  benchStreaming(RUNS, { portkey: process.env.SWITCHYARD_BENCH_NO_PORTKEY !== '1' }).then(
    (rows) => { printTable('Streaming (SSE, loopback)', rows); if (rows.some((x) => x.ok === false)) process.exitCode = 1; },
    (err) => { console.error(err); process.exit(1); },
  );
}
