/**
 * Fuzzing rules files: generated valid-ish and hostile texts (deep not/all/any, unknown keys, prototype names
 * as names and as `then`/`default`, invalid and catastrophic regexes, thousands of rules, names outside
 * Latin-1) through the loader in-process, through rules.validate / rules.save / rules.dryRun over the
 * WebSocket, and through a hot reload of the daemon's own rules file. The loader never throws and never
 * stalls; what loads routes without throwing; a bad file keeps the last good rules and says why.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RouteRequestInput } from '../../shared/config';
import type { RouterState } from '../../shared/decision';
import type { ValidationIssue } from '../../shared/protocol';
import { decide } from '../../daemon/router/decide';
import { routeInput } from '../../daemon/router/prepare';
import { hasErrors, parseRules } from '../../daemon/rules/load';
import type { CompiledRules } from '../../daemon/rules/types';
import { consistentRules, routeRequest, rulesText, thousandsOfRules, toJsonText } from './helpers/arbitraries';
import { assertWsReply } from './helpers/checks';
import { describeRun, params } from './helpers/config';
import { useFuzzDaemon } from './helpers/harness';

/**
 * Loading may take this long at most for anything the generators make, up to 5,000 rules: past it the
 * daemon would stall (a hot reload runs on its event loop). Generous, for a loaded CI machine.
 */
const LOAD_BUDGET_MS = 3000;

function assertIssues(issues: unknown): asserts issues is ValidationIssue[] {
  assert.ok(Array.isArray(issues), 'issues is an array');
  for (const i of issues as ValidationIssue[]) {
    assert.ok(i.severity === 'error' || i.severity === 'warning', `issue severity ${String(i.severity)}`);
    assert.ok(typeof i.code === 'string' && i.code.length > 0 && typeof i.message === 'string' && i.message.length > 0, `issue without code or message: ${JSON.stringify(i).slice(0, 300)}`);
    if (i.line !== undefined) assert.ok(Number.isInteger(i.line) && i.line >= 1, `issue line ${i.line}`);
  }
}

function load(text: string) {
  const started = performance.now();
  let result: ReturnType<typeof parseRules>;
  try {
    result = parseRules(text, 'fuzz-rules.json');
  } catch (e) {
    assert.fail(`parseRules threw instead of returning issues: ${(e as Error).stack?.split('\n').slice(0, 4).join(' | ')}`);
  }
  const ms = performance.now() - started;
  assert.ok(ms < LOAD_BUDGET_MS, `loading took ${ms.toFixed(0)} ms (budget ${LOAD_BUDGET_MS} ms)`);
  assertIssues(result.issues);
  // Errors mean no CompiledRules, and no CompiledRules means an error says why.
  assert.equal(!result.rules, hasErrors(result.issues), result.rules ? 'rules came back with errors' : 'no rules came back, yet no error says why');
  return result;
}

const stateFor = (rules: CompiledRules): RouterState => ({
  now: 1_750_000_000_000, spentTodayUsd: 0, spentMonthUsd: 0, circuits: {},
  keys: Object.fromEntries(Object.keys(rules.providers).map((p) => [p, true])), latencyStats: {}, calibration: {},
});

/** What loaded can route: decide() does not throw, and everything it names is an own entry of the rules. */
function assertRoutes(rules: CompiledRules, request: unknown) {
  let d: ReturnType<typeof decide>;
  try {
    d = decide(routeInput(request as never, rules), rules, stateFor(rules));
  } catch (e) {
    assert.fail(`decide() threw on rules that loaded: ${(e as Error).stack?.split('\n').slice(0, 4).join(' | ')}`);
  }
  assert.ok(d.rule === 'default' || rules.config.rules.some((r) => r.name === d.rule), `decision names rule ${JSON.stringify(d.rule)}, not in the file`);
  assert.ok(d.tier === null || Object.hasOwn(rules.config.tiers, d.tier), `decision names tier ${JSON.stringify(d.tier)}, not an own tier`);
  for (const c of d.candidates) assert.ok(Object.hasOwn(rules.models, c.name), `candidate ${JSON.stringify(c.name)} is not an own model`);
  // NaN: the price is unknown (a model outside the catalog without prices), shown as unknown, never as $0.
  const cost = d.estimate.costUsd;
  assert.ok(Number.isNaN(cost) || (Number.isFinite(cost) && cost >= 0), `estimated cost ${cost} for ${JSON.stringify(request)}`);
}

