/**
 * `node --import tsx scripts/routing/split.ts`: files the rows of data/routing/incoming/<part>.jsonl into
 * data/routing/{train,validation,test}/<part>.jsonl by splitOf(id) (a digest of the id: a row never changes
 * split), replacing that part's earlier split files, and removes the incoming file. Rows keep their order.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, SPLITS, readRows, splitOf, type Split } from './corpus';

const incoming = join(CORPUS_DIR, 'incoming');
const { rows, issues } = readRows(incoming);
if (issues.length) {
  for (const i of issues) console.error(`${i.file}:${i.line}: ${i.message}`);
  process.exit(1);
}
const parts = new Map<string, Record<Split, string[]>>();
for (const { file, line: _line, ...row } of rows) {
  const part = file.slice(file.lastIndexOf('/') + 1, -'.jsonl'.length);
  const byPart = parts.get(part) ?? { train: [], validation: [], test: [] };
  byPart[splitOf(row.id)].push(JSON.stringify(row));
  parts.set(part, byPart);
}
for (const [part, bySplit] of parts) {
  for (const split of SPLITS) {
    mkdirSync(join(CORPUS_DIR, split), { recursive: true });
    writeFileSync(join(CORPUS_DIR, split, `${part}.jsonl`), bySplit[split].map((l) => `${l}\n`).join(''));
  }
  rmSync(join(incoming, `${part}.jsonl`));
  console.log(`${part}: ${SPLITS.map((s) => `${s} ${bySplit[s].length}`).join(', ')}`);
}
if (!readdirSync(incoming).length) rmSync(incoming, { recursive: true });
