/**
 * Form models for rule conditions and targets: a parsed value (possibly invalid, it is a draft) becomes a list
 * of clauses the form renders, and each clause turns back into the value written to the file. The round trip is
 * exact for every valid condition (unit-tested). No DOM, no `vscode`.
 */

import { VERDICT_TIERS } from '../../../shared/decision';

/** Condition keys by editor kind (the same keys as CONDITION_KEYS in shared/config, which would pull zod into the bundle). */
export const NAME_KEYS = ['task', 'source', 'language', 'client'] as const;
export const NUMERIC_KEYS = ['inputTokens', 'maxOutputTokens', 'estimatedCostUsd', 'latencyBudgetMs', 'spentTodayUsd', 'spentMonthUsd', 'turns'] as const;
/** Yes/no conditions on the request's shape. */
export const FLAG_KEYS = ['hasTools', 'hasImages', 'lastIsToolResult'] as const;
export const CMP_OPS = ['>', '>=', '<', '<=', '=='] as const;
export const URGENCIES = ['low', 'normal', 'high'] as const;
/** ReasoningLevel in shared/config. */
export const REASONING_LEVELS = ['minimal', 'low', 'medium', 'high', 'enabled'] as const;
/** The classifier's tiers (VERDICT_TIERS in shared/decision, VerdictTierName in shared/config). */
export const CLASSIFIER_TIERS = VERDICT_TIERS;

export type NameKey = (typeof NAME_KEYS)[number];
export type NumericKey = (typeof NUMERIC_KEYS)[number];
export type FlagKey = (typeof FLAG_KEYS)[number];
export type CmpOp = (typeof CMP_OPS)[number];
export type Bound = { op: CmpOp; value: number };

export type ClauseForm =
  | { kind: 'names'; key: NameKey; values: string[]; asList: boolean }
  | { kind: 'urgency'; key: 'urgency'; values: string[]; asList: boolean }
  | { kind: 'reasoning'; key: 'reasoning'; values: string[]; asList: boolean }
  /** `{ tier, minConfidence? }`: `values` are the tiers; no minConfidence means "the likeliest tier is one of them". */
  | { kind: 'classifier'; key: 'classifier'; values: string[]; asList: boolean; minConfidence: number | undefined }
  | { kind: 'flag'; key: FlagKey; value: boolean }
  | { kind: 'prompt'; key: 'prompt'; mode: 'regex'; regex: string; flags: string }
  | { kind: 'prompt'; key: 'prompt'; mode: 'contains'; values: string[]; asList: boolean; caseSensitive: boolean | undefined }
  | { kind: 'comparison'; key: NumericKey; bounds: Bound[] }
  | { kind: 'metadata'; key: string; name: string; mode: 'equals'; values: string[]; asList: boolean }
  | { kind: 'metadata'; key: string; name: string; mode: 'compare'; bounds: Bound[] }
  | { kind: 'group'; key: 'all' | 'any'; items: unknown[] }
  | { kind: 'not'; key: 'not'; item: unknown }
  /** Anything the form cannot edit (a typo'd key, a wrong type): shown as JSON with a remove button. */
  | { kind: 'raw'; key: string; value: unknown };

