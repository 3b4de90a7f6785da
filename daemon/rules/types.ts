/** Rules after loading: validated config plus everything resolved once so routing never re-parses. */
import type { Capabilities, Encoding } from '../../shared/catalog';
import type { ProviderType, RulesConfig, Target } from '../../shared/config';
import type { ValidationIssue } from '../../shared/protocol';
import type { RuleMatcher } from '../router/conditions';
import type { PromptScanner } from '../router/promptScan';

export interface ResolvedProvider {
  name: string;
  type: ProviderType;
  apiKeyEnv?: string;
  baseURL?: string;
  /** openai/anthropic need a key; openai-compatible servers (Ollama…) usually do not. */
  keyRequired: boolean;
}

export interface ResolvedModel {
  /** Short name from the rules file. */
  name: string;
  provider: string;
  providerType: ProviderType;
  /** Pinned id sent upstream. */
  id: string;
  /** `provider/id`: this model's key in the circuit breakers and the router state. */
  circuitKey: string;
  inputPerMTok: number;
  outputPerMTok: number;
  /** Input read from the provider's prompt cache; input written to it (see CatalogEntry). */
  cachedInputPerMTok: number;
  cacheWritePerMTok: number;
  /** False when neither the rules file nor the catalog gives a price (cost is then unknown, never $0). */
  priceKnown: boolean;
  contextWindow: number;
  /** The most output tokens one request may ask for. */
  maxOutputTokens: number;
  /** What it can take: a request needing more skips it (router/decide.ts). */
  capabilities: Readonly<Capabilities>;
  encoding: Encoding;
  ttftMs: number;
  tokensPerSecond: number;
}

export interface CompiledRules {
  file: string | null;
  text: string;
  config: RulesConfig;
  providers: Record<string, ResolvedProvider>;
  models: Record<string, ResolvedModel>;
  /** Every rule's condition compiled: finds the first rule that matches, and explains why the others did not. */
  matcher: RuleMatcher;
  /** Every prompt condition of every rule, answered in one pass over the prompt. */
  promptScanner: PromptScanner;
  /** Encodings used by the configured models: the token counts a request needs. */
  encodings: Encoding[];
  /** A rule tests the classifier's verdict: prepare() classifies every request. */
  usesClassifier: boolean;
  /** Warnings found at load (errors prevent a CompiledRules from existing). */
  warnings: ValidationIssue[];
}

export type { Target };
