/**
 * Fuzzing the HTTP API of a real daemon (dist/) against the fault-injecting mock upstream: generated bodies in
 * both wire formats to every route, hint headers, spend query parameters, replay bodies. After every case the
 * daemon is alive and answers /health, the reply keeps the format invariants (helpers/checks.ts), and the
 * ledger holds exactly one new row for each completion answered with a request id and none for anything else.
 * The body parsers are also fuzzed on their own: a canonical request or a RequestFormatError, never a TypeError.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { MAX_OUTPUT_TOKENS } from '../../shared/config';
import { RequestFormatError } from '../../daemon/formats/common';
import { codecFor } from '../../daemon/formats/index';
import type { ParsedRequest } from '../../daemon/formats/types';
import {
  anthropicBody, anyJson, bodyText, cleanAnthropicBody, cleanOpenaiBody, headerSafe, hintHeaders, hostileName, openaiBody, PROTO_NAMES, routeRequest, rulesText,
  nested, toJsonText, upstreamFault,
} from './helpers/arbitraries';
import { assertCompletionBody, assertHttpReply, type Format } from './helpers/checks';
import { describeRun, params } from './helpers/config';
import { injectFault, LedgerTracker, streamAsked, useFuzzDaemon } from './helpers/harness';
import { agentBodyText } from './helpers/wireBodies';

const fuzz = useFuzzDaemon();

describe('HTTP API under generated input', () => {
  // First, while the ledger is small: replay reads every row. Twenty real rows give it something to replay.
  before(async () => {
    for (let i = 0; i < 20; i++) {
      const r = await fuzz.daemon.http({ method: 'POST', path: '/v1/chat/completions', body: JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: i % 2 ? `thanks ${i}` : `design ${i}` }] }) });
      assert.equal(r.status, 200, r.body);
    }
  });

  test('POST /v1/switchyard/replay: null, arrays, numbers, rules texts of every kind, odd since', async () => {
    const kase = fc.oneof(
      { weight: 3, arbitrary: fc.record({ text: rulesText, since: fc.option(fc.constantFrom('7d', '1h', '0m', '-1d', `${'9'.repeat(400)}d`, ''), { nil: undefined }) }).map((b) => toJsonText(b)) },
      { weight: 2, arbitrary: anyJson.map((v) => toJsonText(v) ?? 'null') },
      { weight: 1, arbitrary: fc.record({ text: anyJson, since: anyJson, file: fc.oneof(hostileName, anyJson) }).map((b) => toJsonText(b)) },
      { weight: 1, arbitrary: fc.constantFrom('null', '[]', '0', '"7d"', '{"since":null}', '{"text":null}', '{"__proto__":{"text":"x"}}') },
    );
    await fc.assert(fc.asyncProperty(kase, fc.constantFrom<Record<string, string>>({}, { 'content-type': 'text/plain' }), async (body, headers) => {
      await fuzz.daemon.ensureUp();
      const r = await fuzz.daemon.step(`POST /v1/switchyard/replay ${body.slice(0, 300)}`, () => fuzz.daemon.http({ method: 'POST', path: '/v1/switchyard/replay', body, headers }));
      await fuzz.daemon.assertUp('POST /v1/switchyard/replay');
      const out = assertHttpReply('openai', r, { faulted: false, streamAsked: false });
      assert.ok([200, 400, 413, 422].includes(r.status), `replay answered ${r.status}: ${r.body.slice(0, 300)}`);
      if (r.status === 200) assert.ok(Number.isInteger(out.considered) && Number.isFinite(out.replayCostUsd), `not a replay result: ${r.body.slice(0, 300)}`);
      if (r.status === 422) assert.ok(Array.isArray(out.error.issues) && out.error.issues.length > 0, 'a 422 lists the issues');
    }), params('httpReplay'));
    assert.deepEqual(fuzz.daemon.lateDeaths.splice(0), [], 'the daemon died between cases');
  });

  test('completions in both wire formats: valid-shaped, mutated, any JSON, not JSON; hint headers; upstream faults', async (t) => {
    t.diagnostic(describeRun());
    const ledger = new LedgerTracker(fuzz);
    const kase = fc.oneof(
      fc.record({ format: fc.constant<Format>('openai'), body: bodyText(openaiBody, cleanOpenaiBody), headers: hintHeaders, fault: upstreamFault }),
      fc.record({ format: fc.constant<Format>('anthropic'), body: bodyText(anthropicBody, cleanAnthropicBody), headers: hintHeaders, fault: upstreamFault }),
    );
    const seen = new Map<string, number>();
    await fc.assert(fc.asyncProperty(kase, async (c) => {
      await fuzz.daemon.ensureUp();
      await ledger.sync();
      injectFault(fuzz.mock, c.fault);
      const path = c.format === 'openai' ? '/v1/chat/completions' : '/v1/messages';
      const r = await fuzz.daemon.step(`POST ${path} ${c.body.slice(0, 300)}`, () => fuzz.daemon.http({ method: 'POST', path, body: c.body, headers: c.headers }));
      await fuzz.daemon.assertUp(`POST ${path}`);
      const key = `${c.format} ${r.status}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      const body = assertHttpReply(c.format, r, { faulted: !!c.fault, streamAsked: streamAsked(c.body) });
      if (r.status === 200 && body !== undefined) assertCompletionBody(c.format, body, r);
      await ledger.expectRowFor(r, `POST ${path}`);
    }), params('httpCompletions'));
    assert.deepEqual(fuzz.daemon.lateDeaths.splice(0), [], 'the daemon died between cases');
    t.diagnostic(`replies seen: ${[...seen].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}; daemon restarts: ${fuzz.daemon.crashes}`);
  });

  test('every other route, wrong methods, unknown paths, missing token, browser Origin', async () => {
    const ledger = new LedgerTracker(fuzz);
    // Agent traffic too: explain reads the same bodies (tools, images, thinking) the completion routes do.
    const explainBody = fc.oneof(bodyText(openaiBody), bodyText(anthropicBody), bodyText(routeRequest as fc.Arbitrary<Record<string, unknown>>), agentBodyText('openai-chat'), agentBodyText('anthropic'));
    const kase = fc.oneof(
      { weight: 4, arbitrary: fc.record({ method: fc.constant('POST'), path: fc.constant('/v1/route/explain'), body: explainBody, headers: hintHeaders }) },
      { weight: 1, arbitrary: fc.record({ method: fc.constantFrom('GET', 'HEAD', 'DELETE', 'PUT'), path: fc.constantFrom('/v1/models', '/health', '/v1/chat/completions', '/v1/messages', '/v1/route/explain', '/v1/switchyard/replay', '/v1/switchyard/spend') }) },
      { weight: 1, arbitrary: fc.record({ method: fc.constantFrom('GET', 'POST'), path: fc.oneof(hostileName, fc.webPath()).map((p) => `/${encodeURIComponent(p).replace(/%2F/g, '/')}`), body: fc.option(bodyText(openaiBody), { nil: undefined }) }) },
      { weight: 1, arbitrary: fc.record({ method: fc.constant('POST'), path: fc.constantFrom('/v1/chat/completions', '/v1/messages', '/v1/route/explain'), body: bodyText(openaiBody), auth: fc.constant(false), headers: fc.constantFrom<Record<string, string>>({}, { authorization: 'Bearer wrong' }, { 'x-api-key': '' }) }) },
      { weight: 1, arbitrary: fc.record({ method: fc.constant('POST'), path: fc.constantFrom('/v1/chat/completions', '/v1/messages'), body: bodyText(anthropicBody), headers: fc.constantFrom({ origin: 'https://evil.example' }, { origin: 'null' }) }) },
    );
    await fc.assert(fc.asyncProperty(kase, async (c) => {
      await fuzz.daemon.ensureUp();
      await ledger.sync();
      fuzz.mock.reset();
      const r = await fuzz.daemon.step(`${c.method} ${c.path}`, () => fuzz.daemon.http({ method: c.method, path: c.path, body: c.method === 'GET' || c.method === 'HEAD' ? undefined : (c as { body?: string }).body, headers: (c as { headers?: Record<string, string> }).headers, auth: (c as { auth?: boolean }).auth }));
      await fuzz.daemon.assertUp(`${c.method} ${c.path}`);
      const format: Format = c.path === '/v1/messages' ? 'anthropic' : 'openai';
      if (c.method === 'HEAD') { assert.ok(r.status < 500, `HEAD ${c.path} answered ${r.status}`); return; }
      const body = assertHttpReply(format, r, { faulted: false, streamAsked: false });
      if (c.path === '/v1/route/explain' && r.status === 200) assert.ok(typeof body.rule === 'string' && Array.isArray(body.candidates) && (body.estimate?.costUsd === null || Number.isFinite(body.estimate?.costUsd)), `not a Decision: ${r.body.slice(0, 300)}`);
      if ((c as { auth?: boolean }).auth === false) assert.equal(r.status, 401);
      // Nothing but a completion writes the ledger; a refused completion (401, 403, 404, 405) writes nothing.
      await ledger.expectGrowth(0, `${c.method} ${c.path} → ${r.status}`);
    }), params('httpOther'));
    assert.deepEqual(fuzz.daemon.lateDeaths.splice(0), [], 'the daemon died between cases');
  });

  test('spend query parameters: since and by of any shape, repeated, unknown keys', async () => {
    const since = fc.oneof(fc.constantFrom('7d', '24h', '30m', '2w', '0d', '0.5h', '1e3d', '-1d', '', ' 7d ', `${'9'.repeat(400)}d`, '99999999999999999999w', 'Infinityd', 'NaNd'), hostileName);
    const by = fc.oneof(fc.constantFrom('model', 'rule', 'tier', 'source', 'MODEL', ''), fc.constantFrom(...PROTO_NAMES), hostileName);
    const kase = fc.record({
      params: fc.array(fc.oneof(since.map((v) => ['since', v] as const), by.map((v) => ['by', v] as const), fc.tuple(hostileName, hostileName)), { maxLength: 4 }),
      raw: fc.constantFrom('', '&', '&since', '&by=', '&%zz', '&since=%E0%A4%A'),
    });
    await fc.assert(fc.asyncProperty(kase, async (c) => {
      await fuzz.daemon.ensureUp();
      const q = c.params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&') + c.raw;
      const r = await fuzz.daemon.step(`GET /v1/switchyard/spend?${q}`, () => fuzz.daemon.http({ method: 'GET', path: `/v1/switchyard/spend?${q}` }));
      await fuzz.daemon.assertUp(`GET /v1/switchyard/spend?${q}`);
      const body = assertHttpReply('openai', r, { faulted: false, streamAsked: false });
      assert.ok(r.status === 200 || r.status === 400, `spend answered ${r.status}: ${r.body.slice(0, 300)}`);
      if (r.status === 200) assert.ok(Number.isInteger(body.requests) && body.requests >= 0 && Number.isFinite(body.costUsd) && Array.isArray(body.buckets), `not a spend report: ${r.body.slice(0, 300)}`);
    }), params('httpSpendQuery'));
    assert.deepEqual(fuzz.daemon.lateDeaths.splice(0), [], 'the daemon died between cases');
  });

  // Found with agent.fuzz.test.ts's bodies (a test of its own: as an example of the property above, fast-check would
  // shrink its 12 KB body character by character). It answered 500 "Maximum call stack size exceeded".
  test('POST /v1/route/explain with a tool schema nested 6,000 deep: refused, not a 500', async () => {
    await fuzz.daemon.ensureUp();
    const body = toJsonText({ model: 'mini', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: nested('array', 6000) } } } }] });
    const r = await fuzz.daemon.step('POST /v1/route/explain (schema nested 6,000 deep)', () => fuzz.daemon.http({ method: 'POST', path: '/v1/route/explain', body }));
    await fuzz.daemon.assertUp('POST /v1/route/explain');
    assertHttpReply('openai', r, { faulted: false, streamAsked: false });
  });
});

// The header helper must keep what the generators meant: bytes a header can carry, nothing Node refuses to send.
test('headerSafe keeps UTF-8 bytes and drops what no header may carry', () => {
  assert.equal(headerSafe('快速'), Buffer.from('快速', 'utf8').toString('latin1'));
  assert.equal(headerSafe('a\r\nb\u0000c'), 'abc');
});

const parsers = { openai: codecFor('openai-chat').parseRequest, anthropic: codecFor('anthropic').parseRequest };

// The body parsers on their own, in-process, where many cases are cheap.
test('the chat and messages codecs\' parseRequest: a canonical request or a RequestFormatError with a param, for any body', () => {
  const kase = fc.oneof(
    fc.tuple(fc.constant('openai' as const), bodyText(openaiBody)),
    fc.tuple(fc.constant('anthropic' as const), bodyText(anthropicBody)),
    // Each parser also meets the other format's bodies (/v1/route/explain tries both).
    fc.tuple(fc.constant('openai' as const), bodyText(anthropicBody)),
    fc.tuple(fc.constant('anthropic' as const), bodyText(openaiBody)),
  );
  let accepted = 0;
  fc.assert(fc.property(kase, ([format, text]) => {
    let body: unknown;
    try { body = JSON.parse(text); } catch { return; } // not JSON: the HTTP layer answers it (http.fuzz.test.ts)
    let out: ParsedRequest;
    try {
      out = parsers[format](body);
    } catch (e) {
      assert.ok(e instanceof RequestFormatError, `${format} parser threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
      assert.ok(typeof e.param === 'string' && e.param.length > 0, `no param on "${e.message}"`);
      return;
    }
    accepted++;
    const r = out.request;
    assert.ok(typeof out.model === 'string' && out.model.length > 0);
    assert.ok(r.messages.length > 0 && r.messages.some((m) => m.role === 'user'), 'a user message');
    for (const m of r.messages) assert.ok((m.role === 'user' || m.role === 'assistant') && Array.isArray(m.content));
    if (r.maxTokens !== undefined) assert.ok(Number.isInteger(r.maxTokens) && r.maxTokens >= 1 && r.maxTokens <= MAX_OUTPUT_TOKENS, `maxTokens ${r.maxTokens}`);
    if (r.temperature !== undefined) assert.ok(Number.isFinite(r.temperature) && r.temperature >= 0 && r.temperature <= 2, `temperature ${r.temperature}`);
    if (r.stop !== undefined) assert.ok(r.stop.every((s) => typeof s === 'string'));
    assert.equal(typeof r.stream, 'boolean');
  }), params('translate'));
  assert.ok(accepted > 0, 'some generated bodies are valid');
});
