/**
 * API keys. A key set from the editor (`keys.set`) lives in this process's memory only — never written,
 * never logged — and overrides the environment variable named by the provider's `apiKeyEnv`.
 */
import type { ResolvedProvider } from '../rules/types';

/** Shortest held key `redact` masks verbatim; shorter strings would mangle ordinary text. */
const MIN_REDACT_LENGTH = 6;
const MASK = '***';

/**
 * Key-shaped strings masked even when nobody told us about them. A pattern with a capture group keeps the group
 * (the `Bearer ` or `key=` in front) and masks the rest.
 */
const KEY_PATTERNS: RegExp[] = [
  /\bsk-ant-[A-Za-z0-9_-]{6,}/g,
  /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{8,}/g,
  /\bAIza[A-Za-z0-9_-]{30,}/g, // Google API keys
  /\b((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b((?:x-(?:goog-)?)?api[-_]?key["']?\s*[:=]\s*["']?)[A-Za-z0-9._~+/=-]{8,}/gi,
  // Credentials in URLs: ?key=…, &api_key=…, access_token=…, sig=…
  /([?&;](?:key|api[-_]?key|access[-_]?token|auth|token|secret|sig|signature|password|pwd)=)[^&#\s"'<>]+/gi,
];

/** Long runs that look like encoded secrets: hex of 32+ digits, or base64/base64url of 32+ with mixed classes. */
const HEX_SECRET = /\b[0-9a-fA-F]{32,}\b/g;
const B64_RUN = /[A-Za-z0-9+/_-]{32,}={0,2}/g;
/** Two each of upper, lower and digits: random keys have them (all but ~3% at 32 characters); words, paths and
 *  model names rarely do. */
const looksRandom = (s: string) => /[A-Z].*[A-Z]/.test(s) && /[a-z].*[a-z]/.test(s) && /[0-9].*[0-9]/.test(s);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Masks anything that looks like an API key or secret, plus each of `known` verbatim. For logs and error messages. */
export function redact(text: string, known: Iterable<string> = []): string {
  let out = text;
  const held = [...new Set(known)].filter((k) => k.length >= MIN_REDACT_LENGTH).sort((a, b) => b.length - a.length);
  for (const k of held) out = out.replace(new RegExp(escapeRegExp(k), 'g'), MASK);
  for (const re of KEY_PATTERNS) {
    out = out.replace(re, (_m, prefix?: unknown) => (typeof prefix === 'string' ? `${prefix}${MASK}` : MASK));
  }
  out = out.replace(HEX_SECRET, MASK);
  return out.replace(B64_RUN, (m) => (looksRandom(m) ? MASK : m));
}

export class KeyStore {
  private readonly editorKeys = new Map<string, string>();
  /** Env keys handed out so far: held by adapters, so masked by `redact` too. */
  private readonly envKeysSeen = new Set<string>();

  /** `env` is read at each lookup, so a key exported later is seen; tests pass their own object. */
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** The editor's key for this provider, else its env var's value; undefined when neither is non-empty. */
  get(provider: ResolvedProvider): string | undefined {
    const fromEditor = this.editorKeys.get(provider.name);
    if (fromEditor) return fromEditor;
    // Own variables only: `"apiKeyEnv": "constructor"` must not read Object.prototype.constructor.
    const raw = provider.apiKeyEnv && Object.hasOwn(this.env, provider.apiKeyEnv) ? this.env[provider.apiKeyEnv] : undefined;
    const fromEnv = typeof raw === 'string' ? raw.trim() : undefined;
    if (!fromEnv) return undefined;
    this.envKeysSeen.add(fromEnv);
    return fromEnv;
  }

  /** Sets (or with null/empty, forgets) the editor's key for a provider name. */
  set(providerName: string, key: string | null): void {
    const k = key?.trim();
    if (k) this.editorKeys.set(providerName, k);
    else this.editorKeys.delete(providerName);
  }

  /** True when a key is available (editor or env). */
  has(provider: ResolvedProvider): boolean {
    return this.get(provider) !== undefined;
  }

  /** True when the provider can be called: it has a key, or needs none (`keyRequired: false`). */
  usable(provider: ResolvedProvider): boolean {
    return !provider.keyRequired || this.has(provider);
  }

  /** Masks key-shaped strings and every key currently held (editor keys, and env keys handed out by `get`). */
  redact(text: string): string {
    return redact(text, [...this.editorKeys.values(), ...this.envKeysSeen]);
  }

  /** Never serialise keys by accident (JSON.stringify, util.inspect of a containing object). */
  toJSON(): { providers: string[] } {
    return { providers: [...this.editorKeys.keys()] };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyStore { editor keys for: ${[...this.editorKeys.keys()].join(', ') || 'none'} }`;
  }
}
