/**
 * A request's classifier features, kept in the ledger so a replay can re-classify it — with the weights of the
 * day — when its prompt was not stored. The features are hashed indices, not text: the sketch holds nothing a
 * reader could turn back into the prompt beyond the shape signals' names' hashes. Compact: the distinct indices,
 * sorted and delta-coded as varints, each with its multiplicity (≈2 bytes a feature, ≈1–2 KB for a 1 KB prompt).
 *
 *   "c1:" base64( varint(occurrences per group ×4) varint(distinct) { varint(delta << 1 | repeated) [varint(times)] }* )
 */
import { DIMS, type FeatureBag } from './features';

const PREFIX = 'c1:';

export function sketchOf(bag: FeatureBag): string {
  const sorted = Int32Array.from(bag.index).sort();
  const out: number[] = [];
  const varint = (n: number) => { while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); } out.push(n); };
  for (const c of bag.counts) varint(c);
  let distinct = 0;
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) distinct++;
  varint(distinct);
  let last = 0;
  for (let k = 0; k < sorted.length;) {
    let times = 1;
    while (k + times < sorted.length && sorted[k + times] === sorted[k]) times++;
    varint(((sorted[k] - last) * 2) + (times > 1 ? 1 : 0));
    if (times > 1) varint(times);
    last = sorted[k];
    k += times;
  }
  return PREFIX + Buffer.from(out).toString('base64');
}

/** The bag a sketch was made from (occurrence order aside, which scoring does not depend on); null when it is not one. */
export function bagFromSketch(sketch: string): FeatureBag | null {
  if (!sketch.startsWith(PREFIX)) return null;
  const bytes = Buffer.from(sketch.slice(PREFIX.length), 'base64');
  let at = 0;
  const varint = (): number => {
    let n = 0, mul = 1;
    for (;;) {
      if (at >= bytes.length) throw new Error('truncated');
      const b = bytes[at++];
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
    }
  };
  try {
    const counts: [number, number, number, number] = [varint(), varint(), varint(), varint()];
    const total = counts[0] + counts[1] + counts[2] + counts[3];
    const distinct = varint();
    const index = new Int32Array(total);
    let length = 0, last = 0;
    for (let d = 0; d < distinct; d++) {
      const v = varint();
      const i = last + Math.floor(v / 2);
      const times = v % 2 ? varint() : 1;
      if (i >= DIMS) return null;
      for (let t = 0; t < times && length < total; t++) index[length++] = i;
      last = i;
    }
    return length === total ? { index, counts } : null;
  } catch {
    return null;
  }
}
