import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Encoding } from '../../shared/catalog';
import {
  LONG_PIECE,
  clearTokenCaches,
  configureTokenCache,
  countRouteTokens,
  countTokens,
  countTokensDirect,
  tokenCacheStats,
  warmTokenizer,
} from '../../daemon/estimate/tokens';
import { MESSAGE_OVERHEAD_TOKENS, REPLY_PRIMING_TOKENS } from '../../daemon/estimate/routeCount';

const ENCODINGS: Encoding[] = ['o200k_base', 'cl100k_base'];
const root = join(__dirname, '..', '..');

/** Deterministic PRNG (LCG on 32 bits). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

/** About `size` characters of varied text: words, identifiers, numbers, punctuation, newlines. */
function varied(size: number, seed: number): string {
  const r = rng(seed);
  const words = ['the', 'function', 'return', 'const', 'value', 'Switchyard', 'routes', 'requests', 'model', 'price'];
  let s = '';
  while (s.length < size) {
    const x = r();
    if (x < 0.6) s += ' ' + words[Math.floor(r() * words.length)];
    else if (x < 0.75) s += ' ' + Math.floor(r() * 1e9).toString(36);
    else if (x < 0.85) s += String(Math.floor(r() * 100000));
    else if (x < 0.95) s += '.,;(){}[]=+-*/'[Math.floor(r() * 14)];
    else s += '\n';
  }
  return s.slice(0, size);
}

before(() => {
  for (const e of ENCODINGS) warmTokenizer(e);
});

