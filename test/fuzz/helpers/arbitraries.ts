/**
 * Generators for the fuzz layer: request bodies in both wire formats (valid-shaped, mutated, arbitrary),
 * hostile names, odd numbers, deep nesting, WebSocket frames and rules files. Bodies are produced as JSON text
 * so they can carry what a JavaScript value cannot: `1e400` (parses to Infinity), `__proto__` keys, nesting
 * deeper than JSON.stringify's stack allows.
 */
import fc from 'fast-check';

// ---- names and numbers ----

/** Names every JavaScript object answers to: `name in obj` and `obj[name]` see them without an own key. */
export const PROTO_NAMES = [
  '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable',
  'toLocaleString', '__defineGetter__', '__lookupGetter__', 'prototype', 'length', 'then',
] as const;

/** Outside Latin-1 (cannot go in a header as is), control characters, bidi overrides, very long, empty. */
export const ODD_NAMES = [
  '快速', 'tier—dash', 'ﬁ', '😀', 'é', 'naïve', 'Ω', '\u0000', '\n', '\t', ' ', '', 'a'.repeat(300), '\u202eevil',
  'switchyard/__proto__', 'switchyard/toString', 'switchyard/', 'switchyard/快速', '%41', '..', 'rule "quoted"', '\\',
] as const;

/** What the fuzz daemon's rules define (see httpRules in harness.ts). */
export const KNOWN_MODELS = ['mini', 'gpt4o', 'haiku', 'sonnet'] as const;
export const KNOWN_TIERS = ['fast', 'standard', 'deep', '快速'] as const;
export const MODEL_IDS = ['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06', 'claude-3-5-haiku-20241022', 'claude-3-5-sonnet-20241022'] as const;

export const hostileName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_NAMES) },
  { weight: 3, arbitrary: fc.constantFrom(...ODD_NAMES) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

/** The `model` field of a request: routable names, prototype names, odd names. */
export const modelField = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('switchyard/auto', 'auto', ...KNOWN_TIERS, ...KNOWN_MODELS, ...MODEL_IDS, 'switchyard/fast', 'switchyard/快速', 'switchyard/mini') },
  { weight: 3, arbitrary: hostileName },
);

/** Raw numeric literals: JSON text that parses to Infinity, -0, denormals, unsafe integers. */
export const ODD_NUMBER_LITERALS = ['1e308', '-1e308', '1e400', '-1e400', '1.7976931348623157e308', '5e-324', '-0', '0', '9007199254740993', '1e21', '-1', '0.5', '1.5', '2147483648', '4294967296'] as const;

const RAW = '\u0000RAW:';
/** A value whose JSON text is `literal` verbatim (see toJsonText). */
export const raw = (literal: string): string => `${RAW}${literal}`;
export const oddNumber = fc.constantFrom(...ODD_NUMBER_LITERALS).map(raw);

const DEEP = '\u0000DEEP:';
/**
 * A value nested `depth` levels deep: arrays, objects, `__proto__` chains, or `not`/`all`/`any` conditions.
 * Kept as a compact marker that toJsonText expands, so a counterexample prints as `"\u0000DEEP:not:1200"`
 * rather than kilobytes of braces.
 */
export const deepValue = (maxDepth: number, kinds: readonly string[] = ['array', 'object', 'proto']) =>
  fc.tuple(fc.integer({ min: 1, max: maxDepth }), fc.constantFrom(...kinds)).map(([depth, kind]) => nested(kind, depth));

/** The marker toJsonText expands to a value nested `depth` levels deep (for a regression example, say). */
export const nested = (kind: string, depth: number): string => `${DEEP}${kind}:${depth}`;

