/**
 * Shows a proposed replacement as a diff (the document vs a virtual copy with the proposal applied), asks
 * Apply / Discard, and applies it as ONE WorkspaceEdit (one undo step).
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';

export const PROPOSAL_SCHEME = 'switchyard-proposal';

/** The way back from a proposal: ask its request again with a stronger model, or mark the answer overkill. */
export interface ProposalFollowUps {
  /** Runs after the diff closes (the stronger answer is proposed afresh). */
  stronger(): void;
  /** Marks the answer; the proposal stays open to apply or discard. */
  overkill(): PromiseLike<unknown>;
}

// Short: four buttons share one notification (the question says what they do).
const STRONGER = 'Stronger Model';
const OVERKILL = 'Overkill';

export class ProposalPreview implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;
  private seq = 0;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /**
   * Diff preview, then Apply/Discard. Returns true when the edit was applied. Refuses (with a message) when the
   * replaced text changed while the user was looking.
   */
  async propose(document: vscode.TextDocument, range: vscode.Range, newText: string, what: string, followUps?: ProposalFollowUps): Promise<boolean> {
    const original = document.getText();
    const originalRangeText = document.getText(range);
    const proposed = original.slice(0, document.offsetAt(range.start)) + newText + original.slice(document.offsetAt(range.end));
    // Keep the path (and so the extension: syntax highlighting) of the original; make it unique per proposal.
    const proposalUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: document.uri.path, query: `proposal=${++this.seq}` });
    this.contents.set(proposalUri.toString(), proposed);
    const name = basename(document.uri.path) || document.uri.toString();
    try {
      await vscode.commands.executeCommand('vscode.diff', document.uri, proposalUri, `${name} ↔ Switchyard: ${what}`, { preview: false });
      const closed = this.diffClosed(proposalUri);
      const buttons = followUps ? ['Apply', 'Discard', STRONGER, OVERKILL] : ['Apply', 'Discard'];
      let choice: string | undefined;
      for (let marked = false; ;) {
        const shown = marked ? buttons.filter((b) => b !== OVERKILL) : buttons;
        const or = !followUps ? '' : marked ? ' Or ask a stronger model again.' : ' Or ask a stronger model, or mark this answer overkill.';
        choice = await Promise.race([vscode.window.showInformationMessage(`Switchyard: apply the proposed change (${what}) to ${name}?${or}`, ...shown), closed]);
        if (choice !== OVERKILL || !followUps) break;
        // Marked: the question comes back (the proposal may still be worth applying).
        await followUps.overkill();
        marked = true;
      }
      if (choice !== 'Apply') {
        await this.closeDiff(proposalUri);
        if (choice === STRONGER) followUps?.stronger();
        return false;
      }
      // Apply while the diff still holds the document open, then close the diff and show the result.
      const current = document.isClosed ? await vscode.workspace.openTextDocument(document.uri) : document;
      if (current.getText(range) !== originalRangeText) {
        await this.closeDiff(proposalUri);
        void vscode.window.showWarningMessage(`Switchyard: ${name} changed while the proposal was open; nothing was applied.`);
        return false;
      }
      const edit = new vscode.WorkspaceEdit();
      edit.replace(current.uri, range, newText, { label: `Switchyard: ${what}`, needsConfirmation: false });
      const applied = await vscode.workspace.applyEdit(edit);
      await this.closeDiff(proposalUri);
      if (applied) {
        const editor = await vscode.window.showTextDocument(current, { preview: false });
        const start = range.start;
        const end = current.positionAt(current.offsetAt(start) + newText.length);
        editor.selection = new vscode.Selection(start, end);
        editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }
      return applied;
    } finally {
      this.contents.delete(proposalUri.toString());
    }
  }

  private findDiffTab(proposalUri: vscode.Uri): vscode.Tab | undefined {
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposalUri.toString()) return tab;
      }
    }
    return undefined;
  }

  /** Resolves 'Discard' when the user closes the diff instead of answering. */
  private diffClosed(proposalUri: vscode.Uri): Promise<'Discard'> {
    return new Promise((resolve) => {
      const sub = vscode.window.tabGroups.onDidChangeTabs((e) => {
        const gone = e.closed.some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === proposalUri.toString());
        if (gone) {
          sub.dispose();
          resolve('Discard');
        }
      });
      // Never leak the listener: it also ends when the proposal is forgotten.
      const check = setInterval(() => {
        if (!this.contents.has(proposalUri.toString())) {
          clearInterval(check);
          sub.dispose();
        }
      }, 2_000);
    });
  }

  private async closeDiff(proposalUri: vscode.Uri): Promise<void> {
    const tab = this.findDiffTab(proposalUri);
    if (tab) await vscode.window.tabGroups.close(tab, true);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
    this.contents.clear();
  }
}
