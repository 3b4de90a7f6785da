/**
 * Conversation affinity. An agent loop sends the whole conversation every turn; switching models mid-loop throws
 * away the provider's prompt cache and the tool-call continuity the model built. So the first turn's decision is
 * pinned under the conversation's key (daemon/formats/shape.ts `conversationKey`) and later turns keep it: the
 * engine looks the pin up with `get` before deciding (decide() reads it from `state.pin` and stays pure) and
 * records what served with `remember` after. Precedence and the rest: docs/RULES.md, Conversation affinity.
 *
 * Bounded and clock-free: at most `maxKeys` conversations (the least recently served goes first), each forgotten
 * `idleMinutes` after its last served turn, measured by the `now` the caller passes — so the same requests in the
 * same order, at the same times, always meet the same pins.
 */
import type { AffinityConfig } from '../../shared/config';
import type { Decision, Pin } from '../../shared/decision';

/** Conversations held at most: a few hundred bytes each. */
export const AFFINITY_MAX_KEYS = 10_000;

interface Entry {
  pin: Pin;
  lastUsed: number;
}

export class AffinityStore {
  /** In order of last use, oldest first (a Map keeps insertion order; a use re-inserts). */
  readonly #entries = new Map<string, Entry>();
  /** Null when affinity is off. */
  #idleMs: number | null = null;

  constructor(config: AffinityConfig, readonly maxKeys = AFFINITY_MAX_KEYS) {
    this.configure(config);
  }

  /** The rules' `affinity` setting (on load and reload); turning it off forgets every pin. */
  configure(config: AffinityConfig): void {
    this.#idleMs = config === false ? null : config.idleMinutes * 60_000;
    if (this.#idleMs === null) this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The conversation's pin, unless it is unknown, idle too long (then forgotten) or affinity is off. */
  get(key: string, now: number): Pin | undefined {
    const entry = this.#live(key, now);
    return entry && { ...entry.pin };
  }

  /**
   * After a served request: `served` is the candidate that answered. A turn that kept the pin moves it to that
   * model (a fallback moved the conversation); a turn decided without it (the first, or one whose pin broke) pins
   * its own rule, tier and model from this turn on. A request that named its model counts as a turn and moves
   * nothing.
   */
  remember(key: string, decision: Decision, served: string, now: number): void {
    if (this.#idleMs === null) return;
    const prev = this.#live(key, now)?.pin;
    const turns = (prev?.turns ?? 0) + 1;
    let pin: Pin;
    if (decision.forced) {
      if (!prev) return;
      pin = { ...prev, turns };
    } else if (prev && decision.affinity && decision.affinity.broken === undefined) {
      pin = { ...prev, model: served, turns };
    } else {
      pin = { key, rule: decision.rule, ruleIndex: decision.ruleIndex, tier: decision.tier, model: served, since: turns, turns };
    }
    this.#entries.delete(key);
    this.#entries.set(key, { pin, lastUsed: now });
    if (this.#entries.size > this.maxKeys) this.#entries.delete(this.#entries.keys().next().value!);
  }

  #live(key: string, now: number): Entry | undefined {
    if (this.#idleMs === null) return undefined;
    const entry = this.#entries.get(key);
    if (entry && now - entry.lastUsed >= this.#idleMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
