/**
 * Rules editor webview (browser). The host owns the draft text; this page parses it for display, renders the
 * form (form.ts), posts one DraftOp per change, shows validation issues next to their fields, and runs "Try a
 * prompt" and "Replay" against the draft through the host. UI state (collapsed rules, the try-a-prompt inputs
 * and last results) is kept with setState.
 */
import type { Decision } from '../../../shared/decision';
import type { ReplayResult, ValidationIssue } from '../../../shared/protocol';
import { WEBVIEW_COMMANDS, type DraftOp, type DryRunRequest, type HostToRulesEditor, type RulesEditorToHost } from '../../../shared/webview';
import { button, captureFocus, h, icon, mount, restoreFocus, type Child } from '../common/dom';
import { channel } from '../common/vscodeApi';
import { KNOWN_SOURCES, KNOWN_TASKS, URGENCIES } from './conditions';
import { parseDraft, type DraftParse } from './draft';
import { budgetsSection, datalists, formContext, modelsSection, providersSection, rulesSection, tiersSection, type FormContext } from './form';
import { candidateKeys, issueCounts, issuePath } from './issues';
import { buildDecisionView, buildReplayView, type VerdictView } from './trace';

interface TryInputs { prompt: string; task: string; source: string; urgency: string; language: string }
interface State {
  collapsed: string[];
  tryInputs: TryInputs;
  dryRun?: { version: number; decision: Decision | null; issues: ValidationIssue[] };
  replay?: { version: number; days: number; result: ReplayResult };
}
interface Draft { text: string; version: number; dirty: boolean; file: string | null; stale: boolean }
type Banner = { kind: 'external'; file: string | null } | { kind: 'error'; context: string; message: string; code: string } | { kind: 'disconnected' } | { kind: 'saved'; file: string } | { kind: 'notSaved'; count: number };

const vscode = channel<HostToRulesEditor, RulesEditorToHost, State>();
const saved = vscode.getState();
const state: State = {
  collapsed: saved?.collapsed ?? [],
  tryInputs: saved?.tryInputs ?? { prompt: '', task: '', source: '', urgency: '', language: '' },
  dryRun: saved?.dryRun,
  replay: saved?.replay,
};
const collapsed = new Set(state.collapsed);
let draft: Draft | undefined;
let parsed: DraftParse = { value: undefined, errors: [] };
let issues: ValidationIssue[] = [];
let issuesVersion = -1;
let validating = false;
let banners: Banner[] = [];
let busy: { dryRun?: boolean; replay?: boolean; save?: boolean } = {};
let pendingFocus: string | null = null;
let awaitingVersion: number | null = null;

const persist = () => vscode.setState({ ...state, collapsed: [...collapsed] });
const post = (m: RulesEditorToHost) => vscode.post(m);

// ── Frame ─────────────────────────────────────────────────────────────────────────────────────────────────────

