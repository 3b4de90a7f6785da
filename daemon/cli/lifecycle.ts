/** `switchyard daemon | start | stop | status`: one background daemon per user. */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DAEMON_ENV, DAEMON_NODE_ARGS } from '../../shared/daemonProcess';
import { runDaemon } from '../main';
import { isAlive, paths, readDaemonInfo } from '../home';
import { switchyardHome } from '../rules/load';
import { runningDaemon } from './client';
import { parse, privateHomeOrExit } from './common';

export const daemonCommand = (argv: string[]) => runDaemon(argv);

const START_USAGE = `Usage: switchyard start [--port N] [--rules FILE]

Starts the daemon in the background (a second start finds the first) and waits until it answers.`;

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, rules: { type: 'string' } }, START_USAGE);
  if (values.help) { console.log(START_USAGE); return 0; }
  const home = privateHomeOrExit();
  const running = await runningDaemon(home);
  if (running) { console.log(`switchyard: already running on 127.0.0.1:${running.port} (pid ${running.pid})`); return 0; }
  const args = [join(__dirname, 'daemon.js'), ...(values.port ? ['--port', values.port] : []), ...(values.rules ? ['--rules', values.rules] : [])];
  const errFd = openSync(paths(home).log, 'a', 0o600);
  // Started as the extension starts it (shared/daemonProcess.ts), so that its memory is the same.
  const child = spawn(process.execPath, [...DAEMON_NODE_ARGS, ...args], { detached: true, stdio: ['ignore', 'pipe', errFd], env: { ...DAEMON_ENV, ...process.env, SWITCHYARD_QUIET: '1' }, cwd: process.cwd() });
  const line = await new Promise<string | null>((resolve) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => resolve(null), 15_000);
    rl.once('line', (l) => { clearTimeout(timer); resolve(l); });
    child.once('exit', () => { clearTimeout(timer); resolve(null); });
  });
  child.stdout!.destroy();
  child.unref();
  const ready = line ? (JSON.parse(line) as { ready: boolean; port: number | null }) : null;
  if (!ready?.ready) {
    console.error(`switchyard: the daemon did not start; see ${paths(home).log} (\`switchyard daemon\` runs it in the foreground)`);
    return 1;
  }
  console.log(`switchyard: started on 127.0.0.1:${ready.port} (pid ${child.pid}); state in ${home}`);
  return 0;
}

export async function stopCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {}, 'Usage: switchyard stop\n\nStops the background daemon (it finishes streams in flight first).');
  if (values.help) { console.log('Usage: switchyard stop'); return 0; }
  const info = readDaemonInfo(switchyardHome());
  if (!info || !isAlive(info.pid)) { console.log('switchyard: not running'); return 0; }
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (isAlive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(info.pid)) { console.error(`switchyard: pid ${info.pid} did not stop within 15 s`); return 1; }
  console.log(`switchyard: stopped (pid ${info.pid})`);
  return 0;
}

export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' } }, 'Usage: switchyard status [--json]\n\nExit 0 when the daemon is running, 3 when it is not.');
  if (values.help) { console.log('Usage: switchyard status [--json]'); return 0; }
  const home = switchyardHome();
  const info = await runningDaemon(home);
  if (values.json) console.log(JSON.stringify(info ? { running: true, port: info.port, pid: info.pid, version: info.version, home } : { running: false, home }));
  else console.log(info ? `switchyard: running on 127.0.0.1:${info.port} (pid ${info.pid}, version ${info.version}); state in ${home}` : `switchyard: not running (state in ${home}); \`switchyard start\` starts it`);
  return info ? 0 : 3;
}
