/**
 * How much the fuzz layer runs. FUZZ_RUNS is the total number of generated cases, shared out between the
 * properties by weight (default 12,450: `npm test`; `npm run fuzz` sets 100,000). FUZZ_SEED fixes the seed
 * (default a constant, so CI runs are reproducible); FUZZ_SEED=random draws one. The seed is printed, and a
 * failing property prints its shrunk counterexample, seed and path (replay one property with FUZZ_SEED,
 * FUZZ_PATH and --test-name-pattern). FUZZ_DIST=<a build's dist/> runs the daemon properties against that build.
 */
import type { Parameters } from 'fast-check';

const DEFAULT_TOTAL = 12_450;
const DEFAULT_SEED = 20_250_611;

export const TOTAL_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS) || DEFAULT_TOTAL);
export const SEED = process.env.FUZZ_SEED === 'random'
  ? Math.floor(Math.random() * 2 ** 31)
  : Number.isFinite(Number(process.env.FUZZ_SEED)) && process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : DEFAULT_SEED;

/**
 * Each property's weight: its share of the total is its weight over the sum of them all. The original properties'
 * weights add up to 1 and the agent surface's (agent.fuzz.test.ts, codecs.fuzz.test.ts) to 1.075, so at the default
 * total the first keep their 6,000 cases and the second get 6,450 (about 45 s more in CI). Cheap in-process
 * properties get more; a hot reload waits for the file watcher, so it gets few.
 */
export const WEIGHTS = {
  loader: 0.16,
  translate: 0.22,
  loaderRouting: 0.05,
  /** Each case loads 1,000–5,000 rules (about a second): a handful in `npm test`. */
  loaderMany: 0.0005,
  httpCompletions: 0.20,
  httpOther: 0.08,
  httpSpendQuery: 0.03,
  httpReplay: 0.03,
  wsFrames: 0.10,
  wsMethods: 0.08,
  wsRules: 0.04,
  hotReload: 0.0095,
  /** Every parsed body built for 15 targets: about a millisecond a case. */
  codecs: 0.5,
  /** About 11 ms a case (bodies of several kilobytes, streams, fallbacks); the three after it 9–14 ms. */
  httpAgent: 0.4,
  httpSurface: 0.0833,
  httpCountTokens: 0.05,
  httpModelIds: 0.0417,
} as const;

const WEIGHT_SUM = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);

export function runsFor(name: keyof typeof WEIGHTS): number {
  return Math.max(name === 'loaderMany' ? 3 : 10, Math.round(TOTAL_RUNS * WEIGHTS[name] / WEIGHT_SUM));
}

/** Parameters for fc.assert: fixed seed, counted runs, the counterexample and what it broke in the error, and no time limit per run. */
export function params<T>(name: keyof typeof WEIGHTS, extra: Parameters<T> = {}): Parameters<T> {
  const path = process.env.FUZZ_PATH;
  return { seed: SEED, numRuns: runsFor(name), endOnFailure: false, includeErrorInReport: true, ...(path ? { path } : {}), ...extra };
}

export const describeRun = () => `fuzz seed ${SEED} (FUZZ_SEED=… to change, FUZZ_SEED=random to draw), ${TOTAL_RUNS} cases in total (FUZZ_RUNS)`;
