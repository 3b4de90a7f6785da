/**
 * V8 settings the daemon sets for itself, before any other module loads (daemonEntry.ts imports this first), so
 * that they hold however dist/daemon.js was started (the extension's spawn, `switchyard start`, a test); the
 * foreground `switchyard daemon` (dist/cli.js) runs without them.
 *
 * `--liftoff-only`: WebAssembly (SQLite here, tiktoken in its worker) runs on V8's baseline compiler alone. The
 * optimising tier recompiled most of SQLite in the background as the ledger opened and kept ≈25–30 MB of code and
 * compiler memory resident for the life of the process; the ledger's write rate did not measurably change and
 * counting stays off the event loop (docs/BENCHMARKS.md, "Idle memory").
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
