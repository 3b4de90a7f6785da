/**
 * The classifier: `classify(request) → Verdict` — which tier a request needs (../shared/ROUTING.md), with the
 * probabilities and the features that decided. Pure and deterministic: the weights ship in weights.json, nothing
 * is downloaded or learned at run time, and the same request always gets the same verdict.
 */
import { VERDICT_TIERS, type Verdict, type VerdictTier } from '../../shared/decision';
import { extractFeatures, type ClassifierInput, type FeatureBag } from './features';
import { contributions, loadModel, scores, softmax, type Model, type WeightsFile } from './model';
import { bagFromSketch, sketchOf } from './sketch';
import shipped from './weights.json';

let model: Model | undefined;

/** The shipped model, loaded on first use. */
export function shippedModel(): Model {
  return (model ??= loadModel(shipped as unknown as WeightsFile));
}

/** How many features a verdict lists. */
const TOP_FEATURES = 8;

export function classify(input: ClassifierInput, m: Model = shippedModel()): Verdict {
  const bag = extractFeatures(input, { groups: m.groups, weights: m.weights });
  return new ExplainedVerdict(input, m, bag, softmax(scores(m, bag)));
}

/** The features a verdict was made from, for the ledger (sketch.ts); undefined for a verdict not made here. */
export function verdictSketch(v: Verdict): string | undefined {
  return v instanceof ExplainedVerdict ? v.sketch : undefined;
}

/** A verdict from a ledger row's sketch (a replay of a row whose prompt was not stored); null when it is not one. */
export function classifySketch(sketch: string, m: Model = shippedModel()): Verdict | null {
  const bag = bagFromSketch(sketch);
  if (!bag) return null;
  const p = softmax(scores(m, bag));
  const best = argmax(p);
  // No names: a sketch keeps hashes only.
  return { tier: VERDICT_TIERS[best], confidence: p[best], probabilities: { fast: p[0], standard: p[1], deep: p[2] }, features: [] };
}

const argmax = (p: readonly number[]) => { let best = 0; for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c; return best; };

/**
 * A verdict whose `features` are worked out when first read: routing reads only the tier and probabilities; a
 * trace, a dry run or the ledger's JSON reads the features, from the very same input (classify is pure).
 */
class ExplainedVerdict implements Verdict {
  readonly tier: VerdictTier;
  readonly confidence: number;
  readonly probabilities: Record<VerdictTier, number>;
  #features: Verdict['features'] | undefined;
  readonly #input: ClassifierInput;
  readonly #model: Model;
  readonly #bag: FeatureBag;

  constructor(input: ClassifierInput, m: Model, bag: FeatureBag, p: number[]) {
    const best = argmax(p);
    this.tier = VERDICT_TIERS[best];
    this.confidence = p[best];
    this.probabilities = { fast: p[0], standard: p[1], deep: p[2] };
    this.#input = input;
    this.#model = m;
    this.#bag = bag;
  }

  get sketch(): string {
    return sketchOf(this.#bag);
  }

  get features(): Verdict['features'] {
    if (!this.#features) {
      const c = VERDICT_TIERS.indexOf(this.tier);
      const lead = contributions(this.#model, extractFeatures(this.#input, { named: true, groups: this.#model.groups }), c);
      this.#features = [...lead].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_FEATURES)
        .map(([feature, weight]) => ({ feature, weight: Math.round(weight * 1000) / 1000 }));
    }
    return this.#features;
  }

  toJSON(): Verdict {
    return { tier: this.tier, confidence: this.confidence, probabilities: this.probabilities, features: this.features };
  }
}
