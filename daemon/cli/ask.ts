/**
 * `switchyard ask`: decide and send a prompt once. Through the running daemon when there is one (it holds the
 * ledger, so the request is recorded and shows in the editor's spend), else in this process with the ledger
 * opened directly. Either way the output is the same.
 */
import { resolve } from 'node:path';
import type { RouteRequest } from '../../shared/decision';
import { formatMs, formatUsd } from '../../shared/format';
import { ErrorCodes, type Attempt, type CompletionResult } from '../../shared/protocol';
import { CompletionError, Engine } from '../engine';
import { Ledger } from '../ledger/ledger';
import { findRulesFile, switchyardHome } from '../rules/load';
import { runningDaemon } from './client';
import { cliState, loadRulesOrExit, parse, privateHomeOrExit, requestFromFlags, ROUTE_FLAGS_HELP, ROUTE_OPTIONS } from './common';
import { DaemonSocket } from './socket';

export const ASK_USAGE = `Usage: switchyard ask (--prompt TEXT | --prompt-file F) [flags] [--stream] [--json]

Routes the prompt by the rules, sends it (falling back on failures) and prints the answer, then a summary:
model, tokens, cost, latency and every attempt. Goes through the running daemon when there is one, else runs
in this process; the request is recorded in the ledger either way — except with --spent-today/--spent-month,
which only try out budget rules. Exit 0 on success; 1 when every candidate failed or a stream was cut.

${ROUTE_FLAGS_HELP}
  --stream                          stream the answer as it arrives`;

export const formatAttempts = (attempts: Attempt[]) =>
  attempts.map((a) => `${a.provider} ${a.model} ${a.outcome === 'ok' ? 'ok' : `${a.status ?? ''} ${a.reason ?? a.outcome}`.trim()} (${formatMs(a.elapsedMs)})`).join(' → ');

interface Output {
  /** Print deltas as they arrive (--stream without --json). */
  stream: boolean;
  json: boolean;
}

/** What either path needs to run one request and report it. */
interface Run {
  request: RouteRequest;
  /** Ask the upstream for a stream (--stream). */
  streamUpstream: boolean;
  out: Output;
  signal: AbortSignal;
  onDelta?: (text: string) => void;
  onFallback?: (from: Attempt, to: { provider: string; model: string }) => void;
}

export async function askCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...ROUTE_OPTIONS, stream: { type: 'boolean' } }, ASK_USAGE);
  if (values.help) { console.log(ASK_USAGE); return 0; }
  const request = requestFromFlags(values);
  const rules = loadRulesOrExit(values.rules);
  const trying = values['spent-today'] !== undefined || values['spent-month'] !== undefined;
  // Only a run that records (or talks to the daemon) uses the state folder.
  const home = trying ? switchyardHome() : privateHomeOrExit();

  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const out: Output = { stream: !!values.stream && !values.json, json: !!values.json };
  const run: Run = {
    request, out, signal: abort.signal, streamUpstream: !!values.stream,
    onDelta: out.stream ? (t) => process.stdout.write(t) : undefined,
    onFallback: out.json ? undefined : (from, to) => process.stderr.write(`\n[switchyard] ${from.provider} ${from.reason ?? from.outcome}${from.status ? ` (${from.status})` : ''} → ${to.provider} ${to.model}\n`),
  };
  const daemon = trying ? null : await runningDaemon(home);
  try {
    const result = daemon
      ? await throughDaemon(daemon, findRulesFile({ flag: values.rules, workspace: process.cwd(), home }), run)
      : await inProcess(rules, trying ? cliState(rules, values) : null, home, run);
    printResult(result, out);
    return 0;
  } catch (e) {
    if (!(e instanceof CompletionError)) throw e;
    printFailure(e, out);
    return 1;
  }
}

