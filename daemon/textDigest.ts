/** SHA-1 of a text, base64: the key the daemon's caches use for long texts (≈0.75 ms per MB), never a security hash. */
import * as crypto from 'node:crypto';

export const sha1: (s: string) => string =
  typeof crypto.hash === 'function'
    ? (s) => crypto.hash('sha1', s, 'base64')
    : (s) => crypto.createHash('sha1').update(s).digest('base64');
