/**
 * Errors and ids as the clients expect them: the last candidate's refusal reaches the client with its status,
 * type, code, param and retry-after, in the client's own error format, with Switchyard's attempts beside it; the
 * upstream's answer ids are kept; the request id the SDKs surface is the daemon's ledger id.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ID, rawRequest, startGateway, type Gateway } from './helpers/clients/gateway';

let gw: Gateway;

before(async () => { gw = await startGateway(); });
after(async () => { await gw?.stop(); });
beforeEach(() => gw.reset());

const chatBody = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'Summarise the report' }] });
const messagesBody = (model: string) => ({ model, max_tokens: 256, messages: [{ role: 'user' as const, content: 'Summarise the report' }] });

/** Fails every request to `model` with a 429 and this retry-after (seconds). */
function rateLimit(api: 'openai' | 'anthropic', model: string, retryAfter: string): void {
  gw.mock.fail({ api, model, fault: { kind: 'status', status: 429, retryAfter } });
}

function assertAttempts(body: any, models: string[]): void {
  // Inside `error` for OpenAI-shaped errors, beside it for Anthropic's: where each SDK's error object has it.
  const attempts = (body?.type === 'error' ? body?.switchyard : body?.error?.switchyard)?.attempts;
  assert.ok(Array.isArray(attempts), `switchyard.attempts with the error: ${JSON.stringify(body)}`);
  assert.deepEqual(attempts.map((a: any) => [a.model, a.outcome, a.status]), models.map((m) => [m, 'failed', 429]));
}

describe('an upstream 429 with retry-after on the last candidate', () => {
  it('openai SDK, same-format: RateLimitError with the retry-after, the OpenAI error body and the attempts', async () => {
    rateLimit('openai', ID.mini, '7');
    await assert.rejects(gw.openai.chat.completions.create(chatBody('mini')), (e: unknown) => {
      assert.ok(e instanceof OpenAI.RateLimitError, `a RateLimitError, got ${String(e)}`);
      assert.equal(e.status, 429);
      assert.equal(e.headers?.get('retry-after'), '7');
      assert.equal(e.code, 'rate_limit_exceeded');
      assert.equal(e.type, 'requests');
      return true;
    });
    const raw = await rawRequest(gw.daemon, '/v1/chat/completions', chatBody('mini'));
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get('retry-after'), '7');
    assert.equal(raw.json.error.code, 'rate_limit_exceeded');
    assertAttempts(raw.json, [ID.mini]);
  });

  it('openai SDK, both candidates limited: the last one (Anthropic) speaks, translated to OpenAI\'s format', async () => {
    rateLimit('openai', ID.mini, '7');
    rateLimit('anthropic', ID.haiku, '9');
    await assert.rejects(gw.openai.chat.completions.create(chatBody('fast')), (e: unknown) => {
      assert.ok(e instanceof OpenAI.RateLimitError, `a RateLimitError, got ${String(e)}`);
      assert.equal(e.headers?.get('retry-after'), '9');
      assert.equal(e.type, 'rate_limit_error');
      assert.equal(e.code, 'rate_limit_exceeded');
      return true;
    });
    const raw = await rawRequest(gw.daemon, '/v1/chat/completions', chatBody('fast'));
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get('retry-after'), '9');
    assert.equal(raw.headers.get('x-switchyard-fallbacks'), '1');
    assertAttempts(raw.json, [ID.mini, ID.haiku]);
  });

  it('anthropic SDK, same-format: RateLimitError with the retry-after, the Anthropic error body and the attempts', async () => {
    rateLimit('anthropic', ID.haiku, '9');
    await assert.rejects(gw.anthropic.messages.create(messagesBody('haiku')), (e: unknown) => {
      assert.ok(e instanceof Anthropic.RateLimitError, `a RateLimitError, got ${String(e)}`);
      assert.equal(e.status, 429);
      assert.equal(e.headers?.get('retry-after'), '9');
      const body = e.error as any;
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'rate_limit_error');
      assertAttempts(body, [ID.haiku]);
      return true;
    });
  });

  it('anthropic SDK, cross-format: an OpenAI 429 as Anthropic\'s rate_limit_error, code kept, retry-after kept', async () => {
    rateLimit('openai', ID.mini, '7');
    await assert.rejects(gw.anthropic.messages.create(messagesBody('mini')), (e: unknown) => {
      assert.ok(e instanceof Anthropic.RateLimitError, `a RateLimitError, got ${String(e)}`);
      assert.equal(e.headers?.get('retry-after'), '7');
      const body = e.error as any;
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'rate_limit_error');
      assert.equal(body.error.code, 'rate_limit_exceeded');
      assertAttempts(body, [ID.mini]);
      return true;
    });
  });
});