/** The daemon routes by the rules file this command resolved (or its own, when it resolved none) and records it. */
async function throughDaemon(info: { port: number; token: string }, rulesFile: string | null, run: Run): Promise<CompletionResult> {
  const socket = await DaemonSocket.connect(info.port, info.token);
  try {
    const hello = await socket.request('hello', { client: 'switchyard-cli', version: 'cli', rulesFile: rulesFile ? resolve(rulesFile) : null });
    if (hello.rulesError) process.stderr.write(`switchyard: the daemon does not use ${rulesFile}: ${hello.rulesError}; routing by ${hello.rulesFile ?? 'its built-in defaults'}\n`);
    const { requestId } = await socket.request('complete', { request: run.request, stream: run.streamUpstream });
    run.signal.addEventListener('abort', () => void socket.request('cancel', { requestId }).catch(() => undefined), { once: true });
    return await new Promise<CompletionResult>((done, fail) => {
      socket.onEvent((event, data) => {
        const d = data as { requestId?: string };
        if (d.requestId !== requestId) return;
        if (event === 'complete.delta') run.onDelta?.((data as { text: string }).text);
        else if (event === 'complete.fallback') { const f = data as { from: Attempt; to: { provider: string; model: string } }; run.onFallback?.(f.from, f.to); }
        else if (event === 'complete.done') done(data as CompletionResult);
        else if (event === 'complete.error') {
          const e = data as { code: string; message: string; partialText: string; attempts: Attempt[] };
          fail(new CompletionError(e.code as (typeof ErrorCodes)[keyof typeof ErrorCodes], e.message, 502, e.attempts, e.partialText));
        }
      });
      socket.ws.once('close', () => fail(new CompletionError(ErrorCodes.internal, 'the daemon closed the connection before the answer ended', 502)));
    });
  } finally {
    socket.close();
  }
}

/**
 * No daemon: this process routes and sends, writing the ledger itself. `spent` (the spend flags) replaces the
 * ledger's spend and records nothing: those runs only try out budget rules.
 */
async function inProcess(rules: ReturnType<typeof loadRulesOrExit>, spent: ReturnType<typeof cliState> | null, home: string, run: Run): Promise<CompletionResult> {
  let ledger: Ledger | null = null;
  if (!spent) {
    try {
      ledger = Ledger.open(home, { storePrompts: rules.config.ledger.storePrompts });
    } catch (e) {
      process.stderr.write(`switchyard: not recording this request: ${(e as Error).message}\n`);
    }
  }
  const engine = new Engine(() => rules, ledger);
  if (spent) {
    const state = engine.state.bind(engine);
    engine.state = (r) => ({ ...state(r), spentTodayUsd: spent.spentTodayUsd, spentMonthUsd: spent.spentMonthUsd });
  }
  try {
    return await engine.complete(run.request, { stream: run.streamUpstream, signal: run.signal, onDelta: run.onDelta, onFallback: run.onFallback });
  } finally {
    ledger?.close();
  }
}

function printResult(r: CompletionResult, out: Output): void {
  if (out.json) {
    console.log(JSON.stringify({ text: r.text, provider: r.provider, model: r.model, rule: r.rule, tier: r.tier, usage: r.usage ?? null, costUsd: r.costUsd, estimatedCostUsd: r.estimatedCostUsd, ttftMs: r.ttftMs, totalMs: r.totalMs, attempts: r.attempts, fallbacks: r.fallbacks }, null, 2));
    return;
  }
  if (!out.stream) process.stdout.write(r.text);
  const tokens = r.usage ? `${r.usage.inputTokens} in + ${r.usage.outputTokens} out tokens` : 'tokens unknown';
  console.log(`\n\n— ${r.model} (${r.provider}) · rule "${r.rule}" · ${tokens} · ${formatUsd(r.costUsd)} (est. ${formatUsd(r.estimatedCostUsd)}) · ${formatMs(r.totalMs)}${r.ttftMs !== null ? `, first token ${formatMs(r.ttftMs)}` : ''}`);
  console.log(`— attempts: ${formatAttempts(r.attempts)}`);
}

function printFailure(e: CompletionError, out: Output): void {
  if (out.json) {
    console.log(JSON.stringify({ error: { code: e.code, message: e.message }, text: e.partialText, attempts: e.attempts }, null, 2));
    return;
  }
  if (e.partialText && !out.stream) process.stdout.write(e.partialText);
  process.stderr.write(`\nswitchyard: ${e.code === ErrorCodes.streamCut ? 'the answer was cut off' : 'the request failed'}: ${e.message}\n`);
  if (e.attempts.length) process.stderr.write(`— attempts: ${formatAttempts(e.attempts)}\n`);
}
