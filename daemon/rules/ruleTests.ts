/** Runs the rules file's own `tests`: each request is decided and checked against its expectation. */
import type { RuleTestShape } from '../../shared/config';
import type { RequestShape, RouteRequest, RouterState } from '../../shared/decision';
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
    const { shape, ...plain } = t.request;
    const request: RouteRequest = shape ? { ...plain, shape: testShape(shape) } : plain;
    const d = decide(routeInput(request, rules), rules, state);
    const first = d.candidates[0];
    const problems: string[] = [];
    if (t.expect.rule !== undefined && t.expect.rule !== d.rule) problems.push(`rule "${t.expect.rule}" expected, got "${d.rule}"`);
    if (t.expect.tier !== undefined && t.expect.tier !== d.tier) problems.push(`tier "${t.expect.tier}" expected, got ${d.tier === null ? 'no tier' : `"${d.tier}"`}`);
    if (t.expect.model !== undefined && t.expect.model !== first?.name && t.expect.model !== first?.model) problems.push(`model "${t.expect.model}" expected, got "${first?.model ?? 'none'}"`);
    const name = t.name ?? `#${i + 1} ${JSON.stringify(t.request.prompt.length > 40 ? t.request.prompt.slice(0, 37) + '…' : t.request.prompt)}${t.request.task ? ` (task ${t.request.task})` : ''}`;
    return { name, ok: problems.length === 0, detail: problems.length ? problems.join('; ') : `→ ${d.tier ?? first?.name} by rule "${d.rule}"` };
  });
}

/** A rule test's shape as the router sees it: what it says, and plain text for the rest. */
export function testShape(s: RuleTestShape): RequestShape {
  const hasTools = s.hasTools ?? false;
  return {
    format: 'openai-chat',
    hasTools,
    toolCount: hasTools ? 1 : 0,
    hasImages: s.hasImages ?? false,
    hasDocuments: s.hasDocuments ?? false,
    turns: s.turns ?? 1,
    lastIsToolResult: s.lastIsToolResult ?? false,
    ...(s.client !== undefined ? { client: s.client } : {}),
    ...(s.reasoning !== undefined ? { reasoning: s.reasoning } : {}),
    needs: {
      tools: hasTools || (s.lastIsToolResult ?? false),
      vision: s.hasImages ?? false,
      documents: s.hasDocuments ?? false,
      structuredOutput: s.structuredOutput ?? false,
      reasoning: s.reasoning !== undefined,
    },
  };
}
