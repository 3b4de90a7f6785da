/**
 * `Switchyard: Set API Key…` through the palette: the provider pick, the password box, the key handed to the daemon
 * (it overrides the environment's key on the next Anthropic request, seen in the mock's recorded headers), never
 * written under SWITCHYARD_HOME; then removed the same way (empty key → modal "Remove"), and the environment's key
 * is used again.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_KEYS } from '../lib/stack';
import { askUntilDecision, closeEditors, esc, FALLBACK_MODEL, FAST_MODEL, norm, until, USD, DURATION, type UiContext, type UiTest } from './context';

const NEW_KEY = 'sk-ant-e2e-editor-key-0123456789';

/** Every file under `dir` (recursively). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** The key an Anthropic request carried: `x-api-key`, or `authorization: Bearer …`. */
function anthropicKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const h = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return h(headers['x-api-key']) ?? h(headers.authorization)?.replace(/^Bearer\s+/i, '');
}

interface Recorded { api: string; model?: string; path: string; headers: Record<string, string | string[] | undefined> }

/** Opens Set API Key…, picks Anthropic (checking its detail line), returns the password box's input. */
async function openKeyBox(ctx: UiContext, detail: RegExp) {
  const { wb } = ctx;
  await wb.focusWorkbench();
  await wb.runCommand('Switchyard: Set API Key…');
  const box = wb.quickInput();
  await box.locator('.quick-input-title', { hasText: 'Switchyard: Set API Key' }).waitFor({ timeout: 10_000 });
  const row = box.locator('.quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: /^Anthropic$/ }) }).first();
  await row.waitFor({ timeout: 10_000 });
  const rowText = norm(await row.innerText());
  assert.match(rowText, detail, `the Anthropic row: "${rowText}"`);
  await row.click();
  await box.locator('.quick-input-title', { hasText: 'Switchyard: API key for anthropic' }).waitFor({ timeout: 10_000 });
  const input = box.locator('.quick-input-box input');
  assert.equal(await input.getAttribute('type'), 'password', 'the key is typed in a password box');
  return input;
}

/** 429 on the fast model, then `thanks…` through Ask…: returns the Anthropic request the fallback made. */
async function anthropicRequestVia429(ctx: UiContext, prompt: string): Promise<Recorded> {
  const { wb, env } = ctx;
  const { mock } = env.stack;
  await mock.reset();
  await mock.fail({ api: 'openai', model: FAST_MODEL, times: 1, fault: { kind: 'status', status: 429, retryAfter: '30' } });
  await askUntilDecision(ctx, prompt, new RegExp(`^${esc(FAST_MODEL)} · ≈${USD} · ≈${DURATION} · rule "small talk"$`));
  await wb.quickInput().locator('.quick-input-box input').press('Enter');
  const req = await until('the fallback request to Anthropic', async () =>
    ((await mock.requests()) as Recorded[]).find((r) => r.api === 'anthropic' && r.model === FALLBACK_MODEL), 20_000);
  // The request is over (and in the ledger) before anything is checked on disk.
  await until('the ledger row of the fallback', async () => {
    const [e] = await env.stack.recent(1);
    return e && e.model === FALLBACK_MODEL && e.fallbacks === 1 && Date.now() - e.time < 60_000 ? e : null;
  }, 20_000);
  return req;
}

export const keysTests: UiTest[] = [
  {
    name: 'Set API Key…: an Anthropic key from the password box overrides the environment\'s, is memory-only, and can be removed',
    timeoutMs: 120_000,
    async run(ctx) {
      const { wb, env } = ctx;
      const { mock } = env.stack;
      try {
        // Before: the environment's key.
        const input = await openKeyBox(ctx, /the daemon has a key \(environment\)/);
        await input.fill(NEW_KEY);
        await ctx.shot('set-api-key');
        await input.press('Enter');
        await wb.quickInput().waitFor({ state: 'hidden', timeout: 10_000 });
        await until('the "stored" notification', async () =>
          (await wb.notifications()).some((n) => n.includes('Switchyard: stored the API key for anthropic.')), 10_000);

        const withKey = await anthropicRequestVia429(ctx, 'thanks, with the editor key');
        assert.equal(anthropicKey(withKey.headers), NEW_KEY, `the Anthropic request carried the editor's key (headers: ${Object.keys(withKey.headers).join(', ')})`);
        const openai = ((await mock.requests()) as Recorded[]).find((r) => r.api === 'openai' && r.model === FAST_MODEL);
        assert.ok(openai, 'the OpenAI primary was tried');
        assert.equal(openai.headers.authorization, `Bearer ${TEST_KEYS.OPENAI_API_KEY}`, 'OpenAI keeps the environment\'s key');

        // Memory only: nowhere under SWITCHYARD_HOME (daemon.log, daemon.json, ledger.db and its WAL, rules…).
        const files = filesUnder(env.home);
        assert.ok(files.some((f) => f.endsWith('daemon.json')), `home holds: ${files.join(', ')}`);
        const leaks = files.filter((f) => readFileSync(f).includes(NEW_KEY));
        assert.deepEqual(leaks, [], 'the editor\'s key is written nowhere under SWITCHYARD_HOME');
        await closeEditors(ctx);

        // Remove it: an empty key → the modal confirmation → the daemon is back on the environment's key.
        const again = await openKeyBox(ctx, /a key is stored in VS Code/);
        await again.fill('');
        await again.press('Enter');
        const dialog = wb.page.locator('.monaco-dialog-box');
        await dialog.waitFor({ timeout: 10_000 });
        assert.match(norm(await dialog.innerText()), /Remove the stored API key for anthropic\?/);
        await dialog.getByRole('button', { name: 'Remove' }).click();
        await until('the "removed" notification', async () =>
          (await wb.notifications()).some((n) => n.includes('Switchyard: removed the API key for anthropic.')), 10_000);
        const withoutKey = await anthropicRequestVia429(ctx, 'thanks, with the env key');
        assert.equal(anthropicKey(withoutKey.headers), TEST_KEYS.ANTHROPIC_API_KEY, 'after removal the environment\'s key is used again');
      } finally {
        await mock.reset();
      }
      await closeEditors(ctx);
    },
  },
];
