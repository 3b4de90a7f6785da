/**
 * Every prompt condition of a rules file — regexes and substring tests alike — answered by one pass over the
 * prompt. The conditions are compiled at load into a single RE2 set (RE2JS's `RE2Set`: one lazily built DFA whose
 * states carry which patterns have matched), so reading a 12 KB prompt costs one linear scan however many rules
 * look at it, instead of one scan per condition. Matching stays linear-time: no pattern can hang the daemon.
 *
 * Substring tests join the set as quoted literals. Case-insensitive ones (the default) use RE2's `(?i)`, that is
 * Unicode simple case folding — the same meaning as a regex with the `i` flag, so "Σ", "σ" and "ς" all match
 * each other and "K" matches the Kelvin sign.
 *
 * Bounded: only the first PROMPT_SCAN_CHARS characters of a prompt are read (≈10–25 ns a character, on the event
 * loop: a 30 MB prompt would stall it for a quarter of a second or more per scan; 256 Ki characters cost a few ms). Past that, conditions answer for the prefix:
 * a `contains` or regex that matches only later does not match, and `$` matches at the end of the prefix.
 * docs/RULES.md says so.
 */
import { RE2JS, RE2Set } from 're2js';
import type { PromptCondition } from '../../shared/config';
import { sha1 } from '../textDigest';

/** Which of the scanner's conditions hold for one prompt: `hits[i] === 1` when condition `i` does. Read-only. */
export type PromptHits = Uint8Array;

/** Prompts remembered per scanner: the editor previews a request and then sends it, so most are scanned twice. */
const REMEMBERED = 256;
/** Prompts up to this length are their own cache key; longer ones are keyed by SHA-1 (≈10 µs for 12 KB vs ≈200 µs to scan). */
const SHORT_KEY = 256;

/** Characters of a prompt that the conditions read (256 Ki, ≈64 k tokens of prose or code; see the header). */
export const PROMPT_SCAN_CHARS = 1 << 18;

/** A pattern no text matches: an empty character class. */
const NEVER = '[^\\x00-\\x{10FFFF}]';

/** The condition as one RE2 pattern, its flags inline, so that all conditions can share one set. */
export function promptPattern(cond: PromptCondition): string {
  if ('regex' in cond) return cond.flags ? `(?${cond.flags})${cond.regex}` : cond.regex;
  const needles = typeof cond.contains === 'string' ? [cond.contains] : cond.contains;
  const alternatives = needles.length ? needles.map((n) => RE2JS.quote(n)).join('|') : NEVER;
  return cond.caseSensitive ? alternatives : `(?i:${alternatives})`;
}

/**
 * Patterns per RE2 set. Every hand-written file fits one set (one pass over the prompt); a file with thousands of
 * prompt conditions gets several, so that no single set takes long to compile (10,000 patterns in one: ~0.4 s).
 */
const PATTERNS_PER_SET = 64;

export class PromptScanner {
  /** `base`: the index of the set's first pattern among all patterns. */
  private readonly sets: readonly { set: RE2Set; base: number }[];
  /** Least recently used first. */
  private readonly remembered = new Map<string, PromptHits>();

  /**
   * @param patterns one per condition, from `promptPattern`; each must already compile on its own (load checks
   *                 that, with the rule's name and position, before building the scanner)
   * @param sets     the compiled sets, when built in steps (PromptScanner.build); otherwise compiled here
   */
  constructor(readonly patterns: readonly string[], sets?: { set: RE2Set; base: number }[]) {
    if (sets) { this.sets = sets; return; }
    const steps = PromptScanner.compileSets(patterns);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) { this.sets = step.value; return; }
  }

  /** Builds a scanner one RE2 set at a time, yielding between sets (the sliced rules loader). */
  static *build(patterns: readonly string[]): Generator<void, PromptScanner, void> {
    return new PromptScanner(patterns, yield* PromptScanner.compileSets(patterns));
  }

  private static *compileSets(patterns: readonly string[]): Generator<void, { set: RE2Set; base: number }[], void> {
    const sets: { set: RE2Set; base: number }[] = [];
    for (let base = 0; base < patterns.length; base += PATTERNS_PER_SET) {
      const set = new RE2Set(RE2Set.UNANCHORED);
      for (const p of patterns.slice(base, base + PATTERNS_PER_SET)) set.add(p);
      set.compile();
      sets.push({ set, base });
      yield;
    }
    return sets;
  }

  get size(): number { return this.patterns.length; }

  scan(prompt: string): PromptHits {
    if (!this.sets.length) return new Uint8Array(0);
    prompt = scannedPart(prompt);
    const key = prompt.length <= SHORT_KEY ? `=${prompt}` : `#${sha1(prompt)}:${prompt.length}`;
    let hits = this.remembered.get(key);
    if (hits) {
      this.remembered.delete(key); // most recently used goes last
    } else {
      hits = new Uint8Array(this.patterns.length);
      for (const { set, base } of this.sets) for (const i of set.match(prompt)) hits[base + i] = 1;
      if (this.remembered.size >= REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
    }
    this.remembered.set(key, hits);
    return hits;
  }
}

/** The part of `prompt` that conditions read: all of it, or its first PROMPT_SCAN_CHARS characters (pairs kept whole). */
export function scannedPart(prompt: string): string {
  if (prompt.length <= PROMPT_SCAN_CHARS) return prompt;
  const c = prompt.charCodeAt(PROMPT_SCAN_CHARS - 1);
  return prompt.slice(0, c >= 0xd800 && c <= 0xdbff ? PROMPT_SCAN_CHARS - 1 : PROMPT_SCAN_CHARS);
}