/** What "Add condition…" offers, in menu order, with a label and a starting value. */
export const CLAUSE_CHOICES: { key: string; label: string; initial: unknown }[] = [
  { key: 'task', label: 'task is…', initial: 'chat' },
  { key: 'source', label: 'source is…', initial: 'palette' },
  { key: 'urgency', label: 'urgency is…', initial: 'high' },
  { key: 'language', label: 'language is…', initial: 'typescript' },
  { key: 'prompt', label: 'prompt matches regex / contains…', initial: { contains: 'TODO' } },
  { key: 'inputTokens', label: 'input tokens…', initial: { '>': 4000 } },
  { key: 'maxOutputTokens', label: 'max output tokens…', initial: { '>': 1000 } },
  { key: 'estimatedCostUsd', label: 'estimated cost (USD)…', initial: { '>': 0.01 } },
  { key: 'latencyBudgetMs', label: 'latency budget (ms)…', initial: { '<': 2000 } },
  { key: 'spentTodayUsd', label: 'spent today (USD)…', initial: { '>=': 5 } },
  { key: 'spentMonthUsd', label: 'spent this month (USD)…', initial: { '>=': 100 } },
  { key: 'hasTools', label: 'offers tools (yes / no)…', initial: true },
  { key: 'hasImages', label: 'carries images (yes / no)…', initial: true },
  { key: 'lastIsToolResult', label: 'last message is a tool result (yes / no)…', initial: true },
  { key: 'turns', label: 'conversation turns…', initial: { '>': 1 } },
  { key: 'client', label: 'client is… (claude-cli, codex…)', initial: 'claude-cli' },
  { key: 'reasoning', label: 'reasoning asked for is…', initial: 'high' },
  { key: 'classifier', label: 'classifier verdict is… (fast / standard / deep)', initial: { tier: 'deep', minConfidence: 0.5 } },
  { key: 'metadata.', label: 'metadata.<key>…', initial: '' },
  { key: 'all', label: 'all of… (every branch)', initial: [{}] },
  { key: 'any', label: 'any of… (at least one branch)', initial: [{}, {}] },
  { key: 'not', label: 'not…', initial: {} },
];

export const KNOWN_TASKS = ['chat', 'classification', 'explain', 'refactor', 'tests', 'fix', 'summarize', 'commit-message'];
export const KNOWN_SOURCES = ['palette', 'codeAction', 'http', 'chat', 'inline'];

const isNumericKey = (k: string): k is NumericKey => (NUMERIC_KEYS as readonly string[]).includes(k);
const isNameKey = (k: string): k is NameKey => (NAME_KEYS as readonly string[]).includes(k);
const isFlagKey = (k: string): k is FlagKey => (FLAG_KEYS as readonly string[]).includes(k);
/** A list of choices from a fixed set (urgency, reasoning): anything else is edited as raw JSON. */
const isChoices = (v: unknown, choices: readonly string[]): v is string | string[] =>
  (typeof v === 'string' && choices.includes(v)) || (isStrings(v) && v.length > 0 && v.every((x) => choices.includes(x)));
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** ClassifierCondition in shared/config: `{ tier: tier | tier[], minConfidence?: 0..1 }` and nothing else. */
export function isClassifier(v: unknown): v is { tier: string | string[]; minConfidence?: number } {
  if (!isPlainObject(v) || !Object.keys(v).every((k) => k === 'tier' || k === 'minConfidence')) return false;
  const m = v.minConfidence;
  return isChoices(v.tier, CLASSIFIER_TIERS)
    && (!('minConfidence' in v) || (typeof m === 'number' && Number.isFinite(m) && m >= 0 && m <= 1));
}

export function isComparison(v: unknown): v is Partial<Record<CmpOp, number>> {
  return isPlainObject(v) && Object.keys(v).length > 0
    && Object.entries(v).every(([k, n]) => (CMP_OPS as readonly string[]).includes(k) && typeof n === 'number');
}

const boundsOf = (v: Partial<Record<CmpOp, number>>): Bound[] => Object.entries(v).map(([op, value]) => ({ op: op as CmpOp, value: value as number }));
const namesOf = (v: string | string[]) => ({ values: typeof v === 'string' ? [v] : [...v], asList: Array.isArray(v) });

