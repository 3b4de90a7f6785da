/**
 * The rules file: one zod definition is the single source of truth for the TypeScript types (below) and for
 * the JSON Schema (`schema/rules.schema.json`, generated at build by scripts/gen-schema.ts).
 */
import { z } from 'zod';

const Names = z.union([z.string(), z.array(z.string()).min(1)]);

/** `{ ">": 4000 }`, `{ ">=": 1, "<": 10 }` — several operators form a range; all must hold. */
export const Comparison = z
  .strictObject({
    '>': z.number().optional(),
    '>=': z.number().optional(),
    '<': z.number().optional(),
    '<=': z.number().optional(),
    '==': z.number().optional(),
  })
  .refine((c) => Object.keys(c).length > 0, { message: 'a comparison needs at least one of >, >=, <, <=, ==' })
  .describe('Numeric comparison; several operators form a range.');
export type Comparison = z.infer<typeof Comparison>;

export const PromptCondition = z.union([
  z.strictObject({
    regex: z.string().describe('RE2 syntax (linear time): no backreferences or lookaround.'),
    flags: z.string().regex(/^[ims]*$/, 'flags may only contain i, m and s').optional(),
  }),
  z.strictObject({
    contains: Names.describe('Substring(s); any one matches.'),
    caseSensitive: z.boolean().optional(),
  }),
]);
export type PromptCondition = z.infer<typeof PromptCondition>;

/** A metadata condition value: equality, membership, or a numeric comparison on a numeric string. */
export const MetadataValue = z.union([z.string(), z.array(z.string()).min(1), Comparison]);

export const Urgency = z.enum(['low', 'normal', 'high']);
export type Urgency = z.infer<typeof Urgency>;

/** The reasoning a request asks for: an effort, or `enabled` (a thinking budget without an effort). */
export const ReasoningLevel = z.enum(['minimal', 'low', 'medium', 'high', 'enabled']);
export type ReasoningLevel = z.infer<typeof ReasoningLevel>;

/** The classifier's tiers (shared/decision.ts VERDICT_TIERS). */
export const VerdictTierName = z.enum(['fast', 'standard', 'deep']);

/**
 * A condition on the classifier's verdict (daemon/classifier). With `minConfidence`: the probability that the
 * request needs `tier` (or, for a list, one of them) is at least that. Without: the verdict — the likeliest tier —
 * is `tier` (one of them).
 */
export const ClassifierCondition = z.strictObject({
  tier: z.union([VerdictTierName, z.array(VerdictTierName).min(1)]),
  minConfidence: z.number().min(0).max(1).optional().describe('0–1: the least probability of the tier(s); absent: the likeliest tier is the one named.'),
});
export type ClassifierCondition = z.infer<typeof ClassifierCondition>;

export interface Condition {
  task?: string | string[];
  source?: string | string[];
  urgency?: Urgency | Urgency[];
  language?: string | string[];
  prompt?: PromptCondition;
  inputTokens?: Comparison;
  maxOutputTokens?: Comparison;
  estimatedCostUsd?: Comparison;
  latencyBudgetMs?: Comparison;
  spentTodayUsd?: Comparison;
  spentMonthUsd?: Comparison;
  hasTools?: boolean;
  hasImages?: boolean;
  turns?: Comparison;
  lastIsToolResult?: boolean;
  client?: string | string[];
  reasoning?: ReasoningLevel | ReasoningLevel[];
  classifier?: ClassifierCondition;
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
  /** `metadata.<key>` conditions are additional keys of this object. */
  [metadataKey: `metadata.${string}`]: z.infer<typeof MetadataValue> | undefined;
}

/** Keys an object condition may hold besides `metadata.<key>`; several keys in one object must all hold. */
export const CONDITION_KEYS = [
  'task', 'source', 'urgency', 'language', 'prompt', 'inputTokens', 'maxOutputTokens', 'estimatedCostUsd',
  'latencyBudgetMs', 'spentTodayUsd', 'spentMonthUsd', 'hasTools', 'hasImages', 'turns', 'lastIsToolResult',
  'client', 'reasoning', 'classifier', 'all', 'any', 'not',
] as const;

