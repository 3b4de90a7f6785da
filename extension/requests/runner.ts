/**
 * Sending one request the way every command does: make sure the daemon is there, preview the decision, ask
 * before an expensive one, stream with a cancellable progress notification, show fallbacks as they happen,
 * and end with the actual model, tokens, cost and time.
 */
import * as vscode from 'vscode';
import type { Decision, RouteRequest } from '../../shared/decision';
import { formatUsd } from '../../shared/format';
import type { CompletionResult } from '../../shared/protocol';
import { readSettings } from '../config';
import { errorCode, errorMessage } from '../daemon/client';
import type { DaemonConnection } from '../daemon/connection';
import { attemptLines, decidedModel, decisionSummary, fallbackText, resultFooter, resultSummary, ruleLabel } from '../hint/labels';
import type { StatusBar } from '../status/statusBar';
import { whenConnected } from '../util/connection';
import type { AnswerSink } from './answerSink';
import { CompletionError, startCompletion } from './completion';
import { escalationSteps, RequestHistory, servedLabel, type SentRequest } from './history';

/** The command ids of the way back (registered in commands/escalate.ts). */
export const ASK_AGAIN_STRONGER_COMMAND = 'switchyard.askAgainStronger';
export const MARK_OVERKILL_COMMAND = 'switchyard.markOverkill';

/** How a command's answer is shown again when the request is asked again with a stronger model. */
export interface AgainPlan {
  /** A fresh sink for the new answer (the command's own kind: a document, the panel, collected for a diff). */
  sink(): AnswerSink;
  /** The new answer's header (the runner adds that it was escalated, and from which tier to which). */
  header?: string;
  /** What the command does with a new answer (code tasks: propose it as a diff again). */
  after?(outcome: RunOutcome): Promise<unknown>;
  /** Answers shown to read (Ask, Explain): the done notification offers to ask again stronger or mark overkill. */
  offerFollowUps: boolean;
}

/** A finished answer: the request as remembered, and the document it went to (document sinks). */
export interface Answered {
  entry: SentRequest<AgainPlan>;
  uri?: vscode.Uri;
}

export interface RunOptions {
  /** Shown in the progress notification: `Switchyard: Explain Selection`. */
  title: string;
  sink: AnswerSink;
  /** Written first to document and panel sinks. */
  header?: string;
  /** A preview already made for exactly this request. */
  decision?: Decision;
  /** Ask the request of this ledger row again one tier up (`complete`'s `escalateFrom`). */
  escalateFrom?: string;
  /** Remember the request (in memory, bounded) so it can be asked again with a stronger model, shown this way. */
  again?: AgainPlan;
  /** What the request was about, for the pick list of recent requests (default: the prompt's first line). */
  label?: string;
}

export interface RunOutcome {
  result: CompletionResult;
  text: string;
}

export class RequestRunner implements vscode.Disposable {
  /** The requests this window sent, newest first (RequestHistory: in memory, the last 50). */
  readonly history = new RequestHistory<AgainPlan>();
  private readonly answered = new vscode.EventEmitter<Answered>();
  /** Fired after each remembered answer is complete. */
  readonly onDidAnswer = this.answered.event;

