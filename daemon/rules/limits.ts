/**
 * What a rules file may hold, and the checks that run before the text is parsed into a tree. Every later stage
 * (the parser, the schema, the shadowing analysis, the condition compiler) recurses over the file's nesting or
 * loops over its counts, so these bounds are what make loading total: no file can drive a stage past the stack
 * or keep the daemon busy for seconds. Hand-written files stay far below them.
 */
import { createScanner } from 'jsonc-parser';
import type { Steps } from '../slices';

/** jsonc-parser's SyntaxKind values (a const enum, which isolated modules cannot read). */
const SyntaxKind = { OpenBraceToken: 1, CloseBraceToken: 2, OpenBracketToken: 3, CloseBracketToken: 4, CommaToken: 5, ColonToken: 6, StringLiteral: 10, EOF: 17 } as const;

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

export interface StructureProblem {
  code: 'too-deep' | 'reserved-name';
  message: string;
  offset: number;
  /** The rule the problem is in, when it is in one: its name, or `#n`. */
  rule?: string;
}

/**
 * One pass over the tokens, yielding now and then for the sliced loader (iterative: the scanner keeps no stack of its own) finding nesting past
 * LIMITS.depth and `__proto__` keys — a key that a JavaScript object cannot hold as data, so it would be silently
 * lost or turn into a prototype. Also learns each rule's name, so a problem deep inside a rule can name it.
 */
export function* checkStructure(text: string): Steps<StructureProblem[]> {
  type Frame = { array: true; index: number } | { array: false; key: string | undefined; awaitingKey: boolean };
  const stack: Frame[] = [];
  const names = new Map<number, string>();
  const found: { problem: Omit<StructureProblem, 'rule'>; ruleIndex?: number }[] = [];
  const ruleIndex = (): number | undefined => {
    const [root, list] = stack;
    return root && !root.array && root.key === 'rules' && list?.array ? list.index : undefined;
  };
  const scanner = createScanner(text, true);
  let deepReported = false;
  let tokens = 0;
  for (let kind: number = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (++tokens % 20_000 === 0) yield;
    const top = stack.at(-1);
    switch (kind) {
      case SyntaxKind.OpenBraceToken:
      case SyntaxKind.OpenBracketToken:
        if (stack.length >= LIMITS.depth && !deepReported) {
          deepReported = true;
          found.push({ problem: { code: 'too-deep', offset: scanner.getTokenOffset(), message: `nested more than ${LIMITS.depth} levels deep; flatten the condition (e.g. "not" of "not" cancels out, and "all"/"any" lists can be merged)` }, ruleIndex: ruleIndex() });
        }
        stack.push(kind === SyntaxKind.OpenBraceToken ? { array: false, key: undefined, awaitingKey: true } : { array: true, index: 0 });
        break;
      case SyntaxKind.CloseBraceToken:
      case SyntaxKind.CloseBracketToken:
        stack.pop();
        break;
      case SyntaxKind.CommaToken:
        if (top?.array) top.index++;
        else if (top) top.awaitingKey = true;
        break;
      case SyntaxKind.ColonToken:
        if (top && !top.array) top.awaitingKey = false;
        break;
      case SyntaxKind.StringLiteral: {
        const value = scanner.getTokenValue();
        if (top && !top.array && top.awaitingKey) {
          top.key = value;
          if (value === '__proto__') found.push({ problem: { code: 'reserved-name', offset: scanner.getTokenOffset(), message: '"__proto__" cannot be used as a key or name' }, ruleIndex: ruleIndex() });
        } else if (stack.length === 3 && top && !top.array && top.key === 'name') {
          const i = ruleIndex();
          if (i !== undefined) names.set(i, value);
        }
        break;
      }
    }
  }
  return found.map(({ problem, ruleIndex: i }) => ({ ...problem, ...(i !== undefined ? { rule: names.get(i) ?? `#${i + 1}` } : {}) }));
}

/** Why a name cannot be used, or null. Names travel in headers (percent-encoded), traces and the ledger. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > LIMITS.nameLength) return `is ${name.length} characters long (at most ${LIMITS.nameLength})`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'contains a control character (a line break, tab or similar)';
  return null;
}