export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z
    .object({
      task: Names.optional(),
      source: Names.optional(),
      urgency: z.union([Urgency, z.array(Urgency).min(1)]).optional(),
      language: Names.optional(),
      prompt: PromptCondition.optional(),
      inputTokens: Comparison.optional(),
      maxOutputTokens: Comparison.optional(),
      estimatedCostUsd: Comparison.optional().describe('Estimated cost on the default target\'s first model.'),
      latencyBudgetMs: Comparison.optional(),
      spentTodayUsd: Comparison.optional(),
      spentMonthUsd: Comparison.optional(),
      hasTools: z.boolean().optional().describe('The request offers the model tools (function definitions).'),
      hasImages: z.boolean().optional().describe('The conversation carries an image.'),
      turns: Comparison.optional().describe('User turns in the conversation (a message of tool results only is not a turn).'),
      lastIsToolResult: z.boolean().optional().describe('The last message returns tool results: an agent loop\'s next step.'),
      client: Names.optional().describe('The calling client, from its user agent or x-switchyard-client: claude-cli, codex, cline, roo, continue, aider, opencode, openai-sdk, anthropic-sdk, ai-sdk, langchain…'),
      reasoning: z.union([ReasoningLevel, z.array(ReasoningLevel).min(1)]).optional().describe('The reasoning the request asks for: an effort, or "enabled" (a thinking budget without an effort).'),
      classifier: ClassifierCondition.optional().describe('The classifier\'s verdict on what the request needs: { "tier": "deep", "minConfidence": 0.4 } holds when P(deep) ≥ 0.4; without minConfidence, when the likeliest tier is the one named.'),
      all: z.array(Condition).min(1).optional(),
      any: z.array(Condition).min(1).optional(),
      not: Condition.optional(),
    })
    .catchall(MetadataValue)
    .superRefine((c, ctx) => {
      const keys = Object.keys(c);
      if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'an empty condition always matches; use "default" instead' });
      for (const k of keys) {
        if (!(CONDITION_KEYS as readonly string[]).includes(k) && !/^metadata\.[^.]+$/.test(k)) {
          ctx.addIssue({ code: 'custom', path: [k], message: `unknown condition "${k}" (use one of ${CONDITION_KEYS.join(', ')} or metadata.<key>)` });
        }
      }
    }),
) as z.ZodType<Condition>;

/** A tier name, a model short name, or an inline ordered list of model short names. */
export const Target = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
export type Target = z.infer<typeof Target>;

export const ProviderType = z.enum(['openai', 'anthropic', 'openai-compatible']);
export type ProviderType = z.infer<typeof ProviderType>;

export const ProviderConfig = z.strictObject({
  type: ProviderType,
  apiKeyEnv: z.string().optional().describe('Environment variable holding the API key.'),
  baseURL: z.string().url().optional().describe('Handed to the SDK as is: include /v1 for OpenAI-style servers, not for Anthropic.'),
  keyRequired: z.boolean().optional().describe('Default true for openai/anthropic, false for openai-compatible.'),
});
export type ProviderConfig = z.infer<typeof ProviderConfig>;

export const ModelConfig = z.strictObject({
  provider: z.string(),
  id: z.string().describe('The pinned, dated model id sent upstream.'),
  inputPerMTok: z.number().nonnegative().optional().describe('USD per 1M input tokens (overrides the catalog).'),
  outputPerMTok: z.number().nonnegative().optional().describe('USD per 1M output tokens (overrides the catalog).'),
  cachedInputPerMTok: z.number().nonnegative().optional().describe('USD per 1M input tokens read from the provider\'s prompt cache (overrides the catalog; defaults to inputPerMTok when that is overridden).'),
  cacheWritePerMTok: z.number().nonnegative().optional().describe('USD per 1M input tokens written to the prompt cache (Anthropic; overrides the catalog; defaults to inputPerMTok when that is overridden).'),
  contextWindow: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional().describe('The most output tokens one request may ask for (overrides the catalog; unknown models: the context window).'),
  capabilities: z.strictObject({
    tools: z.boolean().optional(),
    vision: z.boolean().optional().describe('Reads images.'),
    documents: z.boolean().optional().describe('Reads PDF documents.'),
    structuredOutput: z.boolean().optional().describe('Follows a JSON schema (response_format json_schema).'),
    reasoning: z.boolean().optional().describe('Takes a reasoning effort or a thinking budget.'),
  }).optional().describe('What the model can take (overrides the catalog; models not in it: tools and structuredOutput only). A request needing what a model lacks skips it.'),
  ttftMs: z.number().positive().optional().describe('Seed time to first token, ms.'),
  tokensPerSecond: z.number().positive().optional().describe('Seed output speed.'),
  encoding: z.enum(['o200k_base', 'cl100k_base']).optional(),
});
export type ModelConfig = z.infer<typeof ModelConfig>;

export const RetryOn = z.union([z.number().int().min(400).max(599), z.enum(['timeout', 'network'])]);

export const FallbackConfig = z.strictObject({
  retryOn: z.array(RetryOn).default([408, 429, 500, 502, 503, 504, 529, 'timeout', 'network']),
  timeoutMs: z.number().int().positive().default(60000),
  maxRetryAfterMs: z.number().int().nonnegative().default(2000),
  circuit: z
    .strictObject({ failures: z.number().int().positive().default(3), coolDownMs: z.number().int().positive().default(30000) })
    .default({ failures: 3, coolDownMs: 30000 }),
});
export type FallbackConfig = z.infer<typeof FallbackConfig>;

