/**
 * VS Code's own browser test mode, against the suite's code-server: a window whose payload names an
 * extensionDevelopmentPath and an extensionTestsPath; the workbench runs the tests in the extension host and calls
 * `window.codeAutomationExit(code)` when `run()` settles. Per-test results come back through a file.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { HostResult } from '../host/runner';
import { VIEWPORT } from './workbench';

export interface HostRun {
  exitCode: number;
  results: HostResult[];
  /** Extension host log lines forwarded by the workbench (shown when something fails). */
  log: string[];
}

export async function runHostSuite(browser: Browser, base: string, o: { extDevDir: string; workspace: string; resultsFile: string; timeoutMs?: number }): Promise<HostRun> {
  rmSync(o.resultsFile, { force: true });
  const page = await browser.newPage({ viewport: VIEWPORT });
  const log: string[] = [];
  try {
    const done = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code)));
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      log.push((Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
    const host = new URL(base).host;
    const remote = (p: string) => `vscode-remote://${host}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(o.extDevDir)],
      ['extensionTestsPath', remote(`${o.extDevDir}/out/test/index.js`)],
      ['skipWelcome', 'true'],
    ]);
    await page.goto(`${base}/?folder=${encodeURIComponent(o.workspace)}&payload=${encodeURIComponent(payload)}`, { waitUntil: 'domcontentloaded' });
    const timeoutMs = o.timeoutMs ?? 180_000;
    let timer: NodeJS.Timeout | undefined;
    const exitCode = await Promise.race([
      done,
      new Promise<number>((_, reject) => { timer = setTimeout(() => reject(new Error(`the in-host suite did not finish within ${timeoutMs / 1000} s`)), timeoutMs); }),
    ]).finally(() => clearTimeout(timer));
    const results = existsSync(o.resultsFile) ? JSON.parse(readFileSync(o.resultsFile, 'utf8')) as HostResult[] : [];
    return { exitCode, results, log };
  } finally {
    await page.close().catch(() => {});
  }
}