function expandDeep(kind: string, depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const k = kind === 'mixed' ? ['not', 'all', 'any'][i % 3] : kind;
    if (k === 'array') { open += '['; close += ']'; } else if (k === 'object') { open += '{"a":'; close += '}'; } else if (k === 'proto') { open += '{"__proto__":'; close += '}'; } else if (k === 'not') { open += '{"not":'; close = `}${close}`; } else { open += `{"${k}":[`; close = `]}${close}`; }
  }
  return `${open}${['array', 'object', 'proto'].includes(kind) ? '1' : '{"task":"x"}'}${close}`;
}

/** JSON text for a value; strings made by raw() are spliced in as written and deep markers expanded. */
export function toJsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent)
    .replace(/"\\u0000RAW:((?:[^"\\]|\\.)*)"/g, (_m, lit: string) => JSON.parse(`"${lit}"`))
    .replace(/"\\u0000DEEP:(\w+):(\d+)"/g, (_m, kind: string, depth: string) => expandDeep(kind, Number(depth)));
}

/** Any JSON value, weighted towards the awkward: odd numbers, hostile keys and strings, deep nesting. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, [], {}, '', 'null') },
  { weight: 2, arbitrary: oddNumber },
  { weight: 2, arbitrary: hostileName },
  { weight: 1, arbitrary: deepValue(3000) },
  { weight: 1, arbitrary: fc.dictionary(hostileName, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }).map(ownKeys) },
);

/** Copies an object so keys like `__proto__` are own, enumerable data properties (and so serialize). */
export function ownKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) Object.defineProperty(out, k, { value: o[k], enumerable: true, writable: true, configurable: true });
  return out;
}

export const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('hi', 'thanks a lot', 'ok', 'design a cache', 'Is this spam?', '快速な回答', '', ' ', 'ünïcödé — “quotes”') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_NAMES) },
);

// ---- request bodies ----

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

const maxTokensValue = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 4096 }) },
  { weight: 2, arbitrary: oddNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, '100', true, 0, -5, 1e308, 1.5) },
);
const temperatureValue = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: 0, max: 2, noNaN: true }) },
  { weight: 1, arbitrary: oddNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, -1, 3, '0.5', 1e308) },
);

const openaiContent = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 1, arbitrary: fc.array(fc.record({ type: fc.constantFrom('text', 'text', 'image_url', 'input_audio', 'toString'), text }), { minLength: 1, maxLength: 3 }) },
);
const openaiMessage = fc.record({ role: fc.constantFrom('user', 'user', 'assistant', 'system', 'developer', 'tool'), content: openaiContent });

export const openaiBody = fc.record({
  model: modelField,
  messages: fc.tuple(fc.array(openaiMessage, { maxLength: 3 }), text).map(([ms, last]) => [...ms, { role: 'user', content: last }]),
  stream: maybe(fc.boolean()),
  temperature: maybe(temperatureValue),
  max_tokens: maybe(maxTokensValue),
  max_completion_tokens: fc.option(maxTokensValue, { nil: undefined, freq: 5 }),
  stop: maybe(fc.oneof(text, fc.array(text, { maxLength: 3 }))),
  stream_options: maybe(fc.record({ include_usage: fc.boolean() })),
}, { requiredKeys: ['model', 'messages'] }).map(dropUndefined);

const anthropicContent = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 1, arbitrary: fc.array(fc.record({ type: fc.constantFrom('text', 'text', 'image', 'tool_use', 'constructor'), text }), { minLength: 1, maxLength: 3 }) },
);
export const anthropicBody = fc.record({
  model: modelField,
  max_tokens: fc.option(maxTokensValue, { nil: undefined, freq: 6 }),
  messages: fc.tuple(fc.array(fc.record({ role: fc.constantFrom('user', 'assistant', 'system'), content: anthropicContent }), { maxLength: 3 }), text).map(([ms, last]) => [...ms, { role: 'user', content: last }]),
  system: maybe(anthropicContent),
  stream: maybe(fc.boolean()),
  temperature: maybe(temperatureValue),
  stop_sequences: maybe(fc.array(text, { maxLength: 3 })),
}, { requiredKeys: ['model', 'messages'] }).map(dropUndefined);

