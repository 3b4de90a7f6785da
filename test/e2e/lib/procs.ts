/**
 * Every process the suite starts is tracked here and ended on teardown, on failure, on SIGINT/SIGTERM and on
 * exit. Processes started `detached` (their own process group, e.g. code-server and its extension hosts) are
 * ended as a group; the others by pid. Only pids we started are ever signalled.
 */
import type { ChildProcess } from 'node:child_process';

interface Tracked { name: string; pid: number; group: boolean; proc?: ChildProcess }

const tracked: Tracked[] = [];
const cleanups: (() => void | Promise<void>)[] = [];
let installed = false;
let interruptedBy: NodeJS.Signals | null = null;

/** The signal that interrupted the suite, if one did. */
export function interrupted(): NodeJS.Signals | null {
  return interruptedBy;
}

export function track(name: string, proc: ChildProcess, opts: { group?: boolean } = {}): void {
  if (!proc.pid) return;
  tracked.push({ name, pid: proc.pid, group: !!opts.group, proc });
  installHandlers();
}

/** A pid we caused to exist without spawning it ourselves (e.g. a daemon the extension spawned in our temp home). */
export function trackPid(name: string, pid: number): void {
  if (pid > 0 && !tracked.some((t) => t.pid === pid)) tracked.push({ name, pid, group: false });
  installHandlers();
}

/** Runs at teardown after the processes are gone (temp folders, browsers). */
export function onCleanup(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
  installHandlers();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(t: Tracked, sig: NodeJS.Signals): void {
  try {
    if (t.group) process.kill(-t.pid, sig);
    else process.kill(t.pid, sig);
  } catch {
    // already gone
  }
}

function exited(t: Tracked): boolean {
  if (t.group) {
    try {
      process.kill(-t.pid, 0);
      return false;
    } catch {
      return true;
    }
  }
  if (t.proc) return t.proc.exitCode !== null || t.proc.signalCode !== null || !alive(t.pid);
  return !alive(t.pid);
}

/** SIGTERM everything (newest first), wait up to `graceMs`, then SIGKILL what is left. */
export async function killAll(graceMs = 4000): Promise<void> {
  const list = tracked.splice(0).reverse();
  for (const t of list) signal(t, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && list.some((t) => !exited(t))) await new Promise((r) => setTimeout(r, 100));
  for (const t of list) if (!exited(t)) signal(t, 'SIGKILL');
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await Promise.race([fn(), new Promise((r) => setTimeout(r, 5000).unref())]);
    } catch (err) {
      console.error(`e2e: cleanup failed: ${(err as Error).message}`);
    }
  }
}

/** Synchronous last resort (process 'exit'): SIGKILL whatever is still tracked. */
function killAllSync(): void {
  for (const t of tracked.splice(0)) signal(t, 'SIGKILL');
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      interruptedBy = sig;
      console.error(`\ne2e: ${sig} — stopping everything the suite started`);
      void killAll(2000).finally(() => process.exit(130));
    });
  }
}
