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
import { hasErrors, loadRulesFile, parseRules } from './load';
import type { CompiledRules } from './types';

export class RulesManager extends EventEmitter<{ changed: [RulesSnapshot] }> {
  private good: CompiledRules;
  private snapshot: RulesSnapshot;
  private watcher?: FSWatcher;
  private reloadTimer?: NodeJS.Timeout;
  private fileValue: string | null;

  /** Throws when the initial load fails: there is no last good version to fall back to. */
  constructor(file: string | null, private readonly saveTarget: string) {
    super();
    this.fileValue = file;
    const { rules, issues, text } = loadRulesFile(file);
    if (!rules) throw new RulesLoadError(issues);
    this.good = rules;
    this.snapshot = { file, text, issues, stale: false };
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
        this.reloadTimer = setTimeout(() => this.reload(), 50);
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

  reload(): RulesSnapshot {
    if (this.file === null && !existsSync(this.saveTarget)) return this.snapshot;
    const file = this.file ?? this.saveTarget;
    const { rules, issues, text } = loadRulesFile(file);
    if (file === this.file && text === this.snapshot.text && !this.snapshot.stale && rules) return this.snapshot;
    if (rules) this.good = rules;
    this.fileValue = file;
    this.snapshot = { file, text, issues, stale: !rules };
    this.emit('changed', this.snapshot);
    return this.snapshot;
  }

  validate(text: string): ValidationIssue[] {
    return parseRules(text, this.file ?? this.saveTarget).issues;
  }

  /** Writes only a valid text; returns its issues either way. */
  save(text: string): { saved: boolean; file: string; issues: ValidationIssue[] } {
    const target = this.file ?? this.saveTarget;
    const { rules, issues } = parseRules(text, target);
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
