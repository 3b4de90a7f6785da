/** Reading a JSON request body with a size limit, and turning bad bodies into precise messages. */
import type { IncomingMessage } from 'node:http';

export class BodyError extends Error {
  constructor(readonly status: 400 | 413, message: string) { super(message); }
}

export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) {
    req.resume();
    throw new BodyError(413, `request body of ${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  // A declared length gets its buffer up front, filled chunk by chunk: no 20 ms concat of a 30 MB body at the end.
  const whole = Number.isSafeInteger(declared) && declared > 0 ? Buffer.allocUnsafe(declared) : null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const c = chunk as Buffer;
    if (size + c.length > maxBytes) {
      req.resume();
      throw new BodyError(413, `request body is over the ${maxBytes}-byte limit`);
    }
    if (!whole) chunks.push(c);
    else if (size + c.length <= whole.length) c.copy(whole, size);
    else { req.resume(); throw new BodyError(400, 'the request body is longer than its content-length'); }
    size += c.length;
  }
  const bytes = whole ? whole.subarray(0, size) : Buffer.concat(chunks);
  // A large body is decoded and parsed in separate turns of the event loop (each ≈1 ms per MB), so that a
  // /health or a WebSocket frame waits for one of them, not for both.
  const large = bytes.length > YIELD_ABOVE_BYTES;
  if (large) await new Promise((r) => setImmediate(r));
  const text = bytes.toString('utf8');
  if (!text.trim()) throw new BodyError(400, 'the request body is empty; send a JSON object');
  if (large) await new Promise((r) => setImmediate(r));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new BodyError(400, `malformed JSON in the request body: ${(e as Error).message}`);
  }
  if (nestsDeeper(body, MAX_BODY_DEPTH)) throw new BodyError(400, `the request body nests deeper than ${MAX_BODY_DEPTH} levels; no API request needs that`);
  return body;
}

/**
 * JSON parses any depth, but everything after it — serialising the body for the upstream, reading a tool's input —
 * recurses: a 12 KB body nested 5,000 deep overflowed the stack there. Real requests (tool schemas included) stay
 * within a few dozen levels.
 */
export const MAX_BODY_DEPTH = 100;

/** Whether any value sits more than `max` objects or arrays deep. Iterative, and free for strings and numbers. */
export function nestsDeeper(root: unknown, max: number): boolean {
  const values: unknown[] = [root];
  const depths: number[] = [0];
  while (values.length) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) { values.push(child); depths.push(depth + 1); }
    }
  }
  return false;
}

/** Bodies above this size yield to the event loop between decoding and parsing. */
const YIELD_ABOVE_BYTES = 1024 * 1024;
