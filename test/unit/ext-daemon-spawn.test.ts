// Finding and starting the shared daemon: home resolution, daemon.json, /health, spawning detached under
// ELECTRON_RUN_AS_NODE with a lock so concurrent windows start only one, failing fast when it crashes, stopping it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  checkHealth, findRunningDaemon, parseDaemonInfo, processAlive, readDaemonInfo, resolveHome, wsUrl,
} from '../../extension/daemon/discovery';
import { daemonArgs, ensureDaemon, stopDaemon } from '../../extension/daemon/spawn';

const root = mkdtempSync(join(tmpdir(), 'switchyard-ext-spawn-'));
const started: number[] = [];
after(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(root, { recursive: true, force: true });
});

// A stand-in for dist/daemon.js: serves /health, writes daemon.json, records how it was started.
const FAKE_DAEMON = `
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const home = process.env.SWITCHYARD_HOME;
fs.appendFileSync(path.join(home, 'spawns.log'), process.pid + '\\n');
const arg = (n) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : undefined; };
fs.writeFileSync(path.join(home, 'started.json'), JSON.stringify({
  electronAsNode: process.env.ELECTRON_RUN_AS_NODE, cwd: process.cwd(), port: arg('--port') ?? null, rules: arg('--rules') ?? null,
}));
if (process.env.FAKE_CRASH) { console.error('fatal: rules file is broken'); process.exit(3); }
const server = http.createServer((req, res) => { res.statusCode = req.url === '/health' ? 200 : 404; res.end('ok'); });
setTimeout(() => server.listen(Number(arg('--port') ?? 0), '127.0.0.1', () => {
  const port = server.address().port;
  fs.writeFileSync(path.join(home, 'daemon.json'), JSON.stringify({ port, pid: process.pid, token: 't-' + process.pid, version: '9.9.9' }), { mode: 0o600 });
  console.log(JSON.stringify({ ready: true, port }));
}), 150);
process.on('SIGTERM', () => { server.close(); process.exit(0); });
`;
const script = join(root, 'fake-daemon.js');
writeFileSync(script, FAKE_DAEMON);

let n = 0;
function freshHome(): string {
  const home = join(root, `home-${++n}`);
  return home;
}

function spawns(home: string): number {
  return existsSync(join(home, 'spawns.log')) ? readFileSync(join(home, 'spawns.log'), 'utf8').trim().split('\n').length : 0;
}

