/**
 * Who may talk to the daemon: loopback Host only (no DNS rebinding), no browser Origin (no drive-by pages),
 * and the per-install token on everything but /health.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export type GuardFailure = { status: 401 | 403; reason: string };

/** A Host header naming anything but loopback means the request came through a rebound DNS name. */
export function hostAllowed(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return LOOPBACK_HOSTS.has(name.toLowerCase());
}

/** Browsers always send Origin on cross-origin requests and WebSocket upgrades; the editor and SDK clients never do. */
export function originAllowed(origin: string | undefined): boolean {
  return origin === undefined;
}

export function tokenFrom(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const key = req.headers['x-api-key'];
  return typeof key === 'string' ? key.trim() : undefined;
}

export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Null when the request may proceed. */
export function checkRequest(req: IncomingMessage, token: string, needsToken: boolean): GuardFailure | null {
  if (!hostAllowed(req.headers.host)) return { status: 403, reason: `Host "${req.headers.host ?? ''}" is not a loopback address; the daemon only answers 127.0.0.1, localhost or [::1]` };
  if (!originAllowed(req.headers.origin)) return { status: 403, reason: `requests from web pages (Origin ${req.headers.origin}) are refused` };
  if (needsToken && !tokenMatches(tokenFrom(req), token)) {
    return { status: 401, reason: tokenFrom(req) ? 'wrong token: use the token in daemon.json (SWITCHYARD_HOME/daemon.json) as the API key' : 'missing token: send it as "Authorization: Bearer <token>" or "x-api-key"; it is in daemon.json in the Switchyard home folder' };
  }
  return null;
}
