/** Test helpers: compile a rules object or text, and a neutral router state. */
import { parseRules } from '../../../daemon/rules/load';
import type { CompiledRules } from '../../../daemon/rules/types';
import type { RouterState } from '../../../shared/decision';
import { TEST_MODELS, TEST_TIERS } from '../../fixtures/models';

export const BASE = {
  version: 1,
  providers: { openai: { type: 'openai', apiKeyEnv: 'OPENAI_API_KEY' }, anthropic: { type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' } },
  models: TEST_MODELS,
  tiers: TEST_TIERS,
  default: 'standard',
};

export function compile(extra: Record<string, unknown>): CompiledRules {
  const { rules, issues } = parseRules(JSON.stringify({ ...BASE, ...extra }, null, 2), 'test.json');
  if (!rules) throw new Error(`rules did not compile: ${JSON.stringify(issues)}`);
  return rules;
}

export function state(over: Partial<RouterState> = {}): RouterState {
  return { now: 1_700_000_000_000, spentTodayUsd: 0, spentMonthUsd: 0, circuits: {}, keys: { openai: true, anthropic: true }, latencyStats: {}, calibration: {}, ...over };
}
