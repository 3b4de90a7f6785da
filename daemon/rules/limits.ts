/**
 * What a rules file may hold. Every stage of loading (the schema, the shadowing analysis, the condition compiler)
 * recurses over the file's nesting or loops over its counts, so these bounds are what make loading total: no file
 * can drive a stage past the stack or keep the daemon busy for seconds. Hand-written files stay far below them.
 */

export const LIMITS = {
  /** Bytes read from a rules file; a 10,000-rule file is about 1.5 MB. */
  fileBytes: 4 * 1024 * 1024,
  /** JSON nesting, counted in objects and arrays from the root (`rules[0].if.not` is depth 5). */
  depth: 64,
  rules: 10_000,
  tests: 10_000,
  models: 1_000,
  tiers: 1_000,
  providers: 200,
  /** Characters in a provider, model, tier or rule name. */
  nameLength: 200,
} as const;

/** Why a name cannot be used, or null. Names travel in headers (percent-encoded), traces and the ledger. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > LIMITS.nameLength) return `is ${name.length} characters long (at most ${LIMITS.nameLength})`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'contains a control character (a line break, tab or similar)';
  return null;
}
