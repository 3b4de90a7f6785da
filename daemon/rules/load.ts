/**
 * Loading a rules file: JSONC → syntax check → schema check → cross-reference and safety checks → compiled
 * rules. Every problem is reported with file, line, column and rule name. Errors mean no CompiledRules (the
 * daemon keeps serving the last good one); warnings do not block.
 */
import { closeSync, constants as fsConstants, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { catalogEntry, looksLikeFloatingAlias, suggestPinned, UNCATALOGUED_CAPABILITIES, type Encoding } from '../../shared/catalog';
import { Rule, RuleTest, RulesFile, type Condition, type RulesConfig, type Target } from '../../shared/config';
import type { ValidationIssue } from '../../shared/protocol';
import { DEFAULT_RULES_TEXT } from './defaults';
import { readJsonc } from './jsonc';
import { formatPath, Positions } from './positions';
import { circuitKey } from '../dispatch/circuit';
import { compileMatcherSteps } from '../router/conditions';
import { PromptScanner, promptPattern } from '../router/promptScan';
import { LIMITS, nameProblem } from './limits';
import { compileUserRegex } from './regex';
import { findShadowing } from './shadowing';
import { runSliced, runToEnd, type Steps } from '../slices';
import type { CompiledRules, ResolvedModel, ResolvedProvider } from './types';

export interface LoadResult {
  rules: CompiledRules | null;
  issues: ValidationIssue[];
}

export const hasErrors = (issues: readonly ValidationIssue[]) => issues.some((i) => i.severity === 'error');

/** The state folder: SWITCHYARD_HOME, else ~/.switchyard. */
export function switchyardHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.SWITCHYARD_HOME ? resolve(env.SWITCHYARD_HOME) : join(homedir(), '.switchyard');
}

