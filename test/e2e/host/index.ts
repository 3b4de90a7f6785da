/**
 * API tests inside the real extension host (VS Code's `extensionTestsPath` test mode): `vscode` is the real API of
 * code-server's VS Code, the extension under test is the unpacked .vsix, and it talks to the suite's daemon.
 * Compiled with esbuild to `<extension dev folder>/out/test/index.js` by the harness.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { runAll, test } from './runner';

const EXTENSION_ID = 'switchyard.switchyard';
const FAST_MODEL = 'gpt-4o-mini-2024-07-18';
const STANDARD_MODEL = 'gpt-4o-2024-08-06';
/** `≈$0.00042`, `≈$0.0123`, `≈$1.50`, `≈<$0.000001` (shared/format formatUsd behind an ≈). */
const EST = String.raw`≈<?\$[0-9][0-9,]*(?:\.[0-9]+)?`;

const EXPECTED_COMMANDS = [
  'switchyard.ask', 'switchyard.explainSelection', 'switchyard.refactorSelection', 'switchyard.writeTests',
  'switchyard.fixProblem', 'switchyard.openRulesEditor', 'switchyard.openRulesFile', 'switchyard.showSpend',
  'switchyard.setApiKey', 'switchyard.restartDaemon', 'switchyard.showLog', 'switchyard.askAgainStronger', 'switchyard.markOverkill',
];

const DEFAULTS: Record<string, unknown> = {
  'daemon.port': 0,
  'daemon.home': '',
  'hint.mode': 'inline',
  confirmAboveUsd: 0.05,
  urgency: 'normal',
  'answers.openIn': 'document',
};

async function poll<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function sampleUri(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test window has a workspace folder');
  return vscode.Uri.joinPath(folder.uri, 'sample.ts');
}

async function openSample(): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(sampleUri());
  return vscode.window.showTextDocument(doc, { preview: false });
}

function titles(actions: (vscode.CodeAction | vscode.Command)[]): string[] {
  return actions.map((a) => a.title).filter((t) => t.includes('Switchyard'));
}

test('the extension (from the development folder) activates', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  await ext.activate();
  assert.equal(ext.isActive, true);
  assert.equal(ext.packageJSON.engines.vscode, '^1.100.0');
  assert.ok(/^1\.100\./.test(vscode.version), `VS Code ${vscode.version}`);
});

test('every contributed command is registered', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  await ext.activate();
  const contributed = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command).sort();
  assert.deepEqual(contributed, [...EXPECTED_COMMANDS].sort(), 'package.json contributes exactly these commands');
  const registered = new Set(await vscode.commands.getCommands(true));
  const missing = EXPECTED_COMMANDS.filter((c) => !registered.has(c));
  assert.deepEqual(missing, [], `registered by activate(): missing ${missing.join(', ')}`);
});

test('configuration defaults', async () => {
  const config = vscode.workspace.getConfiguration('switchyard');
  for (const [key, value] of Object.entries(DEFAULTS)) {
    const info = config.inspect(key);
    assert.ok(info, `switchyard.${key} is a contributed setting`);
    assert.deepEqual(info.defaultValue, value, `default of switchyard.${key}`);
    assert.equal(info.globalValue, undefined, `switchyard.${key} is not set by the test profile`);
    assert.deepEqual(config.get(key), value, `effective switchyard.${key}`);
  }
  const hintMode = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.configuration.properties['switchyard.hint.mode'];
  assert.deepEqual(hintMode.enum, ['inline', 'codelens', 'off']);
});

test('code actions on a selection carry the model and the estimate', async () => {
  const editor = await openSample();
  // The `add` function, lines 2–4.
  const range = new vscode.Range(1, 0, 3, 1);
  editor.selection = new vscode.Selection(range.start, range.end);
  // The first call may answer before the previews (the provider waits 400 ms at most); they are cached, so poll.
  const found = await poll('code actions with estimates', async () => {
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider', editor.document.uri, range, vscode.CodeActionKind.RefactorRewrite.value);
    const mine = actions.filter((a) => a.title.includes('with Switchyard')) as vscode.CodeAction[];
    return mine.length === 3 && mine.every((a) => a.title.includes('≈$')) ? mine : null;
  });
  const byBase = new Map(found.map((a) => [a.title.split(' — ')[0], a]));
  const expect = [
    ['Refactor with Switchyard', STANDARD_MODEL, 'switchyard.refactorSelection'],
    ['Explain with Switchyard', FAST_MODEL, 'switchyard.explainSelection'],
    ['Write Tests with Switchyard', STANDARD_MODEL, 'switchyard.writeTests'],
  ] as const;
  for (const [base, model, command] of expect) {
    const action = byBase.get(base);
    assert.ok(action, `${base} offered (got ${titles(found).join(' | ')})`);
    assert.match(action.title, new RegExp(`^${base} — ${model.replace(/\./g, '\\.')}, ${EST}$`));
    assert.equal(action.kind?.value, 'refactor.rewrite');
    assert.equal(action.command?.command, command);
    const args = action.command?.arguments?.[0] as { uri: vscode.Uri; source: string } | undefined;
    assert.equal(args?.uri.toString(), editor.document.uri.toString());
    assert.equal(args?.source, 'codeAction');
  }
});

