/**
 * Rule conditions, compiled once at load into two functions that try the rules in order: one finds the rule that
 * matches, the other also writes the trace — for each rule, the condition that failed with the value it saw, so
 * the trace shows exactly why a rule did not fire.
 *
 * Why generated code: a decision tries up to every rule, and as a tree of small closures each rule cost a
 * megamorphic call per condition (closures made from one function literal share their call feedback, so V8
 * inlines none of them) — ~80 ns a rule on the bench VM, 4 µs for 50 rules. Generated as straight-line code,
 * every call site sees one target and every comparison is inlined. The code's shape comes only from the schema's
 * keys and from indices; every value from the rules file (names, strings, lists, paths) is passed in through the
 * constants array `K`, never spliced into the source, so no rules file can inject code.
 */
import type { ClassifierCondition, Comparison, Condition, PromptCondition, Rule } from '../../shared/config';
import type { FailedCondition, TraceEntry, Verdict, VerdictTier } from '../../shared/decision';
import type { PromptHits } from './promptScan';
import { runToEnd, type Steps } from '../slices';

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
  /** The request's shape (RequestShape; a request without one is plain text: no tools, no images). */
  hasTools: boolean;
  hasImages: boolean;
  turns: number;
  lastIsToolResult: boolean;
  client?: string;
  reasoning?: string;
  /** Computed on first use: only rules that test it pay for the estimate. */
  estimatedCostUsd: () => number;
  /** The classifier's verdict (daemon/classifier), computed on first use. */
  verdict: () => Verdict;
  /** Which prompt conditions hold: one scan of the prompt for all of them (see promptScan.ts). */
  promptHits: () => PromptHits;
  /** The prompt as traces show it, made once per decision by the first prompt condition that fails. */
  promptPreview?: string;
}

/**
 * The rules, compiled. Two functions from the same conditions, tried in the same order with the same
 * short-circuiting, so they always agree:
 * - `first` finds the first rule that matches and allocates nothing — all that routing a request needs;
 * - `explain` also writes `trace[i]` for each rule `i` tried (the caller sizes the array, so a long trace never
 *   regrows it), with the condition that failed and the value it saw. It returns the same index as `first`.
 * Both return -1 when no rule matches.
 */
export interface RuleMatcher {
  first(f: Features): number;
  explain(f: Features, trace: TraceEntry[]): number;
}

const TEXT_FIELDS = new Set(['task', 'source', 'urgency', 'language', 'client', 'reasoning']);
const NUMERIC_FIELDS = new Set(['inputTokens', 'maxOutputTokens', 'latencyBudgetMs', 'spentTodayUsd', 'spentMonthUsd', 'turns']);
const BOOLEAN_FIELDS = new Set(['hasTools', 'hasImages', 'lastIsToolResult']);
const OPERATORS = [['>', '>'], ['>=', '>='], ['<', '<'], ['<=', '<='], ['==', '===']] as const;

/**
 * Relative cost of testing a condition, so an AND tries cheap tests first: a field comparison is a few
 * nanoseconds, reading the prompt's scan or estimating a cost more. `all` and implicit-AND keys are commutative,
 * so the order changes only which failing condition the trace names — always one that really failed.
 */
function cost(c: Condition): number {
  let most = 0;
  for (const [key, v] of Object.entries(c)) {
    if (v === undefined) continue;
    const own = key === 'classifier' ? 4 : key === 'prompt' ? 3 : key === 'estimatedCostUsd' ? 2
      : key === 'all' || key === 'any' ? Math.max(1, ...(v as Condition[]).map(cost))
      : key === 'not' ? Math.max(1, cost(v as Condition)) : 0;
    most = Math.max(most, own);
  }
  return most;
}

const byCost = <T>(items: T[], costOf: (t: T) => number) =>
  items.map((item, i) => ({ item, i, c: costOf(item) })).sort((a, b) => a.c - b.c || a.i - b.i);

/** Rules per generated function: one function for every hand-written file; a long file gets several small ones. */
export const RULES_PER_CHUNK = 64;

