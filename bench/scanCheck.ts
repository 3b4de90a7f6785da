/**
 * Differential check of the router's one-pass prompt scanner (daemon/router/promptScan.ts): every condition of
 * the bench's 50 rules and of an edge-case list, all in one scanner, against each condition matched on its own
 * (test/fixtures/promptPatterns.ts `matchesAlone`) over many generated prompts.
 *   node --import tsx bench/scanCheck.ts
 */
import type { PromptCondition } from '../shared/config';
import { PromptScanner, promptPattern } from '../daemon/router/promptScan';
import { generatedPrompts, matchesAlone, SCAN_CHECK_CONDITIONS } from '../test/fixtures/promptPatterns';
import { FIFTY_RULES } from './rules';
import { isMain } from './util';

function benchConditions(): PromptCondition[] {
  const out: PromptCondition[] = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (x.prompt) out.push(x.prompt);
    for (const k of ['all', 'any']) if (Array.isArray(x[k])) x[k].forEach(walk);
    if (x.not) walk(x.not);
  };
  for (const r of FIFTY_RULES) walk(r.if);
  return out;
}

export function checkPromptScanner(prompts = 4_000): { conditions: number; cases: number; mismatches: string[] } {
  const conditions = [...benchConditions(), ...SCAN_CHECK_CONDITIONS];
  const scanner = new PromptScanner(conditions.map(promptPattern));
  const mismatches: string[] = [];
  let cases = 0;
  for (const text of generatedPrompts(prompts)) {
    const hits = scanner.scan(text);
    conditions.forEach((cond, i) => {
      const alone = matchesAlone(cond, text);
      if (alone === undefined) return;
      cases++;
      if ((hits[i] === 1) !== alone && mismatches.length < 20) mismatches.push(`${JSON.stringify(cond)} on ${JSON.stringify(text)}: scanner ${hits[i] === 1}, alone ${alone}`);
    });
  }
  return { conditions: conditions.length, cases, mismatches };
}

if (isMain('scanCheck')) {
  const { conditions, cases, mismatches } = checkPromptScanner();
  console.log(`${conditions} conditions, ${cases} cases, ${mismatches.length} mismatches`);
  for (const m of mismatches) console.log(m);
  if (mismatches.length) process.exitCode = 1;
}
