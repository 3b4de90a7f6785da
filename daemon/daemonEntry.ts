/** dist/daemon.js — the entry the extension spawns (with VS Code's runtime) and `switchyard start` detaches. */
// First: V8 flags must be set before SQLite's WebAssembly is compiled.
import './v8Flags';
import { runDaemon } from './main';

runDaemon(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => { console.error(`switchyard daemon: ${(e as Error).stack ?? e}`); process.exit(1); },
);
