/**
 * `npm run train:router`: trains the routing classifier (daemon/classifier) on the corpus's train split, prints
 * its confusion matrix on the validation split, and writes daemon/classifier/weights.json. Deterministic: a fixed
 * seed, a fixed order, float64 arithmetic and one-byte weights — the same corpus gives the same file, byte for
 * byte (CI retrains and compares). The test split is never read here.
 *
 *   --check     retrain and compare with the committed weights instead of writing them (exit 1 if they differ)
 *   --compare   also train the alternatives docs/DECISIONS.md weighs, and print their validation figures
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERDICT_TIERS } from '../../shared/decision';
import { DIMS, GROUPS, LAYOUT, classifierInput, extractFeatures, groupOf, groupScale, type Group } from '../../daemon/classifier/features';
import { loadModel, scores, type WeightsFile } from '../../daemon/classifier/model';
import { loadSplit, toRouteRequest, type CorpusRow } from './corpus';
import { confusion, printConfusion } from './metrics';

export const WEIGHTS_FILE = join(import.meta.dirname, '..', '..', 'daemon', 'classifier', 'weights.json');

/** The training recipe. Chosen on the validation split (docs/DECISIONS.md); change it only with new figures. */
export const RECIPE = { seed: 20261202, epochs: 24, learningRate: 0.1, l2: 1e-5, groups: ['ask', 'bulk', 'shape'] as readonly Group[] };
export type Recipe = typeof RECIPE;

const CLASSES = VERDICT_TIERS.length;

/** One example: distinct feature indices with their values (each occurrence adds its group's scale). */
export interface Example { index: Int32Array; value: Float64Array; label: number }

export function toExample(row: CorpusRow, groups: readonly Group[] = GROUPS): Example {
  const bag = extractFeatures(classifierInput(toRouteRequest(row)), { groups });
  const scales = bag.counts.map((n, g) => groupScale(n, g));
  const keep = GROUPS.map((g) => groups.includes(g));
  const values = new Map<number, number>();
  for (let k = 0; k < bag.index.length; k++) {
    const g = groupOf(bag.index[k]);
    if (!keep[g]) continue;
    values.set(bag.index[k], (values.get(bag.index[k]) ?? 0) + scales[g]);
  }
  const sorted = [...values.keys()].sort((a, b) => a - b);
  return { index: Int32Array.from(sorted), value: Float64Array.from(sorted.map((i) => values.get(i)!)), label: VERDICT_TIERS.indexOf(row.tier) };
}

/** A small, seeded PRNG (mulberry32): the shuffle order is part of the recipe. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Float weights (DIMS × classes, feature-major) and biases, by AdaGrad on the log loss with L2 on touched weights. */
export function train(examples: readonly Example[], recipe: Recipe): { w: Float64Array; b: Float64Array } {
  const w = new Float64Array(DIMS * CLASSES);
  const g2 = new Float64Array(DIMS * CLASSES);
  const b = new Float64Array(CLASSES);
  const bg2 = new Float64Array(CLASSES);
  const random = prng(recipe.seed);
  const order = examples.map((_, i) => i);
  const p = new Float64Array(CLASSES);
  for (let epoch = 0; epoch < recipe.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    for (const n of order) {
      const { index, value, label } = examples[n];
      for (let c = 0; c < CLASSES; c++) p[c] = b[c];
      for (let k = 0; k < index.length; k++) for (let c = 0; c < CLASSES; c++) p[c] += w[index[k] * CLASSES + c] * value[k];
      let max = -Infinity;
      for (let c = 0; c < CLASSES; c++) max = Math.max(max, p[c]);
      let total = 0;
      for (let c = 0; c < CLASSES; c++) { p[c] = Math.exp(p[c] - max); total += p[c]; }
      for (let c = 0; c < CLASSES; c++) {
        const err = p[c] / total - (c === label ? 1 : 0);
        bg2[c] += err * err;
        b[c] -= (recipe.learningRate * err) / Math.sqrt(bg2[c] + 1e-8);
        for (let k = 0; k < index.length; k++) {
          const at = index[k] * CLASSES + c;
          const grad = err * value[k] + recipe.l2 * w[at];
          g2[at] += grad * grad;
          w[at] -= (recipe.learningRate * grad) / Math.sqrt(g2[at] + 1e-8);
        }
      }
    }
  }
  return { w, b };
}

