/**
 * The transport to the daemon: one WebSocket, request/reply by id, pushed events, and a reconnect loop with
 * exponential backoff. No `vscode` import — the extension wraps it in `connection.ts`, tests drive it against a
 * fake server on loopback.
 */
import WebSocket from 'ws';
import type { EventName, Events, MethodName, Params, Result } from '../../shared/protocol';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';

/** Where a daemon listens and how to authenticate. */
export interface Endpoint {
  url: string;
  token: string;
  pid?: number;
  version?: string;
}

/** The subset of VS Code's LogOutputChannel the client writes to. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Subscription {
  dispose(): void;
}

/** Error codes the client itself produces (the daemon's own are in shared/protocol ErrorCodes). */
export const ClientErrorCodes = {
  disconnected: 'E_DISCONNECTED',
  timeout: 'E_TIMEOUT',
  badFrame: 'E_BAD_FRAME',
} as const;

/** An error that crossed the wire, or a transport failure, with a machine-readable code. */
export class DaemonError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'DaemonError';
  }
}

export interface DaemonClientOptions {
  /** Finds (or starts) a daemon. Called before every connection attempt; throw when there is none yet. */
  resolve: () => Promise<Endpoint>;
  /**
   * Runs after every (re)connection while the socket is open but before `connected` turns true — the place for
   * `hello` and `keys.set`. Failures are logged, never fatal.
   */
  onConnect?: (client: DaemonClient, endpoint: Endpoint) => Promise<void>;
  backoff?: BackoffOptions;
  random?: () => number;
  /** Per-request reply timeout, ms (default 30 s). */
  requestTimeoutMs?: number;
  /** WebSocket handshake timeout, ms (default 5 s). */
  connectTimeoutMs?: number;
  log?: Logger;
}

