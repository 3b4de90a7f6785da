/**
 * The rules-editor draft is TEXT: every form edit is applied to the current text so comments and formatting
 * survive. Values are replaced with jsonc-parser's `modify` + `applyEdits`; members and elements are inserted,
 * removed and reordered on a layout model of the container (below) that keeps each element's own comments
 * with it and leaves the separators and indentation where they were. No `vscode` import: unit-tested.
 */
import {
  applyEdits, createScanner, findNodeAtLocation, modify, parseTree, printParseErrorCode,
  type Edit, type Node, type ParseError, type SyntaxKind,
} from 'jsonc-parser';
import type { DraftOp, JsonPath } from '../../../shared/webview';

export class DraftError extends Error {
  constructor(readonly code: 'E_DRAFT_SYNTAX' | 'E_DRAFT_PATH' | 'E_DRAFT_CONFLICT', message: string) {
    super(message);
  }
}

export interface DraftParse {
  /** The parsed value, or undefined when the text is not an object at all. */
  value: Record<string, unknown> | undefined;
  errors: { message: string; offset: number; line: number; column: number }[];
}

/** Parse the draft for display (tolerant: a value is returned even with syntax errors where possible). */
export function parseDraft(text: string): DraftParse {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const value = root ? nodeValue(root) : undefined;
  return {
    value: value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined,
    errors: errors.map((e) => ({ message: printParseErrorCode(e.error), offset: e.offset, ...lineColumn(text, e.offset) })),
  };
}

function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const p of node.children ?? []) {
        const [k, v] = p.children ?? [];
        if (k && v) out[k.value as string] = nodeValue(v);
      }
      return out;
    }
    case 'array': return (node.children ?? []).map(nodeValue);
    default: return node.value;
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  return { line, column: offset - lineStart + 1 };
}