/** Bodies a well-behaved client sends (routable model, plain messages, sane numbers): the success and stream paths. */
const routable = fc.constantFrom('switchyard/auto', 'auto', ...KNOWN_TIERS, ...KNOWN_MODELS, ...MODEL_IDS, 'switchyard/快速');
const plainMessages = fc.tuple(fc.array(fc.record({ role: fc.constantFrom('user', 'assistant'), content: text }), { maxLength: 2 }), text).map(([ms, last]) => [...ms, { role: 'user', content: last }]);
export const cleanOpenaiBody = fc.record({
  model: routable, messages: plainMessages, stream: fc.boolean(),
  max_tokens: maybe(fc.integer({ min: 1, max: 4096 })), temperature: maybe(fc.double({ min: 0, max: 2, noNaN: true })),
  stream_options: maybe(fc.record({ include_usage: fc.boolean() })),
}, { requiredKeys: ['model', 'messages', 'stream'] }).map(dropUndefined);
export const cleanAnthropicBody = fc.record({
  model: routable, messages: plainMessages, stream: fc.boolean(), max_tokens: fc.integer({ min: 1, max: 4096 }),
  system: maybe(text), temperature: maybe(fc.double({ min: 0, max: 1, noNaN: true })),
}, { requiredKeys: ['model', 'messages', 'stream', 'max_tokens'] }).map(dropUndefined);

/** A RouteRequest as `/v1/route/explain` and the WebSocket take it. */
export const routeRequest = fc.record({
  prompt: text,
  system: maybe(text),
  task: maybe(fc.oneof(fc.constantFrom('claude', 'unicode', 'classification'), hostileName)),
  source: maybe(hostileName),
  urgency: maybe(fc.constantFrom('low', 'normal', 'high')),
  language: maybe(hostileName),
  maxOutputTokens: maybe(fc.oneof(fc.integer({ min: 1, max: 100_000 }), oddNumber)),
  latencyBudgetMs: maybe(fc.oneof(fc.integer({ min: 1, max: 100_000 }), oddNumber)),
  metadata: maybe(fc.dictionary(hostileName, text, { maxKeys: 3 }).map(ownKeys)),
}, { requiredKeys: ['prompt'] }).map(dropUndefined);

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Every path (as a key list) to a value inside `v`, the root included. */
function pathsOf(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) pathsOf((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

type Mutation = { at: number; op: 'replace' | 'delete' | 'add'; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({ at: fc.nat(), op: fc.constantFrom('replace', 'replace', 'delete', 'add'), key: fc.oneof(hostileName, fc.constantFrom('model', 'messages', 'stream', 'max_tokens', 'role', 'content', 'type', 'text')), value: anyJson });

/** A valid-shaped body with one to three fields replaced, deleted or added (keys may be `__proto__`). */
export function mutated(body: fc.Arbitrary<Record<string, unknown>>) {
  return fc.tuple(body, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([b, ms]) => {
    let root: unknown = structuredClone(b);
    for (const m of ms) {
      const paths = pathsOf(root);
      const path = paths[m.at % paths.length];
      if (path.length === 0) { if (m.op === 'replace') root = m.value; continue; }
      const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], root);
      const last = path[path.length - 1];
      if (m.op === 'delete') { if (Array.isArray(parent)) parent.splice(Number(last), 1); else delete parent[last]; }
      else if (m.op === 'replace') Object.defineProperty(parent, last, { value: m.value, enumerable: true, writable: true, configurable: true });
      else {
        const target = parent[last];
        if (target && typeof target === 'object' && !Array.isArray(target)) Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
        else if (Array.isArray(target)) target.push(m.value);
      }
    }
    return root;
  });
}

/** A body as JSON text, of every kind: clean, valid-shaped with odd values, mutated, any JSON value, not JSON at all. */
export function bodyText(valid: fc.Arbitrary<Record<string, unknown>>, clean?: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> {
  const kinds: fc.WeightedArbitrary<string>[] = [
    { weight: 4, arbitrary: valid.map((b) => toJsonText(b)) },
    { weight: 4, arbitrary: mutated(valid).map((b) => toJsonText(b)) },
    { weight: 2, arbitrary: anyJson.map((v) => toJsonText(v) ?? 'null') },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('', ' ', '{', '{"model":', 'null', '[]', '"x"', '{"a":1}{"b":2}', '\u0000', '{"model":"mini","messages":[{"role":"user","content":"\ud800"}]}'), fc.string({ unit: 'binary', maxLength: 60 })) },
  ];
  if (clean) kinds.unshift({ weight: 4, arbitrary: clean.map((b) => toJsonText(b)) });
  return fc.oneof(...kinds);
}

