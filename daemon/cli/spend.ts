/** `switchyard spend` and `switchyard replay`: read the ledger (through the daemon when it holds it). */
import { readFileSync } from 'node:fs';
import { formatUsd } from '../../shared/format';
import type { ConversationSpend, ReplayResult } from '../../shared/protocol';
import { Ledger, type BreakdownBy } from '../ledger/ledger';
import { NONE_KEY } from '../ledger/queries';
import { BREAKDOWNS, parseDuration, replayReport, spendReport, type SpendReport } from '../reports';
import { formatIssue, hasErrors, parseRules } from '../rules/load';
import { daemonJson, runningDaemon } from './client';
import { cliState, loadRulesOrExit, parse, privateHomeOrExit, UsageError } from './common';

const SPEND_USAGE = `Usage: switchyard spend [--since 7d] [--by ${BREAKDOWNS.join('|')}] [--json]

What requests cost, from the ledger: total, unknown-cost requests, savings against the default tier, and a
breakdown. \`--by conversation\` lists agent sessions (the most recently active first) with their turns, tool
calls, models and client. Asks the running daemon, or reads the ledger directly when none runs.`;

const REPLAY_USAGE = `Usage: switchyard replay --rules FILE [--since 7d] [--json]

Re-decides logged requests under FILE and prices the same tokens on the new choice: how many change tier and
the cost and latency difference. Rules that test the prompt text need stored prompts ("ledger.storePrompts").`;

function since(v: string | undefined): number {
  const ms = parseDuration(v ?? '7d');
  if (ms === null) throw new UsageError(`--since needs a duration like 7d, 24h or 30m, got "${v}"`);
  return ms;
}

async function withLedger<T>(viaDaemon: (info: NonNullable<Awaited<ReturnType<typeof runningDaemon>>>) => Promise<T>, direct: (l: Ledger) => T): Promise<T> {
  const home = privateHomeOrExit();
  const info = await runningDaemon(home);
  if (info) return viaDaemon(info);
  const ledger = Ledger.open(home);
  try { return direct(ledger); } finally { ledger.close(); }
}

export async function spendCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { since: { type: 'string' }, by: { type: 'string' }, json: { type: 'boolean' } }, SPEND_USAGE);
  if (values.help) { console.log(SPEND_USAGE); return 0; }
  const ms = since(values.since);
  const by = (values.by ?? 'model') as BreakdownBy;
  if (!BREAKDOWNS.includes(by)) throw new UsageError(`--by must be one of ${BREAKDOWNS.join(', ')}`);
  const report = await withLedger(
    async (info) => (await daemonJson<SpendReport>(info, `/v1/switchyard/spend?since=${encodeURIComponent(values.since ?? '7d')}&by=${by}`)).json,
    (l) => spendReport(l, Date.now() - ms, by),
  );
  if (values.json) { console.log(JSON.stringify(report, null, 2)); return 0; }
  console.log(`Spend over the last ${values.since ?? '7d'}: ${formatUsd(report.costUsd)} for ${report.requests} request${report.requests === 1 ? '' : 's'}${report.unknownCostRequests ? ` (+${report.unknownCostRequests} of unknown cost)` : ''}; saved ${formatUsd(report.savingsVsDefaultUsd)} against the default tier`);
  if (!report.requests) { console.log('No requests yet. Send one with `switchyard ask --prompt "…"` through the daemon, or from the editor.'); return 0; }
  if (report.conversations) { printConversations(report.conversations, report.buckets.find((b) => b.key === NONE_KEY)); return 0; }
  const width = Math.max(by.length, ...report.buckets.map((b) => b.key.length));
  console.log(`\n${by.padEnd(width)}  requests  cost`);
  for (const b of report.buckets) console.log(`${b.key.padEnd(width)}  ${String(b.requests).padStart(8)}  ${formatUsd(b.costUsd)}`);
  return 0;
}

/** Longest conversation key shown in the table (client-sent keys and digests run long; --json has them whole). */
const KEY_WIDTH = 24;

function printConversations(list: ConversationSpend[], outside: { requests: number; costUsd: number } | undefined): void {
  if (!list.length) console.log('\nNo conversations: no request in this range continued one (agent clients such as Claude Code and Codex CLI do).');
  else {
    const key = (k: string) => (k.length > KEY_WIDTH ? `${k.slice(0, KEY_WIDTH - 1)}…` : k);
    const rows = list.map((c) => [
      key(c.key), String(c.requests), c.turns === null ? '—' : String(c.turns), String(c.toolCalls),
      formatUsd(c.costUsd) + (c.unknownCostRequests ? ` (+${c.unknownCostRequests} unknown)` : ''),
      c.client ?? '—', localTime(c.lastTime), c.models.join(', ') || '—',
    ]);
    const head = ['conversation', 'requests', 'turns', 'tools', 'cost', 'client', 'last', 'models'];
    const counts = new Set(['requests', 'turns', 'tools']);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    // Counts align right; the last column (models) is not padded.
    const line = (cells: string[]) => cells.map((c, i) => (i === head.length - 1 ? c : counts.has(head[i]) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
    console.log(`\n${line(head)}`);
    for (const r of rows) console.log(line(r));
  }
  if (outside) console.log(`\nOutside any conversation: ${outside.requests} request${outside.requests === 1 ? '' : 's'}, ${formatUsd(outside.costUsd)}`);
}

/** Local "YYYY-MM-DD HH:MM". */
function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export async function replayCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { rules: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean' } }, REPLAY_USAGE);
  if (values.help) { console.log(REPLAY_USAGE); return 0; }
  if (!values.rules) throw new UsageError(`--rules FILE is required\n\n${REPLAY_USAGE}`);
  const ms = since(values.since);
  let text: string;
  try { text = readFileSync(values.rules, 'utf8'); } catch (e) { throw new UsageError(`cannot read --rules: ${(e as Error).message}`); }
  const parsed = parseRules(text, values.rules);
  for (const i of parsed.issues) process.stderr.write(formatIssue(i) + '\n');
  if (!parsed.rules || hasErrors(parsed.issues)) { process.stderr.write('switchyard: fix the rules above first\n'); return 1; }
  const draft = parsed.rules;
  const result = await withLedger<ReplayResult>(
    async (info) => {
      const r = await daemonJson<ReplayResult>(info, '/v1/switchyard/replay', { text, since: values.since ?? '7d', file: values.rules });
      if (r.status !== 200) throw new Error(`daemon answered ${r.status}: ${JSON.stringify(r.json)}`);
      return r.json;
    },
    (l) => replayReport(l, Date.now() - ms, draft, cliState(loadRulesOrExit(), {})),
  );
  if (values.json) { console.log(JSON.stringify(result, null, 2)); return 0; }
  const diff = result.replayCostUsd - result.actualCostUsd;
  console.log(`Replayed ${result.considered} request${result.considered === 1 ? '' : 's'} from the last ${values.since ?? '7d'} under ${values.rules}:`);
  console.log(`  ${result.changedTier} would change tier`);
  console.log(`  cost: ${formatUsd(result.actualCostUsd)} spent → ${formatUsd(result.replayCostUsd)} (${diff <= 0 ? 'saves' : 'costs'} ${formatUsd(Math.abs(diff))})`);
  if (result.considered) console.log(`  latency: ${(result.actualLatencyMs / result.considered / 1000).toFixed(2)} s → ≈${(result.replayLatencyMs / result.considered / 1000).toFixed(2)} s per request`);
  if (result.skipped) console.log(`  skipped ${result.skipped}: ${result.skippedReason}`);
  return 0;
}