const app = document.getElementById('app')!;
const toolbar = h('header', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Rules file' });
const bannerBox = h('div', { class: 'banners', 'aria-live': 'polite' });
const problems = h('div', { class: 'problems' });
const editor = h('main', { class: 'editor', 'aria-label': 'Rules', 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading rules…'));
const tryResult = h('div', { class: 'result', id: 'try-result', 'aria-live': 'polite' });
const replayResult = h('div', { class: 'result', id: 'replay-result', 'aria-live': 'polite' });
const tools = h('aside', { class: 'tools', 'aria-label': 'Try the draft' }, trySection(), replaySection());
mount(app, toolbar, bannerBox, h('div', { class: 'layout' }, h('div', { class: 'editor-col' }, problems, editor), tools), datalists());
app.setAttribute('aria-busy', 'false');

function ruleNames(): string[] {
  const rules = parsed.value?.rules;
  return Array.isArray(rules) ? rules.map((r) => (r && typeof r === 'object' && typeof (r as { name?: unknown }).name === 'string' ? (r as { name: string }).name : '')) : [];
}

function edit(op: DraftOp, focus?: string) {
  if (!draft) return;
  // One edit in flight at a time for reorders, so a held Alt+↓ cannot act on an index that already moved.
  if (op.kind === 'move' && awaitingVersion !== null) return;
  awaitingVersion = draft.version;
  pendingFocus = focus ?? null;
  post({ type: 'edit', op, version: draft.version });
}

// ── Toolbar and banners ───────────────────────────────────────────────────────────────────────────────────────

function renderToolbar() {
  const file = draft?.file;
  const errs = issues.filter((i) => i.severity === 'error').length;
  const status = !draft ? '' : validating ? 'Validating…' : issueCounts(issues);
  mount(toolbar,
    h('div', { class: 'title' },
      h('h1', null, 'Switchyard rules'),
      h('span', { class: 'file muted', title: file ?? '' }, icon('file-code'), file ?? 'built-in defaults (Save creates a rules file)'),
      draft?.dirty ? h('span', { class: 'dirty', 'data-state': 'dirty' }, icon('circle-filled'), 'Unsaved changes') : null,
      draft?.stale ? h('span', { class: 'stale', title: 'The daemon keeps serving the last good version until the file is valid again' }, icon('warning'), 'The file on disk has errors; the daemon uses the last good version') : null),
    h('div', { class: 'actions' },
      h('span', { class: ['status', errs ? 'has-errors' : issues.length ? 'has-warnings' : 'ok'], role: 'status', 'data-status': validating ? 'validating' : 'done' },
        draft ? icon(validating ? 'loading' : errs ? 'error' : issues.length ? 'warning' : 'pass', validating ? 'codicon-modifier-spin' : undefined) : null, status),
      button({ label: 'Save the draft to the rules file (Ctrl+S)', text: busy.save ? 'Saving…' : 'Save', icon: 'save', primary: true, focusKey: 'toolbar:save', disabled: !draft || busy.save || (!draft.dirty && !!draft.file), onClick: () => post({ type: 'save' }) }),
      button({ label: 'Discard the draft and reload the file', text: 'Revert', icon: 'discard', focusKey: 'toolbar:revert', disabled: !draft?.dirty, onClick: () => post({ type: 'reload' }) }),
      button({ label: 'Open the rules file as text', text: 'Open file', icon: 'go-to-file', focusKey: 'toolbar:open', disabled: !draft, onClick: () => post({ type: 'openFile' }) })));
}

function renderBanners() {
  mount(bannerBox, banners.map((b): Child => {
    switch (b.kind) {
      case 'external':
        return h('div', { class: 'banner info', role: 'alert', 'data-banner': 'external' }, icon('info'),
          h('div', null, h('strong', null, 'The rules file changed on disk. '), 'Your draft has unsaved edits.',
            h('div', { class: 'actions' },
              button({ label: 'Reload from disk, discarding your edits', text: 'Reload (discard my edits)', primary: true, onClick: () => { dismiss('external'); post({ type: 'reload' }); } }),
              button({ label: 'Keep editing the draft (saving will overwrite the file)', text: 'Keep my draft', onClick: () => { dismiss('external'); post({ type: 'keepDraft' }); } }))));
      case 'disconnected':
        return h('div', { class: 'banner warning', role: 'alert', 'data-banner': 'disconnected' }, icon('debug-disconnect'),
          h('div', null, h('strong', null, 'Daemon not running'), ' — ',
            h('button', { type: 'button', class: 'link', 'data-command': WEBVIEW_COMMANDS.restartDaemon, on: { click: () => post({ type: 'runCommand', command: WEBVIEW_COMMANDS.restartDaemon }) } }, 'Restart Daemon'),
            h('div', { class: 'muted small' }, 'Validation, Try a prompt, Replay and Save need it. Your draft is kept.')));
      case 'error':
        return h('div', { class: 'banner error', role: 'alert', 'data-banner': 'error', 'data-context': b.context }, icon('error'),
          h('div', null, h('strong', null, ERROR_TITLES[b.context] ?? 'Something went wrong: '), b.message,
            h('div', { class: 'actions' },
              b.context === 'load' ? button({ label: 'Try loading again', text: 'Retry', icon: 'refresh', onClick: () => { dismiss('error'); post({ type: 'ready' }); } }) : null,
              h('button', { type: 'button', class: 'link', on: { click: () => post({ type: 'runCommand', command: WEBVIEW_COMMANDS.showLog }) } }, 'Show log'),
              button({ label: 'Dismiss', text: 'Dismiss', onClick: () => dismiss('error') }))));
      case 'saved':
        return h('div', { class: 'banner info', role: 'status', 'data-banner': 'saved' }, icon('check'), h('div', null, `Saved to ${b.file}. The daemon picks it up at once.`),
          button({ label: 'Dismiss', icon: 'close', onClick: () => dismiss('saved') }));
      case 'notSaved':
        return h('div', { class: 'banner error', role: 'alert', 'data-banner': 'notSaved' }, icon('error'),
          h('div', null, h('strong', null, 'Not saved. '), `The draft has ${b.count} error${b.count === 1 ? '' : 's'}: fix the fields marked below (or in Problems), then save again.`),
          button({ label: 'Dismiss', icon: 'close', onClick: () => dismiss('notSaved') }));
    }
  }));
}

const ERROR_TITLES: Record<string, string> = {
  load: 'Could not load the rules: ',
  edit: 'That change was not applied: ',
  validate: 'Could not validate the draft: ',
  save: 'Could not save: ',
  openFile: 'Cannot open the file: ',
  dryRun: 'Dry run failed: ',
  replay: 'Replay failed: ',
};

function dismiss(kind: Banner['kind']) {
  banners = banners.filter((b) => b.kind !== kind);
  renderBanners();
}

function showBanner(b: Banner) {
  banners = [...banners.filter((x) => x.kind !== b.kind && !(b.kind === 'saved' && x.kind === 'notSaved') && !(b.kind === 'notSaved' && x.kind === 'saved')), b];
  renderBanners();
}

// ── Editor ────────────────────────────────────────────────────────────────────────────────────────────────────

function formCtx(): FormContext {
  return formContext(parsed.value, {
    collapsed,
    edit,
    rerender: renderEditor,
    toggleCollapsed: (k) => {
      if (collapsed.has(k)) collapsed.delete(k); else collapsed.add(k);
      persist();
      pendingFocus = document.activeElement?.getAttribute('data-focus') ?? null;
      renderEditor();
    },
  });
}

function renderEditor() {
  if (!draft) return;
  const focus = pendingFocus ? { key: pendingFocus, start: null, end: null } : captureFocus();
  pendingFocus = null;
  const scroll = window.scrollY;
  editor.setAttribute('aria-busy', 'false');
  if (parsed.errors.length || !parsed.value) {
    const e = parsed.errors[0];
    mount(editor, h('div', { class: 'banner error', 'data-banner': 'syntax', role: 'alert' }, icon('error'),
      h('div', null,
        h('strong', null, 'The rules file cannot be parsed'), e ? ` — ${e.message} at line ${e.line}, column ${e.column}.` : ' — it must be a JSON object.',
        h('p', null, 'Fix it in the text editor; this form comes back as soon as the file parses.'),
        button({ label: 'Open the rules file', text: 'Open file', icon: 'go-to-file', primary: true, onClick: () => post({ type: 'openFile' }) }))));
    renderProblems();
    return;
  }
  const ctx = formCtx();
  const value = parsed.value;
  mount(editor,
    rulesSection(ctx, value),
    tiersSection(ctx, value),
    modelsSection(ctx, value),
    providersSection(ctx, value),
    budgetsSection(ctx, value));
  placeIssues();
  window.scrollTo({ top: scroll });
  restoreFocus(focus, editor);
  if (focus && !editor.contains(document.activeElement) && focus.key.startsWith('toolbar:')) restoreFocus(focus, toolbar);
}

/** Put each issue next to the most specific field whose path is a prefix of the issue's path. */
function placeIssues() {
  editor.querySelectorAll('.issues').forEach((el) => el.replaceChildren());
  editor.querySelectorAll('[aria-invalid]').forEach((el) => { el.removeAttribute('aria-invalid'); el.removeAttribute('aria-describedby'); });
  editor.querySelectorAll('.has-issue').forEach((el) => el.classList.remove('has-issue', 'error', 'warning'));
  if (!draft || issuesVersion !== draft.version) { renderProblems(); return; }
  const names = ruleNames();
  issues.forEach((issue, n) => {
    const path = issuePath(issue, draft!.text, names);
    if (!path) return;
    for (const k of candidateKeys(path)) {
      const target = editor.querySelector<HTMLElement>(`[data-path="${CSS.escape(k)}"]`);
      if (!target) continue;
      const slot = target.querySelector<HTMLElement>(':scope > .issues') ?? target.appendChild(h('div', { class: 'issues' }));
      const id = `issue-${n}`;
      slot.append(h('div', { class: ['issue', issue.severity], id, 'data-code': issue.code }, icon(issue.severity === 'error' ? 'error' : 'warning'), h('span', null, issue.message)));
      target.classList.add('has-issue', issue.severity);
      const control = target.querySelector<HTMLElement>(`[data-focus="${CSS.escape(k)}"]`) ?? target.querySelector<HTMLElement>(':scope > input, :scope > select, :scope > textarea');
      if (control && issue.severity === 'error') {
        control.setAttribute('aria-invalid', 'true');
        control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
      }
      break;
    }
  });
  renderProblems();
}

function renderProblems() {
  if (!draft || !issues.length || issuesVersion !== draft.version) { mount(problems); return; }
  const names = ruleNames();
  mount(problems, h('details', { class: 'problems-box', open: true },
    h('summary', null, `Problems (${issueCounts(issues)})`),
    h('ul', null, issues.map((issue) => {
      const path = issuePath(issue, draft!.text, names);
      const where = [issue.rule ? `rule "${issue.rule}"` : '', issue.line ? `line ${issue.line}` : ''].filter(Boolean).join(' · ');
      return h('li', { class: ['issue', issue.severity] }, icon(issue.severity === 'error' ? 'error' : 'warning'),
        h('button', { type: 'button', class: 'link', on: { click: () => path && reveal(path) } }, issue.message),
        where ? h('span', { class: 'muted small' }, ` ${where}`) : null);
    }))));
}

/** Scroll to and focus the field for a path (expanding a collapsed rule first). */
function reveal(path: (string | number)[]) {
  if (path[0] === 'rules' && typeof path[1] === 'number') {
    const name = ruleNames()[path[1]];
    const k = name || `#${path[1] + 1}`;
    if (collapsed.has(k)) { collapsed.delete(k); persist(); renderEditor(); }
  }
  for (const k of candidateKeys(path)) {
    const el = editor.querySelector<HTMLElement>(`[data-path="${CSS.escape(k)}"]`);
    if (!el) continue;
    el.scrollIntoView({ block: 'center' });
    (el.querySelector<HTMLElement>('input, select, textarea, button') ?? el).focus();
    return;
  }
}

// ── Try a prompt ──────────────────────────────────────────────────────────────────────────────────────────────

function trySection(): HTMLElement {
  const t = state.tryInputs;
  const prompt = h('textarea', { id: 'try-prompt', rows: '4', placeholder: 'Type a prompt, e.g. "thanks!" or "Refactor this function"', 'data-focus': 'try:prompt', props: { value: t.prompt } });
  const text = (id: keyof TryInputs, label: string, list?: string, placeholder?: string) => {
    const input = h('input', { type: 'text', id: `try-${id}`, list, placeholder, 'data-focus': `try:${id}`, props: { value: t[id] } });
    return { input, el: h('label', { class: 'try-field', for: `try-${id}` }, h('span', { class: 'field-label' }, label), input) };
  };
  const task = text('task', 'Task', 'dl-tasks', KNOWN_TASKS[0]);
  const source = text('source', 'Source', 'dl-sources', KNOWN_SOURCES[0]);
  const language = text('language', 'Language', undefined, 'typescript');
  const urgency = h('select', { id: 'try-urgency', 'data-focus': 'try:urgency' },
    h('option', { value: '', props: { selected: !t.urgency } }, '(not set)'),
    URGENCIES.map((u) => h('option', { value: u, props: { selected: t.urgency === u } }, u)));
  const read = (): TryInputs => ({ prompt: prompt.value, task: task.input.value.trim(), source: source.input.value.trim(), urgency: urgency.value, language: language.input.value.trim() });
  const form = h('form', { class: 'try-form', 'aria-label': 'Try a prompt against the draft' },
    h('label', { for: 'try-prompt', class: 'field-label' }, 'Prompt'), prompt,
    h('div', { class: 'try-grid' }, task.el, source.el,
      h('label', { class: 'try-field', for: 'try-urgency' }, h('span', { class: 'field-label' }, 'Urgency'), urgency), language.el),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary', id: 'try-run', title: 'Route this request with the draft rules (Ctrl+Enter)' }, icon('play'), h('span', null, 'Route with draft')),
      h('span', { class: 'muted small' }, 'No request is sent: this only decides.')));
  form.addEventListener('input', () => { state.tryInputs = read(); persist(); });
  form.addEventListener('change', () => { state.tryInputs = read(); persist(); });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    state.tryInputs = read();
    persist();
    const i = state.tryInputs;
    const request: DryRunRequest = { prompt: i.prompt };
    if (i.task) request.task = i.task;
    if (i.source) request.source = i.source;
    if (i.urgency) request.urgency = i.urgency as DryRunRequest['urgency'];
    if (i.language) request.language = i.language;
    post({ type: 'dryRun', request });
  });
  prompt.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); } });
  return h('section', { class: 'panel-section', id: 'try', 'aria-labelledby': 'try-h' }, h('h2', { id: 'try-h' }, 'Try a prompt'), form, tryResult);
}