/** Offset of a 1-based line and column (clamped to the text). */
export function offsetAt(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

// ── Formatting ───────────────────────────────────────────────────────────────────────────────────────────────

export interface Style {
  eol: string;
  /** One level of indentation as found in the file (two spaces when none is found). */
  unit: string;
}

export function detectStyle(text: string): Style {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(text);
  let unit = '  ';
  if (m) unit = m[1].startsWith('\t') ? '\t' : ' '.repeat(Math.min(8, Math.max(1, m[1].length)));
  return { eol, unit };
}

const COMPACT_MAX = 110;

/** `{ "a": 1, "b": ["x", "y"] }`: one line, spaced like the rules files we ship. */
export function compactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (!entries.length) return '{}';
    return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${compactJson(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value ?? null);
}

/** Compact when it fits on the line, else one member per line (recursively compact where that fits). */
export function renderJson(value: unknown, indent: string, style: Style, column = indent.length): string {
  const compact = compactJson(value);
  if (column + compact.length <= COMPACT_MAX || !value || typeof value !== 'object') return compact;
  const inner = indent + style.unit;
  const items = Array.isArray(value)
    ? value.map((v) => inner + renderJson(v, inner, style))
    : Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => {
      const head = `${inner}${JSON.stringify(k)}: `;
      return head + renderJson(v, inner, style, head.length);
    });
  if (!items.length) return Array.isArray(value) ? '[]' : '{}';
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}${style.eol}${items.join(',' + style.eol)}${style.eol}${indent}${close}`;
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

// ── Container layout: elements with their own comments, separators left in place ─────────────────────────────

/** jsonc-parser's SyntaxKind values we look at (a const enum, which isolatedModules cannot read). */
const K = { comma: 5, lineComment: 12, blockComment: 13, lineBreak: 14, trivia: 15, eof: 17 } as const;

interface Token { kind: SyntaxKind; text: string }
interface Item { lead: string; body: string; trail: string }
interface Slot { pre: string; beforeComma: string; trailWs: string }
interface Layout {
  open: string;
  close: string;
  prefix: string;
  items: Item[];
  slots: Slot[];
  /** Between slot k and k+1 (length n-1): the line break, or '' on a single line. */
  seps: string[];
  suffix: string;
  trailingComma: boolean;
  multiline: boolean;
}

const isComment = (t: Token) => t.kind === K.lineComment || t.kind === K.blockComment;
const isSpace = (t: Token) => t.kind === K.trivia || t.kind === K.lineBreak;
const join = (ts: Token[]) => ts.map((t) => t.text).join('');

function tokens(text: string, from: number, to: number): Token[] {
  const scanner = createScanner(text, false);
  scanner.setPosition(from);
  const out: Token[] = [];
  while (scanner.getPosition() < to) {
    const kind = scanner.scan();
    if (kind === K.eof) break;
    out.push({ kind, text: text.slice(scanner.getTokenOffset(), scanner.getTokenOffset() + scanner.getTokenLength()) });
  }
  return out;
}

/** Leading whitespace stays with the slot; from the first comment on, the text belongs to the element. */
function splitLead(ts: Token[]): { pre: string; lead: string } {
  let i = 0;
  while (i < ts.length && isSpace(ts[i])) i++;
  // Indentation after the last line break before a comment stays positional too.
  return { pre: join(ts.slice(0, i)), lead: join(ts.slice(i)) };
}

function splitAtBreak(ts: Token[]): { same: Token[]; brk: string; rest: Token[] } | undefined {
  const b = ts.findIndex((t) => t.kind === K.lineBreak);
  if (b < 0) return undefined;
  return { same: ts.slice(0, b), brk: ts[b].text, rest: ts.slice(b + 1) };
}

function layoutOf(text: string, node: Node): Layout {
  const children = node.children ?? [];
  const open = node.offset;
  const close = node.offset + node.length - 1;
  const inner = text.slice(open + 1, close);
  const layout: Layout = {
    open: text[open], close: text[close], prefix: '', items: [], slots: [], seps: [], suffix: '',
    trailingComma: false, multiline: inner.includes('\n'),
  };
  if (!children.length) { layout.prefix = inner; return layout; }

  // Gap before the first element: the first line (after the bracket) is the container's own.
  const first = tokens(text, open + 1, children[0].offset);
  const firstSplit = splitAtBreak(first);
  let rest = first;
  if (firstSplit && !firstSplit.same.some((t) => !isSpace(t) && !isComment(t))) {
    layout.prefix = join(firstSplit.same) + firstSplit.brk;
    rest = firstSplit.rest;
  }
  let lead = splitLead(rest);

  children.forEach((child, i) => {
    const end = child.offset + child.length;
    const slot: Slot = { pre: lead.pre, beforeComma: '', trailWs: '' };
    const item: Item = { lead: lead.lead, body: text.slice(child.offset, end), trail: '' };
    const last = i === children.length - 1;
    const gap = tokens(text, end, last ? close : children[i + 1].offset);
    const comma = gap.findIndex((t) => t.kind === K.comma);
    const before = comma < 0 ? [] : gap.slice(0, comma);
    const after = comma < 0 ? gap : gap.slice(comma + 1);
    if (last && comma >= 0) layout.trailingComma = true;
    if (before.some(isComment)) item.trail = join(before);
    else slot.beforeComma = join(before);
    const split = splitAtBreak(after);
    const sameLine = split ? split.same : last ? after : [];
    const remainder = split ? split.rest : last ? [] : after;
    if (sameLine.some(isComment)) item.trail += join(sameLine);
    // On a single line, the space before the closing bracket belongs to the bracket, not to the last element.
    else if (last && !split) layout.suffix = join(sameLine);
    else slot.trailWs = join(sameLine);
    if (last) {
      if (split) layout.suffix = split.brk + join(remainder);
    } else {
      layout.seps.push(split ? split.brk : '');
      lead = splitLead(remainder);
    }
    layout.slots.push(slot);
    layout.items.push(item);
  });
  return layout;
}

function endsWithLineComment(trail: string): boolean {
  const t = trail.trimEnd();
  return !t.endsWith('*/') && /\/\/[^\n]*$/.test(t);
}

function render(l: Layout, style: Style): string {
  const n = l.items.length;
  let out = l.open + l.prefix;
  l.items.forEach((item, k) => {
    const slot = l.slots[k];
    out += slot.pre + item.lead + item.body + slot.beforeComma + (k < n - 1 || l.trailingComma ? ',' : '');
    out += item.trail || slot.trailWs;
    const next = k < n - 1 ? l.seps[k] + l.slots[k + 1].pre : l.suffix;
    // A line comment must end its line, or it would swallow what follows.
    if (endsWithLineComment(item.trail) && !/^\r?\n/.test(next)) out += style.eol;
    if (k < n - 1) out += l.seps[k];
  });
  return out + (n ? l.suffix : '') + l.close;
}

/** A slot for a new element, copied from an existing inner slot (so it gets the same spacing). */
function slotTemplate(l: Layout, style: Style, childIndent: string): { slot: Slot; sep: string } {
  if (l.items.length > 1) {
    return { slot: { ...l.slots[l.items.length - 1], beforeComma: '', trailWs: '' }, sep: l.seps[l.seps.length - 1] };
  }
  return l.multiline ? { slot: { pre: childIndent, beforeComma: '', trailWs: '' }, sep: style.eol } : { slot: { pre: ' ', beforeComma: '', trailWs: '' }, sep: '' };
}

function childIndentOf(text: string, node: Node, style: Style): string {
  const first = node.children?.[0];
  if (first) {
    const indent = lineIndent(text, first.offset);
    const lineStart = text.lastIndexOf('\n', first.offset - 1) + 1;
    if (text.slice(lineStart, first.offset).trim() === '' || first.offset === lineStart + indent.length) return indent;
  }
  return lineIndent(text, node.offset) + style.unit;
}

function insertIntoLayout(l: Layout, index: number, body: string, style: Style, childIndent: string) {
  const i = Math.max(0, Math.min(index, l.items.length));
  const { slot, sep } = slotTemplate(l, style, childIndent);
  const item: Item = { lead: '', body, trail: '' };
  if (i === 0) {
    const firstPre = l.slots[0].pre;
    l.slots.unshift({ ...slot, pre: firstPre });
    l.slots[1] = { ...l.slots[1], pre: slot.pre };
    l.seps.unshift(sep);
  } else {
    l.slots.splice(i, 0, slot);
    l.seps.splice(i - 1, 0, sep);
  }
  l.items.splice(i, 0, item);
}

function removeFromLayout(l: Layout, i: number) {
  if (i === 0) {
    const firstPre = l.slots[0].pre;
    l.slots.shift();
    if (l.slots.length) l.slots[0] = { ...l.slots[0], pre: firstPre };
    l.seps.shift();
  } else {
    l.slots.splice(i, 1);
    l.seps.splice(i - 1, 1);
  }
  l.items.splice(i, 1);
}

function replaceNode(text: string, node: Node, content: string): string {
  return applyEdits(text, [{ offset: node.offset, length: node.length, content }]);
}

/** Text for an empty container that gets its first element. */
function fillEmpty(text: string, node: Node, body: string, style: Style, multiline: boolean): string {
  const l = layoutOf(text, node);
  const parentIndent = lineIndent(text, node.offset);
  if (multiline || l.multiline) {
    const head = l.prefix.replace(/\s*$/, '');
    return replaceNode(text, node, `${l.open}${head}${style.eol}${parentIndent + style.unit}${body}${style.eol}${parentIndent}${l.close}`);
  }
  return replaceNode(text, node, l.open === '{' ? `{ ${body} }` : `[${body}]`);
}

// ── Operations ───────────────────────────────────────────────────────────────────────────────────────────────

function root(text: string): Node {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true });
  if (errors.length || !tree) {
    const e = errors[0];
    const where = e ? ` at line ${lineColumn(text, e.offset).line}` : '';
    throw new DraftError('E_DRAFT_SYNTAX', `The rules file has a syntax error${where} (${e ? printParseErrorCode(e.error) : 'empty'}); fix it in the file first (Open file).`);
  }
  return tree;
}

const describe = (path: JsonPath) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || 'the file';

function insertMember(text: string, obj: Node, key: string, value: unknown, style: Style, depth: number): string {
  const childIndent = childIndentOf(text, obj, style);
  const head = `${JSON.stringify(key)}: `;
  if (!obj.children?.length) {
    const multiline = depth <= 1 && value !== null && typeof value === 'object';
    const indent = multiline ? lineIndent(text, obj.offset) + style.unit : childIndent;
    return fillEmpty(text, obj, head + renderJson(value, indent, style, indent.length + head.length), style, multiline);
  }
  const l = layoutOf(text, obj);
  const body = head + (l.multiline ? renderJson(value, childIndent, style, childIndent.length + head.length) : compactJson(value));
  insertIntoLayout(l, l.items.length, body, style, childIndent);
  return replaceNode(text, obj, render(l, style));
}

function insertElement(text: string, arr: Node, index: number, value: unknown, style: Style, depth: number): string {
  const childIndent = childIndentOf(text, arr, style);
  if (!arr.children?.length) {
    const multiline = depth <= 1 && value !== null && typeof value === 'object';
    const indent = multiline ? lineIndent(text, arr.offset) + style.unit : childIndent;
    return fillEmpty(text, arr, renderJson(value, indent, style), style, multiline);
  }
  const l = layoutOf(text, arr);
  const body = l.multiline ? renderJson(value, childIndent, style) : compactJson(value);
  insertIntoLayout(l, index, body, style, childIndent);
  return replaceNode(text, arr, render(l, style));
}

/** Wrap `value` in objects/arrays for the path segments that do not exist yet. */
function nest(segments: JsonPath, value: unknown): unknown {
  return segments.reduceRight<unknown>((v, seg) => (typeof seg === 'number' ? [v] : { [seg]: v }), value);
}

function setValue(text: string, path: JsonPath, value: unknown, style: Style): string {
  const tree = root(text);
  const node = findNodeAtLocation(tree, path);
  if (node) {
    // modify() finds the value and computes the replacement; the content is ours, in the file's style.
    const edits: Edit[] = modify(text, path, value, {});
    const oneLine = !text.slice(node.offset, node.offset + node.length).includes('\n');
    const indent = lineIndent(text, node.offset);
    const column = node.offset - (text.lastIndexOf('\n', node.offset - 1) + 1);
    const content = oneLine && column + compactJson(value).length <= COMPACT_MAX + 40 ? compactJson(value) : renderJson(value, indent, style, column);
    return applyEdits(text, edits.map((e) => (e.offset === node.offset && e.length === node.length ? { ...e, content } : e)));
  }
  // Find the deepest existing ancestor and create what is missing inside it, in one member or element.
  for (let n = path.length - 1; n >= 0; n--) {
    const anc = n === 0 ? tree : findNodeAtLocation(tree, path.slice(0, n));
    if (!anc) continue;
    const seg = path[n];
    const rest = nest(path.slice(n + 1), value);
    if (anc.type === 'object' && typeof seg === 'string') return insertMember(text, anc, seg, rest, style, n);
    if (anc.type === 'array' && typeof seg === 'number') return insertElement(text, anc, seg, rest, style, n);
    // Wrong shape (e.g. a string where an object is needed): replace it wholesale.
    return applyEdits(text, modify(text, path.slice(0, n), nest(path.slice(n), value), {}));
  }
  throw new DraftError('E_DRAFT_PATH', `cannot set ${describe(path)}`);
}

function removeValue(text: string, path: JsonPath, style: Style): string {
  if (!path.length) throw new DraftError('E_DRAFT_PATH', 'cannot remove the whole file');
  const tree = root(text);
  const node = findNodeAtLocation(tree, path);
  if (!node) return text;
  const container = node.parent?.type === 'property' ? node.parent.parent : node.parent;
  if (!container) throw new DraftError('E_DRAFT_PATH', `cannot remove ${describe(path)}`);
  const l = layoutOf(text, container);
  const index = (container.children ?? []).indexOf(node.parent?.type === 'property' ? node.parent : node);
  removeFromLayout(l, index);
  if (!l.items.length) return replaceNode(text, container, l.multiline && l.prefix.trim() ? `${l.open}${l.prefix.replace(/\s*$/, '')}${style.eol}${lineIndent(text, container.offset)}${l.close}` : l.open + l.close);
  return replaceNode(text, container, render(l, style));
}

function arrayAt(text: string, path: JsonPath): Node | undefined {
  const node = findNodeAtLocation(root(text), path);
  if (node && node.type !== 'array') throw new DraftError('E_DRAFT_PATH', `${describe(path)} is not a list`);
  return node;
}

function moveElement(text: string, path: JsonPath, from: number, to: number, style: Style): string {
  const arr = arrayAt(text, path);
  const n = arr?.children?.length ?? 0;
  if (!arr || from < 0 || from >= n) throw new DraftError('E_DRAFT_PATH', `no element ${from} in ${describe(path)}`);
  const target = Math.max(0, Math.min(n - 1, to));
  if (target === from) return text;
  const l = layoutOf(text, arr);
  const [item] = l.items.splice(from, 1);
  l.items.splice(target, 0, item);
  const out = replaceNode(text, arr, render(l, style));
  // Belt and braces: if the layout model ever produced something else, fall back to a plain rewrite.
  const before = nodeValue(arr) as unknown[];
  const expected = [...before];
  expected.splice(target, 0, ...expected.splice(from, 1));
  const check = findNodeAtLocation(parseTree(out, [], { allowTrailingComma: true })!, path);
  if (check && JSON.stringify(nodeValue(check)) === JSON.stringify(expected)) return out;
  return applyEdits(text, modify(text, path, expected, {}));
}

/**
 * Renames a key. Renaming a model, a tier or a provider also renames every reference to it, so the file stays
 * valid: tiers' model lists, `then` and `default` (a model only where no tier has the same name, since a tier
 * wins there), models' `provider`, and rule tests' expected `tier`.
 */
function renameKey(text: string, path: JsonPath, from: string, to: string): string {
  if (from === to) return text;
  const tree = root(text);
  const obj = findNodeAtLocation(tree, path);
  if (!obj || obj.type !== 'object') throw new DraftError('E_DRAFT_PATH', `${describe(path)} is not an object`);
  const props = obj.children ?? [];
  if (props.some((p) => p.children?.[0]?.value === to)) throw new DraftError('E_DRAFT_CONFLICT', `"${to}" already exists in ${describe(path)}`);
  const prop = props.find((p) => p.children?.[0]?.value === from);
  const key = prop?.children?.[0];
  if (!key) throw new DraftError('E_DRAFT_PATH', `no "${from}" in ${describe(path)}`);
  const section = path.length === 1 && typeof path[0] === 'string' ? path[0] : null;
  const refs = section ? referencesTo(tree, section, from) : [];
  return applyEdits(text, [key, ...refs].map((n) => ({ offset: n.offset, length: n.length, content: JSON.stringify(to) })));
}

/** The string nodes that name `name` of a top-level section (`models`, `tiers`, `providers`). */
function referencesTo(tree: Node, section: string, name: string): Node[] {
  const at = (...path: JsonPath) => findNodeAtLocation(tree, path);
  const named = (n: Node | undefined): Node[] => (n?.type === 'string' && n.value === name ? [n] : []);
  const elements = (n: Node | undefined): Node[] => (n?.type === 'array' ? (n.children ?? []).flatMap(named) : []);
  const members = (n: Node | undefined): Node[] => (n?.type === 'object' ? (n.children ?? []).map((p) => p.children?.[1]).filter((v): v is Node => !!v) : []);
  const items = (n: Node | undefined): Node[] => (n?.type === 'array' ? n.children ?? [] : []);
  // A `then` or `default` string names a tier when one has that name, else a model; lists name models.
  const tierNamed = !!at('tiers', name);
  const targets = (n: Node | undefined, kind: 'model' | 'tier'): Node[] =>
    n?.type === 'array' ? (kind === 'model' ? elements(n) : [])
      : kind === 'tier' || !tierNamed ? named(n) : [];
  switch (section) {
    case 'models':
      return [
        ...members(at('tiers')).flatMap(elements),
        ...items(at('rules')).flatMap((r) => targets(findNodeAtLocation(r, ['then']), 'model')),
        ...targets(at('default'), 'model'),
      ];
    case 'tiers':
      return [
        ...items(at('rules')).flatMap((r) => targets(findNodeAtLocation(r, ['then']), 'tier')),
        ...targets(at('default'), 'tier'),
        ...items(at('tests')).flatMap((t) => named(findNodeAtLocation(t, ['expect', 'tier']))),
      ];
    case 'providers':
      return members(at('models')).flatMap((m) => named(findNodeAtLocation(m, ['provider'])));
    default:
      return [];
  }
}

/** Apply one form edit to the draft text. Throws DraftError with a message meant for the user. */
export function applyDraftOp(text: string, op: DraftOp): string {
  const style = detectStyle(text);
  let out: string;
  switch (op.kind) {
    case 'set': out = op.value === undefined ? removeValue(text, op.path, style) : setValue(text, op.path, op.value, style); break;
    case 'remove': out = removeValue(text, op.path, style); break;
    case 'insert': {
      const arr = arrayAt(text, op.path);
      out = arr ? insertElement(text, arr, op.index, op.value, style, op.path.length) : setValue(text, op.path, [op.value], style);
      break;
    }
    case 'move': out = moveElement(text, op.path, op.from, op.to, style); break;
    case 'renameKey': out = renameKey(text, op.path, op.from, op.to); break;
    default: throw new DraftError('E_DRAFT_PATH', `unknown edit ${(op as { kind: string }).kind}`);
  }
  const errors: ParseError[] = [];
  parseTree(out, errors, { allowTrailingComma: true });
  if (errors.length) throw new DraftError('E_DRAFT_SYNTAX', `internal: the edit of ${describe(op.path)} would break the file; nothing was changed`);
  return out;
}

// ── Convenience builders for the ops the form posts ──────────────────────────────────────────────────────────

export const ops = {
  moveRule: (from: number, to: number): DraftOp => ({ kind: 'move', path: ['rules'], from, to }),
  removeRule: (index: number): DraftOp => ({ kind: 'remove', path: ['rules', index] }),
  addRule: (index: number, rule: unknown): DraftOp => ({ kind: 'insert', path: ['rules'], index, value: rule }),
  setField: (path: JsonPath, value: unknown): DraftOp => ({ kind: 'set', path, value }),
  addCondition: (conditionPath: JsonPath, key: string, value: unknown): DraftOp => ({ kind: 'set', path: [...conditionPath, key], value }),
  removeCondition: (conditionPath: JsonPath, key: string): DraftOp => ({ kind: 'remove', path: [...conditionPath, key] }),
};

/** A rule name not used yet: `new rule`, `new rule 2`, … */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  if (!set.has(base)) return base;
  for (let i = 2; ; i++) if (!set.has(`${base} ${i}`)) return `${base} ${i}`;
}
