/** dist/daemon.js — the entry the extension spawns (with VS Code's runtime) and `switchyard start` detaches. */
import { runDaemon } from './main';

runDaemon(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => { console.error(`switchyard daemon: ${(e as Error).stack ?? e}`); process.exit(1); },
);
