/**
 * A/B of two daemon builds, side by side in one run: the same sequential requests (one keep-alive connection per
 * target, shuffled order each round) go direct to the mock upstream, through daemon A and through daemon B.
 * Both daemons are JIT-warmed first (util.ts warmUp). Used to measure a performance fix: copy dist/ aside before the
 * change, rebuild after, compare.
 *   cp -r dist /tmp/dist-before && <change> && node scripts/build.mjs
 *   node --import tsx bench/ab.ts /tmp/dist-before/daemon.js dist/daemon.js [requests] [model]
 */
import { join, resolve } from 'node:path';
import { defaultRulesFor } from './rules';
import { printTable, type Row } from './table';
import {
  chatBody, cpuMsOf, DIST, fmt, isMain, keepAliveAgent, ms, post, ratio, rng, shuffle, startMock, startSwitchyard, summarize, TEST_KEYS, warmUp,
} from './util';

/** `model`: `switchyard/auto` (passthrough to gpt-4o at the mock) or `sonnet` (translated to Anthropic). */
export async function ab(scriptA: string, scriptB: string, n = 2_000, warmup = 300, model = 'switchyard/auto'): Promise<Row[]> {
  const mock = await startMock();
  const a = await startSwitchyard(defaultRulesFor(mock), { script: resolve(scriptA) }).catch(async (e) => { await mock.stop(); throw e; });
  const b = await startSwitchyard(defaultRulesFor(mock), { script: resolve(scriptB) }).catch(async (e) => { await Promise.allSettled([a.stop(), mock.stop()]); throw e; });
  try {
    // Both JIT-warm first (util.ts warmUp), on bodies the measured requests never repeat.
    for (const d of [a, b]) await warmUp(`${d.url}/v1/chat/completions`, { authorization: `Bearer ${d.token}` }, (i) => JSON.stringify(chatBody(500_000 + i, model)));
    const targets = [
      { name: 'direct', url: `${mock.url}/v1/chat/completions`, auth: `Bearer ${TEST_KEYS.OPENAI_API_KEY}`, model: 'gpt-4o-2024-08-06', pid: null as number | null },
      { name: 'A', url: `${a.url}/v1/chat/completions`, auth: `Bearer ${a.token}`, model, pid: a.pid },
      { name: 'B', url: `${b.url}/v1/chat/completions`, auth: `Bearer ${b.token}`, model, pid: b.pid },
    ].map((t) => ({ ...t, agent: keepAliveAgent(), samples: [] as number[], errors: 0, cpu0: 0, cpu: 0 }));
    const r = rng(5);
    const order = [...targets];
    for (let round = 0; round < warmup + n; round++) {
      if (round === warmup) { await mock.reset(); for (const t of targets) t.cpu0 = t.pid ? cpuMsOf(t.pid) ?? 0 : 0; }
      shuffle(order, r);
      for (const t of order) {
        const res = await post(t.url, JSON.stringify(chatBody(round, t.model)), { authorization: t.auth }, t.agent);
        if (res.status !== 200) { t.errors++; continue; }
        if (round >= warmup) t.samples.push(res.ms);
      }
    }
    for (const t of targets) { t.cpu = t.pid ? ((cpuMsOf(t.pid) ?? 0) - t.cpu0) / n : NaN; t.agent.destroy(); }
    const [d, sa, sb] = targets.map((t) => summarize(t.samples));
    const line = (s: ReturnType<typeof summarize>) => `P50 ${ms(s.p50)} · P90 ${ms(s.p90)} · P99 ${ms(s.p99)} · mean ${ms(s.mean)}`;
    return [
      { name: `direct (${fmt(n)} requests)`, value: line(d) },
      { name: `A ${scriptA}`, value: `${line(sa)} · CPU/req ${ms(targets[1].cpu)} · ${targets[1].errors} errors` },
      { name: `B ${scriptB}`, value: `${line(sb)} · CPU/req ${ms(targets[2].cpu)} · ${targets[2].errors} errors` },
      { name: 'added over direct, A → B: P50', value: `${ms(sa.p50 - d.p50)} → ${ms(sb.p50 - d.p50)}` },
      { name: 'added over direct, A → B: P99', value: `${ms(sa.p99 - d.p99)} → ${ms(sb.p99 - d.p99)}` },
      { name: 'added over direct, A → B: mean', value: `${ms(sa.mean - d.mean)} → ${ms(sb.mean - d.mean)}` },
      { name: 'daemon CPU per request, B ÷ A', value: ratio(targets[2].cpu, targets[1].cpu) },
    ];
  } finally {
    await Promise.allSettled([a.stop(), b.stop(), mock.stop()]);
  }
}

if (isMain('ab')) {
  const [scriptA, scriptB = join(DIST, 'daemon.js'), n, model] = process.argv.slice(2);
  if (!scriptA) { console.error('usage: bench/ab.ts DAEMON_A.js [DAEMON_B.js] [requests] [model]'); process.exit(2); }
  ab(scriptA, scriptB, Number(n) || undefined, undefined, model).then((rows) => printTable('A/B: daemon builds side by side', rows), (e) => { console.error(e); process.exit(1); });
}
