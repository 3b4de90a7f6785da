/** The one authenticated connection to the daemon, as every surface (commands, hints, webviews) sees it. */
import type * as vscode from 'vscode';
import type { EventName, Events, MethodName, Params, Result } from '../shared/protocol';

export interface DaemonApi {
  /** Rejects with an Error whose `code` is one of shared/protocol ErrorCodes (or E_DISCONNECTED). */
  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): vscode.Disposable;
  readonly connected: boolean;
  readonly onDidChangeConnection: vscode.Event<boolean>;
}
