/** Switchyard: Ask… — a prompt box that shows the routing decision as you type, then streams the answer. */
import * as vscode from 'vscode';
import { readSettings } from '../config';
import { answersOutput, DocumentSink, PanelSink, type AnswerSink } from '../requests/answerSink';
import { liveDecisionInput } from '../requests/liveDecisionInput';
import { buildAskRequest } from '../requests/prompts';
import { requestContext, type Services } from '../services';

export const ASK_COMMAND = 'switchyard.ask';

/** The sink the `switchyard.answers.openIn` setting asks for. */
export function answerSink(services: Services): AnswerSink {
  return readSettings().answersOpenIn === 'panel' ? new PanelSink(answersOutput(services.context)) : new DocumentSink();
}

/** `> line` quoting for a Markdown header. */
export function quote(text: string, max = 600): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text;
  return short.split('\n').map((l) => `> ${l}`).join('\n');
}

export function registerAsk(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(ASK_COMMAND, async (initial?: unknown) => {
    const language = vscode.window.activeTextEditor?.document.languageId;
    const ctx = requestContext('palette', language);
    const input = await liveDecisionInput(services.daemon, {
      title: 'Switchyard: Ask',
      placeholder: 'Ask anything — the model, cost and latency update as you type',
      emptyPrompt: 'Type a prompt to see which model it will go to, the estimated cost and latency, and the rule that chose it',
      value: typeof initial === 'string' ? initial : undefined,
      build: (value) => buildAskRequest(value, ctx),
    });
    if (!input) return;
    const request = buildAskRequest(input.value, ctx);
    const header = `# Switchyard\n\n${quote(input.value)}\n\n`;
    await services.runner.run(request, {
      title: 'Ask',
      sink: answerSink(services),
      header,
      decision: input.decision,
      again: { sink: () => answerSink(services), header, offerFollowUps: true },
    });
  });
}
