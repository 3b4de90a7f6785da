/** Finding a running daemon: its home folder, `daemon.json`, and `GET /health`. Node only, no `vscode`. */
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { DaemonInfo } from '../../shared/daemonInfo';

export { DEFAULT_PORT, type DaemonInfo } from '../../shared/daemonInfo';

/** The daemon's home: the setting if set, else `$SWITCHYARD_HOME`, else `~/.switchyard`. `~` is expanded. */
export function resolveHome(setting: string | undefined | null, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const raw = (setting && setting.trim()) || (env.SWITCHYARD_HOME && env.SWITCHYARD_HOME.trim()) || join(home, '.switchyard');
  const expanded = raw === '~' ? home : raw.startsWith('~/') || raw.startsWith('~\\') ? join(home, raw.slice(2)) : raw;
  return isAbsolute(expanded) ? expanded : resolve(home, expanded);
}

/** Parses `daemon.json` text; null when it is not the expected shape. */
export function parseDaemonInfo(text: string): DaemonInfo | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const port = v.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) return null;
  if (typeof v.token !== 'string' || !v.token) return null;
  return {
    port,
    token: v.token,
    pid: typeof v.pid === 'number' ? v.pid : 0,
    version: typeof v.version === 'string' ? v.version : 'unknown',
  };
}

export async function readDaemonInfo(home: string): Promise<DaemonInfo | null> {
  try {
    return parseDaemonInfo(await readFile(join(home, 'daemon.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** True when `GET http://127.0.0.1:port/health` answers 200 within the timeout. */
export function checkHealth(port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done(false));
    req.end();
  });
}

export function wsUrl(port: number): string {
  return `ws://127.0.0.1:${port}/ws`;
}

/** The running daemon described by `<home>/daemon.json`, if it answers its health check. */
export async function findRunningDaemon(home: string, timeoutMs = 1500): Promise<DaemonInfo | null> {
  const info = await readDaemonInfo(home);
  if (!info) return null;
  return (await checkHealth(info.port, timeoutMs)) ? info : null;
}

/** True while a process with this pid exists (signal 0 probes without killing). */
export function processAlive(pid: number): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