// ---- headers ----

/** What a header can carry on the wire: UTF-8 bytes sent as they are (a non-Latin-1 name arrives as mojibake), no CR/LF/NUL. */
export const headerSafe = (s: string) => Buffer.from(s, 'utf8').toString('latin1').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '').trim();

export const hintHeaders = fc.record({
  'x-switchyard-task': maybe(fc.oneof(fc.constantFrom('claude', 'unicode', 'chat'), hostileName)),
  'x-switchyard-urgency': maybe(fc.oneof(fc.constantFrom('low', 'normal', 'high'), hostileName)),
  'x-switchyard-source': maybe(hostileName),
  'x-switchyard-language': maybe(hostileName),
  'x-switchyard-metadata-team': maybe(text),
  'x-switchyard-metadata-__proto__': fc.option(text, { nil: undefined, freq: 6 }),
  'x-switchyard-metadata-constructor': fc.option(text, { nil: undefined, freq: 6 }),
}).map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined).map(([k, v]) => [k, headerSafe(String(v))])));

// ---- upstream faults (test/fixtures/mock-upstream.ts) ----

export const upstreamFault = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('status' as const), status: fc.constantFrom(400, 401, 404, 408, 422, 429, 500, 502, 503, 504, 529) }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'reset' as const }, { kind: 'malformed-json' as const }, { kind: 'malformed-sse' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), afterDeltas: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('trickle' as const), delayMs: fc.integer({ min: 1, max: 5 }) }) },
);
export type GeneratedFault = NonNullable<typeof upstreamFault extends fc.Arbitrary<infer F> ? F : never>;

// ---- WebSocket frames ----

export const WS_METHODS = ['hello', 'route.preview', 'complete', 'cancel', 'rules.get', 'rules.validate', 'rules.save', 'rules.dryRun', 'replay', 'spend.summary', 'spend.recent', 'spend.conversations', 'providers.health', 'keys.set', 'feedback.mark'] as const;

export const wsId = fc.oneof(
  { weight: 4, arbitrary: fc.integer() },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_NAMES) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, [], {}, [1], { id: 1 }) },
);

// ---- rules files ----

const ruleNames = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('fast', 'standard', 'deep', 'mini', 'gpt4o', 'haiku', 'sonnet', 'openai', 'anthropic') }, { weight: 2, arbitrary: hostileName });

const comparison = fc.dictionary(fc.constantFrom('>', '>=', '<', '<=', '==', '!=', '__proto__'), fc.oneof(fc.double({ noNaN: true }), oddNumber, fc.constant('5')), { maxKeys: 3 }).map(ownKeys);

export const CATASTROPHIC_REGEXES = ['(a+)+$', '(a|aa)*b', '(.*a){25}', '^(\\w+\\s?)*$', '(x+x+)+y', '(a|a?)+', '([a-zA-Z]+)*\\d'] as const;
export const INVALID_REGEXES = ['(', '[', '\\', '*', 'a{2,1}', '(?<n>a)\\k<n>', '(a)\\1', '(?=a)', '(?!a)b', '(?<=a)b', 'a**', '[z-a]', '\\p{Nope}', '(?P<x>'] as const;

