/**
 * Work that grows with user input (a 10,000-rule file, a replay over 10,000 ledger rows) is written once as a
 * generator that `yield`s between small steps, then run either in one go (the CLI, tests) or in slices that give
 * the event loop a turn every few milliseconds (the daemon), so `/health` and WebSocket replies never wait long.
 */
export type Steps<T> = Generator<void, T, void>;

export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs `steps`, yielding to the event loop (setImmediate) whenever `sliceMs` of work has passed. */
export async function runSliced<T>(steps: Steps<T>, sliceMs = 4): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}
