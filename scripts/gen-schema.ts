// Writes schema/rules.schema.json from the zod definition in shared/config.ts.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { rulesJsonSchema } from '../shared/schema';

const out = join(__dirname, '..', 'schema', 'rules.schema.json');
mkdirSync(join(__dirname, '..', 'schema'), { recursive: true });
writeFileSync(out, JSON.stringify(rulesJsonSchema(), null, 2) + '\n');