  constructor(
    private readonly daemon: DaemonConnection,
    private readonly status: StatusBar,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Undefined when the user cancelled or the request failed (the error was shown). */
  async run(request: RouteRequest, options: RunOptions): Promise<RunOutcome | undefined> {
    if (!(await this.ensureConnected())) return undefined;

    let decision = options.escalateFrom ? undefined : options.decision;
    if (!decision) {
      try {
        decision = await this.daemon.request('route.preview', options.escalateFrom ? { request, escalateFrom: options.escalateFrom } : { request });
      } catch (err) {
        // An escalation that cannot go anywhere (the strongest tier already, a row the ledger no longer has) ends here.
        this.showError(options.escalateFrom
          ? `could not ask again with a stronger model — ${errorMessage(err)}`
          : `${options.title}: could not route the request — ${errorMessage(err)}`);
        return undefined;
      }
    }
    const steps = escalationSteps(decision.rule);
    if (!(await this.confirmCost(decision))) return undefined;

    const model = decidedModel(decision) ?? 'no model';
    this.log.info(`${options.title}: ${decisionSummary(decision)} [task ${request.task}, source ${request.source}, urgency ${request.urgency}]`);
    try {
      await options.sink.begin((options.header ?? '') + (options.escalateFrom && steps ? `*Asked again with a stronger model: ${steps}.*\n\n` : ''));
    } catch (err) {
      this.showError(`${options.title}: could not open the answer — ${errorMessage(err)}`);
      return undefined;
    }

    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Switchyard: ${options.title}`, cancellable: true },
      async (progress, token) => {
        let current = model;
        // Once a fallback happened, the progress keeps saying so for the rest of the request.
        let fellBack = '';
        let chars = 0;
        let lastReport = 0;
        progress.report({ message: `${model} · ${ruleLabel(decision.rule)} · waiting for the first token…` });
        this.status.beginRequest(`${model}…`);
        let started: string | undefined;
        const running = startCompletion(this.daemon, request, {
          onStart: (id) => { started = id; },
          onDelta: (text) => {
            options.sink.append(text);
            chars += text.length;
            const now = Date.now();
            if (now - lastReport > 250) {
              lastReport = now;
              progress.report({ message: `${fellBack || current} · ${chars.toLocaleString('en-US')} characters` });
            }
          },
          onFallback: (event) => {
            const text = fallbackText(event.from, event.to);
            current = event.to.model;
            fellBack = text;
            this.log.warn(`${options.title}: ${text}${event.from.message ? ` (${event.from.message})` : ''}`);
            progress.report({ message: text });
            this.status.showFallback(text);
          },
        }, options.escalateFrom ? { escalateFrom: options.escalateFrom } : {});
        const cancel = token.onCancellationRequested(() => running.cancel());
        try {
          const result = await running.result;
          await options.sink.finish(resultFooter(result));
          this.log.info(`${options.title}: done — ${resultSummary(result)}`);
          this.status.endRequest({
            ok: true, provider: result.provider, model: result.model, fallbacks: result.fallbacks, attempts: result.attempts,
            costUsd: result.costUsd, totalMs: result.totalMs,
          });
          const outcome = { result, text: running.text || result.text };
          if (options.again) this.remember(request, options, outcome, options.again);
          return outcome;
        } catch (err) {
          const code = errorCode(err);
          const partial = err instanceof CompletionError ? err.partialText : running.text;
          const attempts = err instanceof CompletionError ? err.attempts : [];
          if (code === 'E_CANCELLED') {
            await options.sink.finish('\n\n---\n\n*Cancelled.*\n').catch(() => {});
            this.log.info(`${options.title}: cancelled`);
            this.status.endRequest(null);
            return undefined;
          }
          // A request that failed or was cut has its ledger row: remembered, it can be asked again with a stronger model.
          if (started && options.again) {
            this.history.add({ requestId: started, rule: decision.rule, tier: decision.tier, model, escalatedFrom: options.escalateFrom ?? null, failed: true }, request, {
              title: (options.escalateFrom && this.history.get(options.escalateFrom)?.title) || options.title, label: options.label, again: options.again, time: Date.now(),
            });
          }
          const lines = attemptLines(attempts);
          await options.sink
            .finish(`\n\n---\n\n**Failed** (${code ?? 'error'}): ${errorMessage(err)}${lines.length ? `\n\n${lines.map((l) => `- ${l}`).join('\n')}` : ''}\n`)
            .catch(() => {});
          this.log.error(`${options.title}: failed (${code}): ${errorMessage(err)}${lines.length ? `\n  ${lines.join('\n  ')}` : ''}`);
          this.status.endRequest({
            ok: false, provider: null, model: null, fallbacks: Math.max(0, attempts.length - 1), attempts, costUsd: null, totalMs: 0,
            error: errorMessage(err),
          });
          this.showError(`${options.title} failed: ${errorMessage(err)}${partial ? ' (the partial answer was kept)' : ''}`);
          return undefined;
        } finally {
          cancel.dispose();
        }
      },
    );
  }

  private remember(request: RouteRequest, options: RunOptions, outcome: RunOutcome, again: AgainPlan): void {
    // An escalation is remembered under the command that first sent the request (its progress title says more).
    const title = (options.escalateFrom && this.history.get(options.escalateFrom)?.title) || options.title;
    const entry = this.history.add(outcome.result, request, { title, label: options.label, again, time: Date.now() });
    this.answered.fire({ entry, uri: options.sink.uri });
    if (!again.offerFollowUps) return;
    const steps = escalationSteps(outcome.result.rule);
    const what = steps ? `asked again with a stronger model (${steps}): ${outcome.result.model} answered.` : `${servedLabel(entry)} answered.`;
    const stronger = 'Ask Again With a Stronger Model';
    const overkill = 'Mark as Overkill';
    void vscode.window.showInformationMessage(`Switchyard: ${what}`, stronger, overkill).then((choice) => {
      const args = { requestId: entry.requestId };
      if (choice === stronger) void vscode.commands.executeCommand(ASK_AGAIN_STRONGER_COMMAND, args);
      if (choice === overkill) void vscode.commands.executeCommand(MARK_OVERKILL_COMMAND, args);
    });
  }

  dispose(): void {
    this.answered.dispose();
  }

  /** Waits briefly for the daemon; tells the user when it is not there. */
  async ensureConnected(): Promise<boolean> {
    if (this.daemon.connected) return true;
    const ok = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Switchyard: connecting to the daemon…' },
      () => whenConnected(this.daemon, 8_000),
    );
    if (!ok) this.showError('The Switchyard daemon is not reachable.', 'Restart Daemon');
    return ok;
  }

  /** True to go ahead: below the threshold, or the user confirmed. */
  async confirmCost(decision: Decision): Promise<boolean> {
    const threshold = readSettings().confirmAboveUsd;
    if (!(threshold > 0) || !(decision.estimate.costUsd > threshold)) return true;
    const choice = await vscode.window.showWarningMessage(
      `This request is estimated at ≈${formatUsd(decision.estimate.costUsd)}, above your ${formatUsd(threshold)} threshold.`,
      { modal: true, detail: `${decisionSummary(decision)}\n\nChange the threshold with the setting switchyard.confirmAboveUsd.` },
      'Send',
    );
    return choice === 'Send';
  }

  private showError(message: string, action: 'Show Log' | 'Restart Daemon' = 'Show Log'): void {
    void vscode.window.showErrorMessage(`Switchyard: ${message}`, action).then((choice) => {
      if (choice === 'Show Log') void vscode.commands.executeCommand('switchyard.showLog');
      if (choice === 'Restart Daemon') void vscode.commands.executeCommand('switchyard.restartDaemon');
    });
  }
}