export type ClientState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'disposed';

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export class DaemonClient {
  private socket: WebSocket | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private seq = 0;
  private attempt = 0;
  private running = false;
  private isConnected = false;
  private wake: (() => void) | null = null;
  private stateValue: ClientState = 'idle';
  private endpointValue: Endpoint | null = null;
  private readonly log: Logger;

  constructor(private readonly options: DaemonClientOptions) {
    this.log = options.log ?? silent;
  }

  get connected(): boolean {
    return this.isConnected;
  }

  get state(): ClientState {
    return this.stateValue;
  }

  /** The endpoint of the current connection, or null. */
  get endpoint(): Endpoint | null {
    return this.isConnected ? this.endpointValue : null;
  }

  /** Starts the connect loop (idempotent). */
  start(): void {
    if (this.running || this.stateValue === 'disposed') return;
    this.running = true;
    void this.loop();
  }

  /** Drops the current connection (if any) and tries again at once, with the backoff reset. */
  reconnect(): void {
    this.attempt = 0;
    const socket = this.socket;
    if (socket) socket.close(1000, 'reconnect');
    this.wake?.();
  }

  /** Stops for good: closes the socket, rejects pending requests, stops reconnecting. */
  dispose(): void {
    this.running = false;
    this.stateValue = 'disposed';
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'client disposed');
    this.failPending(new DaemonError(ClientErrorCodes.disconnected, 'client disposed'));
    this.setConnected(false);
    this.wake?.();
    this.listeners.clear();
    this.connectionListeners.clear();
  }

  request<M extends MethodName>(method: M, params: Params<M>, timeoutMs = this.options.requestTimeoutMs ?? 30_000): Promise<Result<M>> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new DaemonError(ClientErrorCodes.disconnected, `not connected to the Switchyard daemon (${method})`));
    }
    const id = ++this.seq;
    return new Promise<Result<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DaemonError(ClientErrorCodes.timeout, `${method}: no reply from the daemon within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
      socket.send(JSON.stringify({ id, method, params }), (err) => {
        if (!err) return;
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        clearTimeout(p.timer);
        reject(new DaemonError(ClientErrorCodes.disconnected, `${method}: ${err.message}`));
      });
    });
  }

  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): Subscription {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const fn = listener as (data: unknown) => void;
    set.add(fn);
    return { dispose: () => void this.listeners.get(event)?.delete(fn) };
  }

  onDidChangeConnection(listener: (connected: boolean) => void): Subscription {
    this.connectionListeners.add(listener);
    return { dispose: () => void this.connectionListeners.delete(listener) };
  }

  private async loop(): Promise<void> {
    while (this.running) {
      // Only a connection that got through the handshake resets the backoff: a daemon that accepts and drops
      // us at once (bad token, shutting down) must not cause a tight loop.
      let established = false;
      try {
        this.stateValue = 'connecting';
        const endpoint = await this.options.resolve();
        if (!this.running) break;
        const { socket, closed } = await this.open(endpoint);
        if (!this.running) {
          socket.close(1000, 'client disposed');
          break;
        }
        this.socket = socket;
        this.endpointValue = endpoint;
        this.log.debug(`connected to ${endpoint.url}`);
        if (this.options.onConnect) {
          try {
            await this.options.onConnect(this, endpoint);
          } catch (err) {
            this.log.warn(`after connecting: ${errorMessage(err)}`);
          }
        }
        if (this.socket === socket && socket.readyState === WebSocket.OPEN) {
          established = true;
          this.attempt = 0;
          this.stateValue = 'connected';
          this.setConnected(true);
        }
        await closed;
      } catch (err) {
        this.log.debug(`connect attempt ${this.attempt + 1} failed: ${errorMessage(err)}`);
      }
      if (!this.running) break;
      const delay = backoffDelay(established ? 0 : this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
      this.stateValue = 'waiting';
      if (established) this.log.info(`connection to the daemon lost; reconnecting in ${delay} ms`);
      await this.sleep(delay);
    }
    if (this.stateValue !== 'disposed') this.stateValue = 'idle';
  }

  private open(endpoint: Endpoint): Promise<{ socket: WebSocket; closed: Promise<void> }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(endpoint.url, {
        headers: { Authorization: `Bearer ${endpoint.token}` },
        handshakeTimeout: this.options.connectTimeoutMs ?? 5_000,
        perMessageDeflate: false,
      });
      let settled = false;
      let markClosed: () => void = () => {};
      const closed = new Promise<void>((r) => (markClosed = r));
      socket.on('error', (err) => {
        if (!settled) {
          settled = true;
          reject(err);
        } else {
          this.log.debug(`socket error: ${err.message}`);
        }
      });
      socket.on('close', (code, reason) => {
        if (!settled) {
          settled = true;
          reject(new Error(`closed during handshake (${code} ${reason.toString()})`));
        }
        this.onClose(socket, code);
        markClosed();
      });
      socket.on('message', (data) => this.onMessage(data));
      socket.on('open', () => {
        if (settled) return;
        settled = true;
        resolve({ socket, closed });
      });
    });
  }

  private onClose(socket: WebSocket, code: number): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.log.debug(`socket closed (${code})`);
    this.failPending(new DaemonError(ClientErrorCodes.disconnected, 'the connection to the daemon closed'));
    this.setConnected(false);
  }

  private onMessage(data: WebSocket.RawData): void {
    let frame: { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown }; event?: unknown; data?: unknown };
    try {
      frame = JSON.parse(data.toString());
    } catch {
      this.log.warn('ignored a frame that is not JSON');
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    if (typeof frame.event === 'string') {
      for (const listener of [...(this.listeners.get(frame.event) ?? [])]) {
        try {
          listener(frame.data);
        } catch (err) {
          this.log.error(`listener for ${frame.event} threw: ${errorMessage(err)}`);
        }
      }
      return;
    }
    if (typeof frame.id === 'number' || typeof frame.id === 'string') {
      const id = Number(frame.id);
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      clearTimeout(p.timer);
      if (frame.error) {
        const code = typeof frame.error.code === 'string' ? frame.error.code : 'E_INTERNAL';
        const message = typeof frame.error.message === 'string' ? frame.error.message : `${p.method} failed`;
        p.reject(new DaemonError(code, message));
      } else {
        p.resolve(frame.result);
      }
    }
  }

  private failPending(error: DaemonError): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(error);
    }
  }

  private setConnected(value: boolean): void {
    if (this.isConnected === value) return;
    this.isConnected = value;
    if (!value && this.stateValue === 'connected') this.stateValue = 'waiting';
    for (const listener of [...this.connectionListeners]) {
      try {
        listener(value);
      } catch (err) {
        this.log.error(`connection listener threw: ${errorMessage(err)}`);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export function errorCode(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;
}
