import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { startMockUpstream, type MockUpstream } from '../fixtures/mock-upstream';
import { DIST, mockRules, startDaemon } from './helpers/daemon';

let mock: MockUpstream;
before(async () => { mock = await startMockUpstream({ deltas: 10, deltaDelayMs: 60 }); });
after(() => mock.close());

it('SIGTERM lets a stream in flight finish, then exits cleanly and removes daemon.json', async () => {
  const daemon = await startDaemon({ rulesText: mockRules(mock) });
  const res = await fetch(`${daemon.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'switchyard/auto', stream: true, messages: [{ role: 'user', content: 'thanks, take your time' }] }),
  });
  const reader = res.body!.getReader();
  const first = await reader.read();
  assert.ok(!first.done);
  const exited = new Promise<number | null>((r) => daemon.proc.once('exit', (code) => r(code)));
  daemon.proc.kill('SIGTERM');
  let text = new TextDecoder().decode(first.value);
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += new TextDecoder().decode(chunk.value);
  }
  assert.match(text, /data: \[DONE\]/, 'the stream in flight finished');
  assert.equal(await exited, 0);
  assert.ok(!existsSync(join(daemon.home, 'daemon.json')));
  // The ledger kept the stream that finished during shutdown.
  const spend = JSON.parse(execFileSync(process.execPath, [join(DIST, 'cli.js'), 'spend', '--json'], { env: { ...process.env, SWITCHYARD_HOME: daemon.home } }).toString());
  assert.equal(spend.requests, 1);
});

it('`switchyard replay` with the daemon stopped reads the ledger directly', async () => {
  const daemon = await startDaemon({ rulesText: mockRules(mock) });
  for (const prompt of ['thanks a lot', 'design a cache layer']) {
    await fetch(`${daemon.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${daemon.token}` }, body: JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: prompt }] }) }).then((r) => r.text());
  }
  await daemon.stop();
  const draft = join(daemon.home, 'all-deep.json');
  writeFileSync(draft, mockRules(mock, { rules: [], default: 'deep' }));
  const env = { ...process.env, SWITCHYARD_HOME: daemon.home };
  const out = JSON.parse(execFileSync(process.execPath, [join(DIST, 'cli.js'), 'replay', '--rules', draft, '--json'], { env }).toString());
  assert.equal(out.considered, 2);
  assert.equal(out.changedTier, 2);
  assert.ok(out.replayCostUsd > out.actualCostUsd);
  const text = execFileSync(process.execPath, [join(DIST, 'cli.js'), 'replay', '--rules', draft], { env }).toString();
  assert.match(text, /Replayed 2 requests .*\n {2}2 would change tier\n {2}cost: \$[\d.]+ spent → \$[\d.]+ \(costs \$[\d.]+\)/);
});