const regexCondition = fc.record({
  regex: fc.oneof(fc.constantFrom(...CATASTROPHIC_REGEXES), fc.constantFrom(...INVALID_REGEXES), fc.constantFrom('^(thanks|ok)\\b', '快速', '.*', ''), fc.string({ maxLength: 10 })),
  flags: maybe(fc.constantFrom('i', 'ims', 'g', 'x', '', 'ii')),
});

/** Conditions: every key the schema knows plus unknown ones, nested through not/all/any. */
export const condition: fc.Arbitrary<unknown> = fc.letrec<{ cond: unknown }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ task: fc.oneof(hostileName, fc.array(hostileName, { maxLength: 3 })) }),
    fc.record({ urgency: fc.oneof(fc.constantFrom('low', 'high', 'urgent'), fc.array(fc.constantFrom('low', 'normal', 'x'))) }),
    fc.record({ prompt: fc.oneof(regexCondition, fc.record({ contains: fc.oneof(text, fc.array(text, { maxLength: 2 })), caseSensitive: maybe(fc.boolean()) })) }),
    fc.record({ inputTokens: comparison }),
    fc.record({ spentTodayUsd: comparison }),
    fc.record({ classifier: fc.oneof(
      fc.record({ tier: fc.oneof(fc.constantFrom('fast', 'standard', 'deep', 'huge'), fc.array(fc.constantFrom('fast', 'deep', ''), { maxLength: 3 })), minConfidence: maybe(fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }), fc.constant(Number.NaN))) }),
      anyJson,
    ) }),
    fc.dictionary(fc.oneof(fc.constant('metadata.team'), hostileName.map((n) => `metadata.${n}`), hostileName), fc.oneof(text, comparison), { minKeys: 1, maxKeys: 2 }).map(ownKeys),
    fc.record({ not: tie('cond') }),
    fc.record({ all: fc.array(tie('cond'), { maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('cond'), { maxLength: 3 }) }),
    fc.constantFrom({}, null, [], 'task', 5),
  ),
})).cond;

/** `not`/`all`/`any` nested 10 to 5,000 levels (a hand-written file stays far below the loader's limit). */
export const deepCondition = deepValue(5000, ['not', 'all', 'any', 'mixed']);

const target = fc.oneof(ruleNames, fc.array(ruleNames, { maxLength: 3 }), fc.constantFrom([], '', null, 7));

const rule = fc.record({
  name: ruleNames,
  if: fc.oneof({ weight: 6, arbitrary: condition }, { weight: 1, arbitrary: deepCondition }),
  then: target,
  description: maybe(text),
  unknownKey: fc.option(anyJson, { nil: undefined, freq: 8 }),
}, { requiredKeys: ['name', 'if', 'then'] }).map(dropUndefined);

