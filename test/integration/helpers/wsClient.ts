/** A minimal protocol client for tests: typed requests, collected events. */
import WebSocket from 'ws';
import type { EventName, Events, MethodName, Params, Result } from '../../../shared/protocol';

export class TestClient {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error & { code?: string }) => void }>();
  readonly events: { event: EventName; data: unknown }[] = [];
  private waiters: { match: (e: { event: EventName; data: unknown }) => boolean; resolve: (e: unknown) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if ('event' in frame) {
        this.events.push(frame);
        this.waiters = this.waiters.filter((w) => (w.match(frame) ? (w.resolve(frame.data), false) : true));
        return;
      }
      const p = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      if (frame.error) p?.reject(Object.assign(new Error(frame.error.message), { code: frame.error.code }));
      else p?.resolve(frame.result);
    });
  }

  static connect(port: number, token: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}`, ...headers } });
      ws.once('open', () => resolve(new TestClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  sendRaw(text: string) { this.ws.send(text); }

  next<E extends EventName>(event: E, match: (d: Events[E]) => boolean = () => true, timeoutMs = 10_000): Promise<Events[E]> {
    const seen = this.events.find((e) => e.event === event && match(e.data as Events[E]));
    if (seen) return Promise.resolve(seen.data as Events[E]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ match: (e) => e.event === event && match(e.data as Events[E]), resolve: (d) => { clearTimeout(timer); resolve(d as Events[E]); } });
    });
  }

  close() { this.ws.close(); }
}
