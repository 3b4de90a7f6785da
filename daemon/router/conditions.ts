/**
 * Rule conditions, compiled once at load into checks over a request's features. A check returns null when the
 * condition holds, else the condition that failed with the value it saw — the trace shows exactly why a rule did
 * not fire.
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

/** A compiled condition: null when it holds, else the first condition that failed (in evaluation order). */
export type Check = (f: Features) => FailedCondition | null;

/**
 * Relative cost of testing a condition, so an AND tries cheap tests first: a field comparison is a few
 * nanoseconds, a prompt scan is linear in the prompt. `all` and implicit-AND keys are commutative, so the order
 * changes only which failing condition the trace names — always one that really failed.
 */
function cost(c: Condition): number {
  let most = 0;
  for (const [key, v] of Object.entries(c)) {
    if (v === undefined) continue;
    const own = key === 'prompt' ? 3 : key === 'estimatedCostUsd' ? 2
      : key === 'all' || key === 'any' ? Math.max(1, ...(v as Condition[]).map(cost))
      : key === 'not' ? Math.max(1, cost(v as Condition)) : 0;
    most = Math.max(most, own);
  }
  return most;
}

const byCost = <T>(items: T[], costOf: (t: T) => number) =>
  items.map((item, i) => ({ item, i, c: costOf(item) })).sort((a, b) => a.c - b.c || a.i - b.i);

/**
 * Compiles a rule's condition once, at load: paths for the trace are built here, regexes bound, and every AND
 * ordered cheap-first, so deciding allocates nothing for conditions that hold.
 * @param path    the condition's path inside the rule (`if`, `if.all[1]`)
 * @param regexes compiled prompt regexes keyed by `<path>.prompt`
 */
export function compileCondition(c: Condition, path: string, regexes: Map<string, RE2JS>): Check {
  const entries = Object.entries(c).filter(([, v]) => v !== undefined);
  const checks = byCost(entries, ([k, v]) => cost({ [k]: v } as Condition)).map(({ item: [key, expected] }) => compileKey(key, expected, `${path}.${key}`, regexes));
  if (checks.length === 1) return checks[0];
  return (f) => {
    for (const check of checks) {
      const failed = check(f);
      if (failed) return failed;
    }
    return null;
  };
}

function compileKey(key: string, expected: unknown, at: string, regexes: Map<string, RE2JS>): Check {
  switch (key) {
    case 'task': case 'source': case 'urgency': case 'language': {
      const field = key;
      const want = expected as string | string[];
      return (f) => (oneOf(f[field], want) ? null : { path: at, expected, actual: f[field] ?? null });
    }
    case 'prompt': {
      const cond = expected as PromptCondition;
      const regex = regexes.get(at);
      const failPath = 'regex' in cond ? `${at}.regex` : `${at}.contains`;
      const shown = 'regex' in cond ? `/${cond.regex}/${cond.flags ?? ''}` : cond.contains;
      return (f) => (promptMatches(f, cond, regex) ? null : { path: failPath, expected: shown, actual: preview(f.prompt) });
    }
    case 'estimatedCostUsd': {
      const cmp = expected as Comparison;
      return (f) => {
        const actual = f.estimatedCostUsd();
        return compare(actual, cmp) ? null : { path: at, expected, actual };
      };
    }
    case 'all': {
      const subs = byCost(expected as Condition[], cost).map(({ item, i }) => compileCondition(item, `${at}[${i}]`, regexes));
      return (f) => {
        for (const check of subs) {
          const failed = check(f);
          if (failed) return failed;
        }
        return null;
      };
    }
    case 'any': {
      const subs = byCost(expected as Condition[], cost).map(({ item, i }) => compileCondition(item, `${at}[${i}]`, regexes));
      const count = subs.length;
      return (f) => {
        let firstFailure: FailedCondition | null = null;
        for (const check of subs) {
          const failed = check(f);
          if (!failed) return null;
          firstFailure ??= failed;
        }
        const ff = firstFailure!;
        return { path: at, expected: `one of ${count} conditions`, actual: `none matched (first: ${ff.path} expected ${JSON.stringify(ff.expected)}, got ${JSON.stringify(ff.actual)})` };
      };
    }
    case 'not': {
      const inner = compileCondition(expected as Condition, at, regexes);
      return (f) => (inner(f) ? null : { path: at, expected: 'the inner condition to fail', actual: 'it matched' });
    }
    default: {
      if ((NUMERIC as readonly string[]).includes(key)) {
        const field = key as (typeof NUMERIC)[number];
        const cmp = expected as Comparison;
        return (f) => {
          const actual = f[field];
          return actual !== undefined && compare(actual, cmp) ? null : { path: at, expected, actual: actual ?? null };
        };
      }
      // metadata.<key>: equality or membership; a comparison tests the value as a number.
      const name = key.slice('metadata.'.length);
      const isSet = typeof expected === 'string' || Array.isArray(expected);
      return (f) => {
        const actual = f.metadata[name];
        const ok = isSet
          ? oneOf(actual, expected as string | string[])
          : actual !== undefined && actual.trim() !== '' && Number.isFinite(Number(actual)) && compare(Number(actual), expected as Comparison);
        return ok ? null : { path: at, expected, actual: actual ?? null };
      };
    }
  }
}

/** Traces carry a bounded preview of the prompt, not the whole text. */
function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
