/**
 * Display formatting for the webviews: `formatUsd` and `formatMs` are the shared ones (`shared/format.ts`:
 * "$0.00042", "0.7 s", "unknown" for null), so the sidebar, the hint and the CLI agree; the rest are webview-only.
 * No DOM, no `vscode`.
 */

export { formatMs, formatUsd } from '../../../shared/format';

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
