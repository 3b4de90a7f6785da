/**
 * The editor's channel: JSON frames over one authenticated WebSocket per window. Requests get replies by id;
 * engine events are pushed to every client, rules events to the clients using those rules. Each window routes
 * by the rules it named in `hello` (RulesRegistry). A slow client loses events rather than slowing others, and its
 * own `complete` streams slow to its pace (see STREAM_HIGH_WATER_BYTES) rather than filling the daemon's memory.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { ErrorCodes, PROTOCOL_VERSION, type EventName, type Events, type MethodName, type Methods, type Params, type Result, type RulesSnapshot } from '../../shared/protocol';
import { RouteRequestInput } from '../../shared/config';
import type { RouteRequest } from '../../shared/decision';
import { CompletionError, type Engine } from '../engine';
import type { Logger } from '../log';
import { parseRulesAsync, hasErrors } from '../rules/load';
import type { RulesManager } from '../rules/manager';
import type { RulesRegistry } from '../rules/registry';
import { decide } from '../router/decide';
import { replayReportAsync } from '../reports';
import { describeIssues } from './errors';
import { checkRequest } from './guard';

export interface WsContext {
  engine: Engine;
  rules: RulesRegistry;
  token: string;
  log: Logger;
  version: string;
  maxPayload: number;
}

/** Events are dropped for a client with more than this much unsent. */
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;
/**
 * A `complete` stream to a window with more than this much unsent stops reading its upstream until the socket
 * takes it, so a window that does not read costs about this much (plus one delta); after the stall limit
 * (engine.stallTimeoutMs, 30 s) without progress the request ends with `complete.error` (E_CANCELLED,
 * attempt reason client-stalled) and its ledger row. Below SLOW_CLIENT_BYTES, so events still reach a window
 * whose stream is merely held back.
 */
const STREAM_HIGH_WATER_BYTES = 1024 * 1024;

/** Each method's params, checked before its handler runs; a mismatch is an E_BAD_REQUEST reply that says where. */
const rulesText = z.string({ error: 'must be the rules file text (a string)' });
const requestId = z.string({ error: 'must be a request id (a string)' }).min(1).max(1024);
const PARAMS: { [M in MethodName]: z.ZodType<Params<M>> } = {
  hello: z.object({ client: z.string().optional(), version: z.string().optional(), rulesFile: z.string().nullable().optional() }) as z.ZodType<Params<'hello'>>,
  'route.preview': z.object({ request: RouteRequestInput, escalateFrom: requestId.optional() }),
  complete: z.object({ request: RouteRequestInput, stream: z.boolean().optional(), escalateFrom: requestId.optional() }),
  cancel: z.object({ requestId: z.string() }),
  'rules.get': z.object({}),
  'rules.validate': z.object({ text: rulesText }),
  'rules.save': z.object({ text: rulesText }),
  'rules.dryRun': z.object({ text: rulesText, request: RouteRequestInput }),
  replay: z.object({ text: rulesText.optional(), sinceMs: z.number().finite().nonnegative().optional() }) as z.ZodType<Params<'replay'>>,
  'spend.summary': z.object({}),
  'spend.recent': z.object({ limit: z.number().int().min(1).max(500).optional(), conversation: z.string().min(1).nullable().optional() }),
  'spend.conversations': z.object({ sinceMs: z.number().finite().nonnegative().optional(), limit: z.number().int().min(1).max(500).optional() }),
  'providers.health': z.object({}),
  'keys.set': z.object({ provider: z.string().min(1), key: z.string().min(1).nullable() }),
  'feedback.mark': z.object({ requestId, mark: z.enum(['overkill'], { error: 'must be "overkill", or null to clear the mark' }).nullable() }),
};

class MethodError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

