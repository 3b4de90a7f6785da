/**
 * An InputBox whose prompt line shows the routing decision for what is typed, live (debounced):
 * `gpt-4o-mini-2024-07-18 · ≈$0.0004 · ≈0.7 s · rule "small talk"`.
 */
import * as vscode from 'vscode';
import type { Decision, RouteRequest } from '../../shared/decision';
import { formatUsd } from '../../shared/format';
import { readSettings } from '../config';
import { errorMessage } from '../daemon/client';
import type { DaemonApi } from '../daemonApi';
import { decisionSummary } from '../hint/labels';
import { debounce } from '../util/debounce';

export interface LiveInputOptions {
  title: string;
  placeholder: string;
  /** Shown while the box is empty. */
  emptyPrompt: string;
  value?: string;
  /** The request that would be sent for this text. */
  build: (value: string) => RouteRequest;
  debounceMs?: number;
}

export interface LiveInputResult {
  value: string;
  /** The preview for exactly `value`, when it arrived before accept. */
  decision?: Decision;
}

export function promptForDecision(decision: Decision): string {
  const threshold = readSettings().confirmAboveUsd;
  const over = threshold > 0 && decision.estimate.costUsd > threshold ? ` — above your ${formatUsd(threshold)} confirmation threshold` : '';
  return `${decisionSummary(decision)}${over}`;
}

export function liveDecisionInput(daemon: DaemonApi, options: LiveInputOptions): Promise<LiveInputResult | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = options.title;
    box.placeholder = options.placeholder;
    box.prompt = options.emptyPrompt;
    box.ignoreFocusOut = true;
    if (options.value) box.value = options.value;
    let seq = 0;
    let last: LiveInputResult | undefined;
    let accepted = false;

    const preview = async (value: string) => {
      const mine = ++seq;
      if (!value.trim()) {
        box.prompt = options.emptyPrompt;
        box.busy = false;
        return;
      }
      if (!daemon.connected) {
        box.prompt = 'The Switchyard daemon is not connected — no estimate yet';
        return;
      }
      box.busy = true;
      try {
        const decision = await daemon.request('route.preview', { request: options.build(value) });
        if (mine !== seq) return;
        last = { value, decision };
        box.prompt = promptForDecision(decision);
      } catch (err) {
        if (mine === seq) box.prompt = `No estimate: ${errorMessage(err)}`;
      } finally {
        if (mine === seq) box.busy = false;
      }
    };
    const update = debounce((value: string) => void preview(value), options.debounceMs ?? 200);

    const subs = [
      box.onDidChangeValue((value) => {
        box.busy = !!value.trim() && daemon.connected;
        update(value);
      }),
      box.onDidAccept(() => {
        const value = box.value;
        if (!value.trim()) {
          box.validationMessage = 'Type something first';
          return;
        }
        accepted = true;
        resolve(last && last.value === value ? last : { value });
        box.hide();
      }),
      daemon.onDidChangeConnection(() => update(box.value)),
      box.onDidHide(() => {
        update.cancel();
        for (const s of subs) s.dispose();
        box.dispose();
        if (!accepted) resolve(undefined);
      }),
    ];
    box.show();
    if (box.value) update(box.value);
  });
}
