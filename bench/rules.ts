/**
 * Rules the benchmarks route with: the built-in defaults pointed at the mock upstream (proxy, streaming, daemon
 * benches), and a 50-rule file with regexes, substring tests, numeric comparisons, metadata and combinators
 * (decision bench).
 */
import { parse as parseJsonc } from 'jsonc-parser';
import { DEFAULT_RULES_TEXT } from '../daemon/rules/defaults';

/** The built-in default rules, unchanged except that both providers point at the mock upstream. */
export function defaultRulesFor(mock: { openaiBaseURL: string; anthropicBaseURL: string }): string {
  const rules = parseJsonc(DEFAULT_RULES_TEXT) as Record<string, any>;
  delete rules.$schema;
  rules.providers.openai.baseURL = mock.openaiBaseURL;
  rules.providers.anthropic.baseURL = mock.anthropicBaseURL;
  return JSON.stringify(rules, null, 2);
}

const BASE = {
  version: 1,
  providers: {
    openai: { type: 'openai', apiKeyEnv: 'OPENAI_API_KEY' },
    anthropic: { type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' },
    local: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1' },
  },
  models: {
    mini: { provider: 'openai', id: 'gpt-4o-mini-2024-07-18' },
    gpt4o: { provider: 'openai', id: 'gpt-4o-2024-08-06' },
    nano: { provider: 'openai', id: 'gpt-4.1-nano-2025-04-14' },
    o3mini: { provider: 'openai', id: 'o3-mini-2025-01-31' },
    haiku: { provider: 'anthropic', id: 'claude-3-5-haiku-20241022' },
    sonnet: { provider: 'anthropic', id: 'claude-3-5-sonnet-20241022' },
    opus: { provider: 'anthropic', id: 'claude-opus-4-20250514' },
    qwen: { provider: 'local', id: 'qwen2.5-coder:7b', inputPerMTok: 0, outputPerMTok: 0, contextWindow: 32768, ttftMs: 150, tokensPerSecond: 40 },
  },
  tiers: {
    fast: ['mini', 'haiku'],
    standard: ['gpt4o', 'sonnet'],
    deep: ['sonnet', 'gpt4o'],
    reasoning: ['o3mini', 'opus'],
    local: ['qwen', 'mini'],
    tiny: ['nano', 'mini'],
  },
};

/**
 * 50 rules, first match wins: 10 regex rules (anchored and unanchored, with flags), 6 substring rules, 4 `any`,
 * 6 `all` (several with nested `not`/`any`), 3 `not`, numeric ranges on tokens/spend/latency budget, and
 * metadata equality and numeric comparisons. Ordered as a real file would be: cheap guards first, catch-alls last.
 */
export const FIFTY_RULES: Array<{ name: string; if: Record<string, unknown>; then: string | string[] }> = [
  { name: 'budget hard guard', if: { spentTodayUsd: { '>=': 9.5 } }, then: 'tiny' },
  { name: 'month guard', if: { spentMonthUsd: { '>=': 190 } }, then: 'fast' },
  { name: 'offline team', if: { 'metadata.network': 'offline' }, then: 'local' },
  { name: 'small talk', if: { prompt: { regex: '^\\s*(thanks|thank you|thx|ok|okay|lgtm|yes|no|hi|hello)\\b', flags: 'i' } }, then: 'tiny' },
  { name: 'classification', if: { task: 'classification' }, then: 'fast' },
  { name: 'spam check', if: { prompt: { regex: '^(is|are) (this|these) (email|message|comment)s? (spam|phishing)', flags: 'i' } }, then: 'tiny' },
  { name: 'commit messages', if: { all: [{ task: 'commit-message' }, { inputTokens: { '<': 8000 } }] }, then: 'fast' },
  { name: 'very long context', if: { inputTokens: { '>': 100000 } }, then: ['sonnet'] },
  { name: 'big context', if: { all: [{ inputTokens: { '>': 12000 } }, { not: { task: ['classification', 'commit-message'] } }] }, then: 'deep' },
  { name: 'tight latency budget', if: { latencyBudgetMs: { '<': 800 } }, then: 'fast' },
  { name: 'urgent quick', if: { all: [{ urgency: 'high' }, { inputTokens: { '<': 2000 } }] }, then: 'fast' },
  { name: 'secrets in prompt', if: { prompt: { regex: '(?:AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|sk-[A-Za-z0-9]{32,})' } }, then: 'local' },
  { name: 'internal code', if: { 'metadata.repo': ['acme/payments', 'acme/ledger', 'acme/identity'] }, then: 'local' },
  { name: 'proof and math', if: { prompt: { regex: '\\b(prove|proof|lemma|theorem|derive)\\b', flags: 'i' } }, then: 'reasoning' },
  { name: 'architecture', if: { any: [{ task: 'design' }, { prompt: { contains: ['architecture', 'system design', 'trade-off'] } }] }, then: 'deep' },
  { name: 'security review', if: { any: [{ task: 'security' }, { prompt: { contains: ['CVE-', 'vulnerability', 'XSS', 'SQL injection'] } }] }, then: 'deep' },
  { name: 'regex help', if: { prompt: { regex: '\\b(regex|regular expression)s?\\b', flags: 'i' } }, then: 'fast' },
  { name: 'sql', if: { all: [{ prompt: { regex: '\\b(select|insert|update|delete)\\b[\\s\\S]{0,200}\\b(from|into|set|where)\\b', flags: 'i' } }, { language: ['sql', 'plsql', 'postgres'] }] }, then: 'standard' },
  { name: 'shell one-liners', if: { all: [{ language: ['shellscript', 'powershell'] }, { inputTokens: { '<': 1500 } }] }, then: 'fast' },
  { name: 'free tier users', if: { all: [{ 'metadata.plan': 'free' }, { not: { urgency: 'high' } }] }, then: 'tiny' },
  { name: 'enterprise priority', if: { all: [{ 'metadata.plan': 'enterprise' }, { 'metadata.seats': { '>=': 50 } }] }, then: 'standard' },
  { name: 'translate', if: { prompt: { regex: '^(translate|traduire|übersetze)\\b', flags: 'i' } }, then: 'fast' },
  { name: 'docstrings', if: { all: [{ task: ['docs', 'docstring'] }, { source: 'codeAction' }] }, then: 'fast' },
  { name: 'stack traces', if: { prompt: { regex: '(Traceback \\(most recent call last\\)|\\n\\s+at [\\w.$<>]+ \\(|Exception in thread)' } }, then: 'standard' },
  { name: 'json fixing', if: { all: [{ prompt: { contains: ['JSON', 'json'], caseSensitive: true } }, { inputTokens: { '<': 600 } }] }, then: 'fast' },
  { name: 'renames', if: { all: [{ task: 'refactor' }, { prompt: { contains: ['rename', 'Rename'] } }, { inputTokens: { '<': 3000 } }] }, then: 'fast' },
  { name: 'tests for big files', if: { all: [{ task: 'tests' }, { inputTokens: { '>=': 3000 } }] }, then: 'deep' },
  { name: 'refactors', if: { all: [{ source: 'codeAction' }, { task: ['refactor', 'tests'] }] }, then: 'standard' },
  { name: 'fix diagnostics', if: { all: [{ task: 'fix' }, { any: [{ language: ['typescript', 'javascript'] }, { 'metadata.lint': 'eslint' }] }] }, then: 'fast' },
  { name: 'rust and c++', if: { language: ['rust', 'cpp', 'c'] }, then: 'standard' },
  { name: 'explain short', if: { all: [{ task: 'explain' }, { inputTokens: { '<': 1500 } }] }, then: 'fast' },
  { name: 'explain long', if: { all: [{ task: 'explain' }, { inputTokens: { '>=': 1500 } }] }, then: 'standard' },
  { name: 'low urgency batch', if: { all: [{ urgency: 'low' }, { not: { task: 'design' } }] }, then: 'tiny' },
  { name: 'expensive estimate', if: { estimatedCostUsd: { '>': 0.5 } }, then: 'fast' },
  { name: 'long answers wanted', if: { maxOutputTokens: { '>': 8000 } }, then: 'deep' },
  { name: 'step by step', if: { prompt: { regex: '\\b(step[- ]by[- ]step|think carefully|chain of thought)\\b', flags: 'i' } }, then: 'reasoning' },
  { name: 'not english', if: { not: { 'metadata.locale': ['en', 'en-US', 'en-GB'] }, 'metadata.locale': ['de', 'fr', 'es', 'ja'] }, then: 'standard' },
  { name: 'notebook cells', if: { language: 'jupyter' }, then: 'fast' },
  { name: 'yaml and config', if: { any: [{ language: ['yaml', 'toml', 'ini'] }, { prompt: { contains: ['docker-compose', 'kubernetes', 'helm chart'] } }] }, then: 'fast' },
  { name: 'legacy code', if: { any: [{ language: ['cobol', 'fortran', 'vb'] }, { prompt: { contains: 'mainframe' } }] }, then: 'deep' },
  { name: 'chat from palette', if: { all: [{ source: 'palette' }, { inputTokens: { '<': 300 } }] }, then: 'fast' },
  { name: 'html and css', if: { language: ['html', 'css', 'scss', 'less'] }, then: 'fast' },
  { name: 'perf questions', if: { prompt: { contains: ['slow', 'latency', 'throughput', 'O(n'] } }, then: 'standard' },
  { name: 'api clients', if: { all: [{ prompt: { contains: ['curl ', 'fetch(', 'axios'] } }, { not: { urgency: 'low' } }] }, then: 'standard' },
  { name: 'typos', if: { prompt: { regex: '^(fix|correct) (the )?(typo|spelling|grammar)', flags: 'i' } }, then: 'tiny' },
  { name: 'data science', if: { any: [{ prompt: { contains: ['pandas', 'numpy', 'DataFrame'] } }, { 'metadata.team': 'data' }] }, then: 'standard' },
  { name: 'mid budget', if: { spentTodayUsd: { '>=': 6, '<': 9.5 } }, then: 'fast' },
  { name: 'http traffic', if: { all: [{ source: 'http' }, { inputTokens: { '<': 200 } }] }, then: 'fast' },
  { name: 'medium prompts', if: { inputTokens: { '>=': 4000, '<=': 12000 } }, then: 'standard' },
  { name: 'tiny prompts', if: { inputTokens: { '<': 40 } }, then: 'tiny' },
];

/** The 50-rule file as JSON text. */
export function fiftyRulesText(): string {
  return JSON.stringify({ ...BASE, rules: FIFTY_RULES, default: 'standard' }, null, 2);
}