export function createWsServer(ctx: WsContext) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: ctx.maxPayload });
  const running = new Map<string, AbortController>();
  /** The rules each window named in `hello`; absent: the daemon's own. */
  const windowRules = new Map<WebSocket, RulesManager>();
  const rulesOf = (ws: WebSocket): RulesManager => windowRules.get(ws) ?? ctx.rules.home;

  const open = (client: WebSocket) => client.readyState === client.OPEN && client.bufferedAmount < SLOW_CLIENT_BYTES;
  const broadcast = <E extends EventName>(event: E, data: Events[E]) => {
    const frame = JSON.stringify({ event, data });
    for (const client of wss.clients) if (open(client)) client.send(frame);
  };
  /** Health lists the models of each window's own rules. */
  const broadcastHealth = () => {
    for (const client of wss.clients) if (open(client)) client.send(JSON.stringify({ event: 'health.changed', data: ctx.engine.health(rulesOf(client).current) }));
  };
  ctx.engine.on('spend', (entry) => broadcast('spend.updated', { entry }));
  ctx.engine.on('health', broadcastHealth);

  const send = (ws: WebSocket, payload: unknown) => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload)); };

  const escalation = (from: string, rules: RulesManager['current']) => {
    const found = ctx.engine.escalationFor(from, rules);
    if ('error' in found) throw new MethodError(ErrorCodes.badRequest, found.error);
    return found;
  };

  // Params were checked against PARAMS before a handler runs.
  const request = (p: { request: RouteRequest }): RouteRequest => p.request;
  const text = (p: { text: string }): string => p.text;

  const methods: { [M in MethodName]: (params: Params<M>, ws: WebSocket) => Result<M> | Promise<Result<M>> } = {
    hello: async (p, ws) => {
      let rules = ctx.rules.home;
      let rulesError: string | undefined;
      try {
        rules = await ctx.rules.acquire(p.rulesFile);
      } catch (e) {
        rulesError = `${p.rulesFile} is not used: ${(e as Error).message}`;
        ctx.log.warn(`ws: ${rulesError}`);
      }
      // The window may have gone while its rules loaded.
      if (ws.readyState !== ws.OPEN) { ctx.rules.release(rules); return { protocol: PROTOCOL_VERSION, daemonVersion: ctx.version, rulesFile: rules.state.file }; }
      const before = windowRules.get(ws);
      windowRules.set(ws, rules);
      if (before) {
        ctx.rules.release(before);
        // A window that names other rules on a live connection hears about them as about any change.
        if (before !== rules) setImmediate(() => send(ws, { event: 'rules.changed', data: rules.state }));
      }
      return { protocol: PROTOCOL_VERSION, daemonVersion: ctx.version, rulesFile: rules.state.file, ...(rulesError ? { rulesError } : {}) };
    },
    'route.preview': (p, ws) => {
      const rules = rulesOf(ws).current;
      return ctx.engine.preview(request(p), p.escalateFrom === undefined ? undefined : escalation(p.escalateFrom, rules), rules);
    },
    complete: (p, ws) => {
      const req = request(p);
      const rules = rulesOf(ws).current;
      // Resolved before anything starts: an escalation that cannot go anywhere is this call's error, and nothing is sent.
      const forced = p.escalateFrom === undefined ? undefined : escalation(p.escalateFrom, rules);
      const requestId = `ws-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      const abort = new AbortController();
      running.set(requestId, abort);
      const push = <E extends EventName>(event: E, data: Events[E]) => send(ws, { event, data });
      void ctx.engine.complete(req, {
        stream: p.stream !== false, requestId, signal: abort.signal, rules, forced, escalatedFrom: p.escalateFrom,
        onDelta: (t) => {
          if (ws.readyState !== ws.OPEN) return;
          const frame = JSON.stringify({ event: 'complete.delta', data: { requestId, text: t } });
          if (ws.bufferedAmount <= STREAM_HIGH_WATER_BYTES) { ws.send(frame); return; }
          // Backpressure: the next upstream event waits until the socket has taken this frame (and all before it);
          // dispatch ends the stream if that takes longer than its stall limit. An error (closed socket) also settles.
          return new Promise<void>((resolve) => ws.send(frame, () => resolve()));
        },
        onFallback: (from, to) => push('complete.fallback', { requestId, from, to }),
      }).then(
        (result) => push('complete.done', result),
        (e) => {
          if (e instanceof CompletionError) push('complete.error', { requestId, code: e.code, message: e.message, partialText: e.partialText, attempts: e.attempts });
          else { ctx.log.error(`complete failed: ${(e as Error).stack}`); push('complete.error', { requestId, code: ErrorCodes.internal, message: (e as Error).message, partialText: '', attempts: [] }); }
        },
      ).finally(() => running.delete(requestId));
      return { requestId };
    },
    cancel: (p) => {
      const c = running.get(p.requestId);
      c?.abort();
      return { cancelled: !!c };
    },
    'rules.get': (_p, ws) => rulesOf(ws).state,
    'rules.validate': async (p, ws) => ({ issues: await rulesOf(ws).validate(text(p)) }),
    'rules.save': (p, ws) => rulesOf(ws).save(text(p)),
    'rules.dryRun': async (p, ws) => {
      const draft = await parseRulesAsync(text(p), rulesOf(ws).file ?? 'draft');
      if (!draft.rules || hasErrors(draft.issues)) return { issues: draft.issues, decision: null };
      const st = ctx.engine.state(draft.rules);
      const input = await ctx.engine.prepare(request(p), draft.rules);
      return { issues: draft.issues, decision: decide(input, draft.rules, st) };
    },
    replay: async (p, ws) => {
      if (!ctx.engine.ledger) throw new MethodError(ErrorCodes.internal, 'no ledger is open');
      const rules = p.text !== undefined ? await parseRulesAsync(p.text, 'draft') : { rules: rulesOf(ws).current, issues: [] };
      if (!rules.rules) throw new MethodError(ErrorCodes.invalidRules, `the draft has errors: ${rules.issues.filter((i) => i.severity === 'error').map((i) => `line ${i.line}: ${i.message}`).join('; ')}`);
      const since = p.sinceMs ?? Date.now() - 7 * 86_400_000;
      return replayReportAsync(ctx.engine.ledger, since, rules.rules, ctx.engine.state(rules.rules));
    },
    'spend.summary': (_p, ws) => {
      if (!ctx.engine.ledger) throw new MethodError(ErrorCodes.internal, 'no ledger is open');
      const b = rulesOf(ws).current.config.budgets;
      return ctx.engine.ledger.summary(Date.now(), { dailyUsd: b.dailyUsd, monthlyUsd: b.monthlyUsd });
    },
    'spend.recent': (p) => ctx.engine.ledger?.recent(p.limit ?? 50, p.conversation) ?? [],
    'spend.conversations': (p) => ctx.engine.ledger?.conversations(p.sinceMs ?? Date.now() - 7 * 86_400_000, p.limit ?? 50) ?? [],
    'providers.health': (_p, ws) => ctx.engine.health(rulesOf(ws).current),
    'feedback.mark': (p) => {
      if (!ctx.engine.ledger) throw new MethodError(ErrorCodes.internal, 'no ledger is open');
      const entry = ctx.engine.ledger.setFeedback(p.requestId, p.mark);
      if (!entry) throw new MethodError(ErrorCodes.badRequest, `no request ${JSON.stringify(p.requestId.slice(0, 200))} in the ledger (unknown id, or pruned)`);
      broadcast('spend.changed', { entry });
      return { entry };
    },
    'keys.set': (p) => {
      // The adapter pool keys clients by provider and key, so the next request uses the new key.
      ctx.engine.keys.set(p.provider, p.key);
      broadcastHealth();
      return { ok: true as const };
    },
  };

  wss.on('connection', (ws) => {
    ws.on('message', async (raw) => {
      // Any JSON value may arrive: it is checked for shape before a single field is read.
      let frame: unknown;
      try { frame = JSON.parse(raw.toString()); } catch { return send(ws, { id: null, error: { code: ErrorCodes.badRequest, message: 'frame is not JSON' } }); }
      if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) {
        return send(ws, { id: null, error: { code: ErrorCodes.badRequest, message: `a frame must be an object { "id", "method", "params" }, not ${frame === null ? 'null' : Array.isArray(frame) ? 'an array' : `a ${typeof frame}`}` } });
      }
      const { id: rawId, method, params } = frame as { id?: unknown; method?: unknown; params?: unknown };
      const id = typeof rawId === 'string' || (typeof rawId === 'number' && Number.isFinite(rawId)) ? rawId : null;
      if (id === null) return send(ws, { id: null, error: { code: ErrorCodes.badRequest, message: 'a request needs an "id" (string or number)' } });
      const name = typeof method === 'string' && Object.hasOwn(methods, method) ? (method as MethodName) : undefined;
      if (!name) return send(ws, { id, error: { code: ErrorCodes.unknownMethod, message: `unknown method ${typeof method === 'string' ? JSON.stringify(method.slice(0, 80)) : `(a ${method === null ? 'null' : Array.isArray(method) ? 'list' : typeof method}, not a name)`}; methods: ${Object.keys(methods).join(', ')}` } });
      const checked = PARAMS[name].safeParse(params ?? {});
      if (!checked.success) return send(ws, { id, error: { code: ErrorCodes.badRequest, message: `${name}: ${describeIssues(checked.error.issues, 'params')}` } });
      try {
        const result = await (methods[name] as (p: unknown, ws: WebSocket) => unknown)(checked.data, ws);
        send(ws, { id, result });
      } catch (e) {
        const code = e instanceof MethodError ? e.code : ErrorCodes.internal;
        if (!(e instanceof MethodError)) ctx.log.error(`ws ${name} failed: ${(e as Error).stack}`);
        send(ws, { id, error: { code, message: (e as Error).message } });
      }
    });
    ws.on('error', (e) => ctx.log.warn(`ws client error: ${e.message}`));
    ws.on('close', () => {
      const rules = windowRules.get(ws);
      windowRules.delete(ws);
      if (rules) ctx.rules.release(rules);
    });
  });

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      const denied = req.url?.split('?')[0] !== '/ws' ? { status: 404, reason: 'WebSocket endpoint is /ws' } : checkRequest(req, ctx.token, true);
      if (denied) {
        socket.end(`HTTP/1.1 ${denied.status} ${denied.status === 401 ? 'Unauthorized' : denied.status === 403 ? 'Forbidden' : 'Not Found'}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${denied.reason}\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    /** Rules in use changed (a reload or a save): tell the windows that use them. */
    rulesChanged(manager: RulesManager, snapshot: RulesSnapshot) {
      const frame = JSON.stringify({ event: 'rules.changed', data: snapshot });
      for (const client of wss.clients) if (open(client) && rulesOf(client) === manager) client.send(frame);
      broadcastHealth();
    },
    cancelAll() { for (const c of running.values()) c.abort(); },
    close() { for (const c of wss.clients) c.terminate(); wss.close(); },
    get clients() { return wss.clients.size; },
  };
}

export type { Methods };
