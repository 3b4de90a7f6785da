/** Positions in a rules text: 1-based line:column of offsets and JSON paths, for error messages. */

/** Offsets come from readJsonc: a member's key, an element's value. */
export class Positions {
  private readonly lineStarts: number[] = [0];

  constructor(text: string, private readonly offsets: Map<string, number> = new Map()) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  at(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  /** The position of `path`; for a missing key, of its nearest existing ancestor. */
  ofPath(path: readonly (string | number)[]): { line: number; column: number } {
    for (let n = path.length; n >= 0; n--) {
      const offset = this.offsets.get(formatPath(path.slice(0, n)));
      if (offset !== undefined) return this.at(offset);
    }
    return { line: 1, column: 1 };
  }
}

/** `rules[2].if.all[0].task` */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}
