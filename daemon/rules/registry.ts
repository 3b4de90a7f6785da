/**
 * The rules each editor window routes by. One daemon serves every window of a user (one ledger, one spend), but
 * each workspace may have its own `.switchyard/rules.json`: a window names it in `hello`, and gets a RulesManager
 * for that file — loaded once, watched, shared by the windows that name the same file and dropped with the last.
 * Windows that name none, and HTTP clients, use the daemon's own rules (`--rules`, `~/.switchyard/rules.json` or
 * the built-in defaults).
 */
import { isAbsolute, resolve } from 'node:path';
import type { RulesSnapshot } from '../../shared/protocol';
import { RulesManager } from './manager';

export class RulesRegistry {
  private readonly shared = new Map<string, { manager: RulesManager; users: number }>();
  /** Files being loaded for a window, so two windows naming one file load it once. */
  private readonly loading = new Map<string, Promise<RulesManager>>();

  /** @param onChange called on every reload or save of any rules in use (the daemon's own included) */
  constructor(readonly home: RulesManager, private readonly onChange: (manager: RulesManager, snapshot: RulesSnapshot) => void) {
    home.on('changed', (snap) => onChange(home, snap));
  }

  /**
   * The rules for a window that names `file`: the daemon's own when it names none or the same file. Only an
   * absolute path to a `.json` or `.jsonc` file is taken (a workspace's rules file, as the extension sends it).
   * Rejects with RulesLoadError when the file does not load; the caller keeps the window on the daemon's own rules.
   */
  async acquire(file: string | null | undefined): Promise<RulesManager> {
    if (!file) return this.home;
    if (!isAbsolute(file) || !/\.jsonc?$/.test(file)) throw new TypeError(`a rules file must be an absolute path to a .json file, not "${file}"`);
    const path = resolve(file);
    if (this.home.file && resolve(this.home.file) === path) return this.home;
    let pending = this.loading.get(path);
    if (!this.shared.has(path) && !pending) {
      pending = RulesManager.open(path, path).then((manager) => {
        manager.on('changed', (snap) => this.onChange(manager, snap));
        manager.watch();
        this.shared.set(path, { manager, users: 0 });
        return manager;
      }).finally(() => this.loading.delete(path));
      this.loading.set(path, pending);
    }
    if (pending) await pending;
    const known = this.shared.get(path)!;
    known.users++;
    return known.manager;
  }

  /** A window is done with `manager` (it closed or said hello again). */
  release(manager: RulesManager): void {
    if (manager === this.home || !manager.file) return;
    const path = resolve(manager.file);
    const known = this.shared.get(path);
    if (!known || known.manager !== manager) return;
    if (--known.users > 0) return;
    manager.unwatch();
    manager.removeAllListeners();
    this.shared.delete(path);
  }

  /** Files in use besides the daemon's own (for logs and tests). */
  get inUse(): string[] { return [...this.shared.keys()]; }

  close(): void {
    for (const { manager } of this.shared.values()) manager.unwatch();
    this.shared.clear();
    this.home.unwatch();
  }
}
