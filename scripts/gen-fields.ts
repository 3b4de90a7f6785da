// Writes docs/FIELDS.md from the formats' field tables (daemon/formats/fieldsDoc.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldsDoc } from '../daemon/formats/fieldsDoc';

writeFileSync(join(__dirname, '..', 'docs', 'FIELDS.md'), fieldsDoc());
