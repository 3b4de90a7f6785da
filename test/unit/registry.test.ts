import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RulesLoadError, RulesManager } from '../../daemon/rules/manager';
import { RulesRegistry } from '../../daemon/rules/registry';
import { BASE } from './helpers/rules';

const dir = mkdtempSync(join(tmpdir(), 'sy-registry-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text = JSON.stringify({ ...BASE, rules: [] })) => { const f = join(dir, name); writeFileSync(f, text); return f; };

describe('rules registry: one RulesManager per rules file in use', () => {
  it('shares a file between windows, and drops it (with its watcher) after the last one', async () => {
    const home = new RulesManager(file('home.json'), join(dir, 'home.json'));
    const registry = new RulesRegistry(home, () => {});
    const ws = file('workspace.json');
    // Two windows asking at once load the file once.
    const [a, b] = await Promise.all([registry.acquire(ws), registry.acquire(ws)]);
    assert.equal(a, b);
    assert.notEqual(a, home);
    assert.deepEqual(registry.inUse, [ws]);
    registry.release(a);
    assert.deepEqual(registry.inUse, [ws], 'still used by the other window');
    registry.release(b);
    assert.deepEqual(registry.inUse, []);
    assert.notEqual(await registry.acquire(ws), a, 'a later window loads it afresh');
    registry.close();
  });
  it('no file, or the daemon\'s own file, is the daemon\'s own rules; releasing them does nothing', async () => {
    const homeFile = file('own.json');
    const home = new RulesManager(homeFile, homeFile);
    const registry = new RulesRegistry(home, () => {});
    assert.equal(await registry.acquire(null), home);
    assert.equal(await registry.acquire(undefined), home);
    assert.equal(await registry.acquire(homeFile), home);
    registry.release(home);
    assert.deepEqual(registry.inUse, []);
    registry.close();
  });
  it('a file that does not load, or is not an absolute .json path, is refused and not kept', async () => {
    const home = new RulesManager(null, join(dir, 'x.json'));
    const registry = new RulesRegistry(home, () => {});
    await assert.rejects(registry.acquire(file('bad.json', '{ "version": 1, ')), RulesLoadError);
    await assert.rejects(registry.acquire('rules.json'), /absolute path/);
    await assert.rejects(registry.acquire(join(dir, 'rules.txt')), /\.json/);
    assert.deepEqual(registry.inUse, []);
    registry.close();
  });
  it('reports changes of every file in use, saying which', async () => {
    const home = new RulesManager(null, join(dir, 'y.json'));
    const seen: [RulesManager, string | null][] = [];
    const registry = new RulesRegistry(home, (m, snap) => seen.push([m, snap.file]));
    const ws = file('changes.json');
    const m = await registry.acquire(ws);
    await m.save(JSON.stringify({ ...BASE, rules: [{ name: 'r', if: { task: 'x' }, then: 'fast' }] }));
    await home.save(JSON.stringify({ ...BASE, rules: [] }));
    assert.deepEqual(seen, [[m, ws], [home, join(dir, 'y.json')]]);
    registry.close();
  });
});

describe('rules manager serving the built-in defaults', () => {
  it('adopts the user rules file when it appears, then follows its edits', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sy-adopt-'));
    try {
      const target = join(home, 'rules.json');
      const m = new RulesManager(null, target);
      const changed: (string | null)[] = [];
      m.on('changed', (s) => changed.push(s.file));
      m.watch();
      assert.equal(m.file, null);
      assert.equal((await m.reload()).file, null, 'nothing to adopt yet');
      writeFileSync(target, JSON.stringify({ ...BASE, rules: [{ name: 'mine', if: { task: 'x' }, then: 'fast' }] }));
      const deadline = Date.now() + 5_000;
      while (m.file === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      assert.equal(m.file, target);
      assert.equal(m.current.config.rules[0].name, 'mine');
      assert.deepEqual(changed, [target]);
      m.unwatch();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
  it('a save from the defaults writes the user file and serves it from then on', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sy-adopt-'));
    try {
      const target = join(home, 'rules.json');
      const m = new RulesManager(null, target);
      assert.equal((await m.save(JSON.stringify({ ...BASE, rules: [] }))).saved, true);
      assert.equal(m.file, target);
      writeFileSync(target, JSON.stringify({ ...BASE, rules: [{ name: 'edited', if: { task: 'x' }, then: 'fast' }] }));
      assert.equal((await m.reload()).file, target);
      assert.equal(m.current.config.rules[0].name, 'edited', 'reloads the file, not the defaults');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