/**
 * Compiles every rule's condition into one matcher.
 * @param promptIndex per rule, each prompt condition's slot in the rules' PromptScanner, keyed by its path
 *                    (`if.all[0].prompt`)
 */
export function compileMatcher(rules: readonly Rule[], promptIndex: readonly Map<string, number>[]): RuleMatcher {
  return runToEnd(compileMatcherSteps(rules, promptIndex));
}

/**
 * As compileMatcher, yielding after each chunk of RULES_PER_CHUNK rules. One generated function for 10,000 rules
 * would be 6 MB of source that V8 takes most of a second to compile on first call; chunks compile in about a
 * millisecond each, and each is called once here so that V8 compiles it now rather than on the first request.
 */
export function* compileMatcherSteps(rules: readonly Rule[], promptIndex: readonly Map<string, number>[]): Steps<RuleMatcher> {
  const chunks: RuleMatcher[] = [];
  for (let from = 0; from < rules.length || chunks.length === 0; from += RULES_PER_CHUNK) {
    const chunk = compileChunk(rules, from, Math.min(rules.length, from + RULES_PER_CHUNK), promptIndex);
    yield;
    chunk.first(WARM_UP);
    yield;
    chunk.explain(WARM_UP, []);
    chunks.push(chunk);
    yield;
  }
  if (chunks.length === 1) return chunks[0];
  return {
    first(f) {
      for (const c of chunks) { const i = c.first(f); if (i >= 0) return i; }
      return -1;
    },
    explain(f, trace) {
      for (const c of chunks) { const i = c.explain(f, trace); if (i >= 0) return i; }
      return -1;
    },
  };
}

/** Features that match nothing in particular, to make V8 compile a chunk before it is needed. */
const WARM_UP: Features = {
  urgency: 'normal', prompt: '', inputTokens: 0, maxOutputTokens: 0, spentTodayUsd: 0, spentMonthUsd: 0, metadata: {},
  hasTools: false, hasImages: false, turns: 1, lastIsToolResult: false,
  estimatedCostUsd: () => 0, promptHits: () => new Uint8Array(0),
  verdict: () => ({ tier: 'standard', confidence: 1, probabilities: { fast: 0, standard: 1, deep: 0 }, features: [] }),
};

/** Rules `from` to `to` (exclusive) as one pair of functions; they return absolute rule indices. */
function compileChunk(rules: readonly Rule[], from: number, to: number, promptIndex: readonly Map<string, number>[]): RuleMatcher {
  const gen = new CodeGenerator(promptIndex);
  const first: string[] = [];
  const explain: string[] = [];
  for (let index = from; index < to; index++) {
    const rule = rules[index];
    gen.rule = index;
    const node = gen.condition(rule.if, 'if');
    first.push(`if (${node.test}) return ${index};`);
    const out = gen.temp();
    const matched = gen.constant(Object.freeze({ rule: rule.name, index, matched: true }));
    explain.push(
      `// rule #${index + 1}`, ...node.explain(out),
      `if (${out} === null) { trace[${index}] = ${matched}; return ${index}; }`,
      `trace[${index}] = { rule: ${gen.constant(rule.name)}, index: ${index}, matched: false, failed: ${out} };`,
    );
  }
  const temps = Array.from({ length: gen.temps }, (_, i) => `, t${i}`).join('');
  const source = [
    '"use strict";',
    'return {',
    '  first: function firstMatchingRule(x) {',
    '    let v;',
    ...first.map((line) => `    ${line}`),
    '    return -1;',
    '  },',
    '  explain: function explainRules(x, trace) {',
    `    let v${temps};`,
    ...explain.map((line) => `    ${line}`),
    '    return -1;',
    '  },',
    '};',
  ].join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the header: values travel in K, not in the source
  return new Function('K', source)(gen.constants) as RuleMatcher;
}

/** A compiled condition: a boolean JS expression, and statements that set `out` to null or to the failure. */
interface Node {
  test: string;
  explain: (out: string) => string[];
}

