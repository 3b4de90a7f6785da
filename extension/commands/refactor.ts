/** Switchyard: Refactor Selection… — asks for an instruction (with the live decision), then diff-previews the result. */
import * as vscode from 'vscode';
import { CollectSink } from '../requests/answerSink';
import { liveDecisionInput } from '../requests/liveDecisionInput';
import type { RunOutcome } from '../requests/runner';
import { buildRefactorRequest } from '../requests/prompts';
import { requestContext, type Services } from '../services';
import { proposeCodeAnswer, stillAsAsked } from './applyAnswer';
import { codeContext, locationLabel, replacementTarget, resolveTarget } from './target';

export const REFACTOR_COMMAND = 'switchyard.refactorSelection';

export function registerRefactor(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(REFACTOR_COMMAND, async (args?: unknown) => {
    const target = await resolveTarget(args);
    if (!target) return;
    const { document, source } = target;
    const { range, fit } = replacementTarget(document, target.range);
    const code = codeContext(document, range);
    const ctx = requestContext(source, document.languageId);
    const input = await liveDecisionInput(services.daemon, {
      title: 'Switchyard: Refactor Selection',
      placeholder: 'How should it change? e.g. "extract a function", "use async/await"',
      emptyPrompt: 'Describe the refactoring; the model, cost and latency update as you type',
      build: (instruction) => buildRefactorRequest(code, instruction, ctx),
    });
    if (!input) return;
    const version = document.version;
    const propose = async (outcome: RunOutcome, again = false) => {
      if (!stillAsAsked(document, range, version, code.code, 'selection', again)) return;
      await proposeCodeAnswer(services, document, range, fit, outcome.text, 'Refactor', outcome.result.requestId);
    };
    const outcome = await services.runner.run(buildRefactorRequest(code, input.value, ctx), {
      title: 'Refactor Selection',
      sink: new CollectSink(),
      decision: input.decision,
      label: `${input.value.trim().split('\n')[0]} (${locationLabel(document, range)})`,
      again: { sink: () => new CollectSink(), after: (o) => propose(o, true), offerFollowUps: false },
    });
    if (!outcome) return;
    await propose(outcome);
  });
}
