/** The daemon's WebSocket protocol from the command line (and the tests): typed requests by id, pushed events. */
import WebSocket from 'ws';
import type { EventName, Events, MethodName, Params, Result } from '../../shared/protocol';

export class ProtocolError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

type Listener = (event: EventName, data: unknown) => void;

export class DaemonSocket {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<Listener>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if ('event' in frame) {
        for (const l of this.listeners) l(frame.event, frame.data);
        return;
      }
      const p = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      if (frame.error) p?.reject(new ProtocolError(frame.error.code, frame.error.message));
      else p?.resolve(frame.result);
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new ProtocolError('E_CLOSED', 'the daemon closed the connection'));
      this.pending.clear();
    });
  }

  /** Rejects with `status` set when the daemon refuses the upgrade (401 bad token, 403 Origin or Host). */
  static connect(port: number, token: string, headers: Record<string, string> = {}): Promise<DaemonSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}`, ...headers } });
      ws.once('open', () => resolve(new DaemonSocket(ws)));
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

  /** Every pushed event; returns an unsubscribe. */
  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void {
    return this.onEvent((name, data) => { if (name === event) listener(data as Events[E]); });
  }

  close(): void { this.ws.close(); }
}
