/** Errors from DaemonApi as the webviews show them. No `vscode`. */
export const DISCONNECTED = 'E_DISCONNECTED';

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'E_INTERNAL';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : 'unexpected error';
}
