/** What the daemon writes to `<home>/daemon.json` (mode 0600) once it listens; how clients find it. */
export interface DaemonInfo {
  port: number;
  pid: number;
  token: string;
  version: string;
}

/** The fixed default port; a daemon that finds it taken uses a free one and records it in daemon.json. */
export const DEFAULT_PORT = 7433;
