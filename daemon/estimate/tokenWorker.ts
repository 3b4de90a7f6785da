/**
 * The daemon's tokenizer thread (dist/tokenWorker.js): owns tiktoken so that counting a large body never blocks
 * the event loop, and so that its WASM memory (≈70 MB, which never shrinks) is returned when workerCounter.ts
 * stops the thread after an idle period. One message in, one out, in order.
 */
import { parentPort } from 'node:worker_threads';
import type { Encoding } from '../../shared/catalog';
import { countTokens, warmTokenizer } from './tokens';

export type TokenWorkerRequest =
  | { id: number; kind: 'count'; encoding: Encoding; texts: string[] }
  | { id: number; kind: 'warm'; encodings: Encoding[] };

export type TokenWorkerReply = { id: number; counts: number[] } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('tokenWorker.ts runs as a worker thread (see workerCounter.ts)');
port.on('message', (m: TokenWorkerRequest) => {
  let reply: TokenWorkerReply;
  try {
    if (m.kind === 'warm') {
      for (const e of m.encodings) warmTokenizer(e);
      reply = { id: m.id, counts: [] };
    } else {
      reply = { id: m.id, counts: m.texts.map((t) => countTokens(t, m.encoding)) };
    }
  } catch (e) {
    reply = { id: m.id, error: (e as Error).message };
  }
  port.postMessage(reply);
});