/** Lookup order: the --rules flag, the workspace's .switchyard/rules.json, <home>/rules.json, built-in defaults (null). */
export function findRulesFile(opts: { flag?: string; workspace?: string; home?: string }): string | null {
  if (opts.flag) return resolve(opts.flag);
  const candidates = [opts.workspace && join(opts.workspace, '.switchyard', 'rules.json'), join(opts.home ?? switchyardHome(), 'rules.json')];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

/** Reads and validates a file (null = the built-in defaults). A missing or unreadable file is an error issue. */
export function loadRulesFile(file: string | null): LoadResult & { text: string } {
  if (file === null) return { ...parseRules(DEFAULT_RULES_TEXT, null), text: DEFAULT_RULES_TEXT };
  const read = readRulesText(file);
  return 'issue' in read ? { rules: null, text: '', issues: [read.issue] } : { ...parseRules(read.text, file), text: read.text };
}

/** As loadRulesFile, giving the event loop a turn every few milliseconds (a window's rules file, named in hello). */
export async function loadRulesFileAsync(file: string): Promise<LoadResult & { text: string }> {
  const read = readRulesText(file);
  return 'issue' in read ? { rules: null, text: '', issues: [read.issue] } : { ...(await parseRulesAsync(read.text, file)), text: read.text };
}

/**
 * The file's text, read only when it is a regular file within LIMITS.fileBytes: a rules path that is a symlink to
 * /dev/zero, a FIFO or a huge file is refused before a byte is read into memory.
 */
export function readRulesText(file: string): { text: string } | { issue: ValidationIssue } {
  const refuse = (message: string) => ({ issue: { severity: 'error' as const, code: 'unreadable', message, file } });
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO does not wait for a writer (the flag does not exist on Windows).
    fd = openSync(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (e) {
    return refuse(`cannot read rules file: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return refuse('cannot read rules file: it is not a regular file (a device, FIFO, socket or folder)');
    if (st.size > LIMITS.fileBytes) return refuse(`the rules file is ${st.size} bytes; the limit is ${LIMITS.fileBytes} (${LIMITS.fileBytes / 1024 / 1024} MiB)`);
    // Read at most one byte past the limit: a file that grows while read is caught too.
    const buf = Buffer.allocUnsafe(Math.min(st.size, LIMITS.fileBytes) + 1);
    let size = 0;
    for (let n; size < buf.length && (n = readSync(fd, buf, size, buf.length - size, null)) > 0;) size += n;
    if (size > LIMITS.fileBytes) return refuse(`the rules file is over the limit of ${LIMITS.fileBytes} bytes`);
    return { text: buf.toString('utf8', 0, size) };
  } catch (e) {
    return refuse(`cannot read rules file: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Validates and compiles a rules text in one go (the CLI, tests, small drafts). */
export function parseRules(text: string, file: string | null): LoadResult {
  return runToEnd(parseSteps(text, file));
}

/**
 * Validates and compiles a rules text in slices (see slices.ts), so that a 10,000-rule file never holds up a
 * request, `/health` or a WebSocket reply for long. Same result as parseRules.
 */
export function parseRulesAsync(text: string, file: string | null): Promise<LoadResult> {
  return runSliced(parseSteps(text, file));
}

/** How many rules (or tests) are checked between two yields (a regex compile is ~0.1 ms). */
const CHUNK = 25;

function* parseSteps(text: string, file: string | null): Steps<LoadResult> {
  const fileLabel = file ?? '<built-in defaults>';
  const issues: ValidationIssue[] = [];
  if (text.length > LIMITS.fileBytes) {
    return { rules: null, issues: [{ severity: 'error', code: 'too-large', message: `the rules text is ${text.length} characters; the limit is ${LIMITS.fileBytes}`, file: fileLabel, line: 1, column: 1 }] };
  }
  const read = yield* readJsonc(text);
  const pos = new Positions(text, read.offsets);
  if (read.problems.length) {
    return { rules: null, issues: read.problems.map((p) => ({ severity: 'error' as const, code: p.code, message: p.code === 'syntax' ? `syntax error: ${p.message}` : p.message, file: fileLabel, ...pos.at(p.offset), ...(p.rule ? { rule: p.rule } : {}) })) };
  }
  const raw = read.value;
  const ruleNameAt = (path: readonly PropertyKey[], value?: unknown): string | undefined => {
    if (path[0] !== 'rules' || typeof path[1] !== 'number') return undefined;
    const rules = (value as { rules?: { name?: unknown }[] } | undefined)?.rules;
    const name = rules?.[path[1]]?.name;
    return typeof name === 'string' ? name : `#${path[1] + 1}`;
  };
  const add = (severity: ValidationIssue['severity'], code: string, message: string, path: (string | number)[], value?: unknown) => {
    issues.push({ severity, code, message, file: fileLabel, ...pos.ofPath(path), rule: ruleNameAt(path, value), path: formatPath(path) });
  };
  const config = yield* schemaCheck(raw, add);
  if (!config) return { rules: null, issues: sortIssues(issues) };
  const compiled = yield* crossCheck(config, raw, add);
  if (hasErrors(issues) || !compiled) return { rules: null, issues: sortIssues(issues) };
  return { rules: { file, text, ...compiled, warnings: issues.filter((i) => i.severity === 'warning') }, issues: sortIssues(issues) };
}

/**
 * The schema, with the `rules` and `tests` lists checked item by item (yielding between chunks) and held to
 * LIMITS; null when anything is wrong.
 */
function* schemaCheck(raw: unknown, add: Add): Steps<RulesConfig | null> {
  const obj = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  const lists = { rules: obj && Array.isArray(obj.rules) ? (obj.rules as unknown[]) : undefined, tests: obj && Array.isArray(obj.tests) ? (obj.tests as unknown[]) : undefined };
  let ok = true;
  for (const [key, limit] of [['rules', LIMITS.rules], ['tests', LIMITS.tests]] as const) {
    const n = lists[key]?.length ?? 0;
    if (n > limit) { add('error', 'too-many', `${n} ${key}; at most ${limit} are allowed`, [key], raw); ok = false; }
  }
  for (const [key, limit] of [['providers', LIMITS.providers], ['models', LIMITS.models], ['tiers', LIMITS.tiers]] as const) {
    const v = obj?.[key];
    const n = v !== null && typeof v === 'object' ? Object.keys(v).length : 0;
    if (n > limit) { add('error', 'too-many', `${n} ${key}; at most ${limit} are allowed`, [key], raw); ok = false; }
  }
  if (!ok) return null;

  const head = RulesFile.safeParse(obj ? { ...obj, ...(lists.rules ? { rules: [] } : {}), ...(lists.tests ? { tests: [] } : {}) } : raw);
  if (!head.success) { for (const issue of head.error.issues) addSchemaIssue(issue, raw, add); ok = false; }
  yield;
  const items = function* <T>(key: 'rules' | 'tests', schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: z.core.$ZodIssue[] } } }): Steps<T[]> {
    const out: T[] = [];
    const list = lists[key] ?? [];
    for (let i = 0; i < list.length; i++) {
      const r = schema.safeParse(list[i]);
      if (r.success) out.push(r.data);
      else { ok = false; for (const issue of r.error.issues) addSchemaIssue({ ...issue, path: [key, i, ...issue.path] }, raw, add); }
      if (i % CHUNK === CHUNK - 1) yield;
    }
    return out;
  };
  const rules = yield* items('rules', Rule);
  const tests = yield* items('tests', RuleTest);
  if (!ok || !head.success) return null;
  return { ...head.data, ...(lists.rules ? { rules } : {}), ...(lists.tests ? { tests } : {}) };
}

type Add = (severity: ValidationIssue['severity'], code: string, message: string, path: (string | number)[], value?: unknown) => void;

function addSchemaIssue(issue: z.core.$ZodIssue, raw: unknown, add: Add) {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const where = formatPath(path) || 'the file';
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) add('error', 'unknown-key', `unknown key "${key}" in ${where}`, [...path, key], raw);
    return;
  }
  const missing = valueAt(raw, path) === undefined;
  if (path.length === 1 && path[0] === 'default' && missing) {
    add('error', 'missing-default', 'missing "default": name the tier or model used when no rule matches', [], raw);
    return;
  }
  if (issue.code === 'invalid_union' && path.at(-1) === 'prompt') {
    add('error', 'schema', `${where}: expected { "regex", "flags"? } or { "contains", "caseSensitive"? }`, path, raw);
    return;
  }
  const message = missing ? `missing required "${path.at(-1)}"` : issue.message;
  add('error', issue.code === 'custom' && /unknown condition/.test(issue.message) ? 'unknown-key' : 'schema', `${where}: ${message}`, path, raw);
}

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let v = raw;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

