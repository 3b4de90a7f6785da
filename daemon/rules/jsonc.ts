/**
 * Reads a rules file's JSONC text (comments and trailing commas allowed) into a value in one iterative pass over
 * jsonc-parser's scanner, yielding now and then for the sliced loader. Why not parseTree: it is recursive (deep
 * nesting overflows the stack), builds a node tree that takes ~0.3–0.9 s for a 2 MB file in one go, and a second
 * pass is then needed for the values. This pass also
 * - stops at LIMITS.depth levels of nesting, saying where and in which rule;
 * - refuses `__proto__` keys, which a JavaScript object cannot hold as data (lost silently, or a prototype);
 * - records where each path starts, so later errors can give a line and column (a key's position for members);
 * - reports the first syntax error in words ("expected a comma or }"), not a parser enum.
 */
import { createScanner } from 'jsonc-parser';
import { LIMITS } from './limits';
import type { Steps } from '../slices';

/** jsonc-parser's SyntaxKind and ScanError values (const enums, which isolated modules cannot read). */
const T = { OpenBrace: 1, CloseBrace: 2, OpenBracket: 3, CloseBracket: 4, Comma: 5, Colon: 6, Null: 7, True: 8, False: 9, String: 10, Number: 11, Unknown: 16, EOF: 17 } as const;
const SCAN_ERRORS: Record<number, string> = {
  1: 'a block comment is not closed', 2: 'a string is not closed', 3: 'invalid number', 4: 'invalid \\u escape in a string',
  5: 'invalid escape character in a string', 6: 'invalid character in a string (a line break or control character)',
};

export interface JsoncProblem {
  code: 'syntax' | 'too-deep' | 'reserved-name';
  message: string;
  offset: number;
  /** The rule the problem is in (its name, or `#n`), when it is in one. */
  rule?: string;
}

export interface JsoncResult {
  value: unknown;
  /** Offset of each path (formatPath form): a member's key, an element's value. */
  offsets: Map<string, number>;
  problems: JsoncProblem[];
}

type Container =
  | { array: true; value: unknown[]; path: string; offset: number; state: 'value-or-end' | 'value' | 'comma-or-end' }
  | { array: false; value: Record<string, unknown>; path: string; offset: number; state: 'key-or-end' | 'key' | 'colon' | 'value' | 'comma-or-end'; key: string };

