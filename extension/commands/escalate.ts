/**
 * The way back when a route was wrong. Switchyard: Ask Again With a Stronger Model sends a request this window
 * sent again one tier up (the daemon's `escalateFrom`); Switchyard: Mark Answer as Overkill says it needed less
 * (`feedback.mark`). Reached from the answer (its done notification, the answer document's title bar), from a code
 * action's proposal, from the sidebar's recent list and from the palette (a pick of this window's recent requests).
 */
import * as vscode from 'vscode';
import type { FeedbackMark } from '../../shared/protocol';
import { errorMessage } from '../daemon/client';
import { formatAgo } from '../webviews/common/format';
import { HISTORY_LIMIT, requestLabel, servedLabel, type SentRequest } from '../requests/history';
import { ASK_AGAIN_STRONGER_COMMAND, MARK_OVERKILL_COMMAND, type AgainPlan } from '../requests/runner';
import type { Services } from '../services';

/** The context key listing the answer documents open (`resource in switchyard.answerDocuments`: the title-bar actions). */
export const ANSWER_DOCUMENTS_KEY = 'switchyard.answerDocuments';

/** What the commands take: a request id, `{ requestId, mark? }` (sidebar, notifications, proposals) or an answer document's URI (title bar). */
export type EscalationArgs = string | { requestId?: unknown; mark?: unknown } | vscode.Uri | undefined;

export function registerEscalation(services: Services): vscode.Disposable {
  const { runner } = services;
  /** Answer documents (URI string) → the request whose answer they show (the latest, when asked again into the same one). */
  const answerDocs = new Map<string, string>();
  const publish = () => void vscode.commands.executeCommand('setContext', ANSWER_DOCUMENTS_KEY, [...answerDocs.keys()]);

  const requestIdOf = async (args: EscalationArgs, verb: string): Promise<string | undefined> => {
    if (typeof args === 'string' && args) return args;
    if (args instanceof vscode.Uri) {
      const id = answerDocs.get(args.toString());
      if (id) return id;
    } else if (args && typeof args === 'object' && typeof args.requestId === 'string' && args.requestId) {
      return args.requestId;
    }
    // The palette (or a document the window no longer knows): a pick of this window's requests, the latest first.
    const recent = runner.history.list();
    if (!recent.length) {
      void vscode.window.showInformationMessage('Switchyard: this window has not sent a request yet (or it was reloaded since), so there is none to ' + verb + '. Ask something first.');
      return undefined;
    }
    const now = Date.now();
    const picked = await vscode.window.showQuickPick(recent.map((e, i) => ({
      label: `${i === 0 ? '$(history) ' : ''}${e.title}: ${e.label}`,
      description: formatAgo(e.time, now),
      detail: servedLabel(e),
      entry: e,
    })), { title: `Switchyard: ${verb} — which request?`, placeHolder: 'The latest first', matchOnDescription: true, matchOnDetail: true });
    return picked?.entry.requestId;
  };

  const askAgain = async (args: EscalationArgs) => {
    const requestId = await requestIdOf(args, 'ask again with a stronger model');
    if (!requestId) return;
    const entry: SentRequest<AgainPlan> | undefined = runner.history.get(requestId);
    if (!entry) {
      void vscode.window.showWarningMessage(
        `Switchyard: request ${requestId} was not sent from this window since it was (re)loaded, so its prompt is not known here (a window keeps the last ${HISTORY_LIMIT} requests it sent, in memory only). Send it again with Ask… or the command that made it.`,
      );
      return;
    }
    const plan = entry.again;
    services.log.info(`Ask Again With a Stronger Model: ${entry.title} ${requestId} (${servedLabel(entry)}): "${requestLabel(entry.request, 40)}"`);
    const outcome = await runner.run(entry.request, {
      title: `${entry.title} (asked again with a stronger model)`,
      sink: plan.sink(),
      header: plan.header,
      escalateFrom: requestId,
      again: plan,
      label: entry.label,
    });
    if (outcome) await plan.after?.(outcome);
  };

  const mark = async (args: EscalationArgs) => {
    const requestId = await requestIdOf(args, 'mark as overkill');
    if (!requestId) return;
    const given = args && typeof args === 'object' && !(args instanceof vscode.Uri) && 'mark' in args ? args.mark : 'overkill';
    const value: FeedbackMark | null = given === null ? null : 'overkill';
    if (!(await runner.ensureConnected())) return;
    try {
      const { entry } = await services.daemon.request('feedback.mark', { requestId, mark: value });
      const what = `${entry.model ?? 'no model'}${entry.tier ? ` (${entry.tier} tier)` : ''}`;
      services.log.info(`feedback: ${requestId} ${value ?? 'cleared'}`);
      if (value === null) {
        void vscode.window.showInformationMessage(`Switchyard: cleared the overkill mark on the answer from ${what}.`);
        return;
      }
      // Not awaited: the command is done once the mark is stored (a proposal waiting on it comes back at once).
      void vscode.window.showInformationMessage(
        `Switchyard: marked the answer from ${what} as overkill — ${entry.rule.startsWith('escalation: ') ? 'the escalation went further than needed' : `rule "${entry.rule}" may route too high`}. The sidebar's Escalations section counts it.`, 'Undo',
      ).then((undo) => {
        if (undo === 'Undo') return mark({ requestId, mark: null });
      });
    } catch (err) {
      void vscode.window.showErrorMessage(`Switchyard: could not mark the answer as overkill — ${errorMessage(err)}`);
    }
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand(ASK_AGAIN_STRONGER_COMMAND, askAgain),
    vscode.commands.registerCommand(MARK_OVERKILL_COMMAND, mark),
    runner.onDidAnswer(({ entry, uri }) => {
      if (!uri) return;
      answerDocs.set(uri.toString(), entry.requestId);
      publish();
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (answerDocs.delete(doc.uri.toString())) publish();
    }),
  );
}