const provider = fc.record({
  type: fc.oneof(fc.constantFrom('openai', 'anthropic', 'openai-compatible'), hostileName),
  apiKeyEnv: maybe(fc.constantFrom('OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'NOPE')),
  baseURL: maybe(fc.constantFrom('http://127.0.0.1:9/v1', 'not a url', 'file:///etc/passwd', 'http://[::1]:1')),
  keyRequired: maybe(fc.boolean()),
}, { requiredKeys: ['type'] }).map(dropUndefined);

const model = fc.record({
  provider: ruleNames,
  id: fc.oneof(fc.constantFrom(...MODEL_IDS, 'gpt-4o', 'claude-3-5-sonnet-latest'), hostileName),
  inputPerMTok: maybe(fc.oneof(fc.double({ noNaN: true }), oddNumber)),
  outputPerMTok: maybe(fc.oneof(fc.double({ noNaN: true }), oddNumber)),
  contextWindow: maybe(fc.oneof(fc.integer(), oddNumber)),
}, { requiredKeys: ['provider', 'id'] }).map(dropUndefined);

/** `min`..`max` distinct rules (plain or regex conditions): what the shadowing analysis and the compiler are slow on. */
export const manyRules = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.boolean()).map(([n, regex]) =>
  Array.from({ length: n }, (_, i) => ({ name: `r${i}`, if: regex ? { prompt: { regex: `^w${i}\\b`, flags: 'i' } } : { task: `t${i}`, inputTokens: { '>': i } }, then: i % 2 ? 'fast' : 'standard' })));

/** A loadable file with thousands of rules (the in-process loader property of its own). */
export const thousandsOfRules = manyRules(1000, 5000).map((rules) => toJsonText({
  version: 1, providers: { openai: { type: 'openai', apiKeyEnv: 'OPENAI_API_KEY', baseURL: 'http://127.0.0.1:9/v1' } },
  models: { mini: { provider: 'openai', id: 'gpt-4o-mini-2024-07-18' } }, tiers: { fast: ['mini'], standard: ['mini'] }, rules, default: 'standard',
}));

/** A rules object: mostly well-formed with hostile names and conditions, sometimes with stray keys. */
export const rulesObject = fc.record({
  version: fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: anyJson }),
  providers: fc.oneof(
    { weight: 3, arbitrary: fc.constant({ openai: { type: 'openai', apiKeyEnv: 'OPENAI_API_KEY', baseURL: 'http://127.0.0.1:9/v1' }, anthropic: { type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY', baseURL: 'http://127.0.0.1:9' } }) },
    { weight: 2, arbitrary: fc.dictionary(ruleNames, provider, { maxKeys: 3 }).map(ownKeys) },
  ),
  models: fc.oneof(
    { weight: 3, arbitrary: fc.constant({ mini: { provider: 'openai', id: 'gpt-4o-mini-2024-07-18' }, haiku: { provider: 'anthropic', id: 'claude-3-5-haiku-20241022' } }) },
    { weight: 2, arbitrary: fc.dictionary(ruleNames, model, { maxKeys: 4 }).map(ownKeys) },
  ),
  tiers: fc.oneof(
    { weight: 3, arbitrary: fc.constant({ fast: ['mini', 'haiku'], standard: ['haiku', 'mini'] }) },
    { weight: 2, arbitrary: fc.dictionary(ruleNames, fc.oneof(fc.array(ruleNames, { maxLength: 3 }), anyJson), { maxKeys: 4 }).map(ownKeys) },
  ),
  rules: fc.oneof({ weight: 16, arbitrary: fc.array(rule, { maxLength: 6 }) }, { weight: 1, arbitrary: manyRules(20, 200) }, { weight: 2, arbitrary: anyJson }),
  default: fc.oneof({ weight: 3, arbitrary: fc.constant('standard') }, { weight: 3, arbitrary: target }),
  fallback: maybe(fc.record({ retryOn: maybe(fc.array(fc.oneof(fc.integer({ min: 300, max: 700 }), fc.constantFrom('timeout', 'network', 'x')))), timeoutMs: maybe(fc.oneof(fc.integer(), oddNumber)) }).map(dropUndefined)),
  budgets: maybe(fc.record({ dailyUsd: maybe(fc.oneof(fc.double({ noNaN: true }), oddNumber)), hardStop: maybe(fc.boolean()) }).map(dropUndefined)),
  tests: maybe(fc.array(fc.record({ request: fc.oneof(routeRequest, anyJson), expect: fc.record({ tier: maybe(ruleNames), rule: maybe(ruleNames) }).map(dropUndefined) }), { maxLength: 2 })),
  stray: fc.option(fc.tuple(hostileName, anyJson), { nil: undefined, freq: 6 }),
}, { requiredKeys: ['version', 'providers', 'models', 'tiers', 'rules', 'default'] }).map(({ stray, ...r }) => {
  const out = ownKeys(dropUndefined(r));
  if (stray) Object.defineProperty(out, stray[0], { value: stray[1], enumerable: true, writable: true, configurable: true });
  return out;
});

/** Edits a text the way a typing user or a broken save would: cut short, a character dropped or doubled, a comment. */
const textEdit = fc.record({ at: fc.nat(), op: fc.constantFrom('truncate', 'drop', 'insert', 'comment', 'trailing-comma'), ch: fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '/*', '\u0000', '快') });
function applyEdit(t: string, e: { at: number; op: string; ch: string }): string {
  const i = t.length ? e.at % t.length : 0;
  switch (e.op) {
    case 'truncate': return t.slice(0, i);
    case 'drop': return t.slice(0, i) + t.slice(i + 1);
    case 'insert': return t.slice(0, i) + e.ch + t.slice(i);
    case 'comment': return `// edited\n${t.slice(0, i)}/* c */${t.slice(i)}`;
    default: return t.replace(/\}\s*$/, ',}');
  }
}

/** Rules texts: generated files (JSON or JSONC-indented), hand-edited ones, and any text at all. */
export const rulesText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(rulesObject, fc.constantFrom(undefined, 2)).map(([o, indent]) => toJsonText(o, indent)) },
  { weight: 2, arbitrary: fc.tuple(rulesObject, fc.array(textEdit, { minLength: 1, maxLength: 2 })).map(([o, edits]) => edits.reduce(applyEdit, toJsonText(o, 2))) },
  { weight: 1, arbitrary: anyJson.map((v) => toJsonText(v) ?? '') },
  { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('', '//', '/*', '{', '{"version":1', '\ufeff{}', '{"__proto__":{"version":1}}')) },
);