export function* readJsonc(text: string): Steps<JsoncResult> {
  const scanner = createScanner(text, true);
  const offsets = new Map<string, number>();
  const stack: Container[] = [];
  const ruleNames = new Map<number, string>();
  let root: unknown;
  let done = false;
  let tokens = 0;

  const ruleIndex = (): number | undefined => {
    const [top, list] = stack;
    return top && !top.array && top.key === 'rules' && list?.array ? list.value.length - (list.state === 'comma-or-end' ? 1 : 0) : undefined;
  };
  const fail = (code: JsoncProblem['code'], message: string, offset = scanner.getTokenOffset()): JsoncResult => {
    const i = ruleIndex();
    const rule = i !== undefined ? (ruleNames.get(i) ?? `#${i + 1}`) : undefined;
    return { value: undefined, offsets, problems: [{ code, message, offset, ...(rule !== undefined ? { rule } : {}) }] };
  };
  const describe = (kind: number): string => {
    if (kind === T.EOF) return 'the end of the file';
    const raw = text.slice(scanner.getTokenOffset(), scanner.getTokenOffset() + Math.min(scanner.getTokenLength(), 20));
    return JSON.stringify(raw);
  };
  /** Where a new value goes: its path, and a setter. */
  const place = (value: unknown, offset: number): { path: string } => {
    const top = stack.at(-1);
    if (!top) { root = value; done = true; offsets.set('', offset); return { path: '' }; }
    if (top.array) {
      const path = `${top.path}[${top.value.length}]`;
      offsets.set(path, offset);
      top.value.push(value);
      top.state = 'comma-or-end';
      return { path };
    }
    const path = top.path ? `${top.path}.${top.key}` : top.key;
    top.value[top.key] = value;
    top.state = 'comma-or-end';
    // Remember rule names as they go by, so a problem later in a rule can name it.
    if (stack.length === 3 && top.key === 'name' && typeof value === 'string') { const i = ruleIndex(); if (i !== undefined) ruleNames.set(i, value); }
    return { path };
  };

  for (;;) {
    const kind: number = scanner.scan();
    if (++tokens % 2_000 === 0) yield;
    const error = scanner.getTokenError();
    if (error && SCAN_ERRORS[error]) return fail('syntax', SCAN_ERRORS[error]);
    const top = stack.at(-1);
    if (done) {
      if (kind === T.EOF) break;
      return fail('syntax', `unexpected ${describe(kind)} after the end of the JSON value`);
    }
    if (kind === T.EOF) {
      if (!top) return fail('syntax', 'the file is empty or not JSON', 0);
      return fail('syntax', `the file ends before the ${top.array ? '[' : '{'} opened here is closed`, top.offset);
    }
    // Inside an object, before a value: keys, colons, commas and the end.
    if (top && !top.array && top.state !== 'value') {
      // `}` ends the object, also after a trailing comma.
      if (kind === T.CloseBrace && top.state !== 'colon') { stack.pop(); place(top.value, top.offset); continue; }
      if (top.state === 'key-or-end' || top.state === 'key') {
        if (kind !== T.String) return fail('syntax', `expected a property name in double quotes or }, found ${describe(kind)}`);
        const key = scanner.getTokenValue();
        if (key === '__proto__') return fail('reserved-name', '"__proto__" cannot be used as a key or name');
        top.key = key;
        top.state = 'colon';
        offsets.set(top.path ? `${top.path}.${key}` : key, scanner.getTokenOffset());
        continue;
      }
      if (top.state === 'colon') {
        if (kind !== T.Colon) return fail('syntax', `expected ":" after the property name ${JSON.stringify(top.key)}, found ${describe(kind)}`);
        top.state = 'value';
        continue;
      }
      // comma-or-end
      if (kind !== T.Comma) return fail('syntax', `expected a comma or } after the value of ${JSON.stringify(top.key)}, found ${describe(kind)}`);
      top.state = 'key';
      continue;
    }
    if (top?.array && top.state === 'comma-or-end') {
      if (kind === T.CloseBracket) { stack.pop(); place(top.value, top.offset); continue; }
      if (kind !== T.Comma) return fail('syntax', `expected a comma or ] after an element, found ${describe(kind)}`);
      top.state = 'value';
      continue;
    }
    if (top?.array && kind === T.CloseBracket) { stack.pop(); place(top.value, top.offset); continue; } // empty or trailing comma
    // A value.
    const offset = scanner.getTokenOffset();
    switch (kind) {
      case T.OpenBrace:
      case T.OpenBracket: {
        if (stack.length >= LIMITS.depth) return fail('too-deep', `nested more than ${LIMITS.depth} levels deep; flatten the condition (a "not" of a "not" cancels out, and nested "all"/"any" lists can be merged)`);
        const parentPath = top ? (top.array ? `${top.path}[${top.value.length}]` : top.path ? `${top.path}.${top.key}` : top.key) : '';
        if (top?.array) offsets.set(parentPath, offset);
        if (!top) offsets.set('', offset);
        stack.push(kind === T.OpenBrace
          ? { array: false, value: {}, path: parentPath, offset, state: 'key-or-end', key: '' }
          : { array: true, value: [], path: parentPath, offset, state: 'value-or-end' });
        continue;
      }
      case T.String: place(scanner.getTokenValue(), offset); continue;
      case T.Number: {
        const n = Number(scanner.getTokenValue());
        if (!Number.isFinite(n)) return fail('syntax', `the number ${describe(kind)} is too large`);
        place(n, offset);
        continue;
      }
      case T.True: place(true, offset); continue;
      case T.False: place(false, offset); continue;
      case T.Null: place(null, offset); continue;
      default:
        return fail('syntax', kind === T.Unknown ? `unexpected ${describe(kind)}` : `expected a value, found ${describe(kind)}`);
    }
  }
  return { value: root, offsets, problems: [] };
}
