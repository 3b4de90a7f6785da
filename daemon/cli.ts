/**
 * `switchyard` — the command-line entry. Each command lives in daemon/cli/<name>.ts and is loaded only when run:
 * `rules check` should not pay for the provider SDKs, the tokenizer's WASM or SQLite (bundled, they are still
 * evaluated lazily).
 */
import { UsageError } from './cli/common';

const USAGE = `Usage: switchyard <command> [flags]   (switchyard <command> --help for details)

Commands:
  route     print the routing Decision for a prompt (no upstream call)
  ask       decide and send a prompt once, in this process (no daemon needed)
  rules     check | test | schema — validate and test a rules file
  daemon    run the daemon in the foreground
  start     start the daemon in the background; stop, status
  env       print the environment that sends SDKs and coding agents through the daemon
  spend     what requests cost, by model, rule, tier or source
  replay    what other rules would have cost on logged requests`;

type Command = (argv: string[]) => number | Promise<number>;
const commands: Record<string, () => Promise<Command>> = {
  route: async () => (await import('./cli/route')).routeCommand,
  ask: async () => (await import('./cli/ask')).askCommand,
  rules: async () => (await import('./cli/rules')).rulesCommand,
  daemon: async () => (await import('./cli/lifecycle')).daemonCommand,
  start: async () => (await import('./cli/lifecycle')).startCommand,
  stop: async () => (await import('./cli/lifecycle')).stopCommand,
  status: async () => (await import('./cli/lifecycle')).statusCommand,
  env: async () => (await import('./cli/env')).envCommand,
  spend: async () => (await import('./cli/spend')).spendCommand,
  replay: async () => (await import('./cli/spend')).replayCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { console.log(USAGE); return name ? 0 : 2; }
  if (name === '--version') { console.log(VERSION); return 0; }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) { console.error(`switchyard: unknown command "${name}"\n\n${USAGE}`); return 2; }
  return (await load())(rest);
}

declare const __SWITCHYARD_VERSION__: string | undefined;
export const VERSION = typeof __SWITCHYARD_VERSION__ === 'string' ? __SWITCHYARD_VERSION__ : 'dev';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (e instanceof UsageError) { console.error(`switchyard: ${e.message}`); process.exitCode = 2; return; }
    console.error(`switchyard: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
  },
);