/** A dictionary without a prototype: a name like "constructor" or "toString" finds nothing it did not put there. */
function dict<V>(entries: Iterable<[string, V]> = []): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

function* crossCheck(parsed: RulesConfig, raw: unknown, add: Add): Steps<Omit<CompiledRules, 'file' | 'text' | 'warnings'> | null> {
  // Every name-keyed map from here on is prototype-free, and lookups use own keys only.
  const config: RulesConfig = { ...parsed, providers: dict(Object.entries(parsed.providers)), models: dict(Object.entries(parsed.models)), tiers: dict(Object.entries(parsed.tiers)) };
  const has = (o: object, k: string) => Object.hasOwn(o, k);
  for (const [kind, names] of [['provider', Object.keys(config.providers)], ['model', Object.keys(config.models)], ['tier', Object.keys(config.tiers)]] as const) {
    for (const n of names) {
      const problem = nameProblem(n);
      if (problem) add('error', 'bad-name', `${kind} name ${JSON.stringify(n)} ${problem}`, [`${kind === 'provider' ? 'providers' : kind === 'model' ? 'models' : 'tiers'}`, n]);
    }
  }

  const providers = dict<ResolvedProvider>();
  for (const [name, p] of Object.entries(config.providers)) {
    providers[name] = { name, type: p.type, apiKeyEnv: p.apiKeyEnv, baseURL: p.baseURL, keyRequired: p.keyRequired ?? p.type !== 'openai-compatible' };
  }

  const models = dict<ResolvedModel>();
  for (const [name, m] of Object.entries(config.models)) {
    if (!has(providers, m.provider)) {
      add('error', 'unknown-provider', `model "${name}" names provider "${m.provider}", which is not defined${didYouMean(m.provider, Object.keys(providers))}`, ['models', name, 'provider']);
      continue;
    }
    const provider = providers[m.provider];
    const idProblem = nameProblem(m.id);
    if (idProblem) add('error', 'bad-name', `model "${name}": id ${JSON.stringify(m.id)} ${idProblem}`, ['models', name, 'id']);
    const cat = catalogEntry(m.id);
    if (looksLikeFloatingAlias(m.id)) {
      const pins = suggestPinned(m.id);
      add('warning', 'floating-alias', `model "${name}": "${m.id}" looks like a floating alias whose behaviour and price can change under you; pin a dated id${pins.length ? ` such as "${pins[0]}"` : ''}`, ['models', name, 'id']);
    }
    const priceKnown = (m.inputPerMTok ?? cat?.inputPerMTok) !== undefined && (m.outputPerMTok ?? cat?.outputPerMTok) !== undefined;
    if (!priceKnown && provider.type !== 'openai-compatible') {
      add('warning', 'unknown-price', `model "${name}" ("${m.id}") is not in the catalog and has no inputPerMTok/outputPerMTok: its cost will show as unknown`, ['models', name]);
    }
    const contextWindow = m.contextWindow ?? cat?.contextWindow ?? 128_000;
    models[name] = {
      name, provider: m.provider, providerType: provider.type, id: m.id, circuitKey: circuitKey(m.provider, m.id),
      inputPerMTok: m.inputPerMTok ?? cat?.inputPerMTok ?? 0,
      outputPerMTok: m.outputPerMTok ?? cat?.outputPerMTok ?? 0,
      // A file that sets its own input price without cache prices gets no cache discount: never under-estimate.
      cachedInputPerMTok: m.cachedInputPerMTok ?? (m.inputPerMTok === undefined ? cat?.cachedInputPerMTok : undefined) ?? m.inputPerMTok ?? cat?.inputPerMTok ?? 0,
      cacheWritePerMTok: m.cacheWritePerMTok ?? (m.inputPerMTok === undefined ? cat?.cacheWritePerMTok : undefined) ?? m.inputPerMTok ?? cat?.inputPerMTok ?? 0,
      // A local server's price is zero unless the file says otherwise.
      priceKnown: priceKnown || provider.type === 'openai-compatible',
      contextWindow,
      // Unknown: whatever the context window leaves room for (the context check then covers it).
      maxOutputTokens: m.maxOutputTokens ?? cat?.maxOutputTokens ?? contextWindow,
      capabilities: Object.freeze({ ...(cat?.capabilities ?? UNCATALOGUED_CAPABILITIES), ...definedOnly(m.capabilities) }),
      encoding: m.encoding ?? cat?.encoding ?? 'o200k_base',
      ttftMs: m.ttftMs ?? cat?.ttftMs ?? 600,
      tokensPerSecond: m.tokensPerSecond ?? cat?.tokensPerSecond ?? 60,
    };
  }

  for (const [tier, names] of Object.entries(config.tiers)) {
    names.forEach((n, i) => {
      if (!has(config.models, n)) add('error', 'unknown-model', `tier "${tier}" lists model "${n}", which is not defined${didYouMean(n, Object.keys(config.models))}`, ['tiers', tier, i]);
    });
    if (has(config.models, tier)) add('warning', 'ambiguous-name', `"${tier}" is both a tier and a model; "then": "${tier}" means the tier`, ['tiers', tier]);
  }

  const checkTarget = (target: Target, path: (string | number)[], what: string) => {
    const names = Array.isArray(target) ? target : [target];
    names.forEach((n, i) => {
      const isTier = !Array.isArray(target) && has(config.tiers, n);
      if (isTier || has(config.models, n)) return;
      const known = Array.isArray(target) ? Object.keys(config.models) : [...Object.keys(config.tiers), ...Object.keys(config.models)];
      const kind = Array.isArray(target) ? 'a model' : 'a tier or a model';
      add('error', Array.isArray(target) ? 'unknown-model' : 'unknown-tier', `${what} names "${n}", which is not ${kind}${didYouMean(n, known)} (tiers: ${Object.keys(config.tiers).join(', ') || 'none'})`, Array.isArray(target) ? [...path, i] : path, raw);
    });
  };
  checkTarget(config.default, ['default'], '"default"');
  (config.escalation ?? []).forEach((n, i) => {
    if (!has(config.tiers, n)) add('error', 'unknown-tier', `"escalation" names "${n}", which is not a tier${didYouMean(n, Object.keys(config.tiers))} (tiers: ${Object.keys(config.tiers).join(', ') || 'none'})`, ['escalation', i], raw);
    else if (config.escalation!.indexOf(n) !== i) add('error', 'duplicate-tier', `"escalation" lists "${n}" twice; each tier has one place in the order`, ['escalation', i], raw);
  });

  const seen = new Map<string, number>();
  const promptPatterns: string[] = [];
  let badRegexes = false;
  let usesClassifier = false;
  const promptIndexes: Map<string, number>[] = [];
  for (let index = 0; index < config.rules.length; index++) {
    const rule = config.rules[index];
    const path = ['rules', index];
    const problem = nameProblem(rule.name);
    if (problem) add('error', 'bad-name', `rule name ${JSON.stringify(rule.name.slice(0, 60))} ${problem}`, [...path, 'name'], raw);
    const first = seen.get(rule.name);
    if (first !== undefined) add('error', 'duplicate-rule', `duplicate rule name "${rule.name}" (first used by rule #${first + 1}); rule names must be unique so traces and the ledger stay unambiguous`, [...path, 'name'], raw);
    else seen.set(rule.name, index);
    checkTarget(rule.then, [...path, 'then'], `rule "${rule.name}": "then"`);
    const promptIndex = new Map<string, number>();
    walkConditions(rule.if, ['if'], (cond, cpath) => {
      if (cond.classifier) usesClassifier = true;
      const p = cond.prompt;
      if (!p) return;
      if ('regex' in p) {
        const compiled = compileUserRegex(p.regex, p.flags);
        if ('error' in compiled) {
          add('error', 'invalid-regex', `rule "${rule.name}": ${compiled.error}`, [...path, ...cpath, 'prompt', 'regex'], raw);
          badRegexes = true;
          return;
        }
      }
      promptIndex.set(formatPath([...cpath, 'prompt']), promptPatterns.push(promptPattern(p)) - 1);
    });
    promptIndexes.push(promptIndex);
    if (index % CHUNK === CHUNK - 1) yield;
  }

  const shadowing = yield* findShadowing(config.rules);
  for (const s of shadowing.shadowed) {
    const rule = config.rules[s.rule], earlier = config.rules[s.by];
    add('warning', 'shadowed-rule', `rule "${rule.name}" can never match: the earlier rule "${earlier.name}" (#${s.by + 1}) matches every request it would`, ['rules', s.rule, 'if'], raw);
  }
  if (shadowing.gaveUpAt !== undefined) {
    add('warning', 'shadowing-unchecked', `rules from #${shadowing.gaveUpAt + 1} on were not checked for shadowing: the file has too many similar rules to compare them all quickly`, ['rules', shadowing.gaveUpAt], raw);
  }

  const encodings = [...new Set<Encoding>(['o200k_base', ...Object.values(models).map((m) => m.encoding)])];
  // A rule with a bad regex has been reported; the file will not be used, so there is nothing to compile.
  if (badRegexes) return null;
  let promptScanner: PromptScanner;
  try {
    promptScanner = yield* PromptScanner.build(promptPatterns);
  } catch (e) {
    // Each pattern compiled alone; only their sum can be too big for one program (RE2's size limit).
    add('error', 'invalid-regex', `the rules' ${promptPatterns.length} prompt conditions together are too large to match in one pass (${e instanceof Error ? e.message : String(e)}); simplify the biggest regexes`, ['rules'], raw);
    return null;
  }
  yield;
  const matcher = yield* compileMatcherSteps(config.rules, promptIndexes);
  return { config, providers, models, matcher, promptScanner, encodings, usesClassifier };
}

