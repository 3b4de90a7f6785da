/** Waiting for the daemon connection. Pure (works with anything shaped like DaemonApi). */
export interface ConnectionLike {
  readonly connected: boolean;
  onDidChangeConnection(listener: (connected: boolean) => void): { dispose(): unknown };
}

/** Resolves true once connected, false after `timeoutMs`. */
export function whenConnected(api: ConnectionLike, timeoutMs: number): Promise<boolean> {
  if (api.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const sub = api.onDidChangeConnection((connected) => {
      if (!connected) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(true);
    });
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(api.connected);
    }, timeoutMs);
  });
}
