/** Circuit breakers with a fake clock: open after N failures, one half-open probe, close or re-open. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreakers } from '../../daemon/dispatch/circuit';
import type { CircuitInfo } from '../../shared/decision';

function setup(failures = 3, coolDownMs = 30_000) {
  const clock = { t: 1_000_000 };
  const events: [string, CircuitInfo][] = [];
  const cb = new CircuitBreakers({ failures, coolDownMs, now: () => clock.t });
  cb.onChange((key, info) => events.push([key, info]));
  return { cb, clock, events };
}

/** The router's rule: skip when open and openUntil > now. */
const routerSkips = (info: CircuitInfo | undefined, now: number) =>
  !!info && info.state === 'open' && info.openUntil !== undefined && info.openUntil > now;

test('closed → open after N consecutive failures; success in between resets the count', () => {
  const { cb, clock } = setup();
  cb.failure('openai', 'm');
  cb.failure('openai', 'm');
  cb.success('openai', 'm');
  assert.deepEqual(cb.info('openai', 'm'), { state: 'closed', consecutiveFailures: 0 });
  cb.failure('openai', 'm');
  cb.failure('openai', 'm');
  assert.deepEqual(cb.acquire('openai', 'm'), { allowed: true, probe: false });
  cb.failure('openai', 'm');
  assert.deepEqual(cb.info('openai', 'm'), { state: 'open', openUntil: clock.t + 30_000, consecutiveFailures: 3 });
  assert.deepEqual(cb.acquire('openai', 'm'), { allowed: false, openUntil: clock.t + 30_000 });
  assert.ok(routerSkips(cb.snapshot()['openai/m'], clock.t));
});

test('circuits are per provider/model', () => {
  const { cb } = setup(1);
  cb.failure('openai', 'a');
  assert.equal(cb.acquire('openai', 'a').allowed, false);
  assert.equal(cb.acquire('openai', 'b').allowed, true);
  assert.equal(cb.acquire('anthropic', 'a').allowed, true);
  assert.deepEqual(Object.keys(cb.snapshot()), ['openai/a']);
});

test('after the cool-down exactly one probe goes; others skip while it is in flight; success closes', () => {
  const { cb, clock } = setup();
  for (let i = 0; i < 3; i++) cb.failure('p', 'm');
  clock.t += 29_999;
  assert.equal(cb.acquire('p', 'm').allowed, false);
  clock.t += 1;
  // Cool-down over: the snapshot lets the router send the next request (it becomes the probe).
  const before = cb.snapshot()['p/m'];
  assert.equal(before?.state, 'half-open');
  assert.ok(!routerSkips(before, clock.t));
  assert.deepEqual(cb.acquire('p', 'm'), { allowed: true, probe: true });
  // Probe in flight: everyone else skips, in dispatch and in the router's view.
  const second = cb.acquire('p', 'm');
  assert.equal(second.allowed, false);
  assert.ok(routerSkips(cb.snapshot()['p/m'], clock.t));
  clock.t += 5_000;
  assert.equal(cb.acquire('p', 'm').allowed, false);
  cb.success('p', 'm');
  assert.deepEqual(cb.info('p', 'm'), { state: 'closed', consecutiveFailures: 0 });
  assert.deepEqual(cb.acquire('p', 'm'), { allowed: true, probe: false });
});

test('a failed probe re-opens for another full cool-down', () => {
  const { cb, clock } = setup(3, 1_000);
  for (let i = 0; i < 3; i++) cb.failure('p', 'm');
  clock.t += 1_000;
  const permit = cb.acquire('p', 'm');
  assert.deepEqual(permit, { allowed: true, probe: true });
  clock.t += 200;
  cb.failure('p', 'm', true);
  assert.deepEqual(cb.info('p', 'm'), { state: 'open', openUntil: clock.t + 1_000, consecutiveFailures: 4 });
  clock.t += 999;
  assert.equal(cb.acquire('p', 'm').allowed, false);
  clock.t += 1;
  assert.deepEqual(cb.acquire('p', 'm'), { allowed: true, probe: true });
});

test('a released probe (cancel, permanent error) frees the slot without a verdict', () => {
  const { cb, clock } = setup(1, 1_000);
  cb.failure('p', 'm');
  clock.t += 1_000;
  assert.deepEqual(cb.acquire('p', 'm'), { allowed: true, probe: true });
  cb.release('p', 'm', true);
  assert.equal(cb.info('p', 'm').state, 'half-open');
  assert.deepEqual(cb.acquire('p', 'm'), { allowed: true, probe: true });
});

test('a straggler failing while the probe is out does not re-open the circuit', () => {
  const { cb, clock } = setup(1, 1_000);
  cb.failure('p', 'm');
  clock.t += 1_000;
  cb.acquire('p', 'm');
  cb.failure('p', 'm', false);
  assert.equal(cb.acquire('p', 'm').allowed, false, 'probe still out');
  cb.success('p', 'm');
  assert.equal(cb.info('p', 'm').state, 'closed');
});

test('change listener sees open, half-open probe and close', () => {
  const { cb, clock, events } = setup(2, 1_000);
  cb.failure('p', 'm');
  cb.failure('p', 'm');
  clock.t += 1_000;
  cb.acquire('p', 'm');
  cb.success('p', 'm');
  assert.deepEqual(events.map(([k, i]) => `${k}:${i.state}:${i.consecutiveFailures}`), [
    'p/m:closed:1', 'p/m:open:2', 'p/m:open:2' /* probe out: others skip */, 'p/m:closed:0',
  ]);
  cb.success('p', 'm');
  assert.equal(events.length, 4, 'no event when nothing changed');
});

test('configure changes thresholds for later failures', () => {
  const { cb } = setup(3);
  cb.configure({ failures: 1, coolDownMs: 10 });
  cb.failure('p', 'm');
  assert.equal(cb.info('p', 'm').state, 'open');
});

test('a clock passed as the second argument is used', () => {
  let t = 5;
  const cb = new CircuitBreakers({ failures: 1, coolDownMs: 10 }, () => t);
  cb.failure('p', 'm');
  assert.equal(cb.info('p', 'm').openUntil, 15);
  t = 15;
  assert.equal(cb.acquire('p', 'm').allowed, true);
});
