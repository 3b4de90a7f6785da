/**
 * What an upstream error may not carry into the ledger: key-shaped strings (always) and the prompt it echoes
 * (when prompts are not stored). The ledger's record() is the one place this runs, for the error column and
 * every attempt's message, so a new caller cannot forget it.
 */
import { redact } from '../providers/keys';

/** A run of this many characters shared with the prompt is taken as quoted from it. */
export const ECHO_RUN = 24;
/** Prompts shorter than this are not looked for: "ok" or "hi" would match ordinary words. */
const MIN_ECHO = 8;
export const PROMPT_MASK = '[prompt]';

export function scrubStoredText(text: string, prompt: string | null): string {
  let out = text;
  if (prompt) {
    out = removeEchoes(out, prompt);
    // An error body quoting a JSON request shows the prompt escaped (\n, \", \uXXXX).
    const escaped = JSON.stringify(prompt).slice(1, -1);
    if (escaped !== prompt) out = removeEchoes(out, escaped);
  }
  return redact(out);
}

/**
 * Replaces every run of `text` of at least min(ECHO_RUN, source length) characters that also occurs in `source`
 * with PROMPT_MASK (overlapping and adjacent runs become one mask). Linear in both lengths: the text's windows
 * are hashed into a table and a rolling hash walks the source once (a prompt may be megabytes; error text is short).
 */
export function removeEchoes(text: string, source: string): string {
  const w = Math.min(ECHO_RUN, source.length);
  if (w < MIN_ECHO || text.length < w) return text;
  const B = 0x01000193;
  let pow = 1; // B^(w-1) mod 2^32
  for (let i = 1; i < w; i++) pow = Math.imul(pow, B);
  const windows = new Map<number, number[]>();
  let h = 0;
  for (let j = 0; j < text.length; j++) {
    if (j >= w) h = (h - Math.imul(text.charCodeAt(j - w), pow)) | 0;
    h = (Math.imul(h, B) + text.charCodeAt(j)) | 0;
    if (j >= w - 1) {
      const at = windows.get(h);
      if (at) at.push(j - w + 1);
      else windows.set(h, [j - w + 1]);
    }
  }
  const covered = new Uint8Array(text.length);
  let found = false;
  h = 0;
  for (let i = 0; i < source.length && windows.size; i++) {
    if (i >= w) h = (h - Math.imul(source.charCodeAt(i - w), pow)) | 0;
    h = (Math.imul(h, B) + source.charCodeAt(i)) | 0;
    if (i < w - 1) continue;
    const at = windows.get(h);
    if (!at) continue;
    const start = i - w + 1;
    // Verify (hashes collide); a window that matched is done, so a repetitive source cannot make this quadratic.
    for (let k = at.length - 1; k >= 0; k--) {
      if (!sameRun(text, at[k], source, start, w)) continue;
      covered.fill(1, at[k], at[k] + w);
      found = true;
      at.splice(k, 1);
    }
    if (!at.length) windows.delete(h);
  }
  if (!found) return text;
  let out = '';
  for (let j = 0; j < text.length; j++) {
    if (!covered[j]) out += text[j];
    else if (j === 0 || !covered[j - 1]) out += PROMPT_MASK;
  }
  return out;
}

function sameRun(a: string, i: number, b: string, j: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a.charCodeAt(i + k) !== b.charCodeAt(j + k)) return false;
  return true;
}
