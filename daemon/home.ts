/** The state folder: daemon.json (port, pid, token, version — mode 0600), the lock, the log, the ledger. */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonInfo } from '../shared/daemonInfo';

export { DEFAULT_PORT, type DaemonInfo } from '../shared/daemonInfo';

export const paths = (home: string) => ({
  info: join(home, 'daemon.json'),
  lock: join(home, 'daemon.lock'),
  log: join(home, 'daemon.log'),
  token: join(home, 'token'),
});

export function ensureHome(home: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
}

/** The per-install token: created once, kept across restarts so clients configured with it keep working. */
export function installToken(home: string): string {
  const file = paths(home).token;
  try {
    const t = readFileSync(file, 'utf8').trim();
    if (t.length >= 32) return t;
  } catch { /* first run */ }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

export function readDaemonInfo(home: string): DaemonInfo | null {
  try {
    const info = JSON.parse(readFileSync(paths(home).info, 'utf8')) as DaemonInfo;
    return typeof info.port === 'number' && typeof info.token === 'string' ? info : null;
  } catch {
    return null;
  }
}

export function writeDaemonInfo(home: string, info: DaemonInfo): void {
  const file = paths(home).info;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * One daemon per user: an exclusive lock file holding the owner's pid. A lock whose owner is dead is stale
 * (the daemon was killed) and is taken over. Returns the live owner's pid when someone else holds it.
 */
export function acquireLock(home: string): { ok: true; release: () => void } | { ok: false; pid: number } {
  const file = paths(home).lock;
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { ok: true, release: () => { try { if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file); } catch { /* gone already */ } } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) return { ok: false, pid };
      rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot take the daemon lock ${file}`);
}
