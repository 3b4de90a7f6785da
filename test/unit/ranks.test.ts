// Counting without tiktoken (daemon/estimate/ranks.ts): the vocabulary as typed arrays and tiktoken's byte-pair
// merges in JavaScript give exactly the counts of tokens.ts countTokens, in both encodings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildRankTable, RankCounter } from '../../daemon/estimate/ranks';
import { countRoute, countTokens, countTokensDirect, tokenBytesOf } from '../../daemon/estimate/tokens';
import { MAIN_THREAD_CHARS, WorkerTokenCounter } from '../../daemon/estimate/workerCounter';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
}

/** Text that stresses the split and the merges: contractions, numbers, scripts, emoji, lone surrogates, long runs. */
const PARTS = [
  " don't", " IT'S", "We'LL", ' 12345678', '测试分词器的表现', '😀🚀✨👩‍👩‍👧', '  \n\n', '\t\tindent', ' foo.bar()', '=>{', '   x', ' ſ',
  '\r\n', ' Ünïcødé', ' ALLCAPS', 'camelCaseWord', ' <|endoftext|>', 'z'.repeat(300), ' '.repeat(270), '!!!???', '\u00a0nbsp', ' 3.14159',
  '\ud800', 'x\udc00y', 'ｆｕｌｌｗｉｄｔｈ', ' привет мир', ' مرحبا', ' नमस्ते', '\u0085\u2028', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  ' supercalifragilisticexpialidocious', '0x7fffffff', '\\u{1F600}', '////', '—…»«', ' e\u0301', '\ufeff',
];

function hostile(r: () => number, parts: number): string {
  let s = '';
  for (let i = 0; i < parts; i++) {
    s += r() < 0.15 ? String.fromCodePoint(Math.floor(r() * 0x2ffff)) : PARTS[Math.floor(r() * PARTS.length)];
    if (r() < 0.3) s += ` w${Math.floor(r() * 1e6).toString(36)}`;
  }
  return s;
}

const code = readFileSync(require.resolve('typescript/lib/typescript.js'), 'utf8');

for (const enc of ['o200k_base', 'cl100k_base'] as const) {
  describe(`RankCounter, ${enc}`, () => {
    const counter = new RankCounter(enc, buildRankTable(tokenBytesOf(enc)));

    it('counts hostile text as countTokens does', () => {
      const r = rng(enc === 'o200k_base' ? 1 : 2);
      for (let i = 0; i < 400; i++) {
        const t = hostile(r, 1 + Math.floor(r() * 60));
        assert.equal(counter.count(t), countTokens(t, enc), JSON.stringify(t.slice(0, 120)));
      }
    });

    it('counts real code and prose as tiktoken does (repeated pieces come from its cache)', () => {
      for (let i = 0; i < 300; i++) {
        const at = (i * 104_729) % (code.length - 2_000);
        const t = code.slice(at, at + 200 + (i % 7) * 250);
        assert.equal(counter.count(t), countTokensDirect(t, enc), `slice at ${at}`);
      }
      const prose = 'The quick brown fox jumps over the lazy dog. It\'s 3:45 pm — isn\'t it? «Voilà», said Zoë.';
      assert.equal(counter.count(prose), countTokensDirect(prose, enc));
    });

    it('counts long runs in chunks, as countTokens does', () => {
      for (const t of ['a'.repeat(5_000), ' '.repeat(1_000) + 'x', '😀'.repeat(700), `${'=-'.repeat(400)}\n`, 'x'.repeat(255) + '😀'.repeat(3)]) {
        assert.equal(counter.count(t), countTokens(t, enc), `${t.slice(0, 10)}… (${t.length})`);
      }
    });
  });
}

describe('buildRankTable', () => {
  it('holds every ordinary token of the vocabulary and no special one', () => {
    const table = buildRankTable(tokenBytesOf('cl100k_base'));
    assert.equal(table.offsets.length - 1, 100_256);
    assert.equal(new RankCounter('cl100k_base', table).count('<|endoftext|>'), countTokens('<|endoftext|>', 'cl100k_base'));
  });
});

describe('WorkerTokenCounter counting small texts on its own thread', () => {
  it('counts small new texts here once the worker sent its vocabulary, larger ones on the worker, all exactly', async () => {
    const c = new WorkerTokenCounter({ idleMs: 60_000 });
    try {
      c.warm(['o200k_base']);
      const r = rng(9);
      // The vocabulary arrives after the warm-up (≈1 s on the worker); until then counts go to the worker.
      for (let i = 0; c.countedHere === 0; i++) {
        assert.ok(i < 400, 'the worker never sent its vocabulary');
        const t = hostile(r, 10);
        assert.equal(await c.countText(t, 'o200k_base'), countTokens(t, 'o200k_base'));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const here = c.countedHere;
      for (let i = 0; i < 200; i++) {
        const req = { prompt: hostile(r, 20), system: hostile(r, 5), messages: [{ role: 'user' as const, content: hostile(r, 8) }] };
        assert.deepEqual(await c.countRoute(req, 'o200k_base'), countRoute(req, 'o200k_base'));
      }
      assert.equal(c.countedHere, here + 200, 'each of them was counted here');
      let big = '';
      while (big.length <= MAIN_THREAD_CHARS) big += hostile(r, 50);
      assert.equal(await c.countText(big, 'o200k_base'), countTokens(big, 'o200k_base'));
      assert.equal(c.countedHere, here + 200, 'a text over MAIN_THREAD_CHARS went to the worker');
    } finally {
      await c.close();
    }
  });

  it('keeps its worker while it counts here, and drops the vocabulary with it when idle', async () => {
    const c = new WorkerTokenCounter({ idleMs: 300 });
    try {
      c.warm(['o200k_base']);
      const r = rng(4);
      while (c.countedHere === 0) { await c.countText(hostile(r, 5), 'o200k_base'); await new Promise((resolve) => setTimeout(resolve, 20)); }
      for (let i = 0; i < 8; i++) { // 8 × 100 ms of counting here, past the idle period
        await c.countText(hostile(r, 5), 'o200k_base');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(c.running, true, 'counting here kept the worker');
      await new Promise((resolve) => setTimeout(resolve, 700));
      assert.equal(c.running, false, 'stopped after the idle period');
      const counted = c.countedHere;
      const t = hostile(r, 5);
      assert.equal(await c.countText(t, 'o200k_base'), countTokens(t, 'o200k_base'));
      assert.equal(c.countedHere, counted, 'the vocabulary went with the worker: the worker counted it');
      assert.equal(c.starts, 2);
    } finally {
      await c.close();
    }
  });
});
