/**
 * Turns a request into the router's input by reading its text once: token counts in every encoding the configured
 * models use, and which of the rules' prompt conditions (regexes, substrings) hold. Both are linear in the
 * prompt, and both are bounded: the count reads at most EXACT_CHARS characters (routeCount.ts), the scan at most
 * PROMPT_SCAN_CHARS (promptScan.ts). What decide() does with them afterwards depends only on the number of rules.
 *
 * Counting is the slow part (tiktoken, ≈0.1–0.5 s per MB of new text), so it goes through a RouteCounter: the
 * daemon's counts on a worker thread (estimate/workerCounter.ts) and is awaited; the CLI and tests count in process
 * (`routeInput`, synchronous).
 */
import type { Encoding } from '../../shared/catalog';
import type { RouteRequest } from '../../shared/decision';
import type { RouteCount } from '../estimate/routeCount';
import { countRoute } from '../estimate/tokens';
import type { CompiledRules } from '../rules/types';
import type { RouteInput } from './decide';
import { classify } from '../classifier/classify';
import { classifierInput } from '../classifier/features';

/** Counts a request's tokens in one encoding (tokens.ts `countRoute`, or a WorkerTokenCounter's). */
export type RouteCounter = (request: RouteRequest, encoding: Encoding) => RouteCount | Promise<RouteCount>;

/** The router's input, counted in process (CLI, rule tests, unit tests; never the daemon's main thread). */
export function routeInput(request: RouteRequest, rules: CompiledRules): RouteInput {
  return withScan(request, rules, rules.encodings.map((enc) => countRoute(request, enc)));
}

/** The router's input, counted by `count` (the daemon's worker): the same input `routeInput` makes. */
export async function prepareRouteInput(request: RouteRequest, rules: CompiledRules, count: RouteCounter): Promise<RouteInput> {
  return withScan(request, rules, await Promise.all(rules.encodings.map((enc) => count(request, enc))));
}

/** `counted[i]` is the count in `rules.encodings[i]`. */
function withScan(request: RouteRequest, rules: CompiledRules, counted: RouteCount[]): RouteInput {
  const tokens: Partial<Record<Encoding, number>> = {};
  rules.encodings.forEach((enc, i) => { tokens[enc] = counted[i].tokens; });
  const input: RouteInput = { request, tokens, promptScan: { scanner: rules.promptScanner, hits: rules.promptScanner.scan(request.prompt) } };
  if (counted.some((c) => c.approximate)) input.tokensApproximate = true;
  if (rules.usesClassifier) input.verdict = classify(classifierInput(request));
  return input;
}
