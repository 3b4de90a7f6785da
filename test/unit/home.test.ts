import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ensureHome, HomeError, installDigestKey, paths } from '../../daemon/home';

const bases: string[] = [];
after(() => { for (const b of bases) rmSync(b, { recursive: true, force: true }); });
const base = () => { const b = mkdtempSync(join(tmpdir(), 'sy-home-')); bases.push(b); return b; };
const mode = (p: string) => statSync(p).mode & 0o777;
const posix = { skip: process.platform === 'win32' ? 'mode bits mean nothing on Windows' : false };

/** A folder with exactly `m` (chmod is not filtered by the umask). */
function dirWithMode(m: number): string {
  const d = join(base(), 'home');
  mkdirSync(d);
  chmodSync(d, m);
  return d;
}

describe('ensureHome: a private state folder, never a silently changed one', posix, () => {
  test('a folder it creates itself (and missing parents) is 0700', () => {
    const home = join(base(), 'a', 'b', 'home');
    const umask = process.umask(0o000); // the most permissive umask must still give 0700
    try { ensureHome(home); } finally { process.umask(umask); }
    assert.equal(mode(home), 0o700);
  });

  test('an existing 0700 folder is accepted, twice', () => {
    const home = dirWithMode(0o700);
    ensureHome(home);
    ensureHome(home);
    assert.equal(mode(home), 0o700);
  });

  for (const [m, wrong] of [[0o755, 'readable by its group and others (mode 0755)'], [0o777, 'readable and writable by its group and others (mode 0777)'], [0o740, 'readable by its group (mode 0740)'], [0o702, 'writable by others (mode 0702)']] as const) {
    test(`an existing ${m.toString(8)} folder is refused with the fix, and left as it was`, () => {
      const home = dirWithMode(m);
      assert.throws(() => ensureHome(home), (e: Error) => {
        assert.ok(e instanceof HomeError);
        assert.ok(e.message.includes(`refusing to use ${home} as the Switchyard home`), e.message);
        assert.ok(e.message.includes(wrong), e.message);
        assert.ok(e.message.includes(`chmod 700 ${home}`), e.message);
        assert.ok(e.message.includes('SWITCHYARD_HOME'), e.message);
        return true;
      });
      assert.equal(mode(home), m, 'not chmodded');
    });
  }

  test('a symlink to a loose folder is refused; to a private one, accepted', () => {
    const b = base();
    const loose = join(b, 'shared');
    mkdirSync(loose);
    chmodSync(loose, 0o755);
    const link = join(b, 'home-link');
    symlinkSync(loose, link);
    assert.throws(() => ensureHome(link), /refusing to use .*home-link.*what it links to is readable by its group and others \(mode 0755\).*chmod 700 /);
    chmodSync(loose, 0o700);
    ensureHome(link);
  });

  test('a file, or a dangling symlink, is refused', () => {
    const b = base();
    writeFileSync(join(b, 'file'), 'x');
    assert.throws(() => ensureHome(join(b, 'file')), /is not a folder/);
    symlinkSync(join(b, 'nowhere'), join(b, 'dangling'));
    assert.throws(() => ensureHome(join(b, 'dangling')), /symlink to nothing/);
  });

  test('a folder owned by someone else is refused (needs root to set up)', { skip: process.getuid?.() !== 0 ? 'not root' : false }, () => {
    const home = dirWithMode(0o700);
    chownSync(home, 4242, 4242);
    assert.throws(() => ensureHome(home), /is owned by uid 4242, not you \(uid 0\).*set SWITCHYARD_HOME/);
  });

  test('a path with a space gets a quoted chmod', () => {
    const home = join(base(), 'my home');
    mkdirSync(home);
    chmodSync(home, 0o755);
    assert.throws(() => ensureHome(home), (e: Error) => e.message.includes(`chmod 700 '${home}'`));
  });
});

describe('installDigestKey: the per-install secret for prompt digests', () => {
  test('created once, 32 random bytes, 0600; the same on every read; another install has another', () => {
    const home = dirWithMode(0o700);
    const k1 = installDigestKey(home);
    assert.equal(k1.length, 32);
    if (process.platform !== 'win32') assert.equal(mode(paths(home).digestKey), 0o600);
    assert.deepEqual(installDigestKey(home), k1);
    assert.notDeepEqual(installDigestKey(dirWithMode(0o700)), k1);
  });

  test('a damaged key file is reported, not silently replaced (that would orphan every digest)', () => {
    const home = dirWithMode(0o700);
    writeFileSync(paths(home).digestKey, 'short\n');
    assert.throws(() => installDigestKey(home), /damaged/);
    assert.equal(readFileSync(paths(home).digestKey, 'utf8'), 'short\n');
  });
});
