/** The `switchyard.*` settings, read fresh each time (they can change while the window is open). */
import * as vscode from 'vscode';
import type { Urgency } from '../shared/config';

export type HintMode = 'inline' | 'codelens' | 'off';
export type AnswersOpenIn = 'document' | 'panel';

export interface Settings {
  /** 0: the daemon's default. */
  daemonPort: number;
  /** Empty: `$SWITCHYARD_HOME` or `~/.switchyard`. */
  daemonHome: string;
  hintMode: HintMode;
  /** Ask before sending when the estimate exceeds this many USD; 0 never asks. */
  confirmAboveUsd: number;
  urgency: Urgency;
  answersOpenIn: AnswersOpenIn;
}

const oneOf = <T extends string>(value: unknown, allowed: readonly T[], fallback: T): T =>
  (allowed as readonly unknown[]).includes(value) ? (value as T) : fallback;

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('switchyard');
  const port = c.get<number>('daemon.port', 0);
  const confirm = c.get<number>('confirmAboveUsd', 0.05);
  return {
    daemonPort: Number.isInteger(port) && port > 0 && port < 65536 ? port : 0,
    daemonHome: c.get<string>('daemon.home', '') ?? '',
    hintMode: oneOf(c.get('hint.mode'), ['inline', 'codelens', 'off'] as const, 'inline'),
    confirmAboveUsd: typeof confirm === 'number' && confirm > 0 ? confirm : 0,
    urgency: oneOf(c.get('urgency'), ['low', 'normal', 'high'] as const, 'normal'),
    answersOpenIn: oneOf(c.get('answers.openIn'), ['document', 'panel'] as const, 'document'),
  };
}
