/** Turns a request into the router's input: token counts in every encoding the configured models use. */
import type { Encoding } from '../../shared/catalog';
import type { RouteRequest } from '../../shared/decision';
import { countRouteTokens } from '../estimate/tokens';
import type { CompiledRules } from '../rules/types';
import type { RouteInput } from './decide';

export function routeInput(request: RouteRequest, rules: CompiledRules): RouteInput {
  const tokens: Partial<Record<Encoding, number>> = {};
  for (const enc of rules.encodings) tokens[enc] = countRouteTokens(request, enc);
  return { request, tokens };
}
