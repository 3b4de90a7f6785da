/**
 * Conservative implication between conditions: `implies(a, b)` is true only when every request matching `a`
 * provably matches `b`. A later rule whose condition implies an earlier rule's condition can never win.
 *
 * Comparing every rule with every earlier one is quadratic: findShadowing skips pairs that cannot imply (an earlier
 * rule testing a field the later one does not test) and stops after a fixed number of comparisons, reporting
 * where, so a file of thousands of similar rules is a warning, never a stall. The budget is a count, not a time,
 * so the same file always gets the same warnings.
 */
import type { ClassifierCondition, Comparison, Condition, PromptCondition, Rule } from '../../shared/config';
import type { Steps } from '../slices';

type Atom = [key: string, value: unknown];

/** Flattens an object condition (implicit AND) and nested `all`s into atoms. */
function atoms(c: Condition): Atom[] {
  const out: Atom[] = [];
  for (const [k, v] of Object.entries(c)) {
    if (v === undefined) continue;
    if (k === 'all') for (const sub of v as Condition[]) out.push(...atoms(sub));
    else out.push([k, v]);
  }
  return out;
}

const asSet = (v: unknown): string[] | null => (typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : null);

function interval(c: Comparison): [lo: number, loOpen: boolean, hi: number, hiOpen: boolean] {
  let lo = -Infinity, loOpen = true, hi = Infinity, hiOpen = true;
  const raise = (x: number, open: boolean) => { if (x > lo || (x === lo && open)) { lo = x; loOpen = open; } };
  const lower = (x: number, open: boolean) => { if (x < hi || (x === hi && open)) { hi = x; hiOpen = open; } };
  if (c['>'] !== undefined) raise(c['>'], true);
  if (c['>='] !== undefined) raise(c['>='], false);
  if (c['<'] !== undefined) lower(c['<'], true);
  if (c['<='] !== undefined) lower(c['<='], false);
  if (c['=='] !== undefined) { raise(c['=='], false); lower(c['=='], false); }
  return [lo, loOpen, hi, hiOpen];
}

function intervalWithin(a: Comparison, b: Comparison): boolean {
  const [alo, aloOpen, ahi, ahiOpen] = interval(a);
  const [blo, bloOpen, bhi, bhiOpen] = interval(b);
  const lowOk = alo > blo || (alo === blo && (aloOpen || !bloOpen));
  const highOk = ahi < bhi || (ahi === bhi && (ahiOpen || !bhiOpen));
  return lowOk && highOk;
}

function atomImplies([ka, va]: Atom, [kb, vb]: Atom): boolean {
  if (ka !== kb) return false;
  if (ka === 'prompt') {
    const a = va as PromptCondition, b = vb as PromptCondition;
    if ('contains' in a && 'contains' in b) {
      const sa = asSet(a.contains)!, sb = asSet(b.contains)!;
      return !!a.caseSensitive === !!b.caseSensitive && sa.every((x) => sb.some((y) => x.includes(y)));
    }
    return JSON.stringify(a) === JSON.stringify(b);
  }
  if (ka === 'not' || ka === 'any') return JSON.stringify(va) === JSON.stringify(vb);
  if (ka === 'classifier') {
    // P(A) ≥ m implies P(B) ≥ n when A ⊆ B and m ≥ n; "the likeliest is in A" implies "in B" when A ⊆ B.
    const a = va as ClassifierCondition, b = vb as ClassifierCondition;
    const within = asSet(a.tier)!.every((t) => asSet(b.tier)!.includes(t));
    if (a.minConfidence === undefined || b.minConfidence === undefined) return within && a.minConfidence === b.minConfidence;
    return within && a.minConfidence >= b.minConfidence;
  }
  if (typeof va === 'boolean' || typeof vb === 'boolean') return va === vb;
  const sa = asSet(va), sb = asSet(vb);
  if (sa && sb) return sa.every((x) => sb.includes(x));
  if (sa || sb) return false;
  return intervalWithin(va as Comparison, vb as Comparison);
}

