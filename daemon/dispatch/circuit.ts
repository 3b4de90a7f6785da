/**
 * Circuit breakers, one per `provider/modelId`. closed → (N consecutive counted failures) → open for the
 * cool-down → half-open: exactly one probe goes through while every other request still skips → the probe's
 * success closes the circuit, its failure re-opens it for another cool-down.
 *
 * Dispatch decides what counts: retryable and provider-level failures do; a permanent 400 or a cancel does not
 * (it `release`s the permit instead). The clock is injected; nothing here sets a timer.
 */
import type { CircuitInfo } from '../../shared/decision';

export interface CircuitOptions {
  /** Consecutive counted failures that open a circuit. */
  failures: number;
  coolDownMs: number;
  now?: () => number;
}

/** What `acquire` answers: go (as the half-open probe or not), or skip until `openUntil`. */
export type CircuitPermit =
  | { allowed: true; probe: boolean }
  | { allowed: false; openUntil: number };

export type CircuitListener = (key: string, info: CircuitInfo) => void;

interface Circuit {
  state: 'closed' | 'open' | 'half-open';
  failures: number;
  /** While open: when the cool-down ends. */
  openUntil: number;
  /** While half-open: whether the one probe is out, and since when. */
  probeInFlight: boolean;
  probeStartedAt: number;
}

export const circuitKey = (provider: string, model: string): string => `${provider}/${model}`;

export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();
  private readonly listeners = new Set<CircuitListener>();
  private failureThreshold: number;
  private coolDownMs: number;
  private readonly now: () => number;

  /** The clock comes in `options.now` or as the second argument (default Date.now). */
  constructor(options: CircuitOptions, now?: () => number) {
    this.failureThreshold = options.failures;
    this.coolDownMs = options.coolDownMs;
    this.now = options.now ?? now ?? Date.now;
  }

  /** New thresholds (the rules file changed); existing circuits keep their state. */
  configure(options: Pick<CircuitOptions, 'failures' | 'coolDownMs'>): void {
    this.failureThreshold = options.failures;
    this.coolDownMs = options.coolDownMs;
  }

  /** Called with the circuit's new info whenever its state or failure count changes. Returns an unsubscribe. */
  onChange(listener: CircuitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * May a request go to this target now? When the cool-down is over this hands out the single half-open
   * probe (and marks it taken); the caller must end every allowed attempt with `success`, `failure` or
   * `release`, passing the permit's `probe` flag.
   */
  acquire(provider: string, model: string): CircuitPermit {
    const key = circuitKey(provider, model);
    const c = this.circuits.get(key);
    if (!c || c.state === 'closed') return { allowed: true, probe: false };
    const now = this.now();
    if (c.state === 'open' && now < c.openUntil) return { allowed: false, openUntil: c.openUntil };
    if (c.state === 'half-open' && c.probeInFlight) return { allowed: false, openUntil: this.probeHoldUntil(c, now) };
    c.state = 'half-open';
    c.probeInFlight = true;
    c.probeStartedAt = now;
    this.emit(key, c);
    return { allowed: true, probe: true };
  }

  success(provider: string, model: string): void {
    const key = circuitKey(provider, model);
    const c = this.circuits.get(key);
    if (!c || (c.state === 'closed' && c.failures === 0)) return;
    Object.assign(c, { state: 'closed', failures: 0, openUntil: 0, probeInFlight: false });
    this.emit(key, c);
  }

  /** A counted failure. The probe's failure re-opens; a straggler's failure while half-open only counts. */
  failure(provider: string, model: string, probe = false): void {
    const key = circuitKey(provider, model);
    const c = this.circuits.get(key) ?? this.create(key);
    const now = this.now();
    c.failures++;
    if (c.state === 'half-open' && probe) {
      Object.assign(c, { state: 'open', openUntil: now + this.coolDownMs, probeInFlight: false });
    } else if (c.state === 'closed' && c.failures >= this.failureThreshold) {
      Object.assign(c, { state: 'open', openUntil: now + this.coolDownMs });
    }
    this.emit(key, c);
  }

  /** The attempt ended without a verdict on the target's health (cancelled, or the request itself was bad). */
  release(provider: string, model: string, probe = false): void {
    const c = this.circuits.get(circuitKey(provider, model));
    if (c && probe && c.state === 'half-open') c.probeInFlight = false;
  }

  info(provider: string, model: string): CircuitInfo {
    const c = this.circuits.get(circuitKey(provider, model));
    return c ? this.describe(c, this.now()) : { state: 'closed', consecutiveFailures: 0 };
  }

  /**
   * Every known circuit, for the router's state and the health view. Read with the router's rule (skip when
   * open and `openUntil` > now): an expired cool-down reads `half-open` with `openUntil` in the past, so the
   * next request goes and becomes the probe; while that probe is out the circuit reads `open` until
   * probe start + cool-down, so everyone else skips.
   */
  snapshot(): Record<string, CircuitInfo> {
    const now = this.now();
    const out = Object.create(null) as Record<string, CircuitInfo>; // keyed by provider/model names from rules files
    for (const [key, c] of this.circuits) out[key] = this.describe(c, now);
    return out;
  }

  private describe(c: Circuit, now: number): CircuitInfo {
    if (c.state === 'closed') return { state: 'closed', consecutiveFailures: c.failures };
    if (c.state === 'open' && now < c.openUntil) return { state: 'open', openUntil: c.openUntil, consecutiveFailures: c.failures };
    if (c.state === 'half-open' && c.probeInFlight) {
      return { state: 'open', openUntil: this.probeHoldUntil(c, now), consecutiveFailures: c.failures };
    }
    return { state: 'half-open', openUntil: c.state === 'open' ? c.openUntil : c.probeStartedAt, consecutiveFailures: c.failures };
  }

  /** While the probe is out, others skip; reported as open until probe start + cool-down (at least now + 1). */
  private probeHoldUntil(c: Circuit, now: number): number {
    return Math.max(c.probeStartedAt + this.coolDownMs, now + 1);
  }

  private create(key: string): Circuit {
    const c: Circuit = { state: 'closed', failures: 0, openUntil: 0, probeInFlight: false, probeStartedAt: 0 };
    this.circuits.set(key, c);
    return c;
  }

  private emit(key: string, c: Circuit): void {
    if (!this.listeners.size) return;
    const info = this.describe(c, this.now());
    for (const l of this.listeners) {
      try {
        l(key, info);
      } catch {
        // A listener's bug must not break dispatch.
      }
    }
  }
}