export const BudgetsConfig = z.strictObject({
  dailyUsd: z.number().nonnegative().optional(),
  monthlyUsd: z.number().nonnegative().optional(),
  hardStop: z.boolean().optional().describe('Refuse requests past a cap unless routed to a zero-cost model.'),
});

export const LedgerConfig = z.strictObject({
  storePrompts: z.boolean().default(false).describe('Store prompt text (needed to replay regex rules).'),
  retentionDays: z.number().int().positive().default(90),
});

/** The most output tokens a request may ask for: the largest context window in the catalog (gpt-4.1's). */
export const MAX_OUTPUT_TOKENS = 1_047_576;

export const RouteRequestInput = z.strictObject({
  prompt: z.string().default(''),
  system: z.string().optional(),
  task: z.string().optional(),
  source: z.string().optional(),
  urgency: Urgency.optional(),
  language: z.string().optional(),
  maxOutputTokens: z.number().int().positive().max(MAX_OUTPUT_TOKENS, `must be at most ${MAX_OUTPUT_TOKENS} (no model's context window is larger)`).optional(),
  latencyBudgetMs: z.number().positive().max(86_400_000, 'must be at most 86400000 (a day)').optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/**
 * The shape a rule test's request has (what an HTTP request's body and headers would show the router), so `rules
 * test` can check rules on hasTools, turns, client… and the capability checks. Absent: plain text, one turn.
 */
export const RuleTestShape = z.strictObject({
  hasTools: z.boolean().optional(),
  hasImages: z.boolean().optional(),
  hasDocuments: z.boolean().optional().describe('Carries a PDF.'),
  turns: z.number().int().nonnegative().optional(),
  lastIsToolResult: z.boolean().optional(),
  client: z.string().optional(),
  reasoning: ReasoningLevel.optional(),
  structuredOutput: z.boolean().optional().describe('Asks for a JSON schema.'),
});
export type RuleTestShape = z.infer<typeof RuleTestShape>;

export const RuleTest = z.strictObject({
  name: z.string().optional(),
  request: RouteRequestInput.extend({ shape: RuleTestShape.optional() }),
  state: z.strictObject({ spentTodayUsd: z.number().optional(), spentMonthUsd: z.number().optional() }).optional(),
  expect: z
    .strictObject({ tier: z.string().optional(), rule: z.string().optional(), model: z.string().optional() })
    .refine((e) => Object.keys(e).length > 0, { message: 'expect needs tier, rule or model' }),
});

export const Rule = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  if: Condition,
  then: Target,
  breaksAffinity: z.boolean().optional().describe('When this rule matches, it wins over a conversation\'s pinned model (e.g. a budget guard).'),
});
export type Rule = z.infer<typeof Rule>;

/** Conversation affinity (docs/RULES.md): `false` turns it off. */
export const AffinityConfig = z.union([
  z.literal(false),
  z.strictObject({
    idleMinutes: z.number().positive().max(10_080, 'must be at most 10080 (a week)').default(30)
      .describe('A conversation unseen this long starts over with a fresh decision.'),
  }),
]);
export type AffinityConfig = z.infer<typeof AffinityConfig>;

export const RulesFile = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1),
  providers: z.record(z.string(), ProviderConfig).default({}),
  models: z.record(z.string(), ModelConfig).default({}),
  tiers: z.record(z.string(), z.array(z.string()).min(1)).default({}),
  rules: z.array(Rule).default([]),
  default: Target,
  fallback: FallbackConfig.default(FallbackConfig.parse({})),
  budgets: BudgetsConfig.default({}),
  ledger: LedgerConfig.default(LedgerConfig.parse({})),
  affinity: AffinityConfig.default({ idleMinutes: 30 }).describe('Conversation affinity: an agent loop stays on the model of its first turn (false: off).'),
  escalation: z.array(z.string().min(1)).min(1).optional()
    .describe('Tier names, weakest first: "Ask Again With a Stronger Model" sends a request to the tier after the one that served it. Default: the tiers among fast, standard and deep that the file defines.'),
  tests: z.array(RuleTest).default([]),
});
/** The rules file after defaults are applied. */
export type RulesConfig = z.infer<typeof RulesFile>;
export type RulesFileInput = z.input<typeof RulesFile>;
export type RuleTestCase = z.infer<typeof RuleTest>;

/** The escalation order (weakest tier first): the file's `escalation`, else the tiers among these it defines. */
export const DEFAULT_ESCALATION = ['fast', 'standard', 'deep'] as const;
export function escalationOrder(config: Pick<RulesConfig, 'escalation' | 'tiers'>): string[] {
  return config.escalation ?? DEFAULT_ESCALATION.filter((t) => Object.hasOwn(config.tiers, t));
}
