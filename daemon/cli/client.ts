/** Talking to a running daemon from the CLI: find it through daemon.json, check it answers. */
import { readDaemonInfo, type DaemonInfo } from '../home';

export async function runningDaemon(home: string, timeoutMs = 1000): Promise<DaemonInfo | null> {
  const info = readDaemonInfo(home);
  if (!info) return null;
  try {
    const res = await fetch(`http://127.0.0.1:${info.port}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? info : null;
  } catch {
    return null;
  }
}

export async function daemonJson<T>(info: DaemonInfo, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`http://127.0.0.1:${info.port}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}
