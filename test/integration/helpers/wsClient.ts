/** The protocol client for tests: the CLI's DaemonSocket, plus every event collected and awaitable. */
import type { EventName, Events, MethodName, Params, Result } from '../../../shared/protocol';
import { DaemonSocket } from '../../../daemon/cli/socket';

export class TestClient {
  readonly events: { event: EventName; data: unknown }[] = [];
  private waiters: { match: (e: { event: EventName; data: unknown }) => boolean; resolve: (e: unknown) => void }[] = [];

  private constructor(private readonly socket: DaemonSocket) {
    socket.onEvent((event, data) => {
      const frame = { event, data };
      this.events.push(frame);
      this.waiters = this.waiters.filter((w) => (w.match(frame) ? (w.resolve(data), false) : true));
    });
  }

  static async connect(port: number, token: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new TestClient(await DaemonSocket.connect(port, token, headers));
  }

  get ws() { return this.socket.ws; }

  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    return this.socket.request(method, params);
  }

  sendRaw(text: string) { this.socket.ws.send(text); }

  next<E extends EventName>(event: E, match: (d: Events[E]) => boolean = () => true, timeoutMs = 10_000): Promise<Events[E]> {
    const seen = this.events.find((e) => e.event === event && match(e.data as Events[E]));
    if (seen) return Promise.resolve(seen.data as Events[E]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ match: (e) => e.event === event && match(e.data as Events[E]), resolve: (d) => { clearTimeout(timer); resolve(d as Events[E]); } });
    });
  }

  close() { this.socket.close(); }
}