describe('daemon discovery', () => {
  it('resolves the home: setting, then SWITCHYARD_HOME, then ~/.switchyard; expands ~', () => {
    assert.equal(resolveHome('/opt/sy', { SWITCHYARD_HOME: '/env' }, '/home/u'), '/opt/sy');
    assert.equal(resolveHome('', { SWITCHYARD_HOME: '/env' }, '/home/u'), '/env');
    assert.equal(resolveHome(undefined, {}, '/home/u'), join('/home/u', '.switchyard'));
    assert.equal(resolveHome('~/x', {}, '/home/u'), join('/home/u', 'x'));
    assert.equal(resolveHome('  ', { SWITCHYARD_HOME: ' ' }, '/home/u'), join('/home/u', '.switchyard'));
  });

  it('parses daemon.json strictly', () => {
    assert.deepEqual(parseDaemonInfo('{"port":7433,"pid":12,"token":"abc","version":"0.1.0"}'), { port: 7433, pid: 12, token: 'abc', version: '0.1.0' });
    assert.equal(parseDaemonInfo('{"port":"7433","token":"abc"}'), null);
    assert.equal(parseDaemonInfo('{"port":7433}'), null);
    assert.equal(parseDaemonInfo('{"port":70000,"token":"a"}'), null);
    assert.equal(parseDaemonInfo('not json'), null);
    assert.equal(wsUrl(7433), 'ws://127.0.0.1:7433/ws');
  });

  it('checks /health and treats a file pointing at nothing as no daemon', async () => {
    const server: Server = createServer((req, res) => {
      res.statusCode = req.url === '/health' ? 200 : 500;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      assert.equal(await checkHealth(port), true);
      const home = freshHome();
      await import('node:fs/promises').then((fs) => fs.mkdir(home, { recursive: true }));
      writeFileSync(join(home, 'daemon.json'), JSON.stringify({ port, pid: 1, token: 'x', version: '1' }));
      assert.equal((await findRunningDaemon(home))?.port, port);
    } finally {
      await new Promise((r) => server.close(r));
    }
    assert.equal(await checkHealth(port, 300), false);
    assert.equal(await readDaemonInfo(join(root, 'nowhere')), null);
  });

  it('builds the daemon arguments', () => {
    assert.deepEqual(daemonArgs({ daemonScript: '/x/daemon.js' }), ['/x/daemon.js']);
    assert.deepEqual(daemonArgs({ daemonScript: '/x/daemon.js', port: 8000 }), ['/x/daemon.js', '--port', '8000']);
  });
});

describe('spawning the daemon', () => {
  it('spawns one detached daemon for concurrent windows, then reuses it; stop ends it', async () => {
    const home = freshHome();
    const opts = { daemonScript: script, home };
    const infos = await Promise.all([ensureDaemon(opts), ensureDaemon(opts), ensureDaemon(opts)]);
    started.push(infos[0].pid);
    assert.equal(spawns(home), 1, 'only one window spawns');
    assert.ok(infos.every((i) => i.port === infos[0].port && i.token === infos[0].token));
    assert.equal(infos[0].version, '9.9.9');
    const how = JSON.parse(readFileSync(join(home, 'started.json'), 'utf8'));
    assert.deepEqual(how, { electronAsNode: '1', cwd: home, port: null, rules: null });
    assert.ok(!existsSync(join(home, 'spawn.lock')), 'lock released');

    const again = await ensureDaemon(opts);
    assert.equal(again.pid, infos[0].pid);
    assert.equal(spawns(home), 1);

    assert.equal(await stopDaemon(home), true);
    assert.equal(processAlive(infos[0].pid), false);
    assert.equal(await checkHealth(infos[0].port, 300), false);
    assert.equal(await stopDaemon(home), false, 'nothing left to stop');

    // A stale daemon.json (dead pid) leads to a fresh spawn, not a connection to nothing.
    const fresh = await ensureDaemon(opts);
    started.push(fresh.pid);
    assert.notEqual(fresh.pid, infos[0].pid);
    assert.equal(spawns(home), 2);
    await stopDaemon(home);
  });

  it('passes the port setting', async () => {
    const home = freshHome();
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const info = await ensureDaemon({ daemonScript: script, home, port });
    started.push(info.pid);
    assert.equal(info.port, port);
    await stopDaemon(home);
  });

  it('fails fast with the log tail when the daemon exits before answering', async () => {
    const home = freshHome();
    const t0 = Date.now();
    await assert.rejects(
      ensureDaemon({ daemonScript: script, home, env: { ...process.env, FAKE_CRASH: '1' }, readyTimeoutMs: 10_000 }),
      (err: Error) => /exited before answering \(exit code 3\)/.test(err.message) && /rules file is broken/.test(err.message),
    );
    assert.ok(Date.now() - t0 < 5_000);
  });

  it('gives up after the timeout when the daemon never answers, and stops it', async () => {
    const home = freshHome();
    const hang = join(root, 'hang.js');
    writeFileSync(hang, 'setTimeout(() => {}, 60_000);');
    const lines: string[] = [];
    const log = { debug() {}, info: (m: string) => lines.push(m), warn() {}, error() {} };
    const t0 = Date.now();
    await assert.rejects(ensureDaemon({ daemonScript: hang, home, readyTimeoutMs: 400, log }), /did not answer within 400 ms/);
    assert.ok(Date.now() - t0 < 3_000);
    const pid = Number(/started the daemon \(pid (\d+)\)/.exec(lines.join('\n'))?.[1]);
    assert.ok(pid > 0, lines.join('\n'));
    started.push(pid);
    const deadline = Date.now() + 3_000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(processAlive(pid), false);
  });
});