class CodeGenerator {
  readonly constants: unknown[] = [];
  temps = 0;
  /** The rule being compiled: its prompt slots are looked up in promptIndex[rule]. */
  rule = 0;

  constructor(private readonly promptIndex: readonly Map<string, number>[]) {}

  temp(): string { return `t${this.temps++}`; }

  constant(value: unknown): string {
    this.constants.push(value);
    return `K[${this.constants.length - 1}]`;
  }

  /** An object condition: all of its keys must hold (an empty one holds). */
  condition(c: Condition, path: string): Node {
    const entries = byCost(Object.entries(c).filter(([, v]) => v !== undefined), ([k, v]) => cost({ [k]: v } as Condition));
    return this.all(entries.map(({ item: [key, expected] }) => this.key(key, expected, `${path}.${key}`)));
  }

  /** AND: each part runs only while everything before it held. */
  private all(parts: Node[]): Node {
    if (parts.length === 0) return { test: 'true', explain: (out) => [`${out} = null;`] };
    if (parts.length === 1) return parts[0];
    const sequence = (k: number, out: string): string[] => {
      const lines = parts[k].explain(out);
      return k === parts.length - 1 ? lines : [...lines, `if (${out} === null) {`, ...sequence(k + 1, out).map((l) => `  ${l}`), '}'];
    };
    return { test: `(${parts.map((p) => p.test).join(' && ')})`, explain: (out) => sequence(0, out) };
  }

  /** A leaf: `test` decides; on failure the trace gets `failure`. */
  private leaf(test: string, failure: string): Node {
    return { test, explain: (out) => [`${out} = ${test} ? null : ${failure};`] };
  }

  private key(key: string, expected: unknown, at: string): Node {
    if (TEXT_FIELDS.has(key)) return this.leaf(this.membership(`x.${key}`, expected as string | string[]), this.failure(at, expected, `x.${key}`));
    if (NUMERIC_FIELDS.has(key)) {
      return this.leaf(`((v = x.${key}) !== undefined && ${this.comparison('v', expected as Comparison)})`, this.failure(at, expected, 'v'));
    }
    if (BOOLEAN_FIELDS.has(key)) {
      // The schema admits only booleans; the literal spliced is one of our two words, never the file's text.
      if (typeof expected !== 'boolean') throw new Error(`internal: ${at} is not a boolean`);
      return this.leaf(`x.${key} === ${expected ? 'true' : 'false'}`, this.failure(at, expected, `x.${key}`));
    }
    switch (key) {
      case 'prompt': {
        const cond = expected as PromptCondition;
        const slot = this.promptIndex[this.rule].get(at);
        if (slot === undefined) throw new Error(`internal: prompt condition ${at} was not given to the scanner`);
        const shown = 'regex' in cond ? `/${cond.regex}/${cond.flags ?? ''}` : cond.contains;
        const failure = this.failure(`${at}.${'regex' in cond ? 'regex' : 'contains'}`, shown, `(x.promptPreview ??= ${this.constant(preview)}(x.prompt))`);
        return this.leaf(`x.promptHits()[${slot}] === 1`, failure);
      }
      case 'classifier': {
        const cond = expected as ClassifierCondition;
        const tiers = this.constant(new Set(typeof cond.tier === 'string' ? [cond.tier] : cond.tier));
        const test = cond.minConfidence === undefined
          ? `${tiers}.has((v = x.verdict()).tier)`
          : `(${this.constant(probabilityOf)}((v = x.verdict()), ${tiers}) >= ${this.number(cond.minConfidence)})`;
        return this.leaf(test, `{ path: ${this.constant(at)}, expected: ${this.constant(cond)}, actual: ${this.constant(verdictSummary)}(v) }`);
      }
      case 'estimatedCostUsd':
        return this.leaf(`((v = x.estimatedCostUsd()), ${this.comparison('v', expected as Comparison)})`, this.failure(at, expected, 'v'));
      case 'all':
        return this.all(byCost(expected as Condition[], cost).map(({ item, i }) => this.condition(item, `${at}[${i}]`)));
      case 'any': {
        const subs = byCost(expected as Condition[], cost).map(({ item, i }) => this.condition(item, `${at}[${i}]`));
        const firstFailure = this.temp();
        const noneMatched = `new ${this.constant(NoneMatched)}(${this.constant(at)}, ${this.constant(`one of ${subs.length} conditions`)}, ${firstFailure})`;
        // OR: the first sub's failure is kept for the trace; each later sub runs only while all before failed.
        const chain = (k: number, out: string): string[] => {
          if (k === subs.length) return [`${out} = ${noneMatched};`];
          const target = k === 0 ? firstFailure : this.temp();
          return [...subs[k].explain(target), `if (${target} === null) ${out} = null; else {`, ...chain(k + 1, out).map((l) => `  ${l}`), '}'];
        };
        return { test: `(${subs.map((sub) => sub.test).join(' || ')})`, explain: (out) => chain(0, out) };
      }
      case 'not': {
        const inner = this.condition(expected as Condition, at);
        const held = this.temp();
        const failed = this.constant(Object.freeze({ path: at, expected: 'the inner condition to fail', actual: 'it matched' }));
        return { test: `!(${inner.test})`, explain: (out) => [...inner.explain(held), `${out} = ${held} === null ? ${failed} : null;`] };
      }
    }
    // metadata.<key>: equality or membership; a comparison tests the value as a number.
    // Own keys only: `metadata.constructor` must not read Object.prototype.constructor.
    const name = this.constant(key.slice('metadata.'.length));
    const read = `(v = ${this.constant(Object.hasOwn)}(x.metadata, ${name}) ? x.metadata[${name}] : undefined)`;
    const failure = this.failure(at, expected, 'v');
    if (typeof expected === 'string' || Array.isArray(expected)) return this.leaf(this.membership(read, expected), failure);
    return this.leaf(`(${read} !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) && ${this.comparison('Number(v)', expected as Comparison)})`, failure);
  }

