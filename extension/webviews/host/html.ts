/**
 * The HTML shell both webviews load: strict CSP with a fresh nonce per render, theme-aware CSS, codicons, one
 * bundled script. Pure (no `vscode`): the host passes the webview's cspSource and resource URIs in, and the
 * browser tests render the very same HTML.
 */

/** 32 random bytes, base64 — a fresh one for every render. */
export function makeNonce(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export interface ShellParts {
  cspSource: string;
  nonce: string;
  title: string;
  /** Stylesheets, in order (codicons first). */
  styles: string[];
  script: string;
  /** `data-view` on <body>, for CSS and tests. */
  view: 'sidebar' | 'rulesEditor';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function webviewHtml(p: ShellParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${p.styles.map((href) => `<link rel="stylesheet" href="${esc(href)}">`).join('\n')}
<title>${esc(p.title)}</title>
</head>
<body data-view="${p.view}">
<div id="app" aria-busy="true"><p class="loading">Loading…</p></div>
<script nonce="${esc(p.nonce)}" src="${esc(p.script)}"></script>
</body>
</html>`;
}

/** The files a view loads from dist/webviews (see copyAssets.mjs and scripts/build.mjs). */
export function assetNames(view: ShellParts['view']): { styles: string[]; script: string } {
  return { styles: ['codicon.css', 'webview.css', `${view}.css`], script: `${view}.js` };
}