function renderTryResult() {
  const r = state.dryRun;
  if (busy.dryRun) { mount(tryResult, h('p', { class: 'loading' }, 'Deciding…')); return; }
  if (!r) { mount(tryResult, h('p', { class: 'muted small' }, 'The decision for the draft shows here: model, estimated cost and latency, and why each rule did or did not match.')); return; }
  const staleNote = draft && r.version !== draft.version ? h('p', { class: 'muted small stale-note' }, icon('history'), 'The draft changed since — run it again for a fresh result.') : null;
  if (!r.decision) {
    mount(tryResult, staleNote, h('div', { class: 'banner error', 'data-result': 'invalid' }, icon('error'),
      h('div', null, h('strong', null, 'The draft cannot route yet: '), 'fix these first.',
        h('ul', null, r.issues.filter((i) => i.severity === 'error').map((i) => h('li', null, i.message))))));
    return;
  }
  const v = buildDecisionView(r.decision, ruleNames());
  mount(tryResult, staleNote,
    h('div', { class: 'decision', 'data-result': 'decision' },
      h('div', { class: 'headline' },
        icon('arrow-right'), h('strong', { class: 'model' }, v.model),
        h('span', { class: 'muted' }, ` (${v.shortName}${v.provider ? ` · ${v.provider}` : ''})`)),
      h('dl', { class: 'facts' },
        h('div', null, h('dt', null, 'cost'), h('dd', { class: 'cost' }, v.cost)),
        h('div', null, h('dt', null, 'latency'), h('dd', { class: 'latency' }, v.latency)),
        h('div', null, h('dt', null, 'rule'), h('dd', { class: 'decision-rule' }, v.isDefault ? 'default (no rule matched)' : `"${v.rule}"`)),
        h('div', null, h('dt', null, 'tier'), h('dd', null, v.tier ?? '—')),
        h('div', null, h('dt', null, 'tokens'), h('dd', null, `${v.inputTokens} in · ≈${v.outputTokens} out`))),
      v.warning ? h('p', { class: 'issue warning' }, icon('warning'), v.warning) : null,
      v.candidates.length > 1 ? h('div', null, h('h3', null, 'Fallback order'), h('ol', { class: 'candidates' }, v.candidates.map((c) => h('li', null, `${c.name} → ${c.model} (${c.provider}) ${c.cost} ${c.latency}`)))) : null,
      v.skipped.length ? h('div', null, h('h3', null, 'Skipped'), h('ul', { class: 'skipped' }, v.skipped.map((s) => h('li', null, `${s.name} (${s.model}): ${s.detail || s.reason}`)))) : null,
      h('h3', null, 'Trace'),
      h('ol', { class: 'trace', 'aria-label': 'Rules tried, in order' }, v.trace.map((t) => h('li', { class: ['trace-row', t.status], 'data-rule': t.rule },
        h('span', { class: 'mark', 'aria-label': t.status === 'matched' ? 'matched' : t.status === 'failed' ? 'did not match' : 'not reached' },
          t.status === 'matched' ? '✓' : t.status === 'failed' ? '✗' : '–'),
        h('span', { class: 'trace-rule' }, `${t.index + 1}. ${t.rule}`),
        t.status === 'failed' && t.conditionPath
          ? h('span', { class: 'trace-detail' }, h('code', null, t.conditionPath), ': expected ', h('code', { class: 'expected' }, t.expected ?? ''), ', got ', h('code', { class: 'actual' }, t.actual ?? ''))
          : t.status === 'not-reached' ? h('span', { class: 'trace-detail muted' }, 'not reached') : t.detail ? h('span', { class: 'trace-detail' }, t.detail) : null))),
      v.isDefault ? h('p', { class: 'muted small' }, 'No rule matched, so the default target was used.') : null,
      verdictBlock(v.verdict)));
}

