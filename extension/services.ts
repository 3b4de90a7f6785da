/** What command and provider files get from activation. */
import type * as vscode from 'vscode';
import type { Urgency } from '../shared/config';
import type { DaemonConnection } from './daemon/connection';
import type { ApiKeyStore } from './keys/apiKeyStore';
import type { ProposalPreview } from './codeActions/proposalPreview';
import type { RequestRunner } from './requests/runner';
import type { RequestContext, Source } from './requests/prompts';
import type { StatusBar } from './status/statusBar';
import { readSettings } from './config';

export interface Services {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  daemon: DaemonConnection;
  keys: ApiKeyStore;
  status: StatusBar;
  runner: RequestRunner;
  preview: ProposalPreview;
}

/** The routing fields every request carries: source, urgency (setting) and the language id. */
export function requestContext(source: Source, languageId?: string): RequestContext {
  const urgency: Urgency = readSettings().urgency;
  return languageId ? { source, urgency, language: languageId } : { source, urgency };
}
