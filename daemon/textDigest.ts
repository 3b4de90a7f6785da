/**
 * Text digests, two kinds that must not be confused:
 * - `sha1`: the key the daemon's caches use for long texts (≈0.75 ms per MB). Never a security hash.
 * - `keyedDigest`: HMAC-SHA-256 under the install's secret — what the ledger stores for a prompt. Keyed, so a
 *   short prompt cannot be found by hashing guesses (an unsalted `sha256("hi")` can); equal within one install.
 */
import * as crypto from 'node:crypto';

export const sha1: (s: string) => string =
  typeof crypto.hash === 'function'
    ? (s) => crypto.hash('sha1', s, 'base64')
    : (s) => crypto.createHash('sha1').update(s).digest('base64');

/** Hex HMAC-SHA-256 of `text` under `key` (the per-install secret, see home.ts installDigestKey). */
export function keyedDigest(key: Buffer, text: string): string {
  return crypto.createHmac('sha256', key).update(text).digest('hex');
}
