/**
 * One streamed completion over the daemon connection: `complete`, then the `complete.*` events for its
 * requestId until `done` or `error`. Pure (works with anything shaped like DaemonApi); no `vscode`.
 *
 * Events can arrive before the `complete` reply has been processed, so they are buffered until the requestId
 * is known.
 */
import type { RouteRequest } from '../../shared/decision';
import type { Attempt, CompletionResult, EventName, Events, MethodName, Params, Result } from '../../shared/protocol';

export interface Subscription {
  dispose(): unknown;
}

/** The part of DaemonApi a completion needs. */
export interface CompletionTransport {
  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): Subscription;
  onDidChangeConnection?: (listener: (connected: boolean) => void) => Subscription;
}

export interface CompletionHandlers {
  onStart?(requestId: string): void;
  onDelta?(text: string, soFar: string): void;
  onFallback?(event: Events['complete.fallback']): void;
}

export class CompletionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly partialText: string,
    readonly attempts: Attempt[],
  ) {
    super(message);
    this.name = 'CompletionError';
  }
}

export interface RunningCompletion {
  /** Resolves with the final result, or rejects with a CompletionError. */
  readonly result: Promise<CompletionResult>;
  /** Asks the daemon to stop; `result` then rejects with code E_CANCELLED (at the latest after `graceMs`). */
  cancel(): void;
  /** Text streamed so far. */
  readonly text: string;
}

type Buffered = { [E in 'complete.delta' | 'complete.fallback' | 'complete.done' | 'complete.error']: { event: E; data: Events[E] } }[
  'complete.delta' | 'complete.fallback' | 'complete.done' | 'complete.error'
];

export function startCompletion(
  transport: CompletionTransport,
  request: RouteRequest,
  handlers: CompletionHandlers = {},
  /** `escalateFrom`: ask the request of that ledger row again one tier up (see `complete` in shared/protocol.ts). */
  options: { graceMs?: number; escalateFrom?: string } = {},
): RunningCompletion {
  let requestId: string | null = null;
  let text = '';
  let settled = false;
  let cancelRequested = false;
  let cancelTimer: NodeJS.Timeout | undefined;
  const early: Buffered[] = [];
  const subs: Subscription[] = [];
  let resolveResult!: (r: CompletionResult) => void;
  let rejectResult!: (e: Error) => void;
  const result = new Promise<CompletionResult>((res, rej) => {
    resolveResult = res;
    rejectResult = rej;
  });

  const finish = (outcome: { ok: CompletionResult } | { error: CompletionError }) => {
    if (settled) return;
    settled = true;
    clearTimeout(cancelTimer);
    for (const s of subs) s.dispose();
    if ('ok' in outcome) resolveResult(outcome.ok);
    else rejectResult(outcome.error);
  };

  const handle = (item: Buffered) => {
    if (settled) return;
    switch (item.event) {
      case 'complete.delta':
        text += item.data.text;
        handlers.onDelta?.(item.data.text, text);
        break;
      case 'complete.fallback':
        handlers.onFallback?.(item.data);
        break;
      case 'complete.done':
        finish({ ok: item.data });
        break;
      case 'complete.error': {
        const e = item.data;
        const code = cancelRequested ? 'E_CANCELLED' : e.code;
        finish({ error: new CompletionError(code, e.message, e.partialText || text, e.attempts ?? []) });
        break;
      }
    }
  };

  const route = (item: Buffered) => {
    if (requestId === null) early.push(item);
    else if (item.data.requestId === requestId) handle(item);
  };

  subs.push(
    transport.on('complete.delta', (data) => route({ event: 'complete.delta', data })),
    transport.on('complete.fallback', (data) => route({ event: 'complete.fallback', data })),
    transport.on('complete.done', (data) => route({ event: 'complete.done', data })),
    transport.on('complete.error', (data) => route({ event: 'complete.error', data })),
  );
  if (transport.onDidChangeConnection) {
    subs.push(
      transport.onDidChangeConnection((connected) => {
        if (!connected) finish({ error: new CompletionError('E_DISCONNECTED', 'the connection to the daemon was lost during the request', text, []) });
      }),
    );
  }

  const sendCancel = () => {
    if (requestId === null || settled) return;
    transport.request('cancel', { requestId }).catch(() => {});
    cancelTimer = setTimeout(
      () => finish({ error: new CompletionError('E_CANCELLED', 'cancelled', text, []) }),
      options.graceMs ?? 3000,
    );
  };

  transport.request('complete', options.escalateFrom ? { request, stream: true, escalateFrom: options.escalateFrom } : { request, stream: true }).then(
    (reply) => {
      requestId = reply.requestId;
      handlers.onStart?.(requestId);
      for (const item of early.splice(0)) if (item.data.requestId === requestId) handle(item);
      if (cancelRequested) sendCancel();
    },
    (err: unknown) => {
      const code = err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : 'E_INTERNAL';
      finish({ error: new CompletionError(code, err instanceof Error ? err.message : String(err), '', []) });
    },
  );

  return {
    result,
    get text() {
      return text;
    },
    cancel() {
      if (cancelRequested || settled) return;
      cancelRequested = true;
      sendCancel();
    },
  };
}