test('a quick fix for a diagnostic carries the model and the estimate', async () => {
  const editor = await openSample();
  const diagnostics = vscode.languages.createDiagnosticCollection('switchyard-e2e');
  try {
    const range = new vscode.Range(6, 9, 6, 36);
    const message = "Prefer a template literal over '+' concatenation.";
    diagnostics.set(editor.document.uri, [new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Warning)]);
    const fix = await poll('a Switchyard quick fix with an estimate', async () => {
      const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
        'vscode.executeCodeActionProvider', editor.document.uri, range, vscode.CodeActionKind.QuickFix.value);
      return (actions.find((a) => a.title.startsWith('Fix with Switchyard') && a.title.includes('≈$')) as vscode.CodeAction | undefined) ?? null;
    });
    assert.match(fix.title, new RegExp(`^Fix with Switchyard: Prefer a template literal over '\\+' concatenation\\. — ${STANDARD_MODEL.replace(/\./g, '\\.')}, ${EST}$`));
    assert.equal(fix.kind?.value, 'quickfix');
    assert.equal(fix.command?.command, 'switchyard.fixProblem');
    const args = fix.command?.arguments?.[0] as { diagnostic?: vscode.Diagnostic } | undefined;
    assert.equal(args?.diagnostic?.message, message);
  } finally {
    diagnostics.dispose();
  }
});

test('the hover on the hinted line shows the routing trace from the suite\'s daemon', async () => {
  const editor = await openSample();
  // The `greet` function, lines 6–8: the hint sits at the end of line 8.
  editor.selection = new vscode.Selection(5, 0, 7, 1);
  const hover = await poll('the Switchyard hover', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(7, 0));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    return text.includes('Switchyard') ? text : null;
  });
  assert.match(hover, /Switchyard — routing for Explain Selection/);
  assert.ok(hover.includes(`→ ${FAST_MODEL} · ≈$`), `the decision line:\n${hover}`);
  assert.match(hover, /rule "explain code"/);
  // The trace lists the rules tried: the e2e rules file, not the built-in defaults.
  assert.match(hover, /✗ \*\*small talk\*\*/);
  assert.match(hover, /✓ \*\*explain code\*\* — matched/);
  assert.match(hover, /\*\*Candidates\*\*[\s\S]*gpt-4o-mini-2024-07-18[\s\S]*claude-3-5-haiku-20241022/);
});

test('hint.mode "codelens": the decision as a CodeLens above the selection, which runs Explain Selection', async () => {
  const config = vscode.workspace.getConfiguration('switchyard');
  await config.update('hint.mode', 'codelens', vscode.ConfigurationTarget.Global);
  try {
    const editor = await openSample();
    editor.selection = new vscode.Selection(5, 0, 7, 1);
    const lenses = await poll('the Switchyard CodeLens', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
      const mine = all.filter((l) => l.command?.title.startsWith('→'));
      return mine.length ? mine : null;
    });
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].range.start.line, 5, 'above the selection\'s first line');
    assert.match(lenses[0].command!.title, new RegExp(`^→ ${FAST_MODEL.replace(/[.]/g, '\\.')} · ${EST} · ≈.+ · rule "explain code"$`));
    assert.equal(lenses[0].command!.command, 'switchyard.explainSelection');
    // Switching back to the inline hint takes the lens away.
    await config.update('hint.mode', 'inline', vscode.ConfigurationTarget.Global);
    await poll('the CodeLens to go', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
      return all.every((l) => !l.command?.title.startsWith('→'));
    });
  } finally {
    await config.update('hint.mode', undefined, vscode.ConfigurationTarget.Global);
  }
});

test('a workspace\'s own .switchyard/rules.json: the window routes by it once it appears, and by the daemon\'s rules once it goes', async () => {
  const home = process.env.SWITCHYARD_HOME;
  assert.ok(home, 'the suite sets SWITCHYARD_HOME');
  const suiteRules = JSON.parse(await fs.readFile(join(home, 'test-rules.json'), 'utf8')) as { rules: unknown[] };
  suiteRules.rules.unshift({ name: 'workspace explain', if: { task: 'explain' }, then: 'deep' });
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const file = join(folder, '.switchyard', 'rules.json');
  const editor = await openSample();
  editor.selection = new vscode.Selection(5, 0, 7, 1);
  const hoverText = async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(7, 0));
    return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  };
  await poll('the hint by the daemon\'s rules', async () => /rule "explain code"/.test(await hoverText()));
  try {
    await fs.mkdir(join(folder, '.switchyard'), { recursive: true });
    await fs.writeFile(file, JSON.stringify(suiteRules, null, 2));
    const byWorkspace = await poll('the hint by the workspace\'s rules', async () => {
      const text = await hoverText();
      return /rule "workspace explain"/.test(text) ? text : null;
    }, 15_000);
    assert.ok(byWorkspace.includes('claude-3-5-sonnet-20241022'), `the deep tier:\n${byWorkspace}`);
  } finally {
    await fs.rm(join(folder, '.switchyard'), { recursive: true, force: true });
  }
  await poll('the hint by the daemon\'s rules again', async () => /rule "explain code"/.test(await hoverText()), 15_000);
});

export async function run(): Promise<void> {
  const results = await runAll();
  const failed = results.filter((r) => !r.ok);
  if (failed.length) throw new Error(`${failed.length} of ${results.length} host tests failed: ${failed.map((f) => f.name).join('; ')}`);
}
