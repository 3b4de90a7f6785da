/**
 * The floor: a bare node:http relay with none of a gateway's work — it reads the body, forwards it unchanged on a
 * keep-alive agent to the upstream's /chat/completions and relays the answer (plain: buffered, with its length;
 * SSE: piped as it arrives). What any Node proxy pays on this machine for the two extra HTTP hops (the kernel's
 * loopback writes, Node's HTTP parsing and writing), so the proxy and streaming tables can say how much of what
 * Switchyard adds is that and how much is its own. Run by bench/paths.ts as a child process:
 *   node --require tsx/cjs bench/relay.ts --upstream http://127.0.0.1:PORT/v1 --key sk-…
 * Prints `{"ready":true,"port":N}` once it listens on 127.0.0.1.
 */
import { Agent, createServer, request } from 'node:http';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`bench/relay.ts: --${name} is required`);
  return process.argv[i + 1];
}

const upstream = new URL(arg('upstream'));
const authorization = `Bearer ${arg('key')}`;
const agent = new Agent({ keepAlive: true, keepAliveMsecs: 30_000 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const up = request({
      host: upstream.hostname, port: upstream.port, path: `${upstream.pathname}/chat/completions`, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': body.length, authorization },
    }, (answer) => {
      const type = String(answer.headers['content-type'] ?? 'application/json');
      if (type.includes('event-stream')) {
        res.writeHead(answer.statusCode ?? 502, { 'content-type': type, 'cache-control': 'no-cache' });
        answer.pipe(res);
        return;
      }
      const out: Buffer[] = [];
      answer.on('data', (c: Buffer) => out.push(c));
      answer.on('end', () => {
        const b = Buffer.concat(out);
        res.writeHead(answer.statusCode ?? 502, { 'content-type': type, 'content-length': b.length });
        res.end(b);
      });
    });
    up.setNoDelay(true);
    up.on('error', (e) => { res.writeHead(502, { 'content-type': 'text/plain' }); res.end(e.message); });
    up.end(body);
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ ready: true, port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
