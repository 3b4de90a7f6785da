/**
 * Starting and stopping the shared daemon. One daemon per user home: a window that finds none spawns the
 * bundled `dist/daemon.js` detached (so it outlives the window) under VS Code's own runtime
 * (`process.execPath` + `ELECTRON_RUN_AS_NODE=1`); a lock file keeps two windows from spawning at once.
 * Node only, no `vscode`.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DAEMON_ENV, DAEMON_NODE_ARGS } from '../../shared/daemonProcess';
import type { Logger } from './client';
import { checkHealth, findRunningDaemon, processAlive, readDaemonInfo, type DaemonInfo } from './discovery';

export interface EnsureDaemonOptions {
  /** Absolute path of the bundled daemon (`<extensionPath>/dist/daemon.js`). */
  daemonScript: string;
  home: string;
  /** Runtime to start it with; defaults to `process.execPath`. */
  execPath?: string;
  /** 0 or undefined: the daemon's default (7433, or a free port). */
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for a spawned daemon to answer (default 15 s). */
  readyTimeoutMs?: number;
  log?: Logger;
}

const LOCK = 'spawn.lock';
const OUTPUT_LOG = 'daemon-output.log';
const LOCK_STALE_MS = 20_000;

/** The daemon for `home`: the running one if it answers, else a freshly spawned one once it answers. */
export async function ensureDaemon(options: EnsureDaemonOptions): Promise<DaemonInfo> {
  const running = await findRunningDaemon(options.home);
  if (running) return running;
  await mkdir(options.home, { recursive: true, mode: 0o700 });
  const release = await acquireLock(options.home);
  try {
    if (!release) {
      options.log?.info('another window is starting the daemon; waiting for it');
      return await waitForDaemon(options.home, options.readyTimeoutMs ?? 15_000);
    }
    const again = await findRunningDaemon(options.home);
    if (again) return again;
    const child = spawnDaemon(options);
    options.log?.info(`started the daemon (pid ${child.pid}): ${options.execPath ?? process.execPath} ${child.args.join(' ')}`);
    try {
      return await waitForDaemon(options.home, options.readyTimeoutMs ?? 15_000, child);
    } catch (err) {
      // One that never answered must not linger and race the next attempt's spawn for the port.
      if (child.pid && processAlive(child.pid)) {
        try {
          process.kill(child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      throw err;
    }
  } finally {
    await release?.();
  }
}

export interface SpawnedDaemon {
  pid: number | undefined;
  args: string[];
  /** Resolves with the exit code (or signal) if the process ends. */
  exited: Promise<string>;
}

/** No `--rules`: the daemon's own rules are the user's; each window names its workspace's rules in `hello`. */
export function daemonArgs(options: Pick<EnsureDaemonOptions, 'daemonScript' | 'port'>): string[] {
  const args = [options.daemonScript];
  if (options.port) args.push('--port', String(options.port));
  return args;
}

/**
 * Spawns detached, cwd = home (never a workspace). stdout/stderr go to `<home>/daemon-output.log` — the daemon
 * keeps its own log in `daemon.log`; this file catches what happens before its logger is up (a crash at start).
 */
export function spawnDaemon(options: EnsureDaemonOptions): SpawnedDaemon {
  const args = daemonArgs(options);
  const logFd = openSync(join(options.home, OUTPUT_LOG), 'a', 0o600);
  try {
    const child = spawn(options.execPath ?? process.execPath, [...DAEMON_NODE_ARGS, ...args], {
      cwd: options.home,
      detached: true,
      windowsHide: true,
      stdio: ['ignore', logFd, logFd],
      env: { ...DAEMON_ENV, ...(options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1', SWITCHYARD_HOME: options.home, SWITCHYARD_QUIET: '1' },
    });
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
      child.once('error', (err) => resolve(`spawn error: ${err.message}`));
    });
    child.unref();
    return { pid: child.pid, args, exited };
  } finally {
    closeSync(logFd);
  }
}

/** Polls `daemon.json` + `/health` until a daemon answers; fails early if the spawned process exits. */
export async function waitForDaemon(home: string, timeoutMs: number, child?: SpawnedDaemon): Promise<DaemonInfo> {
  const deadline = Date.now() + timeoutMs;
  let exit: string | null = null;
  void child?.exited.then((how) => (exit = how));
  for (;;) {
    const info = await readDaemonInfo(home);
    // A daemon we spawned must be the one in daemon.json (an old file may still point at a dead one); if ours
    // exited, accept any other healthy daemon (another window's won the port).
    const ours = !child || exit !== null || info?.pid === child.pid;
    if (info && ours && (await checkHealth(info.port, 500))) return info;
    if (exit !== null && child) {
      const tail = await logTail(home);
      throw new Error(`the daemon exited before answering (${exit})${tail ? `:\n${tail}` : ''}`);
    }
    if (Date.now() > deadline) throw new Error(`the daemon did not answer within ${timeoutMs} ms (see ${join(home, 'daemon.log')} and ${join(home, OUTPUT_LOG)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops the daemon of `home` (SIGTERM) and waits until it is gone. False when none was running. */
export async function stopDaemon(home: string, timeoutMs = 12_000): Promise<boolean> {
  const info = await readDaemonInfo(home);
  if (!info || !info.pid || !processAlive(info.pid)) return false;
  try {
    process.kill(info.pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(info.pid) && !(await checkHealth(info.port, 300))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(info.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  return true;
}

/** Creates `<home>/spawn.lock` exclusively; returns its release function, or null if another holder is live. */
async function acquireLock(home: string): Promise<(() => Promise<void>) | null> {
  const path = join(home, LOCK);
  for (let tries = 0; tries < 2; tries++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid} ${Date.now()}\n`);
      await handle.close();
      return async () => {
        await unlink(path).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => Infinity);
      if (age < LOCK_STALE_MS) return null;
      await unlink(path).catch(() => {});
    }
  }
  return null;
}

async function logTail(home: string, lines = 8): Promise<string> {
  try {
    const text = await readFile(join(home, OUTPUT_LOG), 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
