/** What every UI test gets, and the small helpers they share. */
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { formatUsd } from '../../../shared/format';
import type { Env } from '../lib/setup';
import { ARTIFACTS } from '../lib/setup';
import { norm, until, type Workbench } from '../lib/workbench';

export interface UiContext {
  wb: Workbench;
  env: Env;
  /** Saves `test/e2e/artifacts/<name>.png` (the whole window, or just `area`); returns its path. */
  shot(name: string, area?: Locator): Promise<string>;
  log(line: string): void;
}

export interface UiTest {
  name: string;
  timeoutMs?: number;
  run(ctx: UiContext): Promise<void>;
}

export const FAST_MODEL = 'gpt-4o-mini-2024-07-18';
export const STANDARD_MODEL = 'gpt-4o-2024-08-06';
export const FALLBACK_MODEL = 'claude-3-5-haiku-20241022';

/** A price as formatUsd prints it: `$0.00042`, `$0.0123`, `$1.50`, `<$0.000001`. */
export const USD = String.raw`<?\$[0-9][0-9,]*(?:\.[0-9]+)?`;
/** A duration as formatMs prints it: `350 ms`, `0.7 s`, `42 s`. */
export const DURATION = String.raw`[0-9]+(?:\.[0-9])? (?:ms|s)`;

export const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function screenshotPath(name: string): string {
  return join(ARTIFACTS, `${name}.png`);
}

export { formatUsd, norm, until };

/** The decision line the extension shows before sending: `model · ≈$… · ≈… · rule "…"`. */
export function decisionLine(model: string, rule: string): RegExp {
  return new RegExp(`^${esc(model)} · ≈${USD} · ≈${DURATION} · rule "${esc(rule)}"$`);
}

/** Closes every editor without saving (answers open as untitled, modified documents). */
export async function closeEditors(ctx: UiContext): Promise<void> {
  await ctx.wb.closeAllEditors();
}

/** Runs `Switchyard: Ask…` with `prompt` typed; resolves once the prompt line shows a decision. Returns that line. */
export async function askUntilDecision(ctx: UiContext, prompt: string, expect: RegExp): Promise<string> {
  const { wb } = ctx;
  await wb.focusWorkbench();
  await wb.runCommand('Switchyard: Ask…');
  const box = wb.quickInput();
  await box.locator('.quick-input-title', { hasText: 'Switchyard: Ask' }).waitFor({ timeout: 10_000 });
  await box.locator('.quick-input-box input').fill(prompt);
  return until(`the Ask box's prompt line to match ${expect}`, async () => {
    // VS Code appends its own "(Press 'Enter' to confirm or 'Escape' to cancel)" to an InputBox's prompt.
    const line = norm(await box.locator('.quick-input-message').innerText()).replace(/\s*\(Press 'Enter' to confirm or 'Escape' to cancel\)$/, '');
    return expect.test(line) ? line : null;
  }, 15_000);
}
