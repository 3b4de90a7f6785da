/** `switchyard` — the command-line entry. Each command lives in daemon/cli/<name>.ts. */
import { UsageError } from './cli/common';
import { askCommand } from './cli/ask';
import { daemonCommand, startCommand, statusCommand, stopCommand } from './cli/lifecycle';
import { routeCommand } from './cli/route';
import { rulesCommand } from './cli/rules';
import { replayCommand, spendCommand } from './cli/spend';

const USAGE = `Usage: switchyard <command> [flags]   (switchyard <command> --help for details)

Commands:
  route     print the routing Decision for a prompt (no upstream call)
  ask       decide and send a prompt once, in this process (no daemon needed)
  rules     check | test | schema — validate and test a rules file
  daemon    run the daemon in the foreground
  start     start the daemon in the background; stop, status
  spend     what requests cost, by model, rule, tier or source
  replay    what other rules would have cost on logged requests`;

const commands: Record<string, (argv: string[]) => number | Promise<number>> = {
  route: routeCommand,
  ask: askCommand,
  rules: rulesCommand,
  daemon: daemonCommand,
  start: startCommand,
  stop: stopCommand,
  status: statusCommand,
  spend: spendCommand,
  replay: replayCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { console.log(USAGE); return name ? 0 : 2; }
  if (name === '--version') { console.log(VERSION); return 0; }
  const command = commands[name];
  if (!command) { console.error(`switchyard: unknown command "${name}"\n\n${USAGE}`); return 2; }
  return command(rest);
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
