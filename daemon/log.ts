/** The daemon's log: one file in the state folder plus stderr, with keys and tokens redacted. */
import { appendFileSync } from 'node:fs';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(file: string | null, redact: (s: string) => string, toStderr = true): Logger {
  const write = (level: string, message: string) => {
    const line = `${new Date().toISOString()} ${level} ${redact(message)}\n`;
    if (toStderr) process.stderr.write(line);
    if (file) {
      try { appendFileSync(file, line, { mode: 0o600 }); } catch { /* a full disk must not take the daemon down */ }
    }
  };
  return { info: (m) => write('info', m), warn: (m) => write('warn', m), error: (m) => write('error', m) };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
