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
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      req.resume();
      throw new BodyError(413, `request body is over the ${maxBytes}-byte limit`);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) throw new BodyError(400, 'the request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BodyError(400, `malformed JSON in the request body: ${(e as Error).message}`);
  }
}