/** One byte per weight: `scale × byte`, scale chosen so the largest weight is ±127. */
export function quantize(w: Float64Array): { bytes: Int8Array; scale: number } {
  let max = 0;
  for (const v of w) max = Math.max(max, Math.abs(v));
  const scale = Number((max / 127 || 1).toPrecision(12));
  const bytes = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) bytes[i] = Math.max(-127, Math.min(127, Math.round(w[i] / scale)));
  return { bytes, scale };
}

export function corpusDigest(rows: readonly CorpusRow[]): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(JSON.stringify(r)).update('\n');
  return h.digest('hex');
}

/** Trains on `rows` and returns the weights file's text. */
export function weightsFor(rows: readonly CorpusRow[], recipe: Recipe = RECIPE): string {
  const { w, b } = train(rows.map((r) => toExample(r, recipe.groups)), recipe);
  const { bytes, scale } = quantize(w);
  const file: WeightsFile = {
    version: 1, classes: [...VERDICT_TIERS], layout: LAYOUT, scale, bias: [...b].map((v) => Number(v.toFixed(6))),
    weights: Buffer.from(bytes.buffer).toString('base64'),
    trained: { rows: rows.length, corpusSha256: corpusDigest(rows), ...recipe, groups: [...recipe.groups] },
  };
  return `${JSON.stringify(file)}\n`;
}

/** Predicted class indices of `rows` under the weights file `text`. */
export function predict(text: string, rows: readonly CorpusRow[]): number[] {
  const m = loadModel(JSON.parse(text) as WeightsFile);
  return rows.map((r) => {
    const s = scores(m, extractFeatures(classifierInput(toRouteRequest(r)), { groups: m.groups }));
    return s.indexOf(Math.max(...s));
  });
}

function main(): void {
  const args = new Set(process.argv.slice(2));
  const trainRows = loadSplit('train');
  const validation = loadSplit('validation');
  const started = performance.now();
  const text = weightsFor(trainRows);
  console.log(`trained on ${trainRows.length} rows in ${((performance.now() - started) / 1000).toFixed(1)} s; validation: ${validation.length} rows`);
  const labels = validation.map((r) => VERDICT_TIERS.indexOf(r.tier));
  printConfusion(confusion(labels, predict(text, validation)));
  if (args.has('--compare')) compare(trainRows, validation, labels);
  if (args.has('--check')) {
    const committed = readFileSync(WEIGHTS_FILE, 'utf8');
    if (committed !== text) { console.error('daemon/classifier/weights.json does not match the corpus: run npm run train:router and commit it'); process.exit(1); }
    console.log('daemon/classifier/weights.json matches the corpus');
    return;
  }
  writeFileSync(WEIGHTS_FILE, text);
  console.log(`wrote ${WEIGHTS_FILE} (${(text.length / 1024).toFixed(0)} KB)`);
}

/** The alternatives in docs/DECISIONS.md: the same learner on fewer feature groups, and other recipes. */
function compare(trainRows: CorpusRow[], validation: CorpusRow[], labels: number[]): void {
  const variants: [string, Recipe][] = [
    ['ask words + pairs only', { ...RECIPE, groups: ['ask'] }],
    ['ask words + character n-grams', { ...RECIPE, groups: ['ask', 'chars'] }],
    ['ask + characters + shape (no paste tokens)', { ...RECIPE, groups: ['ask', 'chars', 'shape'] }],
    ['shape signals only', { ...RECIPE, groups: ['shape'] }],
    ['ask + paste tokens + shape (the recipe)', RECIPE],
    ['all four groups (with character n-grams)', { ...RECIPE, groups: GROUPS }],
    ['the recipe, 8 epochs', { ...RECIPE, epochs: 8 }],
    ['the recipe, L2 1e-4', { ...RECIPE, l2: 1e-4 }],
  ];
  console.log('\n| variant | validation accuracy | under-served |\n|---|---:|---:|');
  for (const [name, recipe] of variants) {
    const m = confusion(labels, predict(weightsFor(trainRows, recipe), validation));
    console.log(`| ${name} | ${(m.accuracy * 100).toFixed(1)} % | ${(m.under * 100).toFixed(1)} % |`);
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) main();
