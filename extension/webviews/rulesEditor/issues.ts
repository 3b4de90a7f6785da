/**
 * Where a validation issue belongs in the form. Issues carry `path` (`rules[2].if.metadata.team`), and/or a
 * line and column, and/or a rule name; fields carry `data-path` keys made by `pathKey`. The issue is shown next to
 * the most specific field whose key is a prefix of its path. No DOM, no `vscode`.
 */
import { getLocation } from 'jsonc-parser';
import type { ValidationIssue } from '../../../shared/protocol';
import type { JsonPath } from '../../../shared/webview';
import { offsetAt } from './draft';

/** Canonical key for a path: `rules[2].if.all[0].metadata.team`, the daemon's own format. */
export function pathKey(path: JsonPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/**
 * Parse an issue path tolerantly: `rules[2].then`, `rules.2.then`, `/rules/2/then`, `rules[0]["metadata.team"]`.
 * Inside a condition (after `if`), `metadata` and the next segment form one key again (`metadata.team`).
 */
export function parseIssuePath(path: string): JsonPath {
  const segs: JsonPath = [];
  if (path.startsWith('/')) {
    for (const s of path.slice(1).split('/')) segs.push(/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~'));
  } else {
    const re = /\[(\d+)\]|\[\s*(["'])((?:\\.|(?!\2).)*)\2\s*\]|([^.[\]]+)/g;
    for (let m = re.exec(path); m; m = re.exec(path)) {
      if (m[1] !== undefined) segs.push(Number(m[1]));
      else if (m[3] !== undefined) segs.push(m[3]);
      else if (m[4] !== undefined) segs.push(/^\d+$/.test(m[4]) ? Number(m[4]) : m[4]);
    }
  }
  const out: JsonPath = [];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s === 'metadata' && out.includes('if') && typeof segs[i + 1] === 'string') { out.push(`metadata.${segs[++i]}`); continue; }
    out.push(s);
  }
  return out;
}

/** The best path for an issue: its `path`, else its line/column in `text`, else its rule, else none. */
export function issuePath(issue: ValidationIssue, text: string, ruleNames: string[]): JsonPath | null {
  if (issue.path) return parseIssuePath(issue.path);
  if (issue.line !== undefined) {
    const loc = getLocation(text, offsetAt(text, issue.line, issue.column ?? 1));
    if (loc.path.length) return loc.path;
  }
  if (issue.rule) {
    const i = ruleNames.indexOf(issue.rule);
    if (i >= 0) return ['rules', i];
    const m = /^#(\d+)$/.exec(issue.rule);
    if (m) return ['rules', Number(m[1]) - 1];
  }
  return null;
}

/** Keys to try, most specific first: the issue's path, then each ancestor. */
export function candidateKeys(path: JsonPath): string[] {
  const keys: string[] = [];
  for (let n = path.length; n > 0; n--) keys.push(pathKey(path.slice(0, n)));
  return keys;
}

/** `2 errors, 1 warning` / `No problems`. */
export function issueCounts(issues: ValidationIssue[]): string {
  const e = issues.filter((i) => i.severity === 'error').length;
  const w = issues.length - e;
  if (!issues.length) return 'No problems';
  const part = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [e ? part(e, 'error') : '', w ? part(w, 'warning') : ''].filter(Boolean).join(', ');
}