/** One clause per key of an object condition, in file order. */
export function conditionToForm(cond: unknown): ClauseForm[] {
  if (!isPlainObject(cond)) return [];
  return Object.entries(cond).map(([key, value]): ClauseForm => {
    if (isNameKey(key) && (typeof value === 'string' || isStrings(value))) return { kind: 'names', key, ...namesOf(value) };
    if (key === 'urgency' && (typeof value === 'string' || isStrings(value))) return { kind: 'urgency', key, ...namesOf(value) };
    if (key === 'reasoning' && isChoices(value, REASONING_LEVELS)) return { kind: 'reasoning', key, ...namesOf(value) };
    if (key === 'classifier' && isClassifier(value)) return { kind: 'classifier', key, ...namesOf(value.tier), minConfidence: value.minConfidence };
    if (isFlagKey(key) && typeof value === 'boolean') return { kind: 'flag', key, value };
    if (key === 'prompt' && isPlainObject(value)) {
      if (typeof value.regex === 'string' && Object.keys(value).every((k) => k === 'regex' || k === 'flags') && (value.flags === undefined || typeof value.flags === 'string')) {
        return { kind: 'prompt', key, mode: 'regex', regex: value.regex, flags: (value.flags as string | undefined) ?? '' };
      }
      if ((typeof value.contains === 'string' || isStrings(value.contains)) && Object.keys(value).every((k) => k === 'contains' || k === 'caseSensitive')
        && (value.caseSensitive === undefined || typeof value.caseSensitive === 'boolean')) {
        return { kind: 'prompt', key, mode: 'contains', ...namesOf(value.contains as string | string[]), caseSensitive: value.caseSensitive as boolean | undefined };
      }
    }
    if (isNumericKey(key) && isComparison(value)) return { kind: 'comparison', key, bounds: boundsOf(value) };
    if (key.startsWith('metadata.')) {
      const name = key.slice('metadata.'.length);
      if (typeof value === 'string' || isStrings(value)) return { kind: 'metadata', key, name, mode: 'equals', ...namesOf(value) };
      if (isComparison(value)) return { kind: 'metadata', key, name, mode: 'compare', bounds: boundsOf(value) };
    }
    if ((key === 'all' || key === 'any') && Array.isArray(value)) return { kind: 'group', key, items: value };
    if (key === 'not' && isPlainObject(value)) return { kind: 'not', key, item: value };
    return { kind: 'raw', key, value };
  });
}

const boundsValue = (bounds: Bound[]) => Object.fromEntries(bounds.map((b) => [b.op, b.value]));
export const listValue = (values: string[], asList: boolean): string | string[] => (values.length === 1 && !asList ? values[0] : values);

/** The value written to the file for one clause (its key is `form.key`). */
export function clauseToValue(form: ClauseForm): unknown {
  switch (form.kind) {
    case 'names':
    case 'urgency':
    case 'reasoning': return listValue(form.values, form.asList);
    case 'classifier': return form.minConfidence === undefined
      ? { tier: listValue(form.values, form.asList) }
      : { tier: listValue(form.values, form.asList), minConfidence: form.minConfidence };
    case 'flag': return form.value;
    case 'prompt':
      if (form.mode === 'regex') return form.flags ? { regex: form.regex, flags: form.flags } : { regex: form.regex };
      return form.caseSensitive === undefined
        ? { contains: listValue(form.values, form.asList) }
        : { contains: listValue(form.values, form.asList), caseSensitive: form.caseSensitive };
    case 'comparison': return boundsValue(form.bounds);
    case 'metadata': return form.mode === 'equals' ? listValue(form.values, form.asList) : boundsValue(form.bounds);
    case 'group': return form.items;
    case 'not': return form.item;
    case 'raw': return form.value;
  }
}

/** `"a, b ,c"` → `["a", "b", "c"]` (empty pieces dropped). */
export function splitList(text: string, separator: RegExp = /,/): string[] {
  return text.split(separator).map((s) => s.trim()).filter(Boolean);
}

/** Value for a names field edited as text: one name → a string (unless it was a list), several → a list. */
export function namesFromText(text: string, asList: boolean, separator?: RegExp): string | string[] | undefined {
  const values = splitList(text, separator);
  if (!values.length) return undefined;
  return listValue(values, asList);
}

/** The label a clause shows in front of its editor. */
export function clauseLabel(key: string): string {
  if (key.startsWith('metadata.')) return 'metadata';
  if (key === 'all') return 'all of';
  if (key === 'any') return 'any of';
  return key;
}

