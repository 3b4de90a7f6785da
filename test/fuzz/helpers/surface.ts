/**
 * Generators for the HTTP surface around the completion routes, as agents and SDKs call it: `model` values that force
 * either provider (or a tier, or auto, or a hostile name), the headers agents send (user agent, session, API versions
 * and betas, routing hints), `POST /v1/embeddings` and legacy `POST /v1/completions` (prompt + suffix) bodies, and
 * ids for `GET /v1/models/{id}` written into the path in the ways clients and attackers do.
 */
import fc from 'fast-check';
import { anyJson, hintHeaders, hostileName, KNOWN_MODELS, KNOWN_TIERS, MODEL_IDS, ODD_NAMES, oddNumber, PROTO_NAMES, raw, text, upstreamFault } from './arbitraries';
import { dropUndefined, sometimes } from './conversation';

const sampledNumber = (min: number, max: number) => fc.oneof(
  { weight: 4, arbitrary: fc.double({ min, max, noNaN: true }) },
  { weight: 1, arbitrary: fc.oneof(oddNumber, fc.constantFrom(-1, max + 1, '0.5', null, true)) },
);

/** The models the fuzz rules (helpers/harness.ts fuzzRules) add to the integration four; their short names are `model` values here. */
export const AGENT_MODELS = {
  o3: { provider: 'openai', id: 'o3-mini-2025-01-31' },
  sonnet4: { provider: 'anthropic', id: 'claude-sonnet-4-20250514' },
  embed: { provider: 'openai', id: 'text-embedding-3-small' },
  local: { provider: 'local', id: 'llama-3.1-8b', inputPerMTok: 0, outputPerMTok: 0 },
};

// ---- model names: either provider's models forced by `model`, tiers, auto, and now and then a hostile name ----

/** OpenAI-type, Anthropic-type and OpenAI-compatible models of the fuzz rules, by short name and pinned id. */
export const OPENAI_MODELS = ['mini', 'gpt4o', 'o3', 'gpt-4o-mini-2024-07-18', 'o3-mini-2025-01-31'] as const;
export const ANTHROPIC_MODELS = ['haiku', 'sonnet', 'sonnet4', 'claude-3-5-haiku-20241022', 'claude-sonnet-4-20250514'] as const;
const AGENT_TIERS = ['reasoning', 'local', 'embeddings'] as const;

export const agentModel = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...OPENAI_MODELS, 'local') },
  { weight: 4, arbitrary: fc.constantFrom(...ANTHROPIC_MODELS) },
  { weight: 2, arbitrary: fc.constantFrom('switchyard/auto', 'auto', ...KNOWN_TIERS, ...AGENT_TIERS, 'switchyard/reasoning') },
  { weight: 1, arbitrary: hostileName },
);

// ---- headers agents send ----

/** What agents send: their user agent, a session id, the API versions and betas; and now and then routing hints (some hostile). */
export const agentHeaders = fc.tuple(sometimes(hintHeaders, 4).map((h) => h ?? {}), fc.record({
  'user-agent': sometimes(fc.constantFrom('claude-cli/2.1.3 (external, cli)', 'codex_cli_rs/0.171.0', 'opencode/1.18', 'Cline/3.0', 'OpenAI/JS 5.0.0', 'ai-sdk/6', '\u00e9\u00e9')),
  'x-switchyard-session': sometimes(fc.oneof(fc.constant('session-1'), fc.constantFrom(...PROTO_NAMES), fc.string({ maxLength: 8 }))),
  'anthropic-version': sometimes(fc.constantFrom('2023-06-01', 'garbage')),
  'anthropic-beta': sometimes(fc.constantFrom('interleaved-thinking-2025-05-14', 'fine-grained-tool-streaming-2025-05-14,prompt-caching-2024-07-31', '')),
  'openai-beta': sometimes(fc.constantFrom('responses=v1', ''), 4),
})).map(([hints, agent]) => ({ ...hints, ...Object.fromEntries(Object.entries(agent).filter(([, v]) => v !== undefined).map(([k, v]) => [k, Buffer.from(String(v), 'utf8').toString('latin1')])) }));

// ---- the rest of the surface ----

const tokenIds = fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 8 });