describe('countTokens', () => {
  it('matches pinned tiktoken counts', () => {
    const pinned: Array<[string, number, number]> = [
      // text, o200k_base, cl100k_base (computed with tiktoken 1.0.22)
      ['hello world', 2, 2],
      ['Hello, world!', 4, 4],
      ['The quick brown fox jumps over the lazy dog.', 10, 10],
      ['你好，世界！这是一个测试。', 8, 12],
      ['const x = await fetch(url);', 7, 7],
      ['🙂👍🏽', 4, 8],
      ['', 0, 0],
    ];
    for (const [text, o200k, cl100k] of pinned) {
      assert.equal(countTokens(text, 'o200k_base'), o200k, `o200k_base ${JSON.stringify(text)}`);
      assert.equal(countTokens(text, 'cl100k_base'), cl100k, `cl100k_base ${JSON.stringify(text)}`);
    }
  });

  it('counts special-token text as plain text and never throws', () => {
    for (const e of ENCODINGS) {
      assert.equal(countTokens('<|endoftext|>', e), 7);
      assert.equal(countTokens('<|im_start|>user<|im_end|>', e), 13);
      for (const t of ['<|endoftext|>', '<|fim_prefix|>x<|fim_suffix|>', 'a<|endofprompt|>b', '<|im_start|>'.repeat(50)]) {
        assert.equal(countTokens(t, e), countTokensDirect(t, e), `${e} ${t.slice(0, 40)}`);
      }
    }
  });

  it('equals tiktoken on real source text, cold and warm', () => {
    const files = ['shared', 'daemon/estimate']
      .flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith('.ts')).map((f) => join(root, d, f)));
    const texts = files.map((f) => readFileSync(f, 'utf8'));
    texts.push(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const e of ENCODINGS) {
      clearTokenCaches();
      for (const t of texts) assert.equal(countTokens(t, e), countTokensDirect(t, e)); // cold piece cache
      for (const t of texts) assert.equal(countTokens(t + '\n// edited', e), countTokensDirect(t + '\n// edited', e)); // warm
    }
  });

  it('equals tiktoken on hostile Unicode (marks, scripts, odd whitespace, contractions, surrogates)', () => {
    const palette = [
      'a', 'Z', 'é', 'ſ', "'s", "'S", "'ſ", "'RE", "'ll", "'D", "'x", '\u0301', '\u0915\u094d', 'ß', 'İ', 'ǅ', 'ʰ', '中',
      '😀', '👍🏽', '\ud800', '\udc00', '1', '٣', 'Ⅻ', '½', '²', ' ', '  ', '\t', '\n', '\r\n', '\r', '\x85', '\xa0',
      '\u3000', '\ufeff', '\u2028', '\u200b', '.', ',', '!', '/', '//', '<|endoftext|>', '{', '}', '=', '-', '_', '"',
      '$', '\\', '\u00ad',
    ];
    const r = rng(42);
    for (const e of ENCODINGS) {
      for (let i = 0; i < 3000; i++) {
        let s = '';
        const n = 1 + Math.floor(r() * 40);
        for (let j = 0; j < n; j++) s += palette[Math.floor(r() * palette.length)];
        assert.equal(countTokens(s, e), countTokensDirect(s, e), `${e} ${JSON.stringify(s)}`);
      }
    }
  });

  it('starts with the common single-token pieces known', () => {
    clearTokenCaches();
    for (const e of ENCODINGS) {
      const stats = tokenCacheStats().find((s) => s.encoding === e)!;
      assert.ok(stats.pieces.entries > 10_000, `${e}: ${stats.pieces.entries} seeded pieces`);
    }
  });

  it('stays exact when pieces are learned across texts and ranges mix known and unknown pieces', () => {
    for (const e of ENCODINGS) {
      clearTokenCaches();
      for (let seed = 1; seed <= 30; seed++) {
        const t = varied(2000 + seed * 300, seed);
        assert.equal(countTokens(t, e), countTokensDirect(t, e), `${e} seed ${seed}`);
      }
      const stats = tokenCacheStats().find((s) => s.encoding === e)!;
      assert.ok(stats.pieces.learned > 0 && stats.pieces.hits > 0, 'piece cache was used');
    }
  });

  it('bounds the work on long unbroken runs and stays close to the true count', () => {
    // tiktoken alone is quadratic in a piece's length (100 000 × "a" takes seconds to minutes).
    const t0 = performance.now();
    assert.equal(countTokens('a'.repeat(200_000), 'o200k_base'), 25_000); // 8 a's per token, chunks of 256
    const spaces = countTokens('x' + ' '.repeat(300_000) + 'y', 'o200k_base');
    const symbols = countTokens('='.repeat(300_000), 'cl100k_base');
    assert.ok(spaces > 0 && symbols > 0);
    assert.ok(performance.now() - t0 < 10_000, 'long runs are counted in bounded time');
    // Below the threshold counts are exact; just above it the chunking error is a token or two.
    const justBelow = 'foo ' + 'ab'.repeat(LONG_PIECE / 2 - 1) + ' bar';
    assert.equal(countTokens(justBelow, 'o200k_base'), countTokensDirect(justBelow, 'o200k_base'));
    const above = 'foo ' + 'ab'.repeat(1000) + ' bar';
    const exact = countTokensDirect(above, 'o200k_base');
    assert.ok(Math.abs(countTokens(above, 'o200k_base') - exact) <= exact * 0.02);
    // Emoji runs are split without breaking surrogate pairs.
    assert.equal(countTokens('😀'.repeat(1000), 'o200k_base'), 1000);
  });

  it('treats non-string input as text and unknown encodings as o200k_base', () => {
    assert.equal(countTokens(undefined as unknown as string, 'o200k_base'), 0);
    assert.equal(countTokens(12345 as unknown as string, 'o200k_base'), countTokensDirect('12345', 'o200k_base'));
    assert.equal(countTokens('你好，世界！这是一个测试。', 'p50k_base' as Encoding), 8);
  });
});

