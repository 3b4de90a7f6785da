/** `switchyard ask`: decide and dispatch once, in this process — no daemon needed. */
import { formatMs, formatUsd } from '../../shared/format';
import type { Attempt } from '../../shared/protocol';
import { CompletionError, Engine } from '../engine';
import { cliState, loadRulesOrExit, parse, requestFromFlags, ROUTE_FLAGS_HELP, ROUTE_OPTIONS } from './common';

export const ASK_USAGE = `Usage: switchyard ask (--prompt TEXT | --prompt-file F) [flags] [--stream] [--json]

Routes the prompt by the rules, sends it (falling back on failures) and prints the answer, then a summary:
model, tokens, cost, latency and every attempt. Needs no daemon; does not write the daemon's ledger.
Exit 0 on success; 1 when every candidate failed or a stream was cut.

${ROUTE_FLAGS_HELP}
  --stream                          stream the answer as it arrives`;

export const formatAttempts = (attempts: Attempt[]) =>
  attempts.map((a) => `${a.provider} ${a.model} ${a.outcome === 'ok' ? 'ok' : `${a.status ?? ''} ${a.reason ?? a.outcome}`.trim()} (${formatMs(a.elapsedMs)})`).join(' → ');

export async function askCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...ROUTE_OPTIONS, stream: { type: 'boolean' } }, ASK_USAGE);
  if (values.help) { console.log(ASK_USAGE); return 0; }
  const request = requestFromFlags(values);
  const rules = loadRulesOrExit(values.rules);
  const spent = cliState(rules, values);
  const engine = new Engine(() => rules, null);
  // The spend flags let a user try budget rules from the command line.
  const state = engine.state.bind(engine);
  engine.state = () => ({ ...state(), spentTodayUsd: spent.spentTodayUsd, spentMonthUsd: spent.spentMonthUsd });

  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const stream = !!values.stream && !values.json;
  try {
    const r = await engine.complete(request, {
      stream: !!values.stream, signal: abort.signal,
      onDelta: stream ? (t) => process.stdout.write(t) : undefined,
      onFallback: values.json ? undefined : (from, to) => process.stderr.write(`\n[switchyard] ${from.provider} ${from.reason ?? from.outcome}${from.status ? ` (${from.status})` : ''} → ${to.provider} ${to.model}\n`),
    });
    if (values.json) {
      console.log(JSON.stringify({ text: r.text, provider: r.provider, model: r.model, rule: r.rule, tier: r.tier, usage: r.usage ?? null, costUsd: r.costUsd, estimatedCostUsd: r.estimatedCostUsd, ttftMs: r.ttftMs, totalMs: r.totalMs, attempts: r.attempts, fallbacks: r.fallbacks }, null, 2));
      return 0;
    }
    if (!stream) process.stdout.write(r.text);
    const tokens = r.usage ? `${r.usage.inputTokens} in + ${r.usage.outputTokens} out tokens` : 'tokens unknown';
    console.log(`\n\n— ${r.model} (${r.provider}) · rule "${r.rule}" · ${tokens} · ${formatUsd(r.costUsd)} (est. ${formatUsd(r.estimatedCostUsd)}) · ${formatMs(r.totalMs)}${r.ttftMs !== null ? `, first token ${formatMs(r.ttftMs)}` : ''}`);
    console.log(`— attempts: ${formatAttempts(r.attempts)}`);
    return 0;
  } catch (e) {
    if (!(e instanceof CompletionError)) throw e;
    if (values.json) console.log(JSON.stringify({ error: { code: e.code, message: e.message }, text: e.partialText, attempts: e.attempts }, null, 2));
    else {
      if (e.partialText && !stream) process.stdout.write(e.partialText);
      process.stderr.write(`\nswitchyard: ${e.code === 'E_STREAM_CUT' ? 'the answer was cut off' : 'the request failed'}: ${e.message}\n`);
      if (e.attempts.length) process.stderr.write(`— attempts: ${formatAttempts(e.attempts)}\n`);
    }
    return 1;
  }
}
