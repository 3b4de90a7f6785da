/**
 * Where rules files live. A workspace's `.switchyard/rules.json` counts only in a trusted workspace; otherwise
 * the user's `<home>/rules.json` (home = the daemon home).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

export const WORKSPACE_RULES_DIR = '.switchyard';
export const WORKSPACE_RULES = join(WORKSPACE_RULES_DIR, 'rules.json');

/** The first workspace folder's rules file, if the workspace is trusted and the file exists. */
export function workspaceRulesFile(): string | null {
  if (!vscode.workspace.isTrusted) return null;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const file = join(folder.uri.fsPath, WORKSPACE_RULES);
    if (existsSync(file)) return file;
  }
  return null;
}

export function userRulesFile(home: string): string {
  return join(home, 'rules.json');
}