describe('token count cache', () => {
  after(() => configureTokenCache({ maxEntries: 4096, maxBytes: 4 * 1024 * 1024 }));

  it('recounts an unchanged 1 MB prompt from the cache, much faster', () => {
    clearTokenCaches();
    const big = varied(1 << 20, 7);
    const t0 = performance.now();
    const first = countTokens(big, 'o200k_base');
    const firstMs = performance.now() - t0;
    const again: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t1 = performance.now();
      assert.equal(countTokens(big, 'o200k_base'), first);
      again.push(performance.now() - t1);
    }
    again.sort((a, b) => a - b);
    const cachedMs = again[2];
    assert.ok(cachedMs < firstMs / 20, `cached ${cachedMs.toFixed(2)} ms vs first ${firstMs.toFixed(1)} ms`);
    // An equal string built separately (another object) hits too.
    const copy = big.slice(0, 1000) + big.slice(1000);
    assert.equal(countTokens(copy, 'o200k_base'), first);
    const stats = tokenCacheStats().find((s) => s.encoding === 'o200k_base')!;
    assert.ok(stats.texts.hits >= 6);
  });

  it('keys by content and encoding: different texts and encodings never share an entry', () => {
    clearTokenCaches();
    const a = varied(5000, 1);
    const b = a.slice(0, -1) + (a.endsWith('x') ? 'y' : 'x');
    assert.equal(countTokens(a, 'o200k_base'), countTokensDirect(a, 'o200k_base'));
    assert.equal(countTokens(b, 'o200k_base'), countTokensDirect(b, 'o200k_base'));
    const zh = '你好，世界！这是一个测试。';
    assert.equal(countTokens(zh, 'o200k_base'), 8);
    assert.equal(countTokens(zh, 'cl100k_base'), 12);
    assert.equal(countTokens(zh, 'o200k_base'), 8);
  });

  it('is bounded by entries and by bytes (least recently used evicted first)', () => {
    clearTokenCaches();
    configureTokenCache({ maxEntries: 3, maxBytes: 1 << 20 });
    const texts = ['one', 'two', 'three', 'four', 'five'];
    for (const t of texts) countTokens(t, 'o200k_base');
    let s = tokenCacheStats().find((x) => x.encoding === 'o200k_base')!;
    assert.equal(s.texts.entries, 3);

    countTokens('three', 'o200k_base'); // touch: now most recent
    countTokens('six', 'o200k_base'); // evicts 'four'
    const before = tokenCacheStats().find((x) => x.encoding === 'o200k_base')!.texts;
    countTokens('three', 'o200k_base');
    const afterHit = tokenCacheStats().find((x) => x.encoding === 'o200k_base')!.texts;
    assert.equal(afterHit.hits, before.hits + 1, "'three' survived");
    countTokens('four', 'o200k_base');
    const afterMiss = tokenCacheStats().find((x) => x.encoding === 'o200k_base')!.texts;
    assert.equal(afterMiss.misses, afterHit.misses + 1, "'four' was evicted");

    configureTokenCache({ maxEntries: 1000, maxBytes: 4096 });
    for (let i = 0; i < 50; i++) countTokens(`short text number ${i} `.repeat(10), 'o200k_base');
    s = tokenCacheStats().find((x) => x.encoding === 'o200k_base')!;
    assert.ok(s.texts.bytes <= 4096 && s.texts.entries < 50, `bytes ${s.texts.bytes}, entries ${s.texts.entries}`);
  });
});

describe('countRouteTokens', () => {
  const per = (content: number) => MESSAGE_OVERHEAD_TOKENS + 1 + content; // role names are one token each

  it('counts a lone prompt as one user message plus reply priming', () => {
    assert.equal(MESSAGE_OVERHEAD_TOKENS, 3);
    assert.equal(REPLY_PRIMING_TOKENS, 3);
    assert.equal(countRouteTokens({ prompt: 'hello world' }, 'o200k_base'), 3 + per(2)); // 9
    assert.equal(countRouteTokens({ prompt: '' }, 'o200k_base'), 3 + per(0));
  });

  it('adds the system prompt as one more message', () => {
    assert.equal(countRouteTokens({ prompt: 'hello world', system: 'Be brief.' }, 'o200k_base'), 3 + per(3) + per(2)); // 15
  });

  it('counts the conversation once when messages are given (prompt = last user message)', () => {
    const messages = [
      { role: 'user' as const, content: 'hi' },
      { role: 'assistant' as const, content: 'hello' },
      { role: 'user' as const, content: 'hello world' },
    ];
    const expected = 3 + per(1) + per(1) + per(2);
    assert.equal(countRouteTokens({ prompt: 'hello world', messages }, 'o200k_base'), expected);
    assert.equal(countRouteTokens({ prompt: 'hello world', messages, system: 'Be brief.' }, 'o200k_base'), expected + per(3));
    // A prompt missing from the conversation is what gets sent next: one more user message.
    assert.equal(countRouteTokens({ prompt: 'hello world', messages: messages.slice(0, 2) }, 'o200k_base'), expected);
    // An empty list is no conversation.
    assert.equal(countRouteTokens({ prompt: 'hello world', messages: [] }, 'o200k_base'), 3 + per(2));
  });

  it('uses the requested encoding', () => {
    const zh = '你好，世界！这是一个测试。';
    assert.equal(countRouteTokens({ prompt: zh }, 'o200k_base'), 3 + per(8));
    assert.equal(countRouteTokens({ prompt: zh }, 'cl100k_base'), 3 + per(12));
  });
});
