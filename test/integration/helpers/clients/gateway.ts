/**
 * The daemon as a gateway for the client tests: a recording mock upstream, a daemon routing to it, and the official
 * SDK clients pointed at the daemon through a fetch that records what each client actually sent. A test can then
 * hold three things side by side: what the client sent, what the upstream received, what the client got back.
 */
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../../../fixtures/mock-upstream';
import { TEST_MODELS } from '../../../fixtures/models';
import { mockRules, startDaemon, type RunningDaemon } from '../daemon';

/**
 * The test models, plus one reasoning model per provider (the test four take no reasoning effort or thinking
 * budget) and an embedding model, so every capability a client test asks for has a model that serves it.
 */
export const GATEWAY_MODELS = {
  ...TEST_MODELS,
  o3: { provider: 'openai', id: 'o3-mini-2025-01-31' },
  sonnet4: { provider: 'anthropic', id: 'claude-sonnet-4-20250514' },
  embed: { provider: 'openai', id: 'text-embedding-3-small' },
};

/** The pinned id the upstream sees for each short name. */
export const ID = Object.fromEntries(Object.entries(GATEWAY_MODELS).map(([name, m]) => [name, m.id])) as { [K in keyof typeof GATEWAY_MODELS]: string };

/** A request a client sent to the daemon, as it went on the wire. */
export interface SentRequest {
  method: string;
  path: string;
  /** The query string without its `?` ('' when none). */
  query: string;
  headers: Record<string, string>;
  /** The JSON body, parsed (undefined for a GET). */
  body: any;
}

export interface Gateway {
  mock: MockUpstream;
  daemon: RunningDaemon;
  openai: OpenAI;
  anthropic: Anthropic;
  /** What the two SDK clients sent, in order. */
  sent: SentRequest[];
  /** The last request a client sent. */
  lastSent(): SentRequest;
  /** The requests the upstream got on `path` (e.g. '/v1/messages', whatever the query string), in order. */
  upstream(path: string): RecordedRequest[];
  /** The one request the upstream got on `path`: fails unless there was exactly one. */
  onlyUpstream(path: string): RecordedRequest;
  /** Forget what was sent and received (the mock's faults and reply overrides too). */
  reset(): void;
  stop(): Promise<void>;
}

/** A recorded upstream request's path, without its query string. */
export const pathOf = (r: RecordedRequest): string => r.path.split('?')[0];
/** A recorded upstream request's query string, parsed. */
export const queryOf = (r: RecordedRequest): URLSearchParams => new URLSearchParams(r.path.includes('?') ? r.path.slice(r.path.indexOf('?') + 1) : '');

/** A fetch that records each request (into `sent`) before sending it on: what a client hands its SDK or framework. */
export function recordingFetch(sent: SentRequest[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => { headers[k] = v; });
    const text = typeof init?.body === 'string' ? init.body : undefined;
    sent.push({ method: init?.method ?? 'GET', path: url.pathname, query: url.search.replace(/^\?/, ''), headers, body: text === undefined ? undefined : JSON.parse(text) });
    return fetch(input, init);
  };
}

/**
 * Starts the mock and a daemon whose rules cover both providers (mockRules + GATEWAY_MODELS); `extra` is merged
 * over them. Circuits never open: fault tests would otherwise take models out of later tests.
 */
export async function startGateway(extra: Record<string, unknown> = {}): Promise<Gateway> {
  const mock = await startMockUpstream({ deltas: 5 });
  const rules = mockRules(mock, {
    models: GATEWAY_MODELS,
    fallback: { timeoutMs: 5000, maxRetryAfterMs: 500, circuit: { failures: 1000, coolDownMs: 1000 } },
    ...extra,
  });
  const daemon = await startDaemon({ rulesText: rules });
  const sent: SentRequest[] = [];
  const fetch = recordingFetch(sent);
  const openai = new OpenAI({ baseURL: `${daemon.url}/v1`, apiKey: daemon.token, maxRetries: 0, fetch });
  const anthropic = new Anthropic({ baseURL: daemon.url, apiKey: daemon.token, maxRetries: 0, fetch });
  const upstream = (path: string) => mock.requests.filter((r) => pathOf(r) === path);
  return {
    mock, daemon, openai, anthropic, sent, upstream,
    lastSent: () => { assert.ok(sent.length, 'no client request was sent'); return sent[sent.length - 1]; },
    onlyUpstream: (path) => {
      const got = upstream(path);
      assert.equal(got.length, 1, `the upstream got ${got.length} requests on ${path} (all: ${mock.requests.map((r) => r.path).join(', ') || 'none'})`);
      return got[0];
    },
    reset: () => { mock.reset(); sent.length = 0; },
    stop: async () => { await daemon.stop(); await mock.close(); },
  };
}

