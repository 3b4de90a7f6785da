/**
 * docs/FIELDS.md, made from the formats' field tables (daemon/formats/<format>/fields.ts): for every field of every
 * request reference, what happens to it on an upstream of the same format and on each other one. The tables are
 * walked by each format's unit test through the real builders, and test/unit/fields-doc.test.ts checks that the
 * committed document is this text — so the document cannot drift from what the code does.
 *   node --import tsx scripts/gen-fields.ts
 */
import type { WireFormat } from '../../shared/canonical';
import { REQUEST_FIELDS as ANTHROPIC } from './anthropic/fields';
import { REQUEST_FIELDS as CHAT } from './openai-chat/fields';
import { REQUEST_FIELDS as RESPONSES } from './openai-responses/fields';
import type { FieldRule } from './types';

const TABLES: { format: WireFormat; title: string; endpoint: string; rows: readonly FieldRule[] }[] = [
  { format: 'openai-chat', title: 'OpenAI chat completions', endpoint: 'POST /v1/chat/completions', rows: CHAT },
  { format: 'anthropic', title: 'Anthropic messages', endpoint: 'POST /v1/messages', rows: ANTHROPIC },
  { format: 'openai-responses', title: 'OpenAI Responses', endpoint: 'POST /v1/responses', rows: RESPONSES },
];

const NAMES: Record<string, string> = { 'openai-chat': 'OpenAI chat', anthropic: 'Anthropic', 'openai-responses': 'Responses' };
const WORDS: Record<string, string> = { translated: 'translated', refused: '**400**', removed: 'removed', owned: 'Switchyard', passed: 'passed' };
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function fieldsDoc(): string {
  const out = [
    '# Request fields, format by format',
    '',
    'Generated from `daemon/formats/*/fields.ts` by `node --import tsx scripts/gen-fields.ts`; a unit test fails when',
    'this file and the tables differ, and each format\'s unit test walks its table through every builder.',
    '',
    'For each field of each request reference: what reaches an upstream of the **same** format (`passed`: the',
    'caller\'s value, unchanged — the caller\'s body goes with only `model` replaced; `Switchyard`: set by the daemon),',
    'and of each **other** format: `translated` (expressed in the target\'s own terms, see the note), `**400**` (the',
    'target cannot express it: the request is refused with a 400 that names the field and the target — or, when',
    'another candidate can carry it, that candidate serves and the refused one is skipped with the reason in the',
    'decision), `removed` (deliberately not sent, for the reason in the note). Nothing else happens to a field: none',
    'is dropped silently. A field this table does not know is passed on the same format and refused on any other.',
    '',
  ];
  for (const t of TABLES) {
    const others = TABLES.filter((o) => o.format !== t.format).map((o) => o.format);
    out.push(`## ${t.title} (\`${t.endpoint}\`)`, '');
    out.push(`| field | same format | ${others.map((o) => `→ ${NAMES[o]}`).join(' | ')} | note |`);
    out.push(`|---|---|${others.map(() => '---').join('|')}|---|`);
    for (const r of t.rows) {
      const across = others.map((o) => WORDS[r.across[o] ?? 'refused']);
      out.push(`| \`${cell(r.field)}\` | ${WORDS[r.same]} | ${across.join(' | ')} | ${cell(r.note ?? '')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
