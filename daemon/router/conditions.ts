/**
 * Evaluating one rule condition against a request's features. Returns null when it matches, else the first
 * condition that failed with the value it saw — the trace shows exactly why a rule did not fire.
 */
import type { RE2JS } from 're2js';
import type { Comparison, Condition, PromptCondition } from '../../shared/config';
import type { FailedCondition } from '../../shared/decision';
import { foldForPrefilter, regexTest } from './promptRegex';

/** What conditions look at. Numbers are undefined when the request does not say. */
export interface Features {
  task?: string;
  source?: string;
  urgency: string;
  language?: string;
  prompt: string;
  inputTokens: number;
  maxOutputTokens: number;
  latencyBudgetMs?: number;
  spentTodayUsd: number;
  spentMonthUsd: number;
  metadata: Record<string, string>;
  /** Computed on first use: only rules that test it pay for the estimate. */
  estimatedCostUsd: () => number;
  /** Caches filled on first use, so that every rule of one decision shares them. */
  promptLower?: string;
  promptFolded?: string;
}

export function compare(value: number, c: Comparison): boolean {
  return (c['>'] === undefined || value > c['>'])
    && (c['>='] === undefined || value >= c['>='])
    && (c['<'] === undefined || value < c['<'])
    && (c['<='] === undefined || value <= c['<='])
    && (c['=='] === undefined || value === c['==']);
}

const oneOf = (value: string | undefined, expected: string | string[]) =>
  value !== undefined && (typeof expected === 'string' ? value === expected : expected.includes(value));

function promptMatches(f: Features, cond: PromptCondition, regex: RE2JS | undefined): boolean {
  const prompt = f.prompt;
  if ('regex' in cond) return regexTest(regex!, prompt, () => (f.promptFolded ??= foldForPrefilter(prompt)));
  const needles = typeof cond.contains === 'string' ? [cond.contains] : cond.contains;
  if (cond.caseSensitive) return needles.some((n) => prompt.includes(n));
  const hay = (f.promptLower ??= prompt.toLowerCase());
  return needles.some((n) => hay.includes(n.toLowerCase()));
}

const NUMERIC = ['inputTokens', 'maxOutputTokens', 'latencyBudgetMs', 'spentTodayUsd', 'spentMonthUsd'] as const;

/**
 * @param path   the condition's path inside the rule (`if`, `if.all[1]`), used for the trace and to find its regexes
 * @param regexes compiled prompt regexes keyed by `<path>.prompt`
 */
export function evaluate(c: Condition, f: Features, regexes: Map<string, RE2JS>, path: string): FailedCondition | null {
  for (const key in c) {
    const expected = (c as Record<string, unknown>)[key];
    if (expected === undefined) continue;
    const at = `${path}.${key}`;
    switch (key) {
      case 'task': case 'source': case 'urgency': case 'language': {
        const actual = f[key];
        if (!oneOf(actual, expected as string | string[])) return { path: at, expected, actual: actual ?? null };
        break;
      }
      case 'prompt': {
        const cond = expected as PromptCondition;
        if (!promptMatches(f, cond, regexes.get(at))) {
          return { path: 'regex' in cond ? `${at}.regex` : `${at}.contains`, expected: 'regex' in cond ? `/${cond.regex}/${cond.flags ?? ''}` : cond.contains, actual: preview(f.prompt) };
        }
        break;
      }
      case 'estimatedCostUsd': {
        const actual = f.estimatedCostUsd();
        if (!compare(actual, expected as Comparison)) return { path: at, expected, actual };
        break;
      }
      case 'all': {
        const subs = expected as Condition[];
        for (let i = 0; i < subs.length; i++) {
          const failed = evaluate(subs[i], f, regexes, `${at}[${i}]`);
          if (failed) return failed;
        }
        break;
      }
      case 'any': {
        const subs = expected as Condition[];
        let firstFailure: FailedCondition | null = null;
        let matched = false;
        for (let i = 0; i < subs.length && !matched; i++) {
          const failed = evaluate(subs[i], f, regexes, `${at}[${i}]`);
          if (!failed) matched = true;
          else firstFailure ??= failed;
        }
        if (!matched) return { path: at, expected: `one of ${subs.length} conditions`, actual: `none matched (first: ${firstFailure!.path} expected ${JSON.stringify(firstFailure!.expected)}, got ${JSON.stringify(firstFailure!.actual)})` };
        break;
      }
      case 'not': {
        if (!evaluate(expected as Condition, f, regexes, at)) return { path: at, expected: 'the inner condition to fail', actual: 'it matched' };
        break;
      }
      default: {
        if ((NUMERIC as readonly string[]).includes(key)) {
          const actual = f[key as (typeof NUMERIC)[number]];
          if (actual === undefined || !compare(actual, expected as Comparison)) return { path: at, expected, actual: actual ?? null };
          break;
        }
        // metadata.<key>: equality or membership; a comparison tests the value as a number.
        const actual = f.metadata[key.slice('metadata.'.length)];
        const ok = typeof expected === 'string' || Array.isArray(expected)
          ? oneOf(actual, expected as string | string[])
          : actual !== undefined && actual.trim() !== '' && Number.isFinite(Number(actual)) && compare(Number(actual), expected as Comparison);
        if (!ok) return { path: at, expected, actual: actual ?? null };
      }
    }
  }
  return null;
}

/** Traces carry a bounded preview of the prompt, not the whole text. */
function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
