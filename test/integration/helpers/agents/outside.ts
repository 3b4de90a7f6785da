/**
 * The network closed but loopback: a proxy on 127.0.0.1 that refuses every request and CONNECT and records the host
 * that was asked for. The agents are started with HTTP(S)_PROXY pointing at it and NO_PROXY naming loopback only,
 * so whatever an agent tries to reach besides Switchyard (telemetry, update checks, plugin installs) fails at once
 * instead of hanging on a closed network, and the test can say what it tried.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface OutsideTrap {
  url: string;
  /** Hosts (host:port) the agent tried to reach, in order. */
  attempts: string[];
  /** The proxy and no-proxy variables for the agent's environment. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startOutsideTrap(): Promise<OutsideTrap> {
  const attempts: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    attempts.push(new URL(req.url ?? '/', 'http://unknown').host);
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('the network is closed in this test');
  });
  server.on('connection', (s) => { sockets.add(s); s.on('error', () => {}); s.once('close', () => sockets.delete(s)); });
  server.on('connect', (req, socket: Socket) => {
    attempts.push(req.url ?? '?');
    socket.on('error', () => {}); // an agent that gives up mid-answer resets the socket
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const noProxy = '127.0.0.1,localhost,::1';
  return {
    url,
    attempts,
    env: { HTTP_PROXY: url, HTTPS_PROXY: url, ALL_PROXY: url, http_proxy: url, https_proxy: url, all_proxy: url, NO_PROXY: noProxy, no_proxy: noProxy },
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}
