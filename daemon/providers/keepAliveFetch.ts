/**
 * The upstream transport the provider SDKs send through: `fetch` on node:http(s) keep-alive agents.
 * Measured in bench/ab.ts against undici's fetch: 0.77× the daemon's CPU per request (see docs/BENCHMARKS.md);
 * bench/fetchCheck.ts checks both SDKs against every mock fault with both transports.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

const agents = {
  http: new HttpAgent({ keepAlive: true, keepAliveMsecs: 30_000, scheduling: 'lifo' }),
  https: new HttpsAgent({ keepAlive: true, keepAliveMsecs: 30_000, scheduling: 'lifo' }),
};
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);

/** What undici's fetch rejects or errors a body with, so error handling downstream sees the same shapes. */
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
const terminated = (cause: unknown) => new TypeError('terminated', { cause });
const abortReason = (signal: AbortSignal) => signal.reason ?? new DOMException('This operation was aborted', 'AbortError');

/**
 * `fetch` for the provider SDKs on node:http(s) keep-alive agents. The SDKs call fetch once per upstream request
 * with a string URL, a method, headers and a string body; undici's fetch spends a large share of the daemon's
 * per-request CPU on WebIDL conversions, header guards and stream plumbing around that. This sends the same
 * request on a pooled keep-alive socket and resolves, at the response headers like fetch, with a standard
 * `Response` whose body streams the upstream bytes (decompressed, like fetch). Aborts reject with the signal's
 * reason; connection failures with `TypeError('fetch failed', { cause })`; a body cut short errors the stream
 * with `TypeError('terminated')` — the shapes undici uses. Anything unusual (a Request object, a streaming
 * request body, a non-http(s) URL, a redirect) is handed to the global fetch.
 */
export const keepAliveFetch: typeof fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : null;
  const body = init?.body;
  if (url === null || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) return fetch(input, init);
  const https = url.startsWith('https:');
  if (!https && !url.startsWith('http:')) return fetch(input, init);
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortReason(signal));

  const headers: Record<string, string> = {};
  if (init?.headers) new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
  if (body != null && headers['content-length'] === undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  const options: RequestOptions = { method: init?.method ?? 'GET', headers, agent: https ? agents.https : agents.http };

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    let res: IncomingMessage | undefined;
    let fail: ((e: unknown) => void) | undefined; // errors the body stream once the Response exists
    const onAbort = () => {
      const reason = abortReason(signal!);
      req.destroy();
      res?.destroy();
      if (!settled) { settled = true; reject(reason); } else fail?.(reason);
    };
    const done = () => signal?.removeEventListener('abort', onAbort);
    const req = (https ? httpsRequest : httpRequest)(url, options, (incoming) => {
      res = incoming;
      const status = incoming.statusCode ?? 0;
      if (REDIRECT.has(status)) {
        incoming.resume();
        done();
        settled = true;
        fetch(input, init).then(resolve, reject);
        return;
      }
      const responseHeaders = new Headers();
      const raw = incoming.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) responseHeaders.append(raw[i], raw[i + 1]);
      const encoding = String(incoming.headers['content-encoding'] ?? '').trim().toLowerCase();
      const source = encoding === 'gzip' || encoding === 'x-gzip' ? incoming.pipe(createGunzip())
        : encoding === 'deflate' ? incoming.pipe(createInflate())
          : encoding === 'br' ? incoming.pipe(createBrotliDecompress())
            : incoming;
      let stream: ReadableStream<Uint8Array> | null = null;
      if (!NULL_BODY.has(status) && options.method !== 'HEAD') {
        let open = true; // false once the stream is closed, errored or cancelled: no controller call after that
        stream = new ReadableStream<Uint8Array>({
          start(controller) {
            fail = (e) => { if (open) { open = false; done(); controller.error(e); } };
            source.on('data', (chunk: Buffer) => {
              if (!open) return;
              controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
              if ((controller.desiredSize ?? 1) <= 0) source.pause();
            });
            source.once('end', () => { if (open) { open = false; done(); controller.close(); } });
            source.once('error', (e) => fail!(terminated(e)));
            incoming.once('close', () => { if (!incoming.complete) fail!(terminated(new Error('other side closed'))); });
          },
          pull() { source.resume(); },
          cancel() { open = false; done(); incoming.destroy(); },
        }, { highWaterMark: 1 });
      } else {
        incoming.resume();
        done();
      }
      const response = new Response(stream, { status, statusText: incoming.statusMessage ?? '', headers: responseHeaders });
      Object.defineProperty(response, 'url', { value: url });
      settled = true;
      resolve(response);
    });
    req.setNoDelay(true);
    req.once('error', (e) => {
      done();
      if (!settled) { settled = true; reject(fetchFailed(e)); } else fail?.(terminated(e));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body ?? undefined);
  });
};
