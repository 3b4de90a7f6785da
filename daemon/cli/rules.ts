/** `switchyard rules check|test|schema`. */
import { rulesJsonSchema } from '../../shared/schema';
import { findRulesFile, formatIssue, hasErrors, loadRulesFile, switchyardHome } from '../rules/load';
import { runRuleTests } from '../rules/ruleTests';
import { parse, UsageError } from './common';

export const RULES_USAGE = `Usage: switchyard rules <check|test|schema> [FILE]

  check [FILE]   validate a rules file; errors exit 1, warnings alone exit 0
  test [FILE]    run the file's "tests"; one line per test; exit 1 on any failure
  schema         print the rules file's JSON Schema

FILE defaults to the lookup order: .switchyard/rules.json in this folder, then
$SWITCHYARD_HOME/rules.json (~/.switchyard/rules.json), then the built-in defaults.`;

export function rulesCommand(argv: string[]): number {
  const { values, positionals } = parse(argv, {}, RULES_USAGE, true);
  const [sub, fileArg, ...rest] = positionals;
  if (values.help || !sub) { console.log(RULES_USAGE); return sub || values.help ? 0 : 2; }
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"\n\n${RULES_USAGE}`);
  if (sub === 'schema') { console.log(JSON.stringify(rulesJsonSchema(), null, 2)); return 0; }
  if (sub !== 'check' && sub !== 'test') throw new UsageError(`unknown rules command "${sub}"\n\n${RULES_USAGE}`);

  const file = findRulesFile({ flag: fileArg, workspace: process.cwd(), home: switchyardHome() });
  const label = file ?? 'built-in defaults';
  const { rules, issues } = loadRulesFile(file);
  for (const i of issues) (i.severity === 'error' ? process.stderr : process.stdout).write(formatIssue(i) + '\n');
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  if (!rules || hasErrors(issues)) {
    process.stderr.write(`${label}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
    return 1;
  }
  if (sub === 'check') {
    console.log(`${label}: OK — ${rules.config.rules.length} rules, ${Object.keys(rules.config.tiers).length} tiers, ${Object.keys(rules.models).length} models${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`);
    return 0;
  }
  const results = runRuleTests(rules, Date.now());
  for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.detail}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  if (!results.length) console.log(`${label} has no "tests"; add some to pin your routing (see docs/RULES.md)`);
  return failed ? 1 : 0;
}
