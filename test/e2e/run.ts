/**
 * The end-to-end suite: Switchyard's packaged .vsix in a real VS Code (code-server 4.100.3 = VS Code 1.100.3),
 * driven through Chromium (UI tests) and from inside the extension host (API tests), against a real daemon whose
 * rules point at the fault-injecting mock upstream. One code-server for the whole suite.
 *
 *   node --import tsx test/e2e/run.ts          (npm test runs it as the e2e layer)
 *
 * Env: SWITCHYARD_E2E_ONLY=<regex> runs the tests whose names match; SWITCHYARD_E2E_CODE_SERVER_DIR overrides the
 * code-server cache folder; SWITCHYARD_E2E_UPDATE_DOCS=1 copies the chosen screenshots to docs/screenshots/;
 * SWITCHYARD_E2E_KEEP_TMP=1 keeps the temp folder (logs, home, profile); CHROMIUM_PATH overrides /usr/bin/chromium.
 * Without Chromium the suite is skipped (exit 0), except when CI=true, where that is a failure.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../integration/helpers/daemon';
import { CODE_SERVER_VERSION } from './lib/codeServer';
import { runHostSuite } from './lib/hostMode';
import { interrupted, killAll } from './lib/procs';
import { ARTIFACTS, setup, type Env } from './lib/setup';
import { adoptStrayDaemon } from './lib/stack';
import { CHROMIUM, chromiumPresent, Workbench } from './lib/workbench';
import { askTests } from './ui/ask';
import type { UiContext, UiTest } from './ui/context';
import { escalationTests } from './ui/escalation';
import { screenshotPath } from './ui/context';
import { fallbackTests } from './ui/fallback';
import { fixProblemTests } from './ui/fixProblem';
import { hintTests } from './ui/hint';
import { keysTests } from './ui/keys';
import { rulesEditorTests } from './ui/rulesEditor';
import { sidebarTests } from './ui/sidebar';

/** In order: each test leaves the window as it found it; the fallback and key tests last (they leave a warning behind). */
const UI_TESTS: UiTest[] = [...askTests, ...hintTests, ...sidebarTests, ...escalationTests, ...rulesEditorTests, ...fixProblemTests, ...fallbackTests, ...keysTests];

/** artifacts/<name>.png → docs/screenshots/<name>.png with SWITCHYARD_E2E_UPDATE_DOCS=1. */
const DOC_SCREENSHOTS = ['inline-hint', 'sidebar', 'rules-editor', 'fallback'];

interface Outcome { layer: 'setup' | 'ui' | 'api'; name: string; ok: boolean; ms: number; error?: string }

