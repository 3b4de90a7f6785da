/** Switchyard: Set API Key… — pick a provider, type the key (password box), store it in SecretStorage, hand it to the daemon. */
import * as vscode from 'vscode';
import { errorMessage } from '../daemon/client';
import type { Services } from '../services';

export const SET_API_KEY_COMMAND = 'switchyard.setApiKey';

interface ProviderItem extends vscode.QuickPickItem {
  provider?: string;
  other?: true;
}

/** Provider names the daemon's rules know, with whether each has a key (best effort). */
async function providersFromDaemon(services: Services): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  if (!services.daemon.connected) return out;
  try {
    for (const h of await services.daemon.request('providers.health', {})) out.set(h.provider, (out.get(h.provider) ?? false) || h.hasKey);
  } catch {
    // the well-known providers are enough
  }
  return out;
}

export function registerSetApiKey(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(SET_API_KEY_COMMAND, async (preset?: unknown) => {
    let provider = typeof preset === 'string' ? preset : undefined;
    if (!provider) {
      const known = await providersFromDaemon(services);
      const names = new Map<string, string>([['openai', 'OpenAI'], ['anthropic', 'Anthropic']]);
      for (const name of known.keys()) if (!names.has(name)) names.set(name, name);
      const items: ProviderItem[] = [];
      for (const [name, label] of names) {
        const stored = !!(await services.keys.get(name));
        const daemonHasKey = known.get(name);
        items.push({
          label,
          description: [name !== label ? name : '', known.has(name) ? 'in your rules' : ''].filter(Boolean).join(' · '),
          detail: stored ? '$(key) a key is stored in VS Code' : daemonHasKey ? '$(key) the daemon has a key (environment)' : undefined,
          provider: name,
        });
      }
      items.push({ label: 'Another provider…', description: 'as named in your rules file', other: true });
      const pick = await vscode.window.showQuickPick(items, { title: 'Switchyard: Set API Key', placeHolder: 'Which provider?' });
      if (!pick) return;
      provider = pick.provider;
      if (pick.other) {
        provider = await vscode.window.showInputBox({
          title: 'Switchyard: Set API Key',
          prompt: 'The provider name, exactly as in the rules file ("providers": { "<name>": … })',
          validateInput: (v) => (/^[A-Za-z0-9_.-]+$/.test(v.trim()) ? undefined : 'letters, digits, "_", "-" and "." only'),
        });
        provider = provider?.trim();
      }
    }
    if (!provider) return;
    const existing = await services.keys.get(provider);
    const key = await vscode.window.showInputBox({
      title: `Switchyard: API key for ${provider}`,
      prompt: existing ? 'Paste the new key, or leave empty to remove the stored one. Stored in VS Code\'s secret storage.' : 'Paste the key. It is stored in VS Code\'s secret storage and given to the local daemon in memory only.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (/\s/.test(v.trim()) ? 'a key has no spaces' : undefined),
    });
    if (key === undefined) return;
    try {
      if (!key.trim()) {
        if (!existing) return;
        const sure = await vscode.window.showWarningMessage(`Remove the stored API key for ${provider}?`, { modal: true }, 'Remove');
        if (sure !== 'Remove') return;
        await services.keys.delete(provider);
        if (services.daemon.connected) await services.daemon.request('keys.set', { provider, key: null });
        void vscode.window.showInformationMessage(`Switchyard: removed the API key for ${provider}.`);
        return;
      }
      await services.keys.set(provider, key.trim());
      if (services.daemon.connected) await services.daemon.request('keys.set', { provider, key: key.trim() });
      services.log.info(`keys: stored the API key for ${provider}`);
      void vscode.window.showInformationMessage(
        `Switchyard: stored the API key for ${provider}${services.daemon.connected ? '' : ' (the daemon gets it when it connects)'}.`,
      );
    } catch (err) {
      void vscode.window.showErrorMessage(`Switchyard: could not set the key for ${provider}: ${errorMessage(err)}`);
    }
  });
}
