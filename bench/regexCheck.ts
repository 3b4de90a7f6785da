/**
 * Differential check of the router's prompt-regex fast path (daemon/router/promptRegex.ts) against plain
 * `RE2JS.test`: many patterns (the bench rules' own, plus anchoring, case-folding and Unicode edge cases) × many
 * generated prompts. The fast path may only ever be faster, never answer differently.
 *   node --import tsx bench/regexCheck.ts
 */
import { compileUserRegex } from '../daemon/rules/regex';
import { foldForPrefilter, regexTest } from '../daemon/router/promptRegex';
import { FIFTY_RULES } from './rules';
import { isMain, rng } from './util';

const EXTRA: Array<[pattern: string, flags: string]> = [
  ['^foo', ''], ['^foo', 'i'], ['^foo', 'm'], ['^foo', 'im'], ['(?m)^foo', 'i'], ['^a|b', 'i'], ['^(?:a|b)c', 'i'],
  ['\\Aword', 'i'], ['^$', ''], ['^\\s*$', 'i'], ['stop', 'i'], ['STOP', 'i'], ['kelvin', 'i'], ['ask', 'i'],
  ['(?i)stop', ''], ['s(?-i:top)', 'i'], ['[a-z]+ing\\b', 'i'], ['colou?r', 'i'], ['über', 'i'], ['straße', 'i'],
  ['σ', 'i'], ['ΣΑΣ', 'i'], ['x{2,}y', 'i'], ['(foo|bar)baz', 'i'], ['a.b', 'is'], ['^.*end$', 'is'],
  ['\\bfix\\b|\\bbug', 'i'], ['(?:ab)+c', 'i'], ['k+s+', 'i'], ['hello\\b', 'i'], ['^(thanks)', 'i'],
];

const WORDS = [
  'thanks', 'Thanks', 'THANK YOU', 'ok', 'OK', 'okay', 'lgtm', 'yes', 'no', 'hi', 'hello', 'is', 'are', 'this', 'these',
  'email', 'message', 'spam', 'phishing', 'prove', 'Proof', 'lemma', 'theorem', 'derive', 'derived', 'regex', 'regexes',
  'Regular Expression', 'select', 'SELECT', 'from', 'where', 'insert', 'into', 'update', 'set', 'delete', 'translate',
  'Übersetze', 'übersetze', 'traduire', 'Traceback (most recent call last)', '\n    at Foo.bar (', 'Exception in thread',
  'step by step', 'step-by-step', 'think carefully', 'chain of thought', 'fix', 'correct', 'the', 'typo', 'spelling',
  'grammar', 'AKIA0123456789ABCDEF', 'sk-' + 'a'.repeat(34), '-----BEGIN RSA PRIVATE KEY-----', 'ſtop', 'ſelect',
  'Kelvin', '\u212Aelvin', 'a\u212Ak', 'straße', 'STRASSE', 'σ', 'ς', 'Σ', 'colour', 'color', 'xxy', 'foobaz', 'barbaz',
  'a\nb', 'end', 'bug', 'ababc', 'kkss', 'İstanbul', 'ı', '😀', ' ', '  ', '\n', '\t', '.', ',', '!', 'word', 'foo', 'FOO',
];

function patterns(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (x.prompt?.regex) out.push([x.prompt.regex, x.prompt.flags ?? '']);
    for (const k of ['all', 'any']) if (Array.isArray(x[k])) x[k].forEach(walk);
    if (x.not) walk(x.not);
  };
  for (const r of FIFTY_RULES) walk(r.if);
  return [...out, ...EXTRA];
}

export function checkPromptRegexFastPath(prompts = 4_000): { patterns: number; cases: number; mismatches: string[] } {
  const r = rng(1234);
  const texts: string[] = [];
  for (let i = 0; i < prompts; i++) {
    const n = Math.floor(r() * 12);
    const parts: string[] = [];
    for (let k = 0; k < n; k++) parts.push(WORDS[Math.floor(r() * WORDS.length)], r() < 0.7 ? ' ' : r() < 0.5 ? '\n' : '');
    texts.push(parts.join(''));
  }
  const pats = patterns();
  const mismatches: string[] = [];
  let cases = 0;
  for (const [p, flags] of pats) {
    const c = compileUserRegex(p, flags);
    if ('error' in c) throw new Error(`check pattern /${p}/${flags} does not compile: ${c.error}`);
    for (const t of texts) {
      cases++;
      let folded: string | undefined;
      const fast = regexTest(c.regex, t, () => (folded ??= foldForPrefilter(t)));
      const slow = c.regex.test(t);
      if (fast !== slow && mismatches.length < 20) mismatches.push(`/${p}/${flags} on ${JSON.stringify(t)}: fast ${fast}, RE2JS ${slow}`);
    }
  }
  return { patterns: pats.length, cases, mismatches };
}

if (isMain('regexCheck')) {
  const { patterns: n, cases, mismatches } = checkPromptRegexFastPath();
  console.log(`${n} patterns, ${cases} cases, ${mismatches.length} mismatches`);
  for (const m of mismatches) console.log(m);
  if (mismatches.length) process.exitCode = 1;
}
