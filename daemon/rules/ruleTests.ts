/** Runs the rules file's own `tests`: each request is decided and checked against its expectation. */
import type { RouterState } from '../../shared/decision';
import { decide } from '../router/decide';
import { routeInput } from '../router/prepare';
import type { CompiledRules } from './types';

export interface RuleTestResult {
  name: string;
  ok: boolean;
  /** What was expected and what happened, e.g. `tier fast ≠ standard (rule "default")`. */
  detail: string;
}

/** Tests run with every provider's key present and every circuit closed, so the outcome depends on rules alone. */
export function runRuleTests(rules: CompiledRules, now = 0): RuleTestResult[] {
  const keys = Object.fromEntries(Object.keys(rules.providers).map((p) => [p, true]));
  return rules.config.tests.map((t, i) => {
    const state: RouterState = {
      now, spentTodayUsd: t.state?.spentTodayUsd ?? 0, spentMonthUsd: t.state?.spentMonthUsd ?? 0,
      circuits: {}, keys, latencyStats: {}, calibration: {},
    };
    const d = decide(routeInput(t.request, rules), rules, state);
    const first = d.candidates[0];
    const problems: string[] = [];
    if (t.expect.rule !== undefined && t.expect.rule !== d.rule) problems.push(`rule "${t.expect.rule}" expected, got "${d.rule}"`);
    if (t.expect.tier !== undefined && t.expect.tier !== d.tier) problems.push(`tier "${t.expect.tier}" expected, got ${d.tier === null ? 'no tier' : `"${d.tier}"`}`);
    if (t.expect.model !== undefined && t.expect.model !== first?.name && t.expect.model !== first?.model) problems.push(`model "${t.expect.model}" expected, got "${first?.model ?? 'none'}"`);
    const name = t.name ?? `#${i + 1} ${JSON.stringify(t.request.prompt.length > 40 ? t.request.prompt.slice(0, 37) + '…' : t.request.prompt)}${t.request.task ? ` (task ${t.request.task})` : ''}`;
    return { name, ok: problems.length === 0, detail: problems.length ? problems.join('; ') : `→ ${d.tier ?? first?.name} by rule "${d.rule}"` };
  });
}
