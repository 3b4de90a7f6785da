/** Turning a code answer into a reviewed edit: extract the fenced code, fit it, diff-preview, apply. */
import * as vscode from 'vscode';
import { extractCode, fitIndentation, type FitOptions } from '../requests/fences';
import { ASK_AGAIN_STRONGER_COMMAND, MARK_OVERKILL_COMMAND } from '../requests/runner';
import type { Services } from '../services';

/**
 * Whether the lines a proposal would replace are as they were when the request was sent (`version`, `original`);
 * when they changed, says so and returns false. `again`: the proposal is a stronger model's second answer.
 */
export function stillAsAsked(document: vscode.TextDocument, range: vscode.Range, version: number, original: string, what: 'code' | 'selection', again: boolean): boolean {
  if (document.version === version || document.getText(range) === original) return true;
  void vscode.window.showWarningMessage(again
    ? `Switchyard: the ${what} changed since the first answer (was it applied?); the stronger answer was not proposed.`
    : `Switchyard: the ${what} changed while the model was working; nothing was applied.`);
  return false;
}

export async function proposeCodeAnswer(
  services: Services,
  document: vscode.TextDocument,
  range: vscode.Range,
  fit: FitOptions,
  answer: string,
  what: string,
  /** The request that answered: the proposal then offers to ask it again stronger, or to mark it overkill. */
  requestId?: string,
): Promise<boolean> {
  const extracted = extractCode(answer, document.languageId);
  if (!extracted) {
    void vscode.window.showWarningMessage('Switchyard: the answer held no code to apply.');
    return false;
  }
  if (!extracted.complete) {
    const go = await vscode.window.showWarningMessage(
      'Switchyard: the answer looks cut off (its code block never closed). Preview it anyway?',
      'Preview',
    );
    if (go !== 'Preview') return false;
  }
  const newText = fitIndentation(extracted.code, fit);
  if (newText === document.getText(range)) {
    void vscode.window.showInformationMessage('Switchyard: the proposal is identical to the current code.');
    return false;
  }
  const followUps = requestId === undefined ? undefined : {
    stronger: () => void vscode.commands.executeCommand(ASK_AGAIN_STRONGER_COMMAND, { requestId }),
    overkill: () => vscode.commands.executeCommand(MARK_OVERKILL_COMMAND, { requestId }),
  };
  const applied = await services.preview.propose(document, range, newText, what, followUps);
  services.log.info(`${what}: proposal ${applied ? 'applied' : 'discarded'}`);
  return applied;
}
