/**
 * Driving the VS Code workbench in Chromium (playwright-core, Debian's /usr/bin/chromium): the browser, the
 * workbench start (the only place that retries), the command palette, editors, webviews, the status bar.
 * Selectors verified on VS Code 1.100 (code-server 4.100.3). Every wait is on a selector or a condition.
 */
import { existsSync } from 'node:fs';
import type { Browser, Frame, Locator, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const EXTENSION_ID = 'switchyard.switchyard';

export function chromiumPresent(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    // Our own signal handlers end everything (lib/procs.ts); Playwright's would exit before the temp folder is gone.
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export const VIEWPORT = { width: 1400, height: 860 };

/** Polls `fn` until it returns a truthy value (or stops throwing); the last error explains a timeout. */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message.split('\n')[0]}` : last ? `: ${String(last)}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Non-breaking spaces (the editor renders spaces as U+00A0) → spaces; runs of whitespace collapsed. */
export function norm(s: string | null | undefined): string {
  return (s ?? '').replace(/\u00a0/g, ' ').replace(/[ \t]+/g, ' ').trim();
}

export class Workbench {
  constructor(readonly page: Page) {}

  /**
   * Opens the workbench for `folder` and waits until it is usable and our extension has activated (its status
   * bar item is there). Retried (fresh page) because the first load of a cold code-server can stall.
   */
  static async open(browser: Browser, base: string, folder: string, log: (s: string) => void, attempts = 3): Promise<Workbench> {
    let lastErr: unknown;
    for (let i = 1; i <= attempts; i++) {
      const page = await browser.newPage({ viewport: VIEWPORT });
      try {
        await page.goto(`${base}/?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
        await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
        const wb = new Workbench(page);
        await wb.statusItem().waitFor({ state: 'visible', timeout: 45_000 });
        return wb;
      } catch (err) {
        lastErr = err;
        log(`workbench start attempt ${i} failed: ${(err as Error).message.split('\n')[0]}`);
        await page.close().catch(() => {});
      }
    }
    throw lastErr;
  }

  /** Our status bar item: id `switchyard.status` of extension `switchyard.switchyard` (the DOM id joins both). */
  statusItem(): Locator {
    return this.page.locator(`[id="${EXTENSION_ID}.switchyard.status"]`);
  }

  /** Waits until the status item no longer shows the disconnected icon (the extension reached the daemon). */
  async waitConnected(timeoutMs = 30_000): Promise<void> {
    await this.statusItem().locator('.codicon').first().waitFor({ timeout: timeoutMs });
    await until('the Switchyard status item to show a connected daemon', async () =>
      !(await this.statusItem().locator('.codicon-debug-disconnect').count()) && (await this.statusText()).includes('$'), timeoutMs);
  }

  async statusText(): Promise<string> {
    return norm(await this.statusItem().innerText());
  }

  /** The status item's accessible label (its text with codicons removed: `Switchyard: $0.0001 / $10.00`). */
  async statusLabel(): Promise<string> {
    return norm(await this.statusItem().locator('a, [role=button]').first().getAttribute('aria-label')
      ?? await this.statusItem().getAttribute('aria-label'));
  }

  /** Puts focus in the workbench (not in a webview iframe) so its key bindings apply. */
  async focusWorkbench(): Promise<void> {
    const editor = this.page.locator('.editor-instance .monaco-editor textarea, .part.editor .monaco-editor textarea').first();
    if (await editor.isVisible().catch(() => false)) await editor.focus();
    else await this.page.locator('.monaco-workbench').focus();
  }

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** F1 → type the command's full title → click the row whose label is exactly that title. */
  async runCommand(title: string): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press('F1');
    const input = this.quickInput().locator('.quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const rows = this.quickInput().locator('.quick-input-list .monaco-list-row');
    const index = await until(`the palette to list "${title}"`, async () => {
      const labels = await rows.evaluateAll((els) => els.map((el) => (el.querySelector('.label-name')?.textContent ?? el.getAttribute('aria-label') ?? '').replace(/\u00a0/g, ' ').trim()));
      const i = labels.indexOf(title);
      return i >= 0 ? i + 1 : null;
    }, 10_000);
    await rows.nth(index - 1).click();
    // The palette is gone, or replaced by the command's own quick input (Ask…'s box reuses the widget).
    await until(`the palette to close after "${title}"`, async () =>
      !(await this.quickInput().isVisible()) || !(await input.inputValue()).startsWith('>'), 5_000, 50);
  }

  async closeQuickInput(): Promise<void> {
    if (await this.quickInput().isVisible().catch(() => false)) {
      await this.page.keyboard.press('Escape');
      await this.quickInput().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
    }
  }

  /**
   * Quick Open (Ctrl+P) a workspace file by name. A file a test has just written may be missing from Quick Open's
   * file cache until the file watcher reports it, so the picker is reopened until the file is listed.
   */
  async openFile(name: string): Promise<void> {
    const input = this.quickInput().locator('.quick-input-box input');
    const row = this.quickInput().locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    const deadline = Date.now() + 20_000;
    for (;;) {
      await this.closeQuickInput();
      await this.page.keyboard.press('Control+P');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(name);
      try {
        await row.waitFor({ timeout: 3_000 });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
    }
    await input.press('Enter');
    await this.page.locator(`.tabs-container .tab.active[aria-label^="${name}"]`).waitFor({ timeout: 10_000 });
    await this.activeEditor().locator('.view-lines').waitFor({ timeout: 10_000 });
  }

  /** The focused editor group's editor. */
  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  /**
   * The visible text of an editor (the active one by default), one model line per line: word-wrapped rows are
   * joined back, using the line-number gutter (only a model line's first row has a number).
   */
  async editorText(editor: Locator = this.activeEditor()): Promise<string> {
    // No named inner functions: tsx would wrap them in a `__name` helper the page does not have.
    return editor.evaluate((root) => {
      const starts = new Set(Array.from(root.querySelectorAll('.margin-view-overlays > div'))
        .filter((row) => (row.querySelector('.line-numbers')?.textContent ?? '').trim() !== '')
        .map((row) => parseFloat((row as HTMLElement).style.top) || 0));
      const rows = Array.from(root.querySelectorAll('.view-lines .view-line'))
        .map((el) => ({ top: parseFloat((el as HTMLElement).style.top) || 0, text: (el as HTMLElement).innerText.replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top);
      const lines: string[] = [];
      for (const row of rows) {
        if (!lines.length || starts.has(row.top) || !starts.size) lines.push(row.text);
        else lines[lines.length - 1] += row.text;
      }
      return lines.join('\n');
    });
  }

  /** Closes every editor, answering "Don't Save" for untitled answers (they open as modified documents). */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
    const dialog = this.page.locator('.monaco-dialog-box');
    await until('every editor to close', async () => {
      if (await dialog.isVisible().catch(() => false)) {
        await dialog.getByRole('button', { name: /Don't Save/ }).click();
        return false;
      }
      return (await this.page.locator('.part.editor .tabs-container .tab').count()) === 0;
    }, 10_000, 150);
  }

  /** Ctrl+G line, then select that whole line (Home, Shift+End). */
  async selectLine(line: number): Promise<void> {
    await this.gotoLine(line);
    await this.page.keyboard.press('Home');
    await this.page.keyboard.press('Home'); // first Home may stop at the indentation
    await this.page.keyboard.press('Shift+End');
  }

  async gotoLine(line: number): Promise<void> {
    await this.activeEditor().locator('textarea').first().focus();
    await this.page.keyboard.press('Control+G');
    const input = this.quickInput().locator('.quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${line}`);
    await input.press('Enter');
    await this.quickInput().waitFor({ state: 'hidden', timeout: 5_000 });
  }

  /**
   * Text of after-line decorations (`renderOptions.after.contentText`): VS Code renders them as CSS `::after`
   * content on generated classes, so read the computed style.
   */
  async afterDecorations(editor: Locator = this.activeEditor()): Promise<string[]> {
    return editor.locator('.view-lines span[class*="ced-"]').evaluateAll((els) => els
      .map((el) => getComputedStyle(el, '::after').content)
      .filter((c) => c && c !== 'none' && c !== 'normal')
      .map((c) => {
        try {
          return JSON.parse(c) as string;
        } catch {
          return c.replace(/^"|"$/g, '');
        }
      }));
  }

  /** Visible notification toasts' text. */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notification-toast-container .notification-list-item').allInnerTexts()).map(norm);
  }

  /** The hover widget currently shown, if any. */
  hover(): Locator {
    return this.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: /\S/ }).last();
  }

  /** Activity-bar entry by its container title. */
  activity(title: string): Locator {
    return this.page.locator(`.activitybar [aria-label^="${title}"]`).first();
  }

  /** Shows a view container: clicks its activity bar item unless it is already shown (a click would hide it). */
  async showContainer(title: string): Promise<void> {
    const item = this.page.locator(`.activitybar li.action-item:has([aria-label^="${title}"])`).first();
    const shown = async () => (await item.getAttribute('class'))?.split(/\s+/).includes('checked') || (await item.getAttribute('aria-pressed')) === 'true';
    if (!(await shown())) await this.activity(title).click();
    await until(`the ${title} view container to show`, async () => ((await shown()) ? true : null), 10_000);
  }

  /**
   * The inner frame of one of our webviews, found by the `data-view` attribute our HTML shell puts on <body>
   * (`sidebar` | `rulesEditor`). Webview iframes are nested: `iframe.webview` → `#active-frame`.
   */
  async webview(view: 'sidebar' | 'rulesEditor', timeoutMs = 20_000): Promise<Frame> {
    return until(`the ${view} webview`, async () => {
      for (const frame of this.page.frames()) {
        if (!frame.url().includes('fake.html') && !frame.parentFrame()?.url().includes(`extensionId=${EXTENSION_ID}`)) continue;
        const body = await frame.$(`body[data-view="${view}"]`).catch(() => null);
        if (body) return frame;
      }
      return null;
    }, timeoutMs);
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }
}
