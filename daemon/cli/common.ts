/** Shared CLI plumbing: argument parsing with clear errors, rules loading, exit codes. */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { RouteRequest, RouterState } from '../../shared/decision';
import { Urgency } from '../../shared/config';
import { ensureHome, HomeError } from '../home';
import { findRulesFile, formatIssue, hasErrors, loadRulesFile, switchyardHome } from '../rules/load';
import type { CompiledRules } from '../rules/types';

export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(argv: string[], options: O, usage: string, positionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional.*$/s, '')}\n\n${usage}`);
  }
}

/** The state folder, created 0700 if missing; prints why and exits 1 when it is not private (see ensureHome). */
export function privateHomeOrExit(): string {
  const home = switchyardHome();
  try {
    ensureHome(home);
  } catch (e) {
    if (!(e instanceof HomeError)) throw e;
    process.stderr.write(`switchyard: ${e.message}\n`);
    process.exit(1);
  }
  return home;
}

/** Loads the rules the lookup order finds; prints issues to stderr; exits 1 on errors. */
export function loadRulesOrExit(flag?: string): CompiledRules {
  const file = findRulesFile({ flag, workspace: process.cwd(), home: switchyardHome() });
  const { rules, issues } = loadRulesFile(file);
  for (const i of issues) process.stderr.write(formatIssue(i) + '\n');
  if (!rules || hasErrors(issues)) {
    process.stderr.write(`switchyard: the rules in ${file ?? 'the built-in defaults'} have errors; fix them and try again (\`switchyard rules check${file ? ` ${file}` : ''}\`)\n`);
    process.exit(1);
  }
  return rules;
}

export const ROUTE_OPTIONS = {
  prompt: { type: 'string' },
  'prompt-file': { type: 'string' },
  system: { type: 'string' },
  task: { type: 'string' },
  source: { type: 'string' },
  urgency: { type: 'string' },
  language: { type: 'string' },
  'max-output': { type: 'string' },
  'latency-budget': { type: 'string' },
  metadata: { type: 'string', multiple: true },
  'spent-today': { type: 'string' },
  'spent-month': { type: 'string' },
  rules: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies Options;

export const ROUTE_FLAGS_HELP = `  --prompt TEXT | --prompt-file F   the prompt (a file is read as UTF-8)
  --system TEXT                     a system prompt
  --task T                          e.g. chat, classification, explain, refactor, tests, fix
  --source S                        palette, codeAction, http, cli (default cli)
  --urgency low|normal|high
  --language L                      VS Code language id
  --max-output N                    expected output tokens
  --latency-budget MS
  --metadata k=v                    repeatable
  --spent-today USD, --spent-month USD   spend state to route with (default 0)
  --rules F                         rules file (default: lookup order, see docs)
  --json                            machine-readable output`;

type RouteValues = { [K in keyof typeof ROUTE_OPTIONS]?: (typeof ROUTE_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof ROUTE_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

function number(flag: string, v: string | undefined, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${flag} needs a non-negative ${integer ? 'whole ' : ''}number, got "${v}"`);
  return n;
}

export function requestFromFlags(v: RouteValues): RouteRequest {
  if ((v.prompt === undefined) === (v['prompt-file'] === undefined)) throw new UsageError('give exactly one of --prompt TEXT or --prompt-file F');
  let prompt = v.prompt;
  if (prompt === undefined) {
    try { prompt = readFileSync(v['prompt-file']!, 'utf8'); } catch (e) { throw new UsageError(`cannot read --prompt-file: ${(e as Error).message}`); }
  }
  if (v.urgency !== undefined && !Urgency.safeParse(v.urgency).success) throw new UsageError(`--urgency must be low, normal or high, got "${v.urgency}"`);
  const metadata: Record<string, string> = {};
  for (const kv of v.metadata ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--metadata needs key=value, got "${kv}"`);
    metadata[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return {
    prompt,
    system: v.system,
    task: v.task,
    source: v.source ?? 'cli',
    urgency: v.urgency as Urgency | undefined,
    language: v.language,
    maxOutputTokens: number('max-output', v['max-output'], true),
    latencyBudgetMs: number('latency-budget', v['latency-budget']),
    metadata: Object.keys(metadata).length ? metadata : undefined,
  };
}

/** Router state for one-shot CLI commands: keys from the environment, nothing learned yet. */
export function cliState(rules: CompiledRules, v: RouteValues, extra: Partial<RouterState> = {}): RouterState {
  const keys = Object.fromEntries(Object.values(rules.providers).map((p) => [p.name, !!(p.apiKeyEnv && process.env[p.apiKeyEnv])]));
  return {
    now: Date.now(),
    spentTodayUsd: number('spent-today', v['spent-today']) ?? 0,
    spentMonthUsd: number('spent-month', v['spent-month']) ?? 0,
    circuits: {}, keys, latencyStats: {}, calibration: {},
    ...extra,
  };
}
