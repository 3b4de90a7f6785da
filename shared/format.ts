/**
 * Display helpers shared by the CLI, the extension and the webviews (pure, no Node or DOM APIs). They return the
 * bare amount; callers that show an estimate prefix it themselves (`≈$0.00042`, `≈0.7 s`).
 */
import type { AffinityNote } from './decision';

const grouped = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * USD for people: unknown (null, undefined, NaN, ±Infinity) → "unknown"; 0 → "$0.00"; below a cent → two
 * significant digits ("$0.00042", "$0.0004", "$0.0012"; below a millionth of a dollar → "<$0.000001"); below a
 * dollar → 2 to 4 decimals ("$0.0123", "$0.50"); from a dollar → cents with grouping ("$1,234.50"). Negative
 * amounts (savings) keep their sign: "-$0.0012".
 */
export function formatUsd(n: number | null | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return 'unknown';
  if (n === 0) return '$0.00';
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  if (abs < 0.000001) return `${sign}<$0.000001`;
  if (abs < 0.01) {
    const decimals = 1 - Math.floor(Math.log10(abs)); // two significant digits
    return `${sign}$${trimZeros(abs.toFixed(decimals), 0)}`;
  }
  if (abs < 1) return `${sign}$${trimZeros(abs.toFixed(4), 2)}`;
  return `${sign}$${grouped.format(abs)}`;
}

/**
 * Durations for people: unknown → "unknown"; under half a second → "350 ms"; under 10 s → one decimal ("0.7 s",
 * "2.4 s"); under a minute → whole seconds ("42 s"); then "3 min 5 s" and "1 h 2 min". Negative values show as 0.
 */
export function formatMs(ms: number | null | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return 'unknown';
  const v = Math.max(0, ms);
  if (Math.round(v) < 500) return `${Math.round(v)} ms`;
  const tenths = Math.round(v / 100);
  if (tenths < 100) return `${(tenths / 10).toFixed(1)} s`;
  const secs = Math.round(v / 1000);
  if (secs < 60) return `${secs} s`;
  const mins = Math.floor(secs / 60);
  if (mins < 60) return secs % 60 ? `${mins} min ${secs % 60} s` : `${mins} min`;
  const hours = Math.floor(mins / 60);
  return mins % 60 ? `${hours} h ${mins % 60} min` : `${hours} h`;
}

/**
 * A Decision's conversation affinity in one line, for every trace (CLI, hover): `kept from turn 1 (rule "deep") on
 * sonnet · turn 4`, or `affinity broken at turn 4: <why> (was rule "deep" on sonnet since turn 1)`.
 */
export function affinityText(a: AffinityNote): string {
  return a.broken === undefined
    ? `kept from turn ${a.since} (rule "${a.rule}") on ${a.model} · turn ${a.turn}`
    : `affinity broken at turn ${a.turn}: ${a.broken} (was rule "${a.rule}" on ${a.model} since turn ${a.since})`;
}

/** Drop trailing zeros after the decimal point, keeping at least `minDecimals`. */
function trimZeros(fixed: string, minDecimals: number): string {
  const dot = fixed.indexOf('.');
  if (dot < 0) return fixed;
  let end = fixed.length;
  while (end > dot + 1 + minDecimals && fixed[end - 1] === '0') end--;
  if (end === dot + 1) end = dot; // no decimals left: drop the point
  return fixed.slice(0, end);
}

/**
 * A condition or observed value for traces: strings quoted but not JSON-escaped (a regex reads `"/^ok\b/i"`,
 * not `"/^ok\\b/i"`), with line breaks and tabs shown as \n and \t; anything else as JSON.
 */
export function formatTraceValue(v: unknown): string {
  if (typeof v === 'string') return `"${v.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
  return JSON.stringify(v) ?? String(v);
}