/**
 * Rules whose names are consistent (every reference defined) but hostile: prototype names, names outside
 * Latin-1, as provider, model, tier and rule names and as `then`/`default`. These load, so they reach routing.
 */
const consistentName = fc.oneof(
  fc.constantFrom('mini', 'fast', 'a', 'b'),
  fc.constantFrom(...PROTO_NAMES.filter((n) => n !== '__proto__')),
  fc.constantFrom('快速', 'tier—dash', '😀', 'naïve', 'Ω', 'rule "q"'),
);
const names = fc.uniqueArray(consistentName, { minLength: 1, maxLength: 4 });
export const consistentRules = fc.tuple(names, names, names, names).chain(([providers, models, tiers, ruleNamesList]) => {
  const modelRef = fc.constantFrom(...models);
  // Mostly defined names; sometimes a prototype name that is not defined, which must be an error, not a route.
  const then = fc.oneof(fc.constantFrom(...tiers), modelRef, fc.array(modelRef, { minLength: 1, maxLength: 3 }), fc.constantFrom(...PROTO_NAMES));
  return fc.record({
    version: fc.constant(1),
    providers: fc.constant(Object.fromEntries(providers.map((p, i) => [p, { type: i % 2 ? 'anthropic' : 'openai', apiKeyEnv: i % 2 ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY', baseURL: i % 2 ? 'http://127.0.0.1:9' : 'http://127.0.0.1:9/v1' }]))),
    models: fc.tuple(...models.map(() => fc.tuple(fc.constantFrom(...providers), fc.oneof(fc.constantFrom(...MODEL_IDS), fc.constantFrom('快速-1', 'toString', 'constructor'))))).map((picked) => Object.fromEntries(models.map((m, i) => [m, { provider: picked[i][0], id: picked[i][1] }]))),
    tiers: fc.tuple(...tiers.map(() => fc.array(modelRef, { minLength: 1, maxLength: 3 }))).map((lists) => Object.fromEntries(tiers.map((t, i) => [t, lists[i]]))),
    rules: fc.tuple(...ruleNamesList.map(() => fc.tuple(condition, then))).map((rs) => rs.map(([c, t], i) => ({ name: ruleNamesList[i], if: c, then: t }))),
    default: then,
  });
}).map((o) => toJsonText(o, 2));
