/**
 * Display formatting for the webviews. `formatUsd` and `formatMs` follow the shared contract (`shared/format.ts`:
 * "$0.00042", "unknown" for null); the rest are webview-only. No DOM, no `vscode`.
 */

/** USD for display: "$1.23", "$0.00042" (two significant digits under a cent), "unknown" for null. */
export function formatUsd(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return 'unknown';
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  if (a === 0) return '$0.00';
  const r = a >= 0.01 ? a : Number(a.toPrecision(2));
  if (r >= 0.01) return `${sign}$${r.toFixed(2)}`;
  return `${sign}$${r.toFixed(Math.max(2, -Math.floor(Math.log10(r)) + 1))}`;
}

/** Milliseconds for display: "420 ms", "1.2 s", "2 min 5 s"; "unknown" for null. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "1,234" (grouped), "—" for null. */
export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local clock time "14:03:07"; with the date "Mar 4 14:03" when not today. */
export function formatTime(epochMs: number, now: number): string {
  const d = new Date(epochMs);
  const n = new Date(now);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === n.toDateString()) return `${time}:${pad(d.getSeconds())}`;
  return `${d.toLocaleString('en-US', { month: 'short' })} ${d.getDate()} ${time}`;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago". */
export function formatAgo(epochMs: number, now: number): string {
  const s = Math.max(0, Math.round((now - epochMs) / 1000));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}