/** The classifier's verdict: its tier, a bar per tier, and the features that weighed most (or why there is none). */
function verdictBlock(v: VerdictView | null): HTMLElement {
  if (!v) {
    return h('div', { class: 'verdict', 'data-verdict': 'none' }, h('h3', null, 'Classifier'),
      h('p', { class: 'muted small' }, 'No verdict: no rule tried a classifier condition, so the classifier did not run.'));
  }
  const bars = v.probabilities.map((p) => {
    const fill = h('div', { class: 'fill' });
    fill.style.width = `${(p.value * 100).toFixed(1)}%`;
    return h('li', { class: ['prob', p.chosen && 'chosen'], 'data-tier': p.tier },
      h('span', { class: 'prob-tier' }, p.tier),
      h('div', { class: 'bar', role: 'progressbar', 'aria-label': `P(${p.tier})`, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(p.value * 100)), 'aria-valuetext': p.percent }, fill),
      h('span', { class: 'prob-value' }, p.percent));
  });
  return h('div', { class: 'verdict', 'data-verdict': v.tier },
    h('h3', null, 'Classifier'),
    h('p', { class: 'verdict-head' }, 'verdict ', h('strong', { class: 'verdict-tier' }, v.tier), h('span', { class: 'muted' }, ` · ${v.confidence} confident`)),
    h('ul', { class: 'verdict-probs', 'aria-label': 'Probability of each tier' }, bars),
    v.features.length
      ? h('div', null,
        h('h4', { id: 'verdict-features-h' }, 'What weighed most'),
        h('ol', { class: 'verdict-features', 'aria-labelledby': 'verdict-features-h' }, v.features.map((f) => h('li', null,
          h('code', { class: 'feature' }, f.feature),
          h('span', { class: ['weight', f.value < 0 ? 'negative' : 'positive'], title: 'contribution to the verdict tier\'s score' }, f.weight)))),
        v.moreFeatures ? h('p', { class: 'muted small' }, `and ${v.moreFeatures} more`) : null)
      : h('p', { class: 'muted small' }, 'No features listed.'));
}

