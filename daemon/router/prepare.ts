/**
 * Turns a request into the router's input by reading its text once: token counts in every encoding the configured
 * models use, and which of the rules' prompt conditions (regexes, substrings) hold. Both are linear in the
 * prompt; what decide() does with them afterwards depends only on the number of rules.
 */
import type { Encoding } from '../../shared/catalog';
import type { RouteRequest } from '../../shared/decision';
import { countRouteTokens } from '../estimate/tokens';
import type { CompiledRules } from '../rules/types';
import type { RouteInput } from './decide';

export function routeInput(request: RouteRequest, rules: CompiledRules): RouteInput {
  const tokens: Partial<Record<Encoding, number>> = {};
  for (const enc of rules.encodings) tokens[enc] = countRouteTokens(request, enc);
  return { request, tokens, promptScan: { scanner: rules.promptScanner, hits: rules.promptScanner.scan(request.prompt) } };
}