describe('a 400 context_length_exceeded keeps its code and param', () => {
  const message = "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens.";
  beforeEach(() => gw.mock.fail({ api: 'openai', model: ID.mini, fault: { kind: 'status', status: 400, code: 'context_length_exceeded', param: 'messages', message } }));

  it('same-format (openai SDK → an OpenAI model)', async () => {
    await assert.rejects(gw.openai.chat.completions.create(chatBody('mini')), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError, `a BadRequestError, got ${String(e)}`);
      assert.equal(e.code, 'context_length_exceeded');
      assert.equal(e.param, 'messages');
      assert.equal(e.type, 'invalid_request_error');
      assert.match(e.message, /maximum context length is 128000 tokens/);
      return true;
    });
    assert.equal(gw.mock.requests.length, 1, 'a 400 is not retried elsewhere');
  });

  it('cross-format (anthropic SDK → an OpenAI model)', async () => {
    await assert.rejects(gw.anthropic.messages.create(messagesBody('mini')), (e: unknown) => {
      assert.ok(e instanceof Anthropic.BadRequestError, `a BadRequestError, got ${String(e)}`);
      const body = e.error as any;
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'invalid_request_error');
      assert.equal(body.error.code, 'context_length_exceeded');
      assert.equal(body.error.param, 'messages');
      assert.equal(body.error.message, message);
      return true;
    });
  });
});

describe('ids', () => {
  it('chat: the upstream chatcmpl- id is kept; _request_id is the daemon\'s request id', async () => {
    const answer = gw.openai.chat.completions.create(chatBody('mini'));
    const [data, response] = [await answer, await answer.asResponse()];
    assert.match(data.id, /^chatcmpl-mock/);
    const requestId = response.headers.get('x-switchyard-request-id');
    assert.match(requestId ?? '', /^sy-/);
    assert.equal(data._request_id, requestId);
    assert.match(response.headers.get('x-switchyard-upstream-request-id') ?? '', /^req_mock/);
  });

  it('messages: the upstream msg_ id is kept; _request_id is the daemon\'s request id', async () => {
    const answer = gw.anthropic.messages.create(messagesBody('haiku'));
    const [data, response] = [await answer, await answer.asResponse()];
    assert.match(data.id, /^msg_mock/);
    const requestId = response.headers.get('x-switchyard-request-id');
    assert.match(requestId ?? '', /^sy-/);
    assert.equal(data._request_id, requestId);
    assert.match(response.headers.get('x-switchyard-upstream-request-id') ?? '', /^req_mock/);
  });

  it('responses: the upstream resp_ id is kept; _request_id is the daemon\'s request id', async () => {
    const answer = gw.openai.responses.create({ model: 'mini', input: 'Summarise the report' });
    const [data, response] = [await answer, await answer.asResponse()];
    assert.match(data.id, /^resp_mock/);
    assert.equal(data._request_id, response.headers.get('x-switchyard-request-id'));
  });

  it('a translated answer keeps the upstream\'s id too (chat client, Anthropic model)', async () => {
    const answer = gw.openai.chat.completions.create(chatBody('haiku'));
    const [data, response] = [await answer, await answer.asResponse()];
    assert.match(data.id, /^msg_mock/);
    assert.equal(data._request_id, response.headers.get('x-switchyard-request-id'));
  });

  it('a translated stream keeps the upstream\'s id from its first chunk (chat client, Anthropic model; Anthropic client, OpenAI model)', async () => {
    const chunks = await gw.openai.chat.completions.create({ ...chatBody('haiku'), stream: true });
    const ids = new Set<string>();
    for await (const c of chunks) ids.add(c.id);
    assert.deepEqual([...ids].map((id) => /^msg_mock/.test(id)), [true], `one id, the upstream's: ${[...ids].join(', ')}`);
    const message = await gw.anthropic.messages.stream(messagesBody('mini')).finalMessage();
    assert.match(message.id, /^chatcmpl-mock/);
  });

  it('errors carry the same request id, for both SDKs', async () => {
    rateLimit('openai', ID.mini, '1');
    rateLimit('anthropic', ID.haiku, '1');
    const openaiError = await gw.openai.chat.completions.create(chatBody('mini')).then(() => assert.fail('no error'), (e: InstanceType<typeof OpenAI.APIError>) => e);
    assert.match(openaiError.requestID ?? '', /^sy-/);
    assert.equal(openaiError.requestID, openaiError.headers?.get('x-switchyard-request-id'));
    const anthropicError = await gw.anthropic.messages.create(messagesBody('haiku')).then(() => assert.fail('no error'), (e: InstanceType<typeof Anthropic.APIError>) => e);
    assert.match(anthropicError.requestID ?? '', /^sy-/);
    assert.equal(anthropicError.requestID, anthropicError.headers?.get('x-switchyard-request-id'));
  });
});