export const embeddingsBody = fc.record({
  model: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('embed', AGENT_MODELS.embed.id, 'switchyard/auto', 'embeddings', 'switchyard/embeddings', 'local', 'mini') }, { weight: 2, arbitrary: fc.constantFrom(...ANTHROPIC_MODELS) }, { weight: 1, arbitrary: hostileName }),
  input: fc.oneof(
    { weight: 4, arbitrary: fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 })) },
    { weight: 1, arbitrary: fc.oneof(tokenIds, fc.array(tokenIds, { maxLength: 3 })) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('', [], [''], null, [null], [[]]), anyJson) },
  ),
  encoding_format: sometimes(fc.constantFrom('float', 'base64', 'hex'), 3),
  // Not 1e21 or 2^31: the mock builds a vector of that many dimensions (test/fixtures/mock/embeddings.ts has no cap, OpenAI does).
  dimensions: sometimes(fc.oneof(fc.integer({ min: 1, max: 3072 }), fc.constantFrom(0, -1, 1.5, '8', null, raw('1e400'), raw('-0'))), 4),
  user: sometimes(fc.oneof(text, anyJson), 4),
  stream: sometimes(fc.boolean(), 6),
}, { requiredKeys: ['model', 'input'] }).map(dropUndefined);

export const completionsBody = fc.record({
  model: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('local', 'mini', 'gpt4o', 'switchyard/auto', 'switchyard/local') }, { weight: 2, arbitrary: fc.constantFrom(...ANTHROPIC_MODELS) }, { weight: 1, arbitrary: hostileName }),
  prompt: fc.oneof(
    { weight: 4, arbitrary: fc.oneof(fc.constantFrom('def fib(n):\n    ', '// TODO: sort\nfunction sort(a) {', ''), text) },
    { weight: 1, arbitrary: fc.oneof(fc.array(text, { maxLength: 3 }), tokenIds, fc.array(tokenIds, { maxLength: 2 })) },
    { weight: 1, arbitrary: anyJson },
  ),
  suffix: sometimes(fc.oneof(fc.constantFrom('\n    return a\n}', ''), text, anyJson)),
  max_tokens: sometimes(fc.oneof(fc.integer({ min: 1, max: 256 }), oddNumber, fc.constantFrom(0, '16'))),
  temperature: sometimes(sampledNumber(0, 2), 3),
  stream: fc.boolean(),
  stream_options: sometimes(fc.oneof(fc.record({ include_usage: fc.boolean() }), anyJson), 4),
  n: sometimes(fc.oneof(fc.integer({ min: 1, max: 3 }), oddNumber), 5),
  echo: sometimes(fc.boolean(), 5),
  logprobs: sometimes(fc.oneof(fc.integer({ min: 0, max: 5 }), anyJson), 5),
  stop: sometimes(fc.oneof(text, fc.array(text, { maxLength: 4 })), 4),
  best_of: sometimes(fc.integer({ min: 1, max: 3 }), 6),
}, { requiredKeys: ['model', 'prompt'] }).map(dropUndefined);

/** An id for GET /v1/models/{id}: the listed names, prototype and odd names, any text — written into the path many ways. */
export const modelIdPath = fc.record({
  id: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('switchyard/auto', ...KNOWN_TIERS, ...AGENT_TIERS, ...KNOWN_MODELS, ...MODEL_IDS, 'o3', 'sonnet4', 'embed', 'local', AGENT_MODELS.embed.id) },
    { weight: 3, arbitrary: fc.constantFrom(...PROTO_NAMES, ...ODD_NAMES) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  ),
  // How the id is put into the path: encoded (what an SDK does), with slashes kept, encoded twice, or a broken escape appended.
  encoding: fc.constantFrom('component', 'component', 'slashes', 'twice', 'broken'),
  anthropic: fc.boolean(),
});

export function modelPath(c: { id: string; encoding: string }): string {
  switch (c.encoding) {
    case 'slashes': return `/v1/models/${encodeURIComponent(c.id).replace(/%2F/gi, '/')}`;
    case 'twice': return `/v1/models/${encodeURIComponent(encodeURIComponent(c.id))}`;
    case 'broken': return `/v1/models/${encodeURIComponent(c.id)}%E0%A4%A`;
    default: return `/v1/models/${encodeURIComponent(c.id)}`;
  }
}

/**
 * Upstream faults for agent traffic: the suite's faults, plus refusals that carry what a client acts on — a
 * retry-after too long to wait for (so the fallback or the client must), an error code (context_length_exceeded)
 * and a param — which must reach the caller as the upstream said them when no candidate is left.
 */
export const agentFault = fc.oneof(
  { weight: 3, arbitrary: upstreamFault },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('status' as const), status: fc.constantFrom(429, 529, 503), retryAfter: fc.constantFrom('30', '1') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('status' as const), status: fc.constantFrom(400, 422), code: fc.constantFrom('context_length_exceeded', 'invalid_value'), param: fc.constantFrom('messages', 'input', 'tools[0].parameters') }) },
);
