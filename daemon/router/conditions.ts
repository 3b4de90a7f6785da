/**
 * Rule conditions, compiled once at load into checks over a request's features. A check returns null when the
 * condition holds, else the condition that failed with the value it saw — the trace shows exactly why a rule did
 * not fire.
 */
import type { Comparison, Condition, PromptCondition } from '../../shared/config';
import type { FailedCondition } from '../../shared/decision';
import type { PromptHits } from './promptScan';

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
  /** Which prompt conditions hold: one scan of the prompt for all of them (see promptScan.ts). */
  promptHits: () => PromptHits;
  /** The prompt as traces show it, made once per decision by the first prompt condition that fails. */
  promptPreview?: string;
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
 * Compiles a rule's condition once, at load: paths for the trace are built here, prompt conditions bound to their scanner slot, and every AND
 * ordered cheap-first, so deciding allocates nothing for conditions that hold.
 * @param path        the condition's path inside the rule (`if`, `if.all[1]`)
 * @param promptIndex each prompt condition's index in the rules' PromptScanner, keyed by `<path>.prompt`
 */
export function compileCondition(c: Condition, path: string, promptIndex: Map<string, number>): Check {
  const entries = Object.entries(c).filter(([, v]) => v !== undefined);
  const checks = byCost(entries, ([k, v]) => cost({ [k]: v } as Condition)).map(({ item: [key, expected] }) => compileKey(key, expected, `${path}.${key}`, promptIndex));
  if (checks.length === 1) return checks[0];
  return (f) => {
    for (const check of checks) {
      const failed = check(f);
      if (failed) return failed;
    }
    return null;
  };
}

function compileKey(key: string, expected: unknown, at: string, promptIndex: Map<string, number>): Check {
  switch (key) {
    case 'task': case 'source': case 'urgency': case 'language': {
      const field = key;
      const want = expected as string | string[];
      return (f) => (oneOf(f[field], want) ? null : { path: at, expected, actual: f[field] ?? null });
    }
    case 'prompt': {
      const cond = expected as PromptCondition;
      const index = promptIndex.get(at);
      if (index === undefined) throw new Error(`internal: prompt condition ${at} was not given to the scanner`);
      const failPath = 'regex' in cond ? `${at}.regex` : `${at}.contains`;
      const shown = 'regex' in cond ? `/${cond.regex}/${cond.flags ?? ''}` : cond.contains;
      return (f) => (f.promptHits()[index] === 1 ? null : { path: failPath, expected: shown, actual: (f.promptPreview ??= preview(f.prompt)) });
    }
    case 'estimatedCostUsd': {
      const cmp = expected as Comparison;
      return (f) => {
        const actual = f.estimatedCostUsd();
        return compare(actual, cmp) ? null : { path: at, expected, actual };
      };
    }
    case 'all': {
      const subs = byCost(expected as Condition[], cost).map(({ item, i }) => compileCondition(item, `${at}[${i}]`, promptIndex));
      return (f) => {
        for (const check of subs) {
          const failed = check(f);
          if (failed) return failed;
        }
        return null;
      };
    }
    case 'any': {
      const subs = byCost(expected as Condition[], cost).map(({ item, i }) => compileCondition(item, `${at}[${i}]`, promptIndex));
      const count = subs.length;
      return (f) => {
        let firstFailure: FailedCondition | null = null;
        for (const check of subs) {
          const failed = check(f);
          if (!failed) return null;
          firstFailure ??= failed;
        }
        return new NoneMatched(at, `one of ${count} conditions`, firstFailure!);
      };
    }
    case 'not': {
      const inner = compileCondition(expected as Condition, at, promptIndex);
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

/**
 * An `any` whose conditions all failed. Its `actual` sentence names the first failure; it is spelt out only when
 * the trace is read or serialized (toJSON), since most traces are never looked at and building it is the
 * costliest part of a rule that does not match.
 */
class NoneMatched implements FailedCondition {
  readonly #first: FailedCondition;
  constructor(readonly path: string, readonly expected: string, first: FailedCondition) { this.#first = first; }
  get actual(): string {
    const ff = this.#first;
    return `none matched (first: ${ff.path} expected ${JSON.stringify(ff.expected)}, got ${JSON.stringify(ff.actual)})`;
  }
  toJSON(): FailedCondition { return { path: this.path, expected: this.expected, actual: this.actual }; }
}

/** Traces carry a bounded preview of the prompt, not the whole text. */
function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
