/** Reconnect delays: exponential with a cap and optional jitter. Pure; the random source is injectable. */

export interface BackoffOptions {
  /** First delay, ms. */
  baseMs: number;
  /** Upper bound, ms. */
  maxMs: number;
  factor: number;
  /** Fraction of the delay randomised either way (0.2 → ±20 %). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 };

/** Delay before retry number `attempt` (0-based): base·factor^attempt, capped, then jittered. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const raw = Math.min(options.maxMs, options.baseMs * Math.pow(options.factor, Math.max(0, attempt)));
  const spread = raw * options.jitter;
  const jittered = raw - spread + 2 * spread * random();
  return Math.max(0, Math.round(Math.min(options.maxMs, jittered)));
}
