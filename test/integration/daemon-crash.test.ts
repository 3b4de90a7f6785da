import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Ledger } from '../../daemon/ledger/ledger';
import { startMockUpstream, type MockUpstream } from '../fixtures/mock-upstream';
import { mockRules, startDaemon, type RunningDaemon } from './helpers/daemon';

let mock: MockUpstream;
let daemon: RunningDaemon;

before(async () => {
  mock = await startMockUpstream({ deltas: 20, deltaDelayMs: 15 });
  daemon = await startDaemon({ rulesText: mockRules(mock) });
});
after(async () => { await daemon?.stop(); await mock?.close(); });

let completedSoFar = 0;
let onCompleted = () => {};

/** One streaming request; resolves with its request id once the client saw the whole answer, or null if cut. */
async function stream(i: number): Promise<string | null> {
  try {
    const res = await fetch(`${daemon.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'switchyard/auto', stream: true, messages: [{ role: 'user', content: `request number ${i}` }] }),
    });
    const id = res.headers.get('x-switchyard-request-id');
    const text = await res.text();
    if (!text.includes('data: [DONE]')) return null;
    completedSoFar++;
    onCompleted();
    return id;
  } catch {
    return null;
  }
}

it('a daemon killed with SIGKILL mid-way through 60 concurrent streams keeps a ledger row for every completed response', async () => {
  assert.ok(await stream(-1), 'warm-up request completes');
  // Stagger starts; kill once ten streams have completed, whatever the machine's speed, so some streams finish
  // before the kill and the rest are cut by it.
  completedSoFar = 0;
  const killed = new Promise<void>((resolve) => { onCompleted = () => { if (completedSoFar === 10) { daemon.proc.kill('SIGKILL'); resolve(); } }; });
  const all = Array.from({ length: 60 }, (_, i) => new Promise<string | null>((r) => setTimeout(() => r(stream(i)), i * 12)));
  await killed;
  const results = await Promise.all(all);
  const completed = results.filter((id): id is string => id !== null);
  const cut = results.length - completed.length;
  assert.ok(completed.length > 0, 'some streams completed before the kill');
  assert.ok(cut > 0, 'some streams were cut by the kill');

  const ledger = Ledger.open(daemon.home);
  try {
    assert.deepEqual(ledger.integrityCheck(), ['ok']);
    const missing = completed.filter((id) => !ledger.get(id));
    assert.deepEqual(missing, [], `${missing.length} of ${completed.length} completed responses have no ledger row`);
  } finally {
    ledger.close();
  }

  // The daemon restarts on the same state folder (stale lock and ledger lock are cleaned up).
  const again = await startDaemon({ rulesText: mockRules(mock), home: daemon.home });
  const res = await fetch(`${again.url}/v1/switchyard/spend?since=1h`, { headers: { authorization: `Bearer ${again.token}` } });
  const report = await res.json() as { requests: number };
  assert.ok(report.requests >= completed.length);
  await again.stop();
});
