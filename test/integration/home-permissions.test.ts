/** A state folder others can read is refused with the fix by the daemon, the CLI and the extension's spawn. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_RULES_TEXT } from '../../daemon/rules/defaults';
import { ensureDaemon } from '../../extension/daemon/spawn';
import { DIST, startDaemon } from './helpers/daemon';

const bases: string[] = [];
after(() => { for (const b of bases) rmSync(b, { recursive: true, force: true }); });
function looseHome(mode = 0o755): string {
  const b = mkdtempSync(join(tmpdir(), 'sy-loose-'));
  bases.push(b);
  const home = join(b, 'shared home');
  mkdirSync(home);
  chmodSync(home, mode);
  return home;
}
const mode = (p: string) => statSync(p).mode & 0o777;
const run = (script: string, args: string[], home: string) =>
  spawnSync(process.execPath, [join(DIST, script), ...args], { env: { ...process.env, SWITCHYARD_HOME: home, SWITCHYARD_QUIET: '1' }, encoding: 'utf8', timeout: 20_000 });

describe('a loose SWITCHYARD_HOME', { skip: process.platform === 'win32' ? 'mode bits mean nothing on Windows' : false }, () => {
  it('the daemon exits 1 naming the folder, what is wrong and the fix; the folder is untouched', () => {
    const home = looseHome(0o755);
    const r = run('daemon.js', ['--port', '0'], home);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /switchyard: not starting: refusing to use .*shared home as the Switchyard home/);
    assert.match(r.stderr, /readable by its group and others \(mode 0755\)/);
    assert.ok(r.stderr.includes(`chmod 700 '${home}'`), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'a message, not a stack trace');
    assert.equal(mode(home), 0o755, 'not chmodded');
    assert.deepEqual(readdirSync(home), [], 'nothing written into it (no token, no ledger, no key)');
  });

  it('CLI commands that use the home print the same refusal and exit 1', () => {
    const home = looseHome(0o777);
    const rules = join(home, '..', 'draft.json');
    writeFileSync(rules, DEFAULT_RULES_TEXT);
    for (const args of [['spend'], ['replay', '--rules', rules], ['start']]) {
      const r = run('cli.js', args, home);
      assert.equal(r.status, 1, `${args}: ${r.stderr}`);
      assert.match(r.stderr, /^switchyard: refusing to use .* readable and writable by its group and others \(mode 0777\).*chmod 700 /, `${args}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.equal(mode(home), 0o777);
  });

  it("the extension's spawn reports the daemon's refusal (the message reaches the output channel)", async () => {
    const home = looseHome(0o750);
    await assert.rejects(
      ensureDaemon({ daemonScript: join(DIST, 'daemon.js'), home, readyTimeoutMs: 10_000 }),
      (err: Error) => /exited before answering \(exit code 1\)/.test(err.message) && err.message.includes(`chmod 700 '${home}'`),
    );
  });

  it('a home that does not exist yet is created 0700, with a 0600 digest key', async () => {
    const b = mkdtempSync(join(tmpdir(), 'sy-fresh-'));
    bases.push(b);
    const home = join(b, 'new', 'home');
    const umask = process.umask(0o022);
    try {
      const r = run('cli.js', ['spend', '--json'], home);
      assert.equal(r.status, 0, r.stderr);
    } finally { process.umask(umask); }
    assert.equal(mode(home), 0o700);
    assert.equal(mode(join(home, 'digest.key')), 0o600);
    const daemon = await startDaemon({ rulesText: DEFAULT_RULES_TEXT, home });
    try { assert.ok(existsSync(join(home, 'daemon.json'))); } finally { await daemon.stop(); }
  });
});
