/** The rules file's JSON Schema, derived from the zod definition (used by `rules schema` and jsonValidation). */
import { z } from 'zod';
import { RulesFile } from './config';

export function rulesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(RulesFile, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'any',
    override: (ctx) => {
      // zod's catchall renders as additionalProperties; editors should offer only `metadata.<key>` besides the
      // known condition keys, so express it as a pattern.
      const s = ctx.jsonSchema as Record<string, unknown>;
      if (s.properties && (s.properties as Record<string, unknown>).all && s.additionalProperties && typeof s.additionalProperties === 'object') {
        s.patternProperties = { '^metadata\\.[^.]+$': s.additionalProperties };
        s.additionalProperties = false;
      }
    },
  }) as Record<string, unknown>;
  schema.title = 'Switchyard rules';
  schema.$id = 'https://switchyard.dev/schema/rules.schema.json';
  return schema;
}
