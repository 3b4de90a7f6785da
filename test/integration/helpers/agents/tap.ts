/**
 * A recording reverse proxy on loopback, put between a coding agent and the daemon: the agents are binaries whose
 * fetch cannot be wrapped, so this is how a test sees what an agent really sent (path with its query string,
 * headers, body) and the routing headers it got back (x-switchyard-*), which the agents never print. Answers are
 * piped through as they arrive, so streams stay streams.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TappedExchange {
  method: string;
  /** The path with its query string, as the agent sent it. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body, parsed (undefined when there was none or it was not JSON). */
  body: any;
  /** The daemon's answer: status and headers once they arrived, the body text (JSON or SSE) once it ended. */
  status?: number;
  responseHeaders?: IncomingHttpHeaders;
  responseText: string;
}

export interface Tap {
  /** http://127.0.0.1:PORT — give this to the agent instead of the daemon's url. */
  url: string;
  exchanges: TappedExchange[];
  close(): Promise<void>;
}

function parseJson(text: string): unknown {
  try { return text ? JSON.parse(text) : undefined; } catch { return undefined; }
}

export async function startTap(target: string): Promise<Tap> {
  const to = new URL(target);
  const exchanges: TappedExchange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const exchange: TappedExchange = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: parseJson(raw.toString('utf8')), responseText: '' };
      exchanges.push(exchange);
      const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (answer) => {
        exchange.status = answer.statusCode;
        exchange.responseHeaders = answer.headers;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const body: Buffer[] = [];
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', () => { exchange.responseText = Buffer.concat(body).toString('utf8'); });
        answer.pipe(res);
      });
      upstream.on('error', (e) => { res.writeHead(502, { 'content-type': 'text/plain' }); res.end(`tap: ${e.message}`); });
      upstream.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
