/**
 * `node --import tsx scripts/routing/check.ts [dir...]`: validates corpus files and prints what they hold (tiers,
 * sources, tasks, languages, shapes, prompt sizes) and duplicate prompts. Exit 1 on any bad row or duplicate id.
 */
import { join } from 'node:path';
import { CORPUS_DIR, SPLITS, readRows } from './corpus';

const dirs = process.argv.slice(2).length ? process.argv.slice(2) : [join(CORPUS_DIR, 'incoming'), ...SPLITS.map((s) => join(CORPUS_DIR, s))];
let bad = 0;
const ids = new Map<string, string>();
const prompts = new Map<string, string>();
const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
const tiers = new Map<string, number>(), sources = new Map<string, number>(), tasks = new Map<string, number>(), langs = new Map<string, number>();
let multi = 0, agent = 0, big = 0, total = 0;
for (const dir of dirs) {
  const { rows, issues } = readRows(dir);
  for (const i of issues) { console.error(`${i.file}:${i.line}: ${i.message}`); bad++; }
  for (const r of rows) {
    total++;
    const where = `${r.file}:${r.line}`;
    if (ids.has(r.id)) { console.error(`${where}: duplicate id ${r.id} (also ${ids.get(r.id)})`); bad++; }
    ids.set(r.id, where);
    const p = r.prompt.trim().toLowerCase();
    if (prompts.has(p)) console.warn(`${where}: same prompt as ${prompts.get(p)}`);
    prompts.set(p, where);
    count(tiers, r.tier); count(sources, r.source); count(tasks, String(r.task)); count(langs, String(r.language));
    if (r.messages) { if (r.messages[r.messages.length - 1].role === 'tool') agent++; else multi++; }
    if (r.prompt.length > 3000) big++;
  }
}
const show = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
console.log(`${total} rows${bad ? `, ${bad} problems` : ''}`);
console.log(`tiers: ${show(tiers)}\nsources: ${show(sources)}\ntasks: ${show(tasks)}\nlanguages (${langs.size}): ${show(langs)}`);
console.log(`multi-turn: ${multi}, agent (last message a tool result): ${agent}, prompts over 3,000 chars: ${big}`);
process.exit(bad ? 1 : 0);
