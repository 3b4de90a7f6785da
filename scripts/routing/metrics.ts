/** Routing quality figures: a confusion matrix over the tiers, accuracy, and the shares routed below and above. */
import { VERDICT_TIERS } from '../../shared/decision';

export interface Confusion {
  /** matrix[intended][routed] */
  matrix: number[][];
  total: number;
  accuracy: number;
  /** Routed below the intended tier (under-served: the worse error). */
  under: number;
  /** Routed above it (paying for nothing). */
  over: number;
}

/** Labels and predictions are tier indices in VERDICT_TIERS order (fast < standard < deep). */
export function confusion(labels: readonly number[], predicted: readonly number[]): Confusion {
  const n = VERDICT_TIERS.length;
  const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let right = 0, under = 0, over = 0;
  labels.forEach((l, i) => {
    const p = predicted[i];
    matrix[l][p]++;
    if (p === l) right++; else if (p < l) under++; else over++;
  });
  const total = labels.length || 1;
  return { matrix, total: labels.length, accuracy: right / total, under: under / total, over: over / total };
}

export const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export function confusionTable(m: Confusion): string {
  const head = `| intended ↓ · routed → | ${VERDICT_TIERS.join(' | ')} |\n|---|${VERDICT_TIERS.map(() => '---:').join('|')}|`;
  const rows = VERDICT_TIERS.map((t, i) => `| ${t} | ${m.matrix[i].join(' | ')} |`);
  return [head, ...rows].join('\n');
}

export function printConfusion(m: Confusion): void {
  console.log(confusionTable(m));
  console.log(`accuracy ${pct(m.accuracy)} · under-served ${pct(m.under)} · over-served ${pct(m.over)} (${m.total} rows)`);
}
