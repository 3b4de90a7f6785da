/**
 * The routing corpus and what was learned from it: the committed weights are what the corpus trains (byte for
 * byte), and routing quality on the test split has not dropped below the committed figures (data/routing/figures.json).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CORPUS_DIR, SPLITS, loadSplit, readRows, splitOf } from '../../scripts/routing/corpus';
import { evaluate, FIGURES_FILE, type Figures } from '../../scripts/routing/eval';
import { WEIGHTS_FILE, weightsFor } from '../../scripts/routing/train';

describe('the routing corpus', () => {
  it('holds at least 2,500 well-formed rows, each in the split its id says, with the mix ROUTING.md asks for', () => {
    const all = SPLITS.flatMap((split) => {
      const { rows, issues } = readRows(join(CORPUS_DIR, split));
      assert.deepEqual(issues, [], `${split}: ${JSON.stringify(issues.slice(0, 3))}`);
      for (const r of rows) assert.equal(splitOf(r.id), split, `${r.id} is in ${split}/ but its id puts it in ${splitOf(r.id)}`);
      return rows;
    });
    assert.ok(all.length >= 2500, `${all.length} rows`);
    assert.equal(new Set(all.map((r) => r.id)).size, all.length, 'ids are unique');
    const languages = new Set(all.map((r) => r.language).filter(Boolean));
    assert.ok(languages.size >= 10, `${languages.size} languages`);
    for (const source of ['palette', 'codeAction', 'http']) assert.ok(all.some((r) => r.source === source), source);
    for (const tier of ['fast', 'standard', 'deep']) assert.ok(all.filter((r) => r.tier === tier).length >= all.length / 5, tier);
    assert.ok(all.filter((r) => r.messages?.at(-1)?.role === 'tool').length >= 100, 'agent loops ending in a tool result');
    assert.ok(all.filter((r) => r.messages && r.messages.at(-1)?.role !== 'tool').length >= 50, 'multi-turn chats');
    assert.ok(readdirSync(join(CORPUS_DIR, 'test')).length > 0);
  });
});

describe('the shipped classifier', () => {
  it('is what `npm run train:router` makes from the corpus, byte for byte', () => {
    assert.equal(weightsFor(loadSplit('train')), readFileSync(WEIGHTS_FILE, 'utf8'), 'daemon/classifier/weights.json does not match the corpus: run npm run train:router and commit it');
  });

  it('routes the test split no worse than the committed figures', () => {
    const committed = JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as Figures;
    const { figures } = evaluate('test');
    assert.equal(figures.rows, committed.rows, 'the test split changed: run npm run eval:routing -- --write and commit the figures');
    assert.ok(figures.rules.accuracy >= committed.rules.accuracy, `accuracy ${figures.rules.accuracy} < ${committed.rules.accuracy}`);
    assert.ok(figures.rules.under <= committed.rules.under, `under-served ${figures.rules.under} > ${committed.rules.under}`);
    assert.ok(figures.rules.costVsIntended <= committed.rules.costVsIntended + 1e-9, `cost ÷ intended ${figures.rules.costVsIntended} > ${committed.rules.costVsIntended}`);
    assert.ok(figures.classifier.accuracy >= committed.classifier.accuracy);
    assert.ok(figures.rules.accuracy > figures.before.accuracy, 'the classifier routes better than the rules before it');
  });
});
