/**
 * API keys in VS Code SecretStorage, one secret per provider name (`switchyard.apiKey.<provider>`). The daemon
 * gets them over `keys.set` on every (re)connect and holds them in memory only.
 */
import * as vscode from 'vscode';

const PREFIX = 'switchyard.apiKey.';
const INDEX = 'switchyard.apiKeyProviders';
/** Providers whose keys are always looked for, besides the ones recorded in the index. */
export const WELL_KNOWN_PROVIDERS = ['openai', 'anthropic'];

export class ApiKeyStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the provider name when its key is set or removed (in this window or another). */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage, private readonly state: vscode.Memento) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key.startsWith(PREFIX)) this.changed.fire(e.key.slice(PREFIX.length));
    });
  }

  /** Provider names that may have a stored key. */
  providers(): string[] {
    const recorded = this.state.get<string[]>(INDEX, []);
    return [...new Set([...WELL_KNOWN_PROVIDERS, ...recorded])];
  }

  get(provider: string): Thenable<string | undefined> {
    return this.secrets.get(PREFIX + provider);
  }

  async set(provider: string, key: string): Promise<void> {
    await this.secrets.store(PREFIX + provider, key);
    const recorded = this.state.get<string[]>(INDEX, []);
    if (!recorded.includes(provider)) await this.state.update(INDEX, [...recorded, provider]);
  }

  async delete(provider: string): Promise<void> {
    await this.secrets.delete(PREFIX + provider);
  }

  /** Every stored key, by provider. */
  async all(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const provider of this.providers()) {
      const key = await this.get(provider);
      if (key) out.set(provider, key);
    }
    return out;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