/**
 * Same format: the upstream got the client's body as it was sent, with only `model` replaced by the pinned id —
 * and `owned`, the fields Switchyard documents as its own (e.g. `stream_options.include_usage` on chat streams).
 */
export function assertPassedThrough(sent: SentRequest, upstream: RecordedRequest, model: string, owned: Record<string, unknown> = {}): void {
  assert.notEqual(sent.body.model, model, 'the client asked for a routing name, not the pinned id');
  assert.deepEqual(upstream.body, { ...sent.body, model, ...owned });
}

/** A chat stream's passthrough: the one field Switchyard sets is `stream_options.include_usage` (for its ledger). */
export function chatStreamOwned(sent: SentRequest): Record<string, unknown> {
  return { stream_options: { ...(sent.body.stream_options ?? {}), include_usage: true } };
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  /** The body parsed as JSON, when it is. */
  json?: any;
  /** The SSE messages, when the answer is a stream. */
  events: EventSourceMessage[];
  text: string;
}

/**
 * A request as an agent sends it (its own headers and query string), read to the end: JSON or SSE. The daemon token
 * goes as a bearer token unless `headers` carry their own key (`x-api-key`, as Claude Code sends it).
 */
export async function rawRequest(daemon: RunningDaemon, path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const auth: Record<string, string> = 'x-api-key' in headers || 'authorization' in headers ? {} : { authorization: `Bearer ${daemon.token}` };
  const res = await fetch(`${daemon.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const events: EventSourceMessage[] = [];
  let json: any;
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const parser = createParser({ onEvent: (e) => events.push(e) });
    parser.feed(text);
  } else {
    try { json = JSON.parse(text); } catch { /* not JSON: the test reads `text` */ }
  }
  return { status: res.status, headers: res.headers, json, events, text };
}

/** The data of SSE events, parsed, skipping `[DONE]`. */
export function eventData(events: readonly EventSourceMessage[]): any[] {
  return events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data));
}

/** A 1×1 PNG, base64: a real image for the image tests. */
export const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** A minimal one-page PDF, base64. */
export const PDF_MINI = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n'
  + '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
).toString('base64');

/** An Anthropic message assembled from its SSE events (message_start, content blocks and their deltas, message_delta). */
export function anthropicMessageOf(events: readonly EventSourceMessage[]): any {
  let message: any;
  const partial: string[] = [];
  for (const e of eventData(events)) {
    if (e.type === 'message_start') message = { ...e.message, content: [] };
    else if (e.type === 'content_block_start') { message.content[e.index] = { ...e.content_block }; partial[e.index] = ''; }
    else if (e.type === 'content_block_delta') {
      const block = message.content[e.index];
      if (e.delta.type === 'text_delta') block.text += e.delta.text;
      else if (e.delta.type === 'input_json_delta') partial[e.index] += e.delta.partial_json;
      else if (e.delta.type === 'thinking_delta') block.thinking += e.delta.thinking;
      else if (e.delta.type === 'signature_delta') block.signature = e.delta.signature;
    } else if (e.type === 'content_block_stop') {
      const block = message.content[e.index];
      if (block.type === 'tool_use') block.input = partial[e.index] ? JSON.parse(partial[e.index]) : {};
    } else if (e.type === 'message_delta') {
      Object.assign(message, e.delta);
      message.usage = { ...message.usage, ...e.usage };
    }
  }
  return message;
}
