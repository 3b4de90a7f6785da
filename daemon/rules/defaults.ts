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
    { "name": "urgent", "if": { "urgency": "high" }, "then": "fast" },
    // The classifier (docs/ROUTING.md) reads what the request needs, not how it looks. Under-serving is the worse
    // error, so a request goes deep when that is merely likely, and fast only when the classifier is sure.
    { "name": "needs depth", "if": { "classifier": { "tier": "deep", "minConfidence": 0.3 } }, "then": "deep" },
    { "name": "simple ask", "if": { "classifier": { "tier": "fast", "minConfidence": 0.5 } }, "then": "fast" }
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
    {"name": "classification task", "request": {"task": "classification", "prompt": "Is this spam?"}, "expect": {"tier": "fast", "rule": "classification is cheap"}},
    {"name": "small talk", "request": {"prompt": "thanks!", "task": "chat", "source": "palette"}, "expect": {"tier": "fast", "rule": "simple ask"}},
    {"name": "reasoning asked for", "request": {"prompt": "Plan the migration", "shape": {"reasoning": "high", "hasTools": true}}, "expect": {"tier": "reasoning", "model": "sonnet4"}},
    {"name": "budget guard first", "request": {"prompt": "Why does this loop never end?"}, "state": {"spentTodayUsd": 9}, "expect": {"rule": "budget guard"}},
    {"name": "politeness does not decide: a deadlock above a thread dump", "request": {"prompt": "thanks, but how do I fix this deadlock?\\n\\n\\"pool-worker-3\\" #31 prio=5 waiting for monitor entry\\n   java.lang.Thread.State: BLOCKED (on object monitor)\\n\\tat com.acme.ledger.AccountService.transfer(AccountService.java:88)\\n\\t- waiting to lock <0x76b2a1e40> (a com.acme.ledger.Account)\\n\\t- locked <0x76b2a1f10> (a com.acme.ledger.Account)\\n\\"pool-worker-7\\" #35 prio=5 waiting for monitor entry\\n   java.lang.Thread.State: BLOCKED (on object monitor)\\n\\tat com.acme.ledger.AccountService.transfer(AccountService.java:88)\\n\\t- waiting to lock <0x76b2a1f10> (a com.acme.ledger.Account)\\n\\t- locked <0x76b2a1e40> (a com.acme.ledger.Account)", "task": "chat", "source": "palette", "language": "java"}, "expect": {"tier": "deep", "rule": "needs depth"}},
    {"name": "the task does not decide: a refactor that renames one variable", "request": {"prompt": "rename usrCnt to userCount\\n\\nRefactor this javascript selection from src/stats.js:\\n\\n\`\`\`javascript\\nfunction summary(users) {\\n  const usrCnt = users.length;\\n  const active = users.filter((u) => u.active);\\n  return \`\${active.length} of \${usrCnt} active\`;\\n}\\n\`\`\`", "task": "refactor", "source": "codeAction", "language": "javascript"}, "expect": {"tier": "fast", "rule": "simple ask"}},
    {"name": "keywords mislead: design a label", "request": {"prompt": "Design a label for this button: it saves the draft and closes the dialog", "task": "chat", "source": "palette"}, "expect": {"tier": "fast"}},
    {"name": "keywords mislead: a quick question about a distributed lock", "request": {"prompt": "quick question: why does our redis lock sometimes let two workers into the critical section? we use SET NX PX 30000 and delete the key when done", "task": "chat", "source": "palette"}, "expect": {"tier": "deep"}},
    {"name": "one fact", "request": {"prompt": "which node version added fetch?", "task": "chat", "source": "palette"}, "expect": {"tier": "fast"}},
    {"name": "everyday coding", "request": {"prompt": "Write a function that parses an ISO 8601 duration like PT1H30M into seconds, with tests", "task": "chat", "source": "palette", "language": "typescript"}, "expect": {"tier": "standard", "rule": "default"}}
  ]
}
`;
