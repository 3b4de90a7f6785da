/**
 * The editor's channel: JSON frames over one authenticated WebSocket per window. Requests get replies by id;
 * engine events are pushed to every client, rules events to the clients using those rules. Each window routes
 * by the rules it named in `hello` (RulesRegistry). A slow client loses events rather than slowing others.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ErrorCodes, PROTOCOL_VERSION, type EventName, type Events, type MethodName, type Methods, type Params, type Result, type RulesSnapshot } from '../../shared/protocol';
import { RouteRequestInput } from '../../shared/config';
import type { RouteRequest } from '../../shared/decision';
import { CompletionError, type Engine } from '../engine';
import type { Logger } from '../log';
import { parseRules, hasErrors } from '../rules/load';
import type { RulesManager } from '../rules/manager';
import type { RulesRegistry } from '../rules/registry';
import { decide } from '../router/decide';
import { replayReport } from '../reports';
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

  const request = (p: unknown): RouteRequest => {
    const r = RouteRequestInput.safeParse((p as { request?: unknown } | undefined)?.request);
    if (!r.success) throw new MethodError(ErrorCodes.badRequest, `params.request: ${r.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}`);
    return r.data;
  };
  const text = (p: unknown): string => {
    const t = (p as { text?: unknown } | undefined)?.text;
    if (typeof t !== 'string') throw new MethodError(ErrorCodes.badRequest, 'params.text must be the rules file text');
    return t;
  };

  const methods: { [M in MethodName]: (params: Params<M>, ws: WebSocket) => Result<M> | Promise<Result<M>> } = {
    hello: (p, ws) => {
      let rules = ctx.rules.home;
      let rulesError: string | undefined;
      if (p?.rulesFile !== undefined && p.rulesFile !== null && typeof p.rulesFile !== 'string') throw new MethodError(ErrorCodes.badRequest, 'params.rulesFile must be a path or null');
      try {
        rules = ctx.rules.acquire(p?.rulesFile);
      } catch (e) {
        rulesError = `${p?.rulesFile} is not used: ${(e as Error).message}`;
        ctx.log.warn(`ws: ${rulesError}`);
      }
      const before = windowRules.get(ws);
      windowRules.set(ws, rules);
      if (before) {
        ctx.rules.release(before);
        // A window that names other rules on a live connection hears about them as about any change.
        if (before !== rules) setImmediate(() => send(ws, { event: 'rules.changed', data: rules.state }));
      }
      return { protocol: PROTOCOL_VERSION, daemonVersion: ctx.version, rulesFile: rules.state.file, ...(rulesError ? { rulesError } : {}) };
    },
    'route.preview': (p, ws) => ctx.engine.preview(request(p), undefined, rulesOf(ws).current),
    complete: (p, ws) => {
      const req = request(p);
      const requestId = `ws-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      const abort = new AbortController();
      running.set(requestId, abort);
      const push = <E extends EventName>(event: E, data: Events[E]) => send(ws, { event, data });
      void ctx.engine.complete(req, {
        stream: p.stream !== false, requestId, signal: abort.signal, rules: rulesOf(ws).current,
        onDelta: (t) => push('complete.delta', { requestId, text: t }),
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
      const c = running.get(p?.requestId);
      c?.abort();
      return { cancelled: !!c };
    },
    'rules.get': (_p, ws) => rulesOf(ws).state,
    'rules.validate': (p, ws) => ({ issues: rulesOf(ws).validate(text(p)) }),
    'rules.save': (p, ws) => rulesOf(ws).save(text(p)),
    'rules.dryRun': async (p, ws) => {
      const draft = parseRules(text(p), rulesOf(ws).file ?? 'draft');
      if (!draft.rules || hasErrors(draft.issues)) return { issues: draft.issues, decision: null };
      const st = ctx.engine.state(draft.rules);
      const input = await ctx.engine.prepare(request(p), draft.rules);
      return { issues: draft.issues, decision: decide(input, draft.rules, st) };
    },
    replay: (p, ws) => {
      if (!ctx.engine.ledger) throw new MethodError(ErrorCodes.internal, 'no ledger is open');
      const rules = typeof p?.text === 'string' ? parseRules(p.text, 'draft') : { rules: rulesOf(ws).current, issues: [] };
      if (!rules.rules) throw new MethodError(ErrorCodes.invalidRules, `the draft has errors: ${rules.issues.filter((i) => i.severity === 'error').map((i) => `line ${i.line}: ${i.message}`).join('; ')}`);
      const since = typeof p?.sinceMs === 'number' ? p.sinceMs : Date.now() - 7 * 86_400_000;
      return replayReport(ctx.engine.ledger, since, rules.rules, ctx.engine.state(rules.rules));
    },
    'spend.summary': (_p, ws) => {
      if (!ctx.engine.ledger) throw new MethodError(ErrorCodes.internal, 'no ledger is open');
      const b = rulesOf(ws).current.config.budgets;
      return ctx.engine.ledger.summary(Date.now(), { dailyUsd: b.dailyUsd, monthlyUsd: b.monthlyUsd });
    },
    'spend.recent': (p) => ctx.engine.ledger?.recent(Math.min(Math.max(Number(p?.limit) || 50, 1), 500)) ?? [],
    'providers.health': (_p, ws) => ctx.engine.health(rulesOf(ws).current),
    'keys.set': (p) => {
      if (typeof p?.provider !== 'string' || (p.key !== null && typeof p.key !== 'string')) throw new MethodError(ErrorCodes.badRequest, 'params: { provider: string, key: string | null }');
      // The adapter pool keys clients by provider and key, so the next request uses the new key.
      ctx.engine.keys.set(p.provider, p.key);
      broadcastHealth();
      return { ok: true as const };
    },
  };

  wss.on('connection', (ws) => {
    ws.on('message', async (raw) => {
      let frame: { id?: unknown; method?: unknown; params?: unknown };
      try { frame = JSON.parse(raw.toString()); } catch { return send(ws, { id: null, error: { code: ErrorCodes.badRequest, message: 'frame is not JSON' } }); }
      const id = typeof frame.id === 'string' || typeof frame.id === 'number' ? frame.id : null;
      const handler = typeof frame.method === 'string' && Object.hasOwn(methods, frame.method) ? methods[frame.method as MethodName] : undefined;
      if (id === null) return send(ws, { id: null, error: { code: ErrorCodes.badRequest, message: 'a request needs an "id" (string or number)' } });
      if (!handler) return send(ws, { id, error: { code: ErrorCodes.unknownMethod, message: `unknown method "${String(frame.method)}"; methods: ${Object.keys(methods).join(', ')}` } });
      try {
        const result = await (handler as (p: unknown, ws: WebSocket) => unknown)(frame.params ?? {}, ws);
        send(ws, { id, result });
      } catch (e) {
        const code = e instanceof MethodError ? e.code : ErrorCodes.internal;
        if (!(e instanceof MethodError)) ctx.log.error(`ws ${String(frame.method)} failed: ${(e as Error).stack}`);
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