const started = Date.now();
const outcomes: Outcome[] = [];
const only = process.env.SWITCHYARD_E2E_ONLY ? new RegExp(process.env.SWITCHYARD_E2E_ONLY, 'i') : null;
const log = (line: string) => console.log(`  ${line}`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function report(o: Outcome): void {
  outcomes.push(o);
  const mark = o.ok ? '✔' : '✘';
  console.log(`${mark} [${o.layer}] ${o.name} (${secs(o.ms)})`);
  if (!o.ok && o.error) console.log(o.error.split('\n').map((l) => `    ${l}`).join('\n'));
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

async function runUiTests(env: Env): Promise<void> {
  const tests = UI_TESTS.filter((t) => !only || only.test(t.name));
  if (!tests.length) return;
  const t0 = Date.now();
  let wb: Workbench;
  try {
    wb = await Workbench.open(env.browser, env.codeServer.url, env.workspace, log);
  } catch (err) {
    report({ layer: 'setup', name: 'the workbench opens with Switchyard active', ok: false, ms: Date.now() - t0, error: (err as Error).message });
    return;
  }
  log(`workbench ready in ${secs(Date.now() - t0)}`);
  const ctx: UiContext = {
    wb, env, log,
    shot: async (name, area) => {
      const path = screenshotPath(name);
      if (area) await area.screenshot({ path });
      else await wb.page.screenshot({ path });
      return path;
    },
  };
  for (const t of tests) {
    if (interrupted()) break;
    const t1 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        t.run(ctx),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${secs(t.timeoutMs ?? 30_000)}`)), t.timeoutMs ?? 30_000); }),
      ]);
      report({ layer: 'ui', name: t.name, ok: true, ms: Date.now() - t1 });
    } catch (err) {
      const path = join(ARTIFACTS, `FAILED-${slug(t.name)}.png`);
      await wb.page.screenshot({ path }).catch(() => {});
      report({ layer: 'ui', name: t.name, ok: false, ms: Date.now() - t1, error: `${(err as Error).stack ?? err}\n(screenshot: ${path})` });
      // Back to a neutral window for the next test.
      for (let i = 0; i < 3; i++) await wb.page.keyboard.press('Escape').catch(() => {});
    } finally {
      clearTimeout(timer);
    }
  }
}

async function runApiTests(env: Env): Promise<void> {
  if (only && !/api|host/i.test(only.source)) return;
  const t0 = Date.now();
  try {
    const run = await runHostSuite(env.browser, env.codeServer.url, { extDevDir: env.extDevDir, workspace: env.workspace, resultsFile: env.hostResults });
    for (const r of run.results) report({ layer: 'api', name: r.name, ok: r.ok, ms: r.ms, error: r.error });
    if (!run.results.length || (run.exitCode !== 0 && run.results.every((r) => r.ok))) {
      report({ layer: 'api', name: 'the in-host suite runs and exits 0', ok: false, ms: Date.now() - t0,
        error: `exit code ${run.exitCode}, ${run.results.length} results\n${run.log.slice(-40).join('\n')}` });
    }
  } catch (err) {
    report({ layer: 'api', name: 'the in-host suite runs', ok: false, ms: Date.now() - t0, error: (err as Error).message });
  }
}

function updateDocs(): void {
  if (process.env.SWITCHYARD_E2E_UPDATE_DOCS !== '1') return;
  const dir = join(ROOT, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  for (const name of DOC_SCREENSHOTS) {
    const from = screenshotPath(name);
    if (existsSync(from)) copyFileSync(from, join(dir, `${name}.png`));
  }
  log(`copied ${DOC_SCREENSHOTS.join(', ')} to docs/screenshots/`);
}

async function main(): Promise<number> {
  if (!chromiumPresent()) {
    if (process.env.CI === 'true') {
      console.log(`e2e: FAILED — Chromium not found at ${CHROMIUM}, and CI=true requires the end-to-end suite (apt-get install chromium)`);
      console.log('0 passed, 1 failed');
      return 1;
    }
    console.log(`e2e: skipped — Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
    return 0;
  }
  console.log(`e2e: Switchyard in code-server ${CODE_SERVER_VERSION} (VS Code 1.100.3) + Chromium`);
  let env: Env | undefined;
  try {
    const t0 = Date.now();
    try {
      env = await setup(log);
    } catch (err) {
      report({ layer: 'setup', name: 'install, package, start mock + daemon + code-server', ok: false, ms: Date.now() - t0, error: (err as Error).stack ?? String(err) });
      return 1;
    }
    log(`setup in ${secs(Date.now() - t0)}: code-server ${env.codeServer.url}, SWITCHYARD_HOME ${env.home}`);
    if (env.packageProblem) report({ layer: 'setup', name: 'npm run package builds the .vsix', ok: false, ms: 0, error: env.packageProblem });
    await runApiTests(env);
    await runUiTests(env);
    updateDocs();
  } finally {
    if (env) {
      const stray = adoptStrayDaemon(env.home, env.stack.daemon.proc.pid ?? 0);
      if (stray) log(`a window started its own daemon (pid ${stray}) instead of using the suite's: stopping it`);
      if (process.env.SWITCHYARD_E2E_KEEP_TMP) log(`kept ${env.root}`);
    }
    await killAll();
  }
  const passed = outcomes.filter((o) => o.ok).length;
  const failed = outcomes.length - passed;
  const ui = outcomes.filter((o) => o.layer === 'ui').length;
  const api = outcomes.filter((o) => o.layer === 'api').length;
  console.log(`\ne2e: ${ui} UI tests and ${api} API tests ran in ${secs(Date.now() - started)}; screenshots in ${ARTIFACTS}`);
  if (interrupted()) console.log(`e2e: interrupted by ${interrupted()}`);
  if (failed) console.log(`failed: ${outcomes.filter((o) => !o.ok).map((o) => `[${o.layer}] ${o.name}`).join('; ')}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, async (err) => {
  console.error(err);
  await killAll();
  console.log(`${outcomes.filter((o) => o.ok).length} passed, ${outcomes.filter((o) => !o.ok).length + 1} failed`);
  process.exitCode = 1;
});
