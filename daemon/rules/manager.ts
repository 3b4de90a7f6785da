/**
 * Owns the live rules: loads them by the lookup order, watches the file, and on a bad edit keeps serving the
 * last good version while reporting the errors. Saves are validated first and written atomically. Serving the
 * built-in defaults, it watches for the file a save would write (`~/.switchyard/rules.json`) and adopts it
 * when it appears — created by the editor's Open Rules File, by hand, or by a save.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, renameSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RulesSnapshot, ValidationIssue } from '../../shared/protocol';
import { hasErrors, loadRulesFile, loadRulesFileAsync, parseRulesAsync, readRulesText, type LoadResult } from './load';
import type { CompiledRules } from './types';

export class RulesManager extends EventEmitter<{ changed: [RulesSnapshot] }> {
  private good: CompiledRules;
  private snapshot: RulesSnapshot;
  private watcher?: FSWatcher;
  private reloadTimer?: NodeJS.Timeout;
  private fileValue: string | null;
  /** The reload running now, and whether another change arrived while it ran. */
  private reloading?: Promise<RulesSnapshot>;
  private reloadAgain = false;

  /**
   * Throws when the initial load fails: there is no last good version to fall back to.
   * @param loaded the file already loaded (RulesManager.open); otherwise it is loaded here, synchronously
   */
  constructor(file: string | null, private readonly saveTarget: string, loaded?: LoadResult & { text: string }) {
    super();
    this.fileValue = file;
    const { rules, issues, text } = loaded ?? loadRulesFile(file);
    if (!rules) throw new RulesLoadError(issues);
    this.good = rules;
    this.snapshot = { file, text, issues, stale: false };
  }

  /** Loads `file` without holding up the event loop (a window's rules file, named in `hello`). */
  static async open(file: string, saveTarget: string): Promise<RulesManager> {
    return new RulesManager(file, saveTarget, await loadRulesFileAsync(file));
  }

  /** The file served; null while serving the built-in defaults. */
  get file(): string | null { return this.fileValue; }
  get current(): CompiledRules { return this.good; }
  get state(): RulesSnapshot { return this.snapshot; }

  /** Reload on change. Editors save by rename, so watch the folder and filter by name. */
  watch(): void {
    if (this.watcher) return;
    const file = this.file ?? this.saveTarget;
    const name = basename(file);
    try {
      mkdirSync(dirname(file), { recursive: true });
      this.watcher = watch(dirname(file), (_event, changed) => {
        if (changed && changed !== name) return;
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => void this.reload(), 50);
      });
      this.watcher.on('error', () => this.unwatch());
    } catch {
      // A folder we cannot watch still works; changes then apply on restart or rules.save.
    }
  }

  unwatch(): void {
    clearTimeout(this.reloadTimer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  /**
   * Re-reads the file. A bad version keeps the last good rules serving and is reported (`stale`). Loading is
   * sliced (parseRulesAsync), so a huge file never stalls requests; changes that arrive meanwhile coalesce into
   * one more reload after it.
   */
  reload(): Promise<RulesSnapshot> {
    if (this.reloading) { this.reloadAgain = true; return this.reloading; }
    const run = async (): Promise<RulesSnapshot> => {
      try {
        do { this.reloadAgain = false; await this.reloadOnce(); } while (this.reloadAgain);
      } finally { this.reloading = undefined; }
      return this.snapshot;
    };
    return (this.reloading = run());
  }

  private async reloadOnce(): Promise<void> {
    if (this.file === null && !existsSync(this.saveTarget)) return;
    const file = this.file ?? this.saveTarget;
    const read = readRulesText(file);
    // An unchanged text needs no parse (editors touch files without changing them).
    if ('text' in read && file === this.file && read.text === this.snapshot.text && !this.snapshot.stale) return;
    const { rules, issues } = 'issue' in read ? { rules: null, issues: [read.issue] } : await parseRulesAsync(read.text, file);
    const text = 'text' in read ? read.text : '';
    if (rules) this.good = rules;
    this.fileValue = file;
    this.snapshot = { file, text, issues, stale: !rules };
    this.emit('changed', this.snapshot);
  }

  async validate(text: string): Promise<ValidationIssue[]> {
    return (await parseRulesAsync(text, this.file ?? this.saveTarget)).issues;
  }

  /** Writes only a valid text; returns its issues either way. */
  async save(text: string): Promise<{ saved: boolean; file: string; issues: ValidationIssue[] }> {
    const target = this.file ?? this.saveTarget;
    const { rules, issues } = await parseRulesAsync(text, target);
    if (!rules || hasErrors(issues)) return { saved: false, file: target, issues };
    mkdirSync(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, target);
    this.fileValue = target;
    this.good = rules;
    this.snapshot = { file: target, text, issues, stale: false };
    this.emit('changed', this.snapshot);
    return { saved: true, file: target, issues };
  }
}

export class RulesLoadError extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(`rules have errors:\n${issues.map((i) => `  ${i.file}:${i.line ?? 1}:${i.column ?? 1}: ${i.message}`).join('\n')}`);
  }
}
