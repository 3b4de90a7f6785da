/**
 * Route previews for code-action titles, cached per (task, selection text) and deduplicated while in flight,
 * so the light bulb never asks the daemon twice for the same selection. Pure: no `vscode`.
 */
import type { Decision } from '../../shared/decision';

export class DecisionCache {
  private readonly entries = new Map<string, Decision>();
  private readonly inflight = new Map<string, Promise<Decision | null>>();

  constructor(private readonly maxEntries = 64) {}

  static key(task: string, text: string): string {
    return `${task}\u0000${text}`;
  }

  peek(key: string): Decision | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      // refresh recency
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  /** The cached decision, or the result of `compute` (null on failure, which is not cached). */
  get(key: string, compute: () => Promise<Decision>): Promise<Decision | null> {
    const hit = this.peek(key);
    if (hit) return Promise.resolve(hit);
    const running = this.inflight.get(key);
    if (running) return running;
    const p = compute().then(
      (d) => {
        this.set(key, d);
        return d;
      },
      () => null,
    ).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  set(key: string, decision: Decision): void {
    this.entries.delete(key);
    this.entries.set(key, decision);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Decisions depend on rules, spend and health: drop them all when any of those change. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
