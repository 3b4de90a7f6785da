/**
 * Runs an agent binary the way a script or CI job would: non-interactive, no TTY, stdin closed, in its own temp
 * HOME and working folder, with only the environment it is given (nothing of the test runner's leaks in: no real
 * keys, no proxy or config of the machine), and a time limit after which its whole process group is ended.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AgentResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export async function runAgent(bin: string, args: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<AgentResult> {
  const started = Date.now();
  // detached: its own process group, so the tools it spawned (shells) end with it on a time-out.
  const child = spawn(bin, args, { cwd: opts.cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
  }, opts.timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  }).finally(() => clearTimeout(timer));
  return { code, stdout, stderr, timedOut, ms: Date.now() - started };
}

/** A throwaway home and project folder for one agent run. */
export interface Sandbox {
  root: string;
  home: string;
  work: string;
  remove(): void;
}

export function makeSandbox(name: string): Sandbox {
  const root = mkdtempSync(join(tmpdir(), `sy-agent-${name}-`));
  const home = join(root, 'home');
  const work = join(root, 'work');
  mkdirSync(home);
  mkdirSync(work);
  return { root, home, work, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** What a failed run looked like, for an assertion message. */
export function describeRun(r: AgentResult): string {
  return `exit ${r.code}${r.timedOut ? ' (timed out)' : ''} after ${r.ms} ms\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}
