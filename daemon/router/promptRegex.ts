/**
 * Prompt regexes, fast: the same answers as `RE2JS.test`, without scanning the whole prompt when RE2 itself
 * would not need to. RE2JS (2.10) runs every `test` as an unanchored DFA search over the entire text, at about
 * 15 ns a character — 180 µs per rule on a 12 KB prompt — even when the answer is known after a few characters.
 * Two things RE2 (C++) does and RE2JS does not:
 *
 * 1. Begin-anchored patterns (`^…` without the `m` flag: every match starts at 0) run anchored, so the DFA stops
 *    at the first character that cannot continue a match instead of reading on to the end.
 * 2. Case-insensitive patterns get a literal prefilter. RE2JS builds one (literals every match must contain,
 *    in AND/OR form) but only for case-sensitive patterns. For an `i` pattern we take the prefilter of the same
 *    pattern compiled case-sensitively, lower-case its literals, and look for them in the lower-cased prompt:
 *    if a required literal is missing, no match is possible and the DFA never runs. Sound because every ASCII
 *    letter's case-fold orbit lower-cases to one letter (after mapping U+017F ſ → s; U+212A K already lowers to
 *    k); literals with other characters are not used (treated as "may match").
 *
 * Both fall back to plain `test` if RE2JS's internals do not look as expected (the version is pinned), so the
 * worst case is the old speed, never a different answer. Matching stays linear-time: the prefilter is
 * `String.prototype.includes`, and the regex itself still runs on RE2JS.
 */
import { RE2JS } from 're2js';

/** RE2JS internals used here (re2js 2.10.0): the compiled program's start condition and prefilter tree. */
interface Re2Internals {
  cond?: unknown;
  prefilter?: unknown;
  matchWithGroup?: (input: string, start: number, end: number, anchor: number, ngroup: number) => [boolean, unknown];
}
interface Re2PrefilterNode { type?: unknown; subs?: unknown; str?: unknown }

const EMPTY_BEGIN_TEXT = 4; // Utils.EMPTY_BEGIN_TEXT
const ANCHOR_START = 1; // RE2Flags.ANCHOR_START
const PF_NONE = 0, PF_EXACT = 1, PF_AND = 2, PF_OR = 3; // Prefilter.Type

/** Literals that must occur (in the lower-cased prompt) for a match to be possible. */
type Filter = { kind: 'exact'; s: string } | { kind: 'and' | 'or'; subs: Filter[] };

interface Plan {
  /** Anchored test (ncap 0: OnePass or DFA), when every match must start at 0. */
  anchored: ((text: string) => boolean) | null;
  /** For case-insensitive patterns: a necessary condition on the lower-cased prompt. */
  filter: Filter | null;
}

const plans = new WeakMap<RE2JS, Plan>();

/** The text case-insensitive prefilters search: lower case, with ſ (which folds to s in RE2) as s. */
export function foldForPrefilter(text: string): string {
  const lower = text.toLowerCase();
  return lower.includes('\u017f') ? lower.replaceAll('\u017f', 's') : lower;
}

/** Whether `regex` matches anywhere in `text` — always the same answer as `regex.test(text)`. */
export function regexTest(regex: RE2JS, text: string, folded: () => string): boolean {
  let plan = plans.get(regex);
  if (!plan) plans.set(regex, (plan = planFor(regex)));
  if (plan.filter && !passes(plan.filter, folded())) return false;
  return plan.anchored ? plan.anchored(text) : regex.test(text);
}

function passes(f: Filter, hay: string): boolean {
  switch (f.kind) {
    case 'exact': return hay.includes(f.s);
    case 'and': for (const s of f.subs) { if (!passes(s, hay)) return false; } return true;
    case 'or': for (const s of f.subs) { if (passes(s, hay)) return true; } return false;
  }
}

function planFor(regex: RE2JS): Plan {
  const plan: Plan = { anchored: null, filter: null };
  try {
    const re2 = regex.re2() as unknown as Re2Internals;
    const cond = re2?.cond;
    const matchWithGroup = re2?.matchWithGroup;
    if (typeof cond === 'number' && cond > 0 && (cond & EMPTY_BEGIN_TEXT) !== 0 && typeof matchWithGroup === 'function') {
      plan.anchored = (text) => matchWithGroup.call(re2, text, 0, text.length, ANCHOR_START, 0)[0] === true;
    }
    if ((regex.flags() & RE2JS.CASE_INSENSITIVE) !== 0) {
      const sensitive = RE2JS.compile(regex.pattern(), regex.flags() & ~RE2JS.CASE_INSENSITIVE).re2() as unknown as Re2Internals;
      plan.filter = toFilter(sensitive?.prefilter);
    }
  } catch {
    return { anchored: null, filter: null };
  }
  return plan;
}

/** RE2JS's prefilter tree → ours; null means "no constraint" (always passes). Unknown shapes give null. */
function toFilter(node: unknown, depth = 0): Filter | null {
  if (!node || typeof node !== 'object' || depth > 64) return null;
  const { type, subs, str } = node as Re2PrefilterNode;
  switch (type) {
    case PF_EXACT:
      // Only ASCII literals lower-case soundly (see the header); an empty one says nothing.
      return typeof str === 'string' && str.length > 0 && /^[\x00-\x7f]+$/.test(str) ? { kind: 'exact', s: str.toLowerCase() } : null;
    case PF_AND: {
      if (!Array.isArray(subs)) return null;
      const kept = subs.map((s) => toFilter(s, depth + 1)).filter((s): s is Filter => s !== null);
      return kept.length === 0 ? null : kept.length === 1 ? kept[0] : { kind: 'and', subs: kept };
    }
    case PF_OR: {
      if (!Array.isArray(subs) || subs.length === 0) return null;
      const all: Filter[] = [];
      for (const s of subs) {
        const f = toFilter(s, depth + 1);
        if (!f) return null; // one unconstrained branch makes the whole OR unconstrained
        all.push(f);
      }
      return all.length === 1 ? all[0] : { kind: 'or', subs: all };
    }
    case PF_NONE:
    default:
      return null;
  }
}
