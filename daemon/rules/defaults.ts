/**
 * The built-in rules, used when no rules file is found. Kept as JSONC text (not an object) so `rules.get` can
 * hand users a commented starting point and the loader validates it like any user file.
 */
export const DEFAULT_RULES_TEXT = `// Switchyard rules — first match wins. Reference: docs/RULES.md
{
  "$schema": "https://switchyard.dev/schema/rules.schema.json",
  "version": 1,
  "providers": {
    "openai":    { "type": "openai",    "apiKeyEnv": "OPENAI_API_KEY" },
    "anthropic": { "type": "anthropic", "apiKeyEnv": "ANTHROPIC_API_KEY" }
  },
  // Short names → pinned, dated model ids (prices come from the built-in catalog).
  "models": {
    "mini":   { "provider": "openai",    "id": "gpt-4o-mini-2024-07-18" },
    "gpt4o":  { "provider": "openai",    "id": "gpt-4o-2024-08-06" },
    "haiku":  { "provider": "anthropic", "id": "claude-3-5-haiku-20241022" },
    "sonnet": { "provider": "anthropic", "id": "claude-3-5-sonnet-20241022" },
    // Models that reason (extended thinking, reasoning_effort): the others are skipped for such requests.
    "sonnet4": { "provider": "anthropic", "id": "claude-sonnet-4-20250514" },
    "o3mini":  { "provider": "openai",    "id": "o3-mini-2025-01-31" }
  },
  // Ordered candidates: the first healthy one is tried first, the rest are fallbacks.
  "tiers": {
    "fast":     ["mini", "haiku"],
    "standard": ["gpt4o", "sonnet"],
    "deep":     ["sonnet", "gpt4o"],
    "reasoning": ["sonnet4", "o3mini"]
  },
  "rules": [
    // Past 80 % of the daily budget everything goes to the cheap tier, agent loops already under way included.
    { "name": "budget guard", "if": { "spentTodayUsd": { ">=": 8 } }, "then": "fast", "breaksAffinity": true },
    // A caller that asks for thinking (Claude Code's extended thinking, reasoning_effort) gets a model that can.
    { "name": "reasoning asked for", "if": { "reasoning": ["minimal", "low", "medium", "high", "enabled"] }, "then": "reasoning" },
    { "name": "classification is cheap", "if": { "task": "classification" }, "then": "fast" },
    { "name": "small talk", "if": { "prompt": { "regex": "^\\\\s*(thanks|thank you|thx|ok|okay|lgtm|yes|no|hi|hello)\\\\b", "flags": "i" } }, "then": "fast" },
    { "name": "big context", "if": { "inputTokens": { ">": 4000 } }, "then": "deep" },
    { "name": "urgent", "if": { "urgency": "high" }, "then": "fast" },
    { "name": "refactors and tests", "if": { "task": ["refactor", "tests"] }, "then": "standard" },
    { "name": "quick explanations", "if": { "all": [ { "task": "explain" }, { "inputTokens": { "<": 1500 } } ] }, "then": "fast" }
  ],
  "default": "standard",
  "fallback": {
    "retryOn": [408, 429, 500, 502, 503, 504, 529, "timeout", "network"],
    "timeoutMs": 60000,
    "maxRetryAfterMs": 2000,
    "circuit": { "failures": 3, "coolDownMs": 30000 }
  },
  "budgets": { "dailyUsd": 10, "monthlyUsd": 200 },
  "tests": [
    { "request": { "task": "classification", "prompt": "Is this spam?" }, "expect": { "tier": "fast", "rule": "classification is cheap" } },
    { "request": { "prompt": "thanks!" }, "expect": { "tier": "fast", "rule": "small talk" } },
    { "request": { "prompt": "Plan the migration", "shape": { "reasoning": "high", "hasTools": true } }, "expect": { "tier": "reasoning", "model": "sonnet4" } },
    { "request": { "prompt": "Rename this variable", "task": "refactor", "source": "codeAction" }, "expect": { "tier": "standard", "rule": "refactors and tests" } },
    { "request": { "prompt": "Why does this loop never end?" }, "state": { "spentTodayUsd": 9 }, "expect": { "rule": "budget guard" } },
    { "request": { "prompt": "Design a caching layer for our API" }, "expect": { "tier": "standard", "rule": "default" } }
  ]
}
`;
