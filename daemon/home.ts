/** The state folder: daemon.json (port, pid, token, version — mode 0600), the lock, the log, the ledger. */
import { randomBytes } from 'node:crypto';
import {
  chmodSync, closeSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync,
  writeSync, type Stats,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { DaemonInfo } from '../shared/daemonInfo';

export { DEFAULT_PORT, type DaemonInfo } from '../shared/daemonInfo';

export const paths = (home: string) => ({
  info: join(home, 'daemon.json'),
  lock: join(home, 'daemon.lock'),
  log: join(home, 'daemon.log'),
  token: join(home, 'token'),
  digestKey: join(home, 'digest.key'),
});

/** A home folder Switchyard will not use; the message names the folder, what is wrong and the fix. */
export class HomeError extends Error {
  readonly code = 'SWITCHYARD_HOME_UNSAFE';
}

/**
 * Makes sure `home` is a private folder: creates it 0700 when missing; an existing one (or a symlink's target)
 * must be a folder owned by this user that its group and others can neither read nor write. Such a folder is
 * refused, never chmodded: it may be shared on purpose, and what it already held may have been read.
 * Windows: mode bits mean nothing there, so only existence is ensured.
 */
export function ensureHome(home: string): void {
  if (process.platform === 'win32') { mkdirSync(home, { recursive: true }); return; }
  if (!exists(home)) {
    mkdirSync(dirname(home), { recursive: true, mode: 0o700 });
    try {
      mkdirSync(home, { mode: 0o700 });
      chmodSync(home, 0o700); // ours: mkdir's mode is filtered by the umask
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process made it first: check it
    }
  }
  const problem = homeProblem(home);
  if (problem) throw new HomeError(problem);
}

function exists(p: string): boolean {
  try { lstatSync(p); return true; } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** What is wrong with an existing home, with the fix; null when it is private. */
function homeProblem(home: string): string | null {
  const other = 'set SWITCHYARD_HOME to a private folder of your own';
  const link = lstatSync(home).isSymbolicLink();
  let st: Stats;
  try { st = statSync(home); } catch { return `refusing to use ${home} as the Switchyard home: it is a symlink to nothing. Fix: remove it, or ${other}.`; }
  const say = (wrong: string, fix: string) =>
    `refusing to use ${home} as the Switchyard home: ${link ? 'what it links to' : 'it'} ${wrong}, and it holds the API token and the ledger. Fix: ${fix}.`;
  if (!st.isDirectory()) return say('is not a folder', other);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return say(`is owned by uid ${st.uid}, not you (uid ${uid})`, other);
  const loose = st.mode & 0o066;
  if (loose) {
    const who = [loose & 0o060 && 'its group', loose & 0o006 && 'others'].filter(Boolean).join(' and ');
    const how = [loose & 0o044 && 'readable', loose & 0o022 && 'writable'].filter(Boolean).join(' and ');
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    return say(`is ${how} by ${who} (mode ${mode})`, `chmod 700 ${shellQuote(home)} — or ${other}`);
  }
  return null;
}

const shellQuote = (s: string) => (/^[\w@%+=:,./~-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * The per-install secret that keys prompt digests (HMAC-SHA-256, see ledger.ts): 32 random bytes, created once,
 * mode 0600. Whoever opens the ledger reads it. Losing it only means new digests no longer match old ones.
 * Written to a temp file and hard-linked into place, so two processes creating it at once agree on one key and
 * a reader never sees a half-written file.
 */
export function installDigestKey(home: string): Buffer {
  const file = paths(home).digestKey;
  const read = () => {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    if (key.length < 32) throw new Error(`${file} is damaged (shorter than 32 bytes); delete it to make a new one (old prompt digests will no longer match)`);
    return key;
  };
  try { return read(); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
  return read();
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
