/**
 * Fuzzing the WebSocket protocol of a real daemon: any JSON value (and text that is not JSON, and binary) as a
 * frame, then each method with generated params. Every frame gets exactly one reply, with the frame's id when
 * it had a string or number id and null otherwise, holding a result or a coded error that is not E_INTERNAL;
 * the daemon stays up; every `complete` ends in exactly one done or error event and one ledger row.
 * rules.save changes what later cases route by, so it is fuzzed in rules.fuzz.test.ts; keys.set is fuzzed here
 * with the test keys put back after each case.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TEST_KEYS } from '../integration/helpers/daemon';
import { anyJson, hostileName, routeRequest, rulesText, text, toJsonText, upstreamFault, wsId, WS_METHODS, type GeneratedFault } from './helpers/arbitraries';
import { assertWsReply, expectedReplyId } from './helpers/checks';
import { describeRun, params } from './helpers/config';
import { useFuzzDaemon, type Frame } from './helpers/harness';

const fuzz = useFuzzDaemon();

const SAFE_METHODS = WS_METHODS.filter((m) => m !== 'rules.save' && m !== 'keys.set');

/** The ledger's row count as of the last check (read again after a restart: a new daemon has a new home). */
const ledger = { rows: -1, crashes: -1 };
async function rowsBefore(): Promise<number> {
  if (ledger.rows < 0 || ledger.crashes !== fuzz.daemon.crashes) { ledger.rows = await fuzz.daemon.ledgerRows(); ledger.crashes = fuzz.daemon.crashes; }
  return ledger.rows;
}
async function expectRows(n: number, what: string): Promise<void> {
  const now = await fuzz.daemon.ledgerRows();
  ledger.rows = now;
  assert.equal(now, n, `${what}: the ledger has ${now} rows, expected ${n}`);
}

/** A `complete` that was accepted ends in exactly one done or error event, and the ledger holds its row. */
async function assertCompleteEnds(reply: Frame, rowsBefore: number): Promise<void> {
  const requestId = reply.result?.requestId;
  assert.equal(typeof requestId, 'string', `complete answered without a requestId: ${JSON.stringify(reply).slice(0, 300)}`);
  const end = await fuzz.daemon.ws.nextEvent((f) => (f.event === 'complete.done' || f.event === 'complete.error') && f.data?.requestId === requestId, 10_000);
  if (end.event === 'complete.error') assert.notEqual(end.data.code, 'E_INTERNAL', `complete ended in an internal error: ${end.data.message}`);
  await new Promise((r) => setImmediate(r));
  const ends = fuzz.daemon.ws.events.filter((f) => (f.event === 'complete.done' || f.event === 'complete.error') && f.data?.requestId === requestId);
  assert.equal(ends.length, 1, `complete ${requestId} ended ${ends.length} times`);
  const recent = await fuzz.daemon.ws.call('spend.recent', { limit: 1 });
  assert.equal(recent.result?.[0]?.id, requestId, `the newest ledger row is not ${requestId}`);
  await expectRows(rowsBefore + 1, `complete ${requestId}`);
}

/** A `hello` sets what the connection routes by: the case after it gets a new connection, so cases stay independent. */
let helloSent = false;
async function freshWindowAfterHello() {
  if (helloSent) await fuzz.daemon.reconnect();
  helloSent = false;
}

function injectFault(fault: GeneratedFault | undefined) {
  fuzz.mock.reset();
  if (fault) fuzz.mock.fail({ fault, times: 1 });
}

/** Sends one frame and checks its reply; a `complete` is followed to its end. */
async function sendAndCheck(frameText: string | Buffer, what: string, timeoutMs = 10_000): Promise<Frame> {
  let parsed: unknown = null;
  try { parsed = JSON.parse(frameText.toString()); } catch { /* the daemon must say it is not JSON */ }
  helloSent = frameText.includes('hello');
  const rows = await rowsBefore();
  const reply = await fuzz.daemon.step(what, () => fuzz.daemon.ws.send(frameText, timeoutMs));
  await fuzz.daemon.assertUp(what);
  assertWsReply(reply, expectedReplyId(parsed));
  assert.deepEqual(fuzz.daemon.ws.problems, [], 'the daemon sent frames that are not JSON objects');
  if ((parsed as { method?: unknown })?.method === 'complete' && reply.result) await assertCompleteEnds(reply, rows);
  else await expectRows(rows, what);
  return reply;
}