/** The keys of `o` whose value is not undefined (an override names only what it changes). */
function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  return o ? Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T> : {};
}

/** Calls `visit` for every object condition, with its path relative to the rule. */
export function walkConditions(c: Condition, path: (string | number)[], visit: (c: Condition, path: (string | number)[]) => void) {
  visit(c, path);
  c.all?.forEach((sub, i) => walkConditions(sub, [...path, 'all', i], visit));
  c.any?.forEach((sub, i) => walkConditions(sub, [...path, 'any', i], visit));
  if (c.not) walkConditions(c.not, [...path, 'not'], visit);
}

function didYouMean(name: string, known: string[]): string {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDist) { bestDist = d; best = k; }
  }
  return best !== undefined && bestDist <= Math.max(2, Math.floor(name.length / 3)) ? ` — did you mean "${best}"?` : '';
}

/** Optimal string alignment distance: edits plus adjacent transpositions ("fsat" → "fast" is one). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function sortIssues(issues: ValidationIssue[]): ValidationIssue[] {
  return issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** `file:line:col: error: message (rule "x")` — the one-line form the CLI and logs print. */
export function formatIssue(i: ValidationIssue): string {
  const where = [i.file ?? '<rules>', i.line, i.column].filter((x) => x !== undefined).join(':');
  return `${where}: ${i.severity}: ${i.message}${i.rule && !i.message.includes(`"${i.rule}"`) ? ` (rule "${i.rule}")` : ''}`;
}
