/**
 * `switchyard env`: the environment that points the SDKs and coding agents at the running daemon (see
 * docs/CLIENTS.md). The token is the daemon's, kept across restarts, so an `eval "$(switchyard env)"` in a shell
 * profile keeps working.
 */
import { switchyardHome } from '../rules/load';
import { runningDaemon } from './client';
import { parse } from './common';

const USAGE = `Usage: switchyard env [--shell sh|fish|powershell]

Prints the environment that sends OpenAI and Anthropic clients (the SDKs, Claude Code, Codex CLI, Aider…)
through the running daemon:  eval "$(switchyard env)"`;

export async function envCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { shell: { type: 'string' } }, USAGE);
  if (values.help) { console.log(USAGE); return 0; }
  const shell = values.shell ?? 'sh';
  if (!['sh', 'fish', 'powershell'].includes(shell)) { console.error(`switchyard: --shell must be sh, fish or powershell\n\n${USAGE}`); return 2; }
  const info = await runningDaemon(switchyardHome());
  if (!info) { console.error('switchyard: the daemon is not running; `switchyard start` starts it'); return 3; }
  const base = `http://127.0.0.1:${info.port}`;
  const vars: [string, string][] = [
    ['OPENAI_BASE_URL', `${base}/v1`], ['OPENAI_API_KEY', info.token],
    ['ANTHROPIC_BASE_URL', base], ['ANTHROPIC_AUTH_TOKEN', info.token],
  ];
  for (const [k, v] of vars) {
    console.log(shell === 'fish' ? `set -gx ${k} '${v}'` : shell === 'powershell' ? `$env:${k} = '${v}'` : `export ${k}='${v}'`);
  }
  return 0;
}
