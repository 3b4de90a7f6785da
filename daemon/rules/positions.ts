/** Maps JSON paths and offsets in a JSONC text to 1-based line:column, for error messages. */
import { findNodeAtLocation, type Node, type Segment } from 'jsonc-parser';

export class TextPositions {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string, private readonly root: Node | undefined) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
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

  /** Position of the node at `path`; for a missing key, the nearest existing ancestor. Keys point at the property name. */
  ofPath(path: Segment[]): { line: number; column: number } {
    if (!this.root) return { line: 1, column: 1 };
    for (let n = path.length; n >= 0; n--) {
      const node = findNodeAtLocation(this.root, path.slice(0, n));
      if (!node) continue;
      // For an object member, point at its key so "unknown key" errors land on the key itself.
      const target = node.parent?.type === 'property' ? node.parent : node;
      return this.at(target.offset);
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
