/** docs/FIELDS.md is the formats' field tables, as generated: the document cannot drift from the code. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fieldsDoc } from '../../daemon/formats/fieldsDoc';

test('docs/FIELDS.md matches the field tables (regenerate: node --import tsx scripts/gen-fields.ts)', () => {
  const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'FIELDS.md'), 'utf8');
  const generated = fieldsDoc();
  assert.ok(generated.split('\n').filter((l) => l.startsWith('| `')).length > 100, 'every format lists its fields');
  assert.equal(committed, generated);
});