describe('rules loader (in-process)', () => {
  test('never throws, never stalls, and explains every refusal', (t) => {
    t.diagnostic(describeRun());
    let loaded = 0;
    fc.assert(fc.property(rulesText, (text) => { if (load(text).rules) loaded++; }), params('loader'));
    t.diagnostic(`${loaded} generated texts loaded`);
  });

  test('thousands of rules load within the budget', () => {
    fc.assert(fc.property(thousandsOfRules, (text) => { assert.ok(load(text).rules, 'a file of distinct rules loads'); }), params('loaderMany'));
  });

  test('rules with hostile but consistent names load or are refused with a reason, and what loads routes', (t) => {
    let loaded = 0;
    fc.assert(fc.property(consistentRules, fc.array(routeRequest, { minLength: 1, maxLength: 3 }), (text, requests) => {
      const { rules } = load(text);
      if (!rules) return;
      loaded++;
      // What the daemon would route: the request as JSON carries it, after the daemon's own validation.
      for (const r of requests) {
        const parsed = RouteRequestInput.safeParse(JSON.parse(toJsonText(r)));
        if (parsed.success) assertRoutes(rules, parsed.data);
      }
    }), params('loaderRouting'));
    t.diagnostic(`${loaded} generated files loaded and routed`);
  });
});

describe('rules over the WebSocket and by hot reload (a daemon of its own)', () => {
  const fuzz = useFuzzDaemon();

  test('rules.validate, rules.save and rules.dryRun agree with the loader; a refused save keeps the rules in use', async () => {
    const text = fc.oneof(rulesText, consistentRules);
    const method = fc.constantFrom('rules.validate', 'rules.save', 'rules.dryRun');
    await fc.assert(fc.asyncProperty(method, text, routeRequest, async (m, t, request) => {
      await fuzz.daemon.ensureUp();
      const local = load(t);
      const before = await fuzz.daemon.ws.call('rules.get', {});
      const reply = await fuzz.daemon.step(`${m} of ${JSON.stringify(t.slice(0, 300))}`, () => fuzz.daemon.ws.call(m, m === 'rules.dryRun' ? { text: t, request } : { text: t }));
      await fuzz.daemon.assertUp(`${m} of ${JSON.stringify(t.slice(0, 300))}`);
      assertWsReply(reply, reply.id);
      // A dry run of an invalid request is refused as a bad request (the request is checked after the text).
      if (m === 'rules.dryRun' && reply.error?.code === 'E_BAD_REQUEST' && /params\.request/.test(reply.error.message)) return;
      assert.ok(reply.result, `${m} failed: ${JSON.stringify(reply.error)}`);
      assertIssues(reply.result.issues);
      const valid = !!local.rules;
      assert.equal(hasErrors(reply.result.issues), !valid, `${m}: the daemon and the loader disagree on errors`);
      if (m === 'rules.save') {
        assert.equal(reply.result.saved, valid, `saved: ${reply.result.saved}`);
        const now = await fuzz.daemon.ws.call('rules.get', {});
        assert.equal(now.result.text, valid ? t : before.result.text, 'rules.get after a save');
      }
      if (m === 'rules.dryRun') {
        if (!valid) assert.equal(reply.result.decision, null, 'a draft with errors routes nothing');
        else if (reply.result.decision !== null) assert.equal(typeof reply.result.decision.rule, 'string');
      }
    }), params('wsRules'));
    assert.deepEqual(fuzz.daemon.lateDeaths.splice(0), [], 'the daemon died between cases');
  });

  test('hot reload of the rules file: a bad file keeps the last good rules and says why; the daemon keeps answering', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.oneof(rulesText, consistentRules), async (t) => {
      await fuzz.daemon.ensureUp();
      // A unique first line: every case is a change the watcher must act on.
      const written = Buffer.from(`// fuzz reload ${++n}\n${t}`, 'utf8').toString('utf8');
      const what = `a reload of ${JSON.stringify(t.slice(0, 300))}`;
      const snapshot = await fuzz.daemon.step(what, async () => {
        const changed = fuzz.daemon.ws.nextEvent((f) => f.event === 'rules.changed' && f.data?.text === written, 3000);
        writeFileSync(fuzz.daemon.daemon.rulesFile, written);
        return (await changed).data;
      });
      await fuzz.daemon.assertUp(what);
      const local = load(written);
      assertIssues(snapshot.issues);
      assert.equal(snapshot.stale, !local.rules, `stale is ${snapshot.stale} for a file that ${local.rules ? 'loads' : 'does not load'}`);
      if (snapshot.stale) assert.ok(snapshot.issues.some((i: ValidationIssue) => i.severity === 'error'), 'a stale snapshot says why');
      // The rules in use still route (the new ones, or the last good ones).
      const preview = await fuzz.daemon.ws.call('route.preview', { request: { prompt: 'hello' } });
      assertWsReply(preview, preview.id);
      assert.ok(preview.result && typeof preview.result.rule === 'string', `route.preview after the reload: ${JSON.stringify(preview).slice(0, 300)}`);
    }), params('hotReload'));
    assert.deepEqual(fuzz.daemon.lateDeaths.splice(0), [], 'the daemon died between cases');
  });
});