// ── Replay ────────────────────────────────────────────────────────────────────────────────────────────────────

const REPLAY_DAYS = 7;

function replaySection(): HTMLElement {
  return h('section', { class: 'panel-section', id: 'replay', 'aria-labelledby': 'replay-h' },
    h('h2', { id: 'replay-h' }, 'Replay'),
    h('p', { class: 'muted small' }, 'Re-decide the last 7 days of logged requests with the draft and price the same tokens.'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn', id: 'replay-run', on: { click: () => post({ type: 'replay', days: REPLAY_DAYS }) } }, icon('history'), h('span', null, 'Replay last 7 days'))),
    replayResult);
}

function renderReplay() {
  const r = state.replay;
  if (busy.replay) { mount(replayResult, h('p', { class: 'loading' }, 'Replaying…')); return; }
  if (!r) { mount(replayResult); return; }
  const v = buildReplayView(r.result, r.days);
  const staleNote = draft && r.version !== draft.version ? h('p', { class: 'muted small stale-note' }, icon('history'), 'The draft changed since — replay again for a fresh result.') : null;
  mount(replayResult, staleNote, h('div', { class: ['replay', v.direction], 'data-result': 'replay' },
    h('p', { class: 'headline' }, v.headline),
    v.empty ? null : h('dl', { class: 'facts' },
      h('div', null, h('dt', null, 'spent'), h('dd', { class: 'actual' }, v.actual)),
      h('div', null, h('dt', null, 'draft would cost'), h('dd', { class: 'replay-cost' }, v.replay)),
      h('div', null, h('dt', null, 'difference'), h('dd', { class: 'delta' }, v.delta)),
      h('div', null, h('dt', null, 'latency'), h('dd', null, v.latency))),
    v.empty ? null : h('p', { class: 'changed' }, v.changed),
    v.skipped ? h('p', { class: 'skipped muted small' }, icon('info'), v.skipped) : null));
}

// ── Messages ──────────────────────────────────────────────────────────────────────────────────────────────────

vscode.onMessage((m) => {
  switch (m.type) {
    case 'draft': {
      const changed = !draft || draft.text !== m.text;
      draft = { text: m.text, version: m.version, dirty: m.dirty, file: m.file, stale: m.stale };
      awaitingVersion = null; // the host answers every edit with a draft (applied, unchanged or refused)
      if (changed) parsed = parseDraft(m.text);
      banners = banners.filter((b) => b.kind !== 'disconnected');
      renderBanners();
      renderToolbar();
      renderEditor();
      renderTryResult();
      renderReplay();
      return;
    }
    case 'issues':
      if (draft && m.version !== draft.version) return;
      issues = m.issues;
      issuesVersion = m.version;
      validating = false;
      renderToolbar();
      placeIssues();
      return;
    case 'validating':
      if (draft && m.version === draft.version) { validating = true; renderToolbar(); }
      return;
    case 'busy':
      busy = { ...busy, [m.what]: true };
      if (m.what === 'dryRun') renderTryResult();
      else if (m.what === 'replay') renderReplay();
      else renderToolbar();
      return;
    case 'dryRunResult':
      busy.dryRun = false;
      state.dryRun = { version: m.version, decision: m.decision, issues: m.issues };
      persist();
      renderTryResult();
      return;
    case 'replayResult':
      busy.replay = false;
      state.replay = { version: m.version, days: m.days, result: m.result };
      persist();
      renderReplay();
      return;
    case 'saved':
      busy.save = false;
      if (m.saved) showBanner({ kind: 'saved', file: m.file });
      else showBanner({ kind: 'notSaved', count: m.issues.filter((i) => i.severity === 'error').length });
      renderToolbar();
      return;
    case 'externalChange':
      showBanner({ kind: 'external', file: m.file });
      return;
    case 'disconnected':
      busy = {};
      validating = false;
      showBanner({ kind: 'disconnected' });
      renderToolbar();
      if (!draft) mount(editor, h('p', { class: 'muted' }, 'The rules load once the daemon is running.'));
      renderTryResult();
      renderReplay();
      return;
    case 'error':
      awaitingVersion = null;
      if (m.context === 'dryRun') busy.dryRun = false;
      if (m.context === 'replay') busy.replay = false;
      if (m.context === 'save') busy.save = false;
      showBanner({ kind: 'error', context: m.context, code: m.code, message: m.message });
      renderToolbar();
      renderTryResult();
      renderReplay();
      return;
  }
});

document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 's') {
    e.preventDefault();
    // Commit the field being edited first (its change event posts the edit before the save).
    (document.activeElement as HTMLElement | null)?.blur?.();
    post({ type: 'save' });
  }
});

renderToolbar();
renderTryResult();
renderReplay();
post({ type: 'ready' });