  private membership(value: string, expected: string | string[]): string {
    return typeof expected === 'string' ? `${value} === ${this.constant(expected)}` : `${this.constant(new Set(expected))}.has(${value})`;
  }

  private comparison(value: string, c: Comparison): string {
    const tests = OPERATORS.filter(([op]) => c[op] !== undefined).map(([op, js]) => `${value} ${js} ${this.number(c[op]!)}`);
    return tests.length ? `(${tests.join(' && ')})` : 'true';
  }

  /** A finite number as a literal (the schema only admits numbers); anything else goes through K. */
  private number(n: number): string {
    return typeof n === 'number' && Number.isFinite(n) ? `(${String(n)})` : this.constant(n);
  }

  /**
   * A failure object. When the actual value is a field that may be absent (`v`, `x.task`…), the absent case — the
   * most common reason a rule does not fire — gets one frozen constant instead of a new object per decision.
   */
  private failure(path: string, expected: unknown, actual: string): string {
    const made = `{ path: ${this.constant(path)}, expected: ${this.constant(expected)}, actual: ${actual} }`;
    if (!/^(v|x\.\w+)$/.test(actual)) return made;
    return `(${actual} === undefined ? ${this.constant(Object.freeze({ path, expected, actual: null }))} : ${made})`;
  }
}

/** The probability that a request needs one of `tiers`. */
function probabilityOf(v: Verdict, tiers: ReadonlySet<VerdictTier>): number {
  let p = 0;
  for (const t of tiers) p += v.probabilities[t];
  return p;
}

/** A verdict as a failed condition shows it: `standard (fast 0.08 · standard 0.71 · deep 0.21)`. */
function verdictSummary(v: Verdict): string {
  const p = v.probabilities;
  return `${v.tier} (fast ${p.fast.toFixed(2)} · standard ${p.standard.toFixed(2)} · deep ${p.deep.toFixed(2)})`;
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
