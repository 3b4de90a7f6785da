/**
 * User regexes run on RE2JS, a pure-JS port of RE2: matching is linear in the input, so no pattern can hang
 * the daemon. Patterns RE2 cannot express (backreferences, lookaround) are rejected at load with the reason.
 */
import { RE2JS } from 're2js';

export function compileUserRegex(pattern: string, flags = ''): { regex: RE2JS } | { error: string } {
  let f = 0;
  if (flags.includes('i')) f |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) f |= RE2JS.MULTILINE;
  if (flags.includes('s')) f |= RE2JS.DOTALL;
  try {
    return { regex: RE2JS.compile(pattern, f) };
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
    const hint = /Perl syntax|backreference|invalid escape sequence: `\\\d/.test(reason)
      ? ' — lookaround and backreferences are not supported (rules run on a linear-time engine so no prompt can hang the daemon)'
      : '';
    return { error: `invalid regex /${pattern}/: ${reason}${hint}` };
  }
}
