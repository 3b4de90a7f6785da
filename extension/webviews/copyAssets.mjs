// Copies what the webviews load besides their bundles into dist/webviews: the codicon font and stylesheet
// (node_modules is not packaged) and our own stylesheets. scripts/build.mjs calls copyWebviewAssets();
// by hand: node extension/webviews/copyAssets.mjs [outDir]
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

export function copyWebviewAssets(outDir = join(root, 'dist/webviews')) {
  mkdirSync(outDir, { recursive: true });
  const require = createRequire(join(root, 'package.json'));
  const codicons = dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  for (const name of ['codicon.css', 'codicon.ttf']) copyFileSync(join(codicons, name), join(outDir, name));
  const styles = join(here, 'styles');
  for (const name of readdirSync(styles)) if (name.endsWith('.css')) copyFileSync(join(styles, name), join(outDir, name));
  return outDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = copyWebviewAssets(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`webview assets copied to ${out}`);
}
