/**
 * How the daemon process is started — by the extension's spawn, `switchyard start` and the benchmarks alike — so
 * that its memory is the same wherever it runs. What the daemon can set for itself is in daemon/v8Flags.ts; these
 * two must be given to the process when it starts. docs/BENCHMARKS.md ("Idle memory") has the measurements.
 */

/**
 * V8 flags before the script: a young generation of at most 2 × 1 MB. V8 grows it to 2 × 8 MB under load and
 * keeps it committed afterwards, ≈14 MB of an idle daemon; minor GCs run more often, each one cheaper.
 */
export const DAEMON_NODE_ARGS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * glibc: two malloc arenas instead of one per thread, so that what the tokenizer worker and V8's compiler threads
 * freed returns to arenas the main thread reuses, instead of staying resident in per-thread arenas. A value the
 * user set wins; other C libraries ignore it.
 */
export const DAEMON_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
