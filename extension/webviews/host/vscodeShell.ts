/** vscode glue for the HTML shell: options (scripts on, resources limited to dist/webviews) and URIs. */
import * as vscode from 'vscode';
import { assetNames, makeNonce, webviewHtml, type ShellParts } from './html';

export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [webviewRoot(extensionUri)] };
}

/** Fresh HTML (and a fresh nonce) for a webview. */
export function renderShell(webview: vscode.Webview, extensionUri: vscode.Uri, view: ShellParts['view'], title: string): string {
  const root = webviewRoot(extensionUri);
  const uri = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(root, name)).toString();
  const assets = assetNames(view);
  return webviewHtml({
    cspSource: webview.cspSource, nonce: makeNonce(), title, view,
    styles: assets.styles.map(uri), script: uri(assets.script),
  });
}