describe('WebSocket protocol under generated frames', () => {
  test('any frame: any JSON value, request-shaped objects with wrong-typed fields, text that is not JSON, binary', async (t) => {
    t.diagnostic(describeRun());
    const requestShaped = fc.record({
      id: wsId,
      method: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...SAFE_METHODS) }, { weight: 1, arbitrary: hostileName }, { weight: 1, arbitrary: anyJson }),
      params: anyJson,
    }, { requiredKeys: [] });
    const frame = fc.oneof(
      { weight: 3, arbitrary: anyJson.map((v) => toJsonText(v) ?? 'null') },
      { weight: 4, arbitrary: requestShaped.map((f) => toJsonText(f)) },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom('', ' ', 'null', '{', '{"id":1', '[]', '"id"', '{"id":1,"method":"hello"}{"id":2}'), fc.string({ unit: 'binary', maxLength: 40 })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)) },
    );
    const seen = new Map<string, number>();
    await fc.assert(fc.asyncProperty(frame, upstreamFault, async (f, fault) => {
      await fuzz.daemon.ensureUp();
      await freshWindowAfterHello();
      injectFault(fault);
      const reply = await sendAndCheck(f, `the frame ${JSON.stringify(f.toString().slice(0, 200))}`);
      const key = reply.error ? reply.error.code : 'result';
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }), params('wsFrames'));
    assert.deepEqual(fuzz.daemon.lateDeaths.splice(0), [], 'the daemon died between cases');
    t.diagnostic(`replies seen: ${[...seen].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}; daemon restarts: ${fuzz.daemon.crashes}`);
  });

  test('each method with generated params (keys.set put back after each case)', async (t) => {
    const request = fc.oneof({ weight: 3, arbitrary: routeRequest }, { weight: 1, arbitrary: anyJson });
    const call = fc.oneof(
      fc.record({ method: fc.constant('hello'), params: fc.record({ client: fc.oneof(text, anyJson), version: fc.oneof(text, anyJson), rulesFile: fc.oneof(fc.constantFrom(null, '/dev/null', '/nonexistent/rules.json', '.', '/tmp', ''), hostileName, anyJson) }, { requiredKeys: [] }) }),
      fc.record({ method: fc.constant('route.preview'), params: fc.record({ request }) }),
      fc.record({ method: fc.constant('complete'), params: fc.record({ request, stream: fc.oneof(fc.boolean(), anyJson), escalateFrom: fc.oneof(hostileName, anyJson) }, { requiredKeys: ['request'] }), cancel: fc.boolean() }),
      fc.record({ method: fc.constant('feedback.mark'), params: fc.record({ requestId: fc.oneof(hostileName, anyJson), mark: fc.oneof(fc.constantFrom('overkill', null), anyJson) }, { requiredKeys: [] }) }),
      fc.record({ method: fc.constant('cancel'), params: fc.record({ requestId: fc.oneof(hostileName, anyJson) }) }),
      fc.record({ method: fc.constantFrom('rules.get', 'spend.summary', 'providers.health'), params: anyJson }),
      fc.record({ method: fc.constant('rules.validate'), params: fc.record({ text: fc.oneof({ weight: 4, arbitrary: rulesText }, { weight: 1, arbitrary: anyJson }) }) }),
      fc.record({ method: fc.constant('rules.dryRun'), params: fc.record({ text: fc.oneof({ weight: 4, arbitrary: rulesText }, { weight: 1, arbitrary: anyJson }), request }) }),
      fc.record({ method: fc.constant('replay'), params: fc.record({ text: fc.oneof(rulesText, anyJson), sinceMs: fc.oneof(fc.integer(), fc.double(), anyJson) }, { requiredKeys: [] }) }),
      fc.record({ method: fc.constant('spend.recent'), params: fc.record({ limit: fc.oneof(fc.integer(), fc.double(), anyJson) }, { requiredKeys: [] }) }),
      fc.record({ method: fc.constant('keys.set'), params: fc.record({ provider: fc.oneof(fc.constantFrom('openai', 'anthropic'), hostileName, anyJson), key: fc.oneof(fc.constant(null), text, anyJson) }, { requiredKeys: [] }) }),
    );
    const seen = new Map<string, number>();
    await fc.assert(fc.asyncProperty(call, wsId, upstreamFault, async (c, id, fault) => {
      await fuzz.daemon.ensureUp();
      await freshWindowAfterHello();
      injectFault(fault);
      const frameText = toJsonText({ id, method: c.method, params: c.params });
      const what = `${c.method} ${frameText.slice(0, 300)}`;
      if (c.method === 'complete' && (c as { cancel?: boolean }).cancel) {
        // Cancel at once: the request still ends in one event and one ledger row.
        const rows = await rowsBefore();
        const reply = await fuzz.daemon.step(what, () => fuzz.daemon.ws.send(frameText));
        assertWsReply(reply, expectedReplyId(JSON.parse(frameText)));
        if (reply.result) {
          const cancelled = await fuzz.daemon.ws.call('cancel', { requestId: reply.result.requestId });
          assertWsReply(cancelled, cancelled.id);
          await assertCompleteEnds(reply, rows);
        }
        await fuzz.daemon.assertUp(what);
      } else await sendAndCheck(frameText, what);
      seen.set(c.method, (seen.get(c.method) ?? 0) + 1);
      if (c.method === 'keys.set') for (const [provider, env] of [['openai', 'OPENAI_API_KEY'], ['anthropic', 'ANTHROPIC_API_KEY']] as const) {
        const back = await fuzz.daemon.ws.call('keys.set', { provider, key: TEST_KEYS[env] });
        assert.ok(back.result?.ok, `keys.set could not put the ${provider} key back: ${JSON.stringify(back)}`);
      }
    }), params('wsMethods'));
    assert.deepEqual(fuzz.daemon.lateDeaths.splice(0), [], 'the daemon died between cases');
    t.diagnostic(`methods called: ${[...seen].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}; daemon restarts: ${fuzz.daemon.crashes}`);
  });
});

// Shrunk counterexamples the fuzz found (100,000-case run), kept as regression tests.
describe('frames the fuzz found', () => {
  const found = [
    // String(frame.method) threw for an object whose toString is not a function: no reply (the daemon died before).
    '{"id":0,"method":{"toString":{}}}',
    '{"id":1,"method":{"toString":1,"valueOf":2}}',
    '{"id":2,"method":[{"toString":null}]}',
  ];
  for (const frame of found) {
    test(`gets a reply: ${frame}`, async () => {
      await fuzz.daemon.ensureUp();
      await fuzz.daemon.reconnect(); // a frame left unanswered must not answer into the next case
      await sendAndCheck(frame, `the frame ${frame}`, 1000);
    });
  }
});
