/** Typed access to the webview API VS Code injects (`acquireVsCodeApi`, callable once per page). */
interface WebviewApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State>(): WebviewApi<State>;

export interface Channel<In, Out, State> {
  post(message: Out): void;
  onMessage(handler: (message: In) => void): void;
  getState(): State | undefined;
  setState(state: State): void;
}

export function channel<In extends { type: string }, Out extends { type: string }, State>(): Channel<In, Out, State> {
  const api = acquireVsCodeApi<State>();
  return {
    post: (message) => api.postMessage(message),
    onMessage: (handler) => window.addEventListener('message', (e: MessageEvent) => {
      const data = e.data as unknown;
      if (data && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string') handler(data as In);
    }),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}
