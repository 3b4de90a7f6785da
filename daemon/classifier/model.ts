/**
 * The classifier's model: a multinomial logistic regression over the hashed features of features.ts, its weights
 * quantized to one byte each (weights.json, written by `npm run train:router`). Scoring is a sum of table
 * look-ups: a feature's three weights sit side by side, so each occurrence reads one cache line.
 */
import { VERDICT_TIERS, type VerdictTier } from '../../shared/decision';
import { DIMS, GROUPS, LAYOUT, groupOf, groupScale, type FeatureBag, type Group } from './features';

/** weights.json as written by the trainer. */
export interface WeightsFile {
  version: 1;
  classes: VerdictTier[];
  layout: typeof LAYOUT;
  /** A weight is `scale × byte`. */
  scale: number;
  bias: number[];
  /** DIMS × classes signed bytes, feature-major, base64. */
  weights: string;
  /** What it was trained on and how (informative; the trainer checks it). */
  trained: Record<string, unknown>;
}

export interface Model {
  /** The feature groups it was trained on (extractFeatures makes only these). */
  readonly groups: readonly Group[];
  readonly weights: Int8Array;
  readonly scale: number;
  readonly bias: Float64Array;
}

const CLASSES = VERDICT_TIERS.length;

export function loadModel(file: WeightsFile): Model {
  if (file.version !== 1) throw new Error(`classifier weights: unknown version ${String(file.version)}`);
  if (file.classes.join() !== VERDICT_TIERS.join()) throw new Error(`classifier weights: classes ${file.classes.join()} are not ${VERDICT_TIERS.join()}`);
  if (JSON.stringify(file.layout) !== JSON.stringify(LAYOUT)) throw new Error('classifier weights: trained with another feature layout; retrain (npm run train:router)');
  const bytes = Buffer.from(file.weights, 'base64');
  if (bytes.length !== DIMS * CLASSES) throw new Error(`classifier weights: ${bytes.length} bytes, expected ${DIMS * CLASSES}`);
  const groups = (file.trained.groups as Group[] | undefined) ?? [...GROUPS];
  return { groups, weights: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length), scale: file.scale, bias: Float64Array.from(file.bias) };
}

/** Each class's score (log-odds up to a constant) for a bag of features. */
export function scores(model: Model, bag: FeatureBag): [number, number, number] {
  let sums = bag.summedWith === model.weights ? bag.sums : undefined;
  if (!sums) {
    // Sum per group first (integers: exact), then scale once per group.
    const w = model.weights;
    sums = new Float64Array(GROUPS.length * CLASSES);
    const index = bag.index;
    for (let k = 0; k < index.length; k++) {
      const at = index[k] * CLASSES;
      const g = groupOf(index[k]) * CLASSES;
      sums[g] += w[at];
      sums[g + 1] += w[at + 1];
      sums[g + 2] += w[at + 2];
    }
  }
  const out: [number, number, number] = [model.bias[0], model.bias[1], model.bias[2]];
  for (let g = 0; g < GROUPS.length; g++) {
    const s = groupScale(bag.counts[g], g) * model.scale;
    out[0] += sums[g * CLASSES] * s;
    out[1] += sums[g * CLASSES + 1] * s;
    out[2] += sums[g * CLASSES + 2] * s;
  }
  return out;
}

export function softmax(s: readonly number[]): number[] {
  const max = Math.max(...s);
  const e = s.map((v) => Math.exp(v - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

/**
 * Each named feature's contribution to class `c`'s lead over the mean of the others, summed over its occurrences:
 * what pushed the verdict there (positive) or away (negative).
 */
export function contributions(model: Model, bag: FeatureBag, c: number): Map<string, number> {
  if (!bag.names) throw new Error('internal: contributions need a named feature bag');
  const w = model.weights;
  const scales = bag.counts.map((n, g) => groupScale(n, g));
  const out = new Map<string, number>();
  for (let k = 0; k < bag.index.length; k++) {
    const at = bag.index[k] * CLASSES;
    let others = 0;
    for (let o = 0; o < CLASSES; o++) if (o !== c) others += w[at + o];
    const lead = (w[at + c] - others / (CLASSES - 1)) * model.scale * scales[groupOf(bag.index[k])];
    const name = bag.names[k];
    out.set(name, (out.get(name) ?? 0) + lead);
  }
  return out;
}