export function implies(a: Condition, b: Condition): boolean {
  // a is an `any`: every branch must imply b.
  if (a.any && Object.keys(a).length === 1) return a.any.every((branch) => implies(branch, b));
  const aAtoms = atoms(a);
  for (const [kb, vb] of atoms(b)) {
    if (kb === 'any') {
      // a must imply one of b's branches, or carry the identical `any`.
      if (!(vb as Condition[]).some((branch) => implies(a, branch)) && !aAtoms.some((x) => atomImplies(x, [kb, vb]))) return false;
      continue;
    }
    if (!aAtoms.some((x) => atomImplies(x, [kb, vb]))) return false;
  }
  return true;
}

/** Most `implies` calls one file gets (each is about a microsecond; nesting is bounded by LIMITS.depth). */
export const SHADOWING_BUDGET = 200_000;
/** Most cheap pre-checks (is one rule's set of fields within another's?) one file gets. */
const PRECHECK_BUDGET = 2_000_000;

export interface Shadowing {
  /** `rule` can never match because of the earlier rule `by` (indices). */
  shadowed: { rule: number; by: number }[];
  /** The first rule not fully checked, when the budget ran out. */
  gaveUpAt?: number;
}

/** The keys a condition requires of every request it matches; null when it is an `any` (no key is required). */
function requiredKeys(c: Condition): string[] | null {
  if (c.any && Object.keys(c).length === 1) return null;
  return [...new Set(atoms(c).map(([k]) => k).filter((k) => k !== 'any'))].sort();
}

/**
 * `implies(a, b)` needs each atom of b matched by an atom of a with the same key, so a rule can only be shadowed
 * by an earlier rule whose required fields are all among its own. Earlier rules are grouped by their set of fields
 * and the groups indexed by field, so finding the candidates costs what this rule's fields have in common with
 * earlier ones — not a pass over every earlier rule. Yields every few hundred checks.
 */
export function* findShadowing(rules: readonly Rule[], budget = SHADOWING_BUDGET): Steps<Shadowing> {
  type Group = { fields: Set<string> | null; rules: number[] };
  const shadowed: Shadowing['shadowed'] = [];
  const groups = new Map<string, Group>();
  /** Groups by each of their fields; groups that require no field (an `any`) can shadow anything. */
  const byField = new Map<string, Group[]>();
  const fieldless: Group[] = [];
  let calls = 0;
  let prechecks = 0;
  for (let i = 0; i < rules.length; i++) {
    const keys = requiredKeys(rules[i].if);
    let candidateGroups: Group[];
    if (!keys) {
      candidateGroups = [...groups.values()];
    } else {
      const counts = new Map<Group, number>();
      for (const k of keys) {
        for (const g of byField.get(k) ?? []) {
          if (++prechecks > PRECHECK_BUDGET) return { shadowed, gaveUpAt: i };
          if (prechecks % 1000 === 0) yield;
          counts.set(g, (counts.get(g) ?? 0) + 1);
        }
      }
      candidateGroups = [...fieldless];
      for (const [g, n] of counts) if (n === g.fields!.size) candidateGroups.push(g);
    }
    const candidates = candidateGroups.length === 1 ? candidateGroups[0].rules : candidateGroups.flatMap((g) => g.rules).sort((a, b) => a - b);
    for (const j of candidates) {
      if (++calls > budget) return { shadowed, gaveUpAt: i };
      if (calls % 500 === 0) yield;
      if (implies(rules[i].if, rules[j].if)) { shadowed.push({ rule: i, by: j }); break; }
    }
    const signature = keys ? keys.join('\u0000') : '\u0001any';
    let group = groups.get(signature);
    if (!group) {
      group = { fields: keys && new Set(keys), rules: [] };
      groups.set(signature, group);
      if (!keys || keys.length === 0) fieldless.push(group);
      else for (const k of keys) { let list = byField.get(k); if (!list) byField.set(k, (list = [])); list.push(group); }
    }
    group.rules.push(i);
  }
  return { shadowed };
}
