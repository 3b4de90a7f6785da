/**
 * The daemon's tokenizer thread (dist/tokenWorker.js): owns tiktoken so that counting a large body never blocks
 * the event loop, and so that its WASM memory (≈70 MB, which never shrinks) is returned when workerCounter.ts
 * stops the thread after an idle period. One message in, one out, in order; asked, it sends its vocabulary as typed
 * arrays (ranks.ts) so that the main thread can count small texts without it.
 */
import { parentPort } from 'node:worker_threads';
import type { Encoding } from '../../shared/catalog';
import { buildRankTable, type RankTable } from './ranks';
import { countTokens, tokenBytesOf, warmTokenizer } from './tokens';

export type TokenWorkerRequest =
  | { id: number; kind: 'count'; encoding: Encoding; texts: string[] }
  | { id: number; kind: 'warm'; encodings: Encoding[] }
  /** The vocabulary as typed arrays (ranks.ts), so the main thread can count small texts itself. */
  | { id: number; kind: 'ranks'; encoding: Encoding }
  /** Vocabularies handed back as the worker is stopped, so their memory goes with it (no reply). */
  | { id: number; kind: 'release' };

export type TokenWorkerReply = { id: number; counts: number[] } | { id: number; ranks: RankTable } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('tokenWorker.ts runs as a worker thread (see workerCounter.ts)');
port.on('message', (m: TokenWorkerRequest) => {
  let reply: TokenWorkerReply;
  if (m.kind === 'release') return;
  try {
    if (m.kind === 'ranks') {
      const ranks = buildRankTable(tokenBytesOf(m.encoding));
      // Transferred, not copied: the buffers move to the main thread.
      port.postMessage({ id: m.id, ranks } satisfies TokenWorkerReply, [ranks.bytes, ranks.offsets, ranks.slots].map((a) => a.buffer as ArrayBuffer));
      return;
    }
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