/** A short, one-line English summary of a condition, for collapsed rule headers and the trace. */
export function summarizeCondition(cond: unknown): string {
  const clauses = conditionToForm(cond);
  if (!clauses.length) return 'always';
  return clauses.map(summarizeClause).join(' and ');
}

const FLAG_PHRASES: Record<FlagKey, [yes: string, no: string]> = {
  hasTools: ['has tools', 'has no tools'],
  hasImages: ['has images', 'has no images'],
  lastIsToolResult: ['last message is a tool result', 'last message is not a tool result'],
};

function summarizeClause(c: ClauseForm): string {
  const names = (values: string[]) => (values.length === 1 ? values[0] : `one of ${values.join(', ')}`);
  const bounds = (bs: Bound[]) => bs.map((b) => `${b.op} ${b.value}`).join(' and ');
  switch (c.kind) {
    case 'names':
    case 'urgency':
    case 'reasoning': return `${c.key} is ${names(c.values)}`;
    case 'classifier': return classifierPhrase(c.values, c.minConfidence);
    case 'flag': return FLAG_PHRASES[c.key][c.value ? 0 : 1];
    case 'prompt': return c.mode === 'regex' ? `prompt matches /${c.regex}/${c.flags}` : `prompt contains ${c.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'comparison': return `${c.key} ${bounds(c.bounds)}`;
    case 'metadata': return c.mode === 'equals' ? `${c.key} is ${names(c.values)}` : `${c.key} ${bounds(c.bounds)}`;
    case 'group': return `${c.key}(${c.items.map(summarizeCondition).join(c.key === 'all' ? '; ' : ' | ')})`;
    case 'not': return `not(${summarizeCondition(c.item)})`;
    case 'raw': return `${c.key}: ${JSON.stringify(c.value)}`;
  }
}

/**
 * What a classifier condition asks, in words: `classifier says deep`, `classifier says fast or standard`,
 * `P(deep) ≥ 0.50`, `P(fast + standard) ≥ 0.50`. The trace's "expected" and the rule summaries use it.
 */
export function classifierPhrase(tiers: string[], minConfidence: number | undefined): string {
  if (minConfidence === undefined) return `classifier says ${tiers.join(' or ')}`;
  return `classifier P(${tiers.join(' + ')}) ≥ ${minConfidence.toFixed(2)}`;
}

// ── Targets (`then` and `default`) ─────────────────────────────────────────────────────────────────────────────

export type TargetForm =
  | { mode: 'tier'; name: string; known: boolean }
  | { mode: 'model'; name: string; known: boolean }
  | { mode: 'list'; models: string[] };

/** A string target is a tier when such a tier exists, else a model (the router looks tiers up first). */
export function targetToForm(target: unknown, tiers: string[], models: string[]): TargetForm {
  if (Array.isArray(target)) return { mode: 'list', models: target.map(String) };
  const name = typeof target === 'string' ? target : '';
  if (tiers.includes(name)) return { mode: 'tier', name, known: true };
  if (models.includes(name)) return { mode: 'model', name, known: true };
  return { mode: tiers.length || !models.length ? 'tier' : 'model', name, known: false };
}

export function targetToValue(form: TargetForm): string | string[] {
  return form.mode === 'list' ? form.models : form.name;
}

/** The value for switching a target to another mode, starting from something sensible. */
export function switchTargetMode(current: TargetForm, mode: TargetForm['mode'], tiers: string[], models: string[], tierModels: Record<string, string[]>): string | string[] {
  if (mode === current.mode) return targetToValue(current);
  if (mode === 'list') {
    if (current.mode === 'tier' && tierModels[current.name]?.length) return [...tierModels[current.name]];
    if (current.mode === 'model' && current.name) return [current.name];
    return models.slice(0, 1);
  }
  if (mode === 'tier') return tiers[0] ?? '';
  const first = current.mode === 'list' ? current.models[0] : current.mode === 'tier' ? tierModels[current.name]?.[0] : undefined;
  return first ?? models[0] ?? '';
}
