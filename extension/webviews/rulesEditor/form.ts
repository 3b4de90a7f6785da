/**
 * The rules editor's form: rules (ordered, with condition and target editors), tiers, models, providers,
 * default and budgets, rendered from the parsed draft. Every change becomes one DraftOp handed to `edit`; the
 * host applies it to the text and sends the new draft back, which is rendered again (focus is restored by key).
 */
import { KNOWN_CLIENTS } from '../../../shared/decision';
import type { DraftOp, JsonPath } from '../../../shared/webview';
import { button, h, icon, type Child } from '../common/dom';
import {
  CLASSIFIER_TIERS, CLAUSE_CHOICES, CMP_OPS, clauseLabel, clauseToValue, conditionToForm, FLAG_KEYS, KNOWN_SOURCES, KNOWN_TASKS, namesFromText,
  listValue, REASONING_LEVELS, summarizeCondition, switchTargetMode, targetToForm, URGENCIES, type Bound, type ClauseForm,
} from './conditions';
import { uniqueName } from './draft';
import { pathKey } from './issues';

export interface FormContext {
  tiers: string[];
  models: string[];
  providers: string[];
  tierModels: Record<string, string[]>;
  collapsed: Set<string>;
  /** Post one edit; `focus` is the data-focus key to put the focus on once the new draft is rendered. */
  edit(op: DraftOp, focus?: string): void;
  /** Re-render without a new draft (e.g. after collapsing a rule). */
  rerender(): void;
  toggleCollapsed(key: string): void;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const key = pathKey;
const PROVIDER_TYPES = ['openai', 'anthropic', 'openai-compatible'];

export function formContext(value: Obj | undefined, base: Omit<FormContext, 'tiers' | 'models' | 'providers' | 'tierModels'>): FormContext {
  const tiers = isObj(value?.tiers) ? value!.tiers as Obj : {};
  const tierModels: Record<string, string[]> = {};
  for (const [t, list] of Object.entries(tiers)) tierModels[t] = Array.isArray(list) ? list.map(String) : [];
  return {
    ...base,
    tiers: Object.keys(tiers),
    models: isObj(value?.models) ? Object.keys(value!.models as Obj) : [],
    providers: isObj(value?.providers) ? Object.keys(value!.providers as Obj) : [],
    tierModels,
  };
}

// ── Field helpers ─────────────────────────────────────────────────────────────────────────────────────────────

function issuesSlot(): HTMLElement {
  return h('div', { class: 'issues', 'aria-live': 'polite' });
}

interface TextOpts { label: string; value: string; focus: string; onCommit: (value: string) => void; placeholder?: string; list?: string; mono?: boolean; class?: string; required?: boolean }

/** A text input that commits on change (Enter or leaving the field); Escape restores the value. */
export function textInput(o: TextOpts): HTMLInputElement {
  const input = h('input', {
    type: 'text', class: [o.mono && 'mono', o.class], 'aria-label': o.label, 'data-focus': o.focus, placeholder: o.placeholder,
    list: o.list, spellcheck: 'false', props: { value: o.value },
  });
  input.addEventListener('change', () => {
    if (input.value === o.value) return;
    if (o.required && !input.value.trim()) { input.value = o.value; return; }
    o.onCommit(input.value);
  });
  input.addEventListener('keydown', (e) => { if (e.key === 'Escape') input.value = o.value; });
  return input;
}

function numberInput(o: { label: string; value: number | undefined; focus: string; onCommit: (n: number | undefined) => void; placeholder?: string; step?: string; min?: string; max?: string; describedBy?: string }): HTMLInputElement {
  const input = h('input', {
    type: 'number', step: o.step ?? 'any', min: o.min, max: o.max, 'aria-label': o.label, 'aria-describedby': o.describedBy, 'data-focus': o.focus, placeholder: o.placeholder,
    props: { value: o.value === undefined ? '' : String(o.value) },
  });
  input.addEventListener('change', () => {
    const raw = input.value.trim();
    if (raw === '') { if (o.value !== undefined) o.onCommit(undefined); return; }
    const n = Number(raw);
    if (!Number.isFinite(n)) { input.value = o.value === undefined ? '' : String(o.value); return; }
    if (n !== o.value) o.onCommit(n);
  });
  return input;
}

function selectInput(o: { label: string; value: string; focus: string; options: { value: string; label: string; disabled?: boolean }[]; onChange: (v: string) => void; class?: string }): HTMLSelectElement {
  const opts = [...o.options];
  if (!opts.some((x) => x.value === o.value)) opts.unshift({ value: o.value, label: o.value ? `${o.value} (unknown)` : '(choose)' });
  const sel = h('select', { 'aria-label': o.label, 'data-focus': o.focus, class: o.class },
    opts.map((x) => h('option', { value: x.value, props: { selected: x.value === o.value, disabled: !!x.disabled } }, x.label)));
  sel.addEventListener('change', () => { if (sel.value !== o.value) o.onChange(sel.value); });
  return sel;
}

function checkbox(o: { label: string; checked: boolean; focus: string; onChange: (checked: boolean) => void }): HTMLLabelElement {
  const input = h('input', { type: 'checkbox', 'data-focus': o.focus, props: { checked: o.checked } });
  input.addEventListener('change', () => o.onChange(input.checked));
  return h('label', { class: 'check' }, input, o.label);
}

/** A labelled field that validation issues can attach to (`data-path`). */
function field(path: JsonPath, label: string, control: Child, hint?: string): HTMLElement {
  return h('div', { class: 'field', 'data-path': key(path) },
    h('span', { class: 'field-label' }, label), control, hint ? h('span', { class: 'hint muted small' }, hint) : null, issuesSlot());
}

/** Up/down/remove for an element of an ordered list; buttons stay focusable at the ends (aria-disabled). */
function orderButtons(ctx: FormContext, listPath: JsonPath, i: number, n: number, what: string, focusBase: string): HTMLElement {
  const mover = (dir: -1 | 1) => {
    const j = i + dir;
    const disabled = j < 0 || j >= n;
    return button({
      label: `Move ${what} ${dir < 0 ? 'up' : 'down'}`, icon: dir < 0 ? 'arrow-up' : 'arrow-down', focusKey: `${focusBase}:${dir < 0 ? 'up' : 'down'}`,
      attrs: { 'aria-disabled': disabled ? 'true' : undefined },
      onClick: () => { if (!disabled) ctx.edit({ kind: 'move', path: listPath, from: i, to: j }, `${key([...listPath, j])}:${dir < 0 ? 'up' : 'down'}`); },
    });
  };
  return h('span', { class: 'order-buttons' }, mover(-1), mover(1));
}

// ── Conditions ────────────────────────────────────────────────────────────────────────────────────────────────

function boundsEditor(ctx: FormContext, path: JsonPath, bounds: Bound[], label: string): HTMLElement {
  const used = new Set(bounds.map((b) => b.op));
  const rows = bounds.map((b, i) => h('span', { class: 'bound', 'data-path': key([...path, b.op]) },
    selectInput({
      label: `${label}: operator ${i + 1}`, value: b.op, focus: `${key(path)}:op${i}`, class: 'op',
      options: CMP_OPS.map((op) => ({ value: op, label: op, disabled: op !== b.op && used.has(op) })),
      onChange: (op) => ctx.edit({ kind: 'renameKey', path, from: b.op, to: op }, `${key(path)}:op${i}`),
    }),
    numberInput({ label: `${label} ${b.op}`, value: b.value, focus: key([...path, b.op]), onCommit: (n) => {
      if (n === undefined) { if (bounds.length > 1) ctx.edit({ kind: 'remove', path: [...path, b.op] }); return; }
      ctx.edit({ kind: 'set', path: [...path, b.op], value: n });
    } }),
    bounds.length > 1 ? button({ label: `Remove bound ${b.op} ${b.value}`, icon: 'close', focusKey: `${key([...path, b.op])}:remove`, onClick: () => ctx.edit({ kind: 'remove', path: [...path, b.op] }, `${key(path)}:op0`) }) : null,
    issuesSlot()));
  const free = CMP_OPS.find((op) => !used.has(op));
  return h('span', { class: 'bounds' }, rows,
    free ? button({ label: `Add a bound to ${label} (range)`, icon: 'add', focusKey: `${key(path)}:addBound`, onClick: () => ctx.edit({ kind: 'set', path: [...path, free], value: bounds[0]?.value ?? 0 }, key([...path, free])) }) : null);
}

/** One checkbox per choice (urgency, reasoning); the last one checked cannot be unchecked (a condition needs a value). */
function choicesEditor(ctx: FormContext, c: Extract<ClauseForm, { kind: 'urgency' | 'reasoning' }>, p: JsonPath, choices: readonly string[]): HTMLElement {
  return h('span', { class: 'checks', role: 'group', 'aria-label': `${c.key} is one of` }, choices.map((u) => checkbox({
    label: u, checked: c.values.includes(u), focus: `${key(p)}:${u}`,
    onChange: (on) => {
      const next = choices.filter((x) => (x === u ? on : c.values.includes(x)));
      if (!next.length) { ctx.rerender(); return; }
      ctx.edit({ kind: 'set', path: p, value: clauseToValue({ ...c, values: next, asList: c.asList || next.length > 1 }) }, `${key(p)}:${u}`);
    },
  })));
}

/**
 * `classifier`: one checkbox per tier (the last one checked cannot be unchecked) and an optional minimum
 * confidence (0–1; empty: the likeliest tier must be one of them). Each part is its own edit (`tier`,
 * `minConfidence`), so the rest of the object and its comments stay as they are in the file.
 */
function classifierEditor(ctx: FormContext, c: Extract<ClauseForm, { kind: 'classifier' }>, p: JsonPath): HTMLElement {
  const tierPath = [...p, 'tier'];
  const minPath = [...p, 'minConfidence'];
  const hintId = `hint-${key(p).replace(/[^\w-]/g, '_')}`;
  const tiers = h('span', { class: 'checks', role: 'group', 'aria-label': 'classifier tier is one of', 'data-path': key(tierPath) },
    h('span', { class: 'muted small', 'aria-hidden': 'true' }, 'tier'),
    CLASSIFIER_TIERS.map((t) => checkbox({
      label: t, checked: c.values.includes(t), focus: `${key(p)}:${t}`,
      onChange: (on) => {
        const next = CLASSIFIER_TIERS.filter((x) => (x === t ? on : c.values.includes(x)));
        if (!next.length) { ctx.rerender(); return; }
        ctx.edit({ kind: 'set', path: tierPath, value: listValue(next, c.asList || next.length > 1) }, `${key(p)}:${t}`);
      },
    })), issuesSlot());
  const tierWords = c.values.join(c.minConfidence === undefined ? ' or ' : ' + ');
  const hint = c.minConfidence === undefined
    ? `holds when the likeliest tier is ${tierWords}`
    : `holds when P(${tierWords}) ≥ ${c.minConfidence}`;
  const min = h('span', { class: 'min-confidence', 'data-path': key(minPath) },
    h('span', { class: 'muted small', 'aria-hidden': 'true' }, 'min. confidence'),
    numberInput({
      label: 'classifier minimum confidence (0 to 1; empty: the likeliest tier)', value: c.minConfidence, focus: key(minPath),
      placeholder: 'likeliest', step: '0.05', min: '0', max: '1', describedBy: hintId,
      onCommit: (n) => {
        if (n === undefined) { ctx.edit({ kind: 'remove', path: minPath }, key(minPath)); return; }
        const clamped = Math.min(1, Math.max(0, n));
        if (clamped === c.minConfidence) { ctx.rerender(); return; }
        ctx.edit({ kind: 'set', path: minPath, value: clamped }, key(minPath));
      },
    }), issuesSlot());
  return h('span', { class: 'classifier-editor' }, tiers, min, h('span', { class: 'hint muted small', id: hintId }, hint));
}

const NAME_LISTS: Record<string, string> = { task: 'dl-tasks', source: 'dl-sources', client: 'dl-clients' };
const NAME_PLACEHOLDERS: Record<string, string> = { language: 'typescript, python', client: 'claude-cli, codex' };

function clauseEditor(ctx: FormContext, c: ClauseForm, condPath: JsonPath, depth: number): Child {
  const p = [...condPath, c.key];
  const setValue = (value: unknown, focus?: string) => ctx.edit({ kind: 'set', path: p, value }, focus);
  switch (c.kind) {
    case 'names':
      return textInput({
        label: `${c.key} (comma-separated)`, value: c.values.join(', '), focus: key(p), list: NAME_LISTS[c.key],
        placeholder: NAME_PLACEHOLDERS[c.key] ?? 'one or more, comma-separated', required: true,
        onCommit: (text) => { const v = namesFromText(text, c.asList); if (v !== undefined) setValue(v, key(p)); },
      });
    case 'urgency':
      return choicesEditor(ctx, c, p, URGENCIES);
    case 'reasoning':
      return choicesEditor(ctx, c, p, REASONING_LEVELS);
    case 'classifier':
      return classifierEditor(ctx, c, p);
    case 'flag':
      return selectInput({
        label: c.key, value: String(c.value), focus: key(p),
        options: [{ value: 'true', label: 'yes' }, { value: 'false', label: 'no' }],
        onChange: (v) => setValue(v === 'true', key(p)),
      });
    case 'prompt': {
      const mode = selectInput({
        label: 'prompt test', value: c.mode, focus: `${key(p)}:mode`, class: 'mode',
        options: [{ value: 'regex', label: 'matches regex' }, { value: 'contains', label: 'contains' }],
        onChange: (m) => setValue(m === 'regex'
          ? { regex: c.mode === 'contains' ? c.values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') : '', flags: 'i' }
          : { contains: c.mode === 'regex' && c.regex ? c.regex : 'TODO' }, `${key(p)}:mode`),
      });
      if (c.mode === 'regex') {
        return h('span', { class: 'prompt-editor' }, mode,
          h('span', { class: 'regex', 'data-path': key([...p, 'regex']) },
            h('span', { class: 'slash', 'aria-hidden': 'true' }, '/'),
            textInput({ label: 'prompt regex (RE2 syntax)', value: c.regex, focus: key([...p, 'regex']), mono: true, placeholder: '^(thanks|ok)\\b', onCommit: (regex) => setValue(clauseToValue({ ...c, regex }), key([...p, 'regex'])) }),
            h('span', { class: 'slash', 'aria-hidden': 'true' }, '/'),
            issuesSlot()),
          h('span', { class: 'checks', role: 'group', 'aria-label': 'regex flags', 'data-path': key([...p, 'flags']) }, ['i', 'm', 's'].map((f) => checkbox({
            label: f, checked: c.flags.includes(f), focus: `${key(p)}:flag-${f}`,
            onChange: (on) => setValue(clauseToValue({ ...c, flags: ['i', 'm', 's'].filter((x) => (x === f ? on : c.flags.includes(x))).join('') }), `${key(p)}:flag-${f}`),
          })), issuesSlot()));
      }
      const ta = h('textarea', { rows: String(Math.max(1, Math.min(4, c.values.length))), 'aria-label': 'prompt contains (one per line; any one matches)', 'data-focus': key([...p, 'contains']), class: 'mono', props: { value: c.values.join('\n') } });
      ta.addEventListener('change', () => {
        const v = namesFromText(ta.value, c.asList, /\n/);
        if (v === undefined) { ta.value = c.values.join('\n'); return; }
        setValue(clauseToValue({ ...c, values: typeof v === 'string' ? [v] : v, asList: Array.isArray(v) }), key([...p, 'contains']));
      });
      return h('span', { class: 'prompt-editor' }, mode, h('span', { 'data-path': key([...p, 'contains']) }, ta, issuesSlot()),
        checkbox({ label: 'case-sensitive', checked: !!c.caseSensitive, focus: `${key(p)}:case`, onChange: (on) => setValue(clauseToValue({ ...c, caseSensitive: on ? true : undefined }), `${key(p)}:case`) }));
    }
    case 'comparison':
      return boundsEditor(ctx, p, c.bounds, c.key);
    case 'metadata': {
      const name = textInput({
        label: 'metadata key', value: c.name, focus: `${key(condPath)}:meta:${c.name}`, class: 'meta-key', placeholder: 'team', required: true,
        onCommit: (n) => {
          const clean = n.trim().replace(/\./g, '-');
          ctx.edit({ kind: 'renameKey', path: condPath, from: c.key, to: `metadata.${clean}` }, `${key(condPath)}:meta:${clean}`);
        },
      });
      const mode = selectInput({
        label: `metadata.${c.name} test`, value: c.mode, focus: `${key(p)}:mode`, class: 'mode',
        options: [{ value: 'equals', label: 'is one of' }, { value: 'compare', label: 'compares (number)' }],
        onChange: (m) => setValue(m === 'equals' ? 'value' : { '>': 0 }, `${key(p)}:mode`),
      });
      const editor = c.mode === 'equals'
        ? textInput({ label: `metadata.${c.name} values (comma-separated)`, value: c.values.join(', '), focus: key(p), required: true, placeholder: 'value',
          onCommit: (text) => { const v = namesFromText(text, c.asList); if (v !== undefined) setValue(v, key(p)); } })
        : boundsEditor(ctx, p, c.bounds, `metadata.${c.name}`);
      return h('span', { class: 'meta-editor' }, h('span', { class: 'muted mono' }, 'metadata.'), name, mode, editor);
    }
    case 'group': {
      const items = c.items.map((item, i) => h('li', { class: 'branch' },
        h('div', { class: 'branch-head' },
          h('span', { class: 'muted small' }, `${c.key === 'all' ? 'and' : 'or'} #${i + 1}`),
          button({ label: `Remove branch ${i + 1}`, icon: 'trash', focusKey: `${key([...p, i])}:remove`, onClick: () => ctx.edit({ kind: 'remove', path: [...p, i] }, `${key(p)}:addBranch`) })),
        conditionEditor(ctx, item, [...p, i], depth + 1)));
      return h('div', { class: 'group' },
        h('span', { class: 'muted small' }, c.key === 'all' ? 'every branch must match' : 'at least one branch must match'),
        h('ol', { class: 'branches' }, items),
        button({ label: `Add a branch to ${c.key}`, text: 'Add branch', icon: 'add', focusKey: `${key(p)}:addBranch`, onClick: () => ctx.edit({ kind: 'insert', path: p, index: c.items.length, value: {} }, `${key([...p, c.items.length])}:add`) }));
    }
    case 'not':
      return h('div', { class: 'group' }, h('span', { class: 'muted small' }, 'matches when this does not'), conditionEditor(ctx, c.item, p, depth + 1));
    case 'raw':
      return h('span', { class: 'raw' }, h('code', null, JSON.stringify(c.value)), h('span', { class: 'muted small' }, ' — not editable here; fix it in the file or remove it'));
  }
}

export function conditionEditor(ctx: FormContext, cond: unknown, path: JsonPath, depth = 0): HTMLElement {
  const wrap = h('div', { class: ['cond', `depth-${depth % 3}`], 'data-path': key(path) });
  if (!isObj(cond)) {
    wrap.append(
      h('p', { class: 'issue error' }, icon('error'), `Expected a condition object here, found ${JSON.stringify(cond)}.`),
      button({ label: 'Replace with an empty condition', text: 'Replace with an empty condition', focusKey: `${key(path)}:replace`, onClick: () => ctx.edit({ kind: 'set', path, value: {} }, `${key(path)}:add`) }),
      issuesSlot());
    return wrap;
  }
  const clauses = conditionToForm(cond);
  for (const c of clauses) {
    const p = [...path, c.key];
    wrap.append(h('div', { class: ['clause', `clause-${c.kind}`], 'data-path': key(p) },
      h('span', { class: 'clause-key' }, clauseLabel(c.key)),
      h('div', { class: 'clause-editor' }, clauseEditor(ctx, c, path, depth)),
      button({ label: `Remove condition ${c.key}`, icon: 'close', focusKey: `${key(p)}:remove`, onClick: () => ctx.edit({ kind: 'remove', path: p }, `${key(path)}:add`) }),
      issuesSlot()));
  }
  if (!clauses.length) wrap.append(h('p', { class: 'hint muted small' }, 'No conditions yet: add one below (an empty condition is an error — use "default" for a catch-all).'));
  const present = new Set(Object.keys(cond));
  const add = h('select', {
    class: 'add-clause', 'aria-label': 'Add condition', 'data-focus': `${key(path)}:add`,
    'aria-description': 'Arrow keys pick a condition, Enter adds it', title: 'Pick a condition (with the keyboard: arrow keys, then Enter)',
  },
  h('option', { value: '' }, '+ Add condition…'),
  CLAUSE_CHOICES.filter((ch) => ch.key === 'metadata.' || !present.has(ch.key)).map((ch) => h('option', { value: ch.key }, ch.label)));
  // A closed select changes its value on every arrow key (Windows, Linux): a change made by a key pressed on the
  // select itself only picks, and Enter adds the pick. A choice made in the open list (mouse, or keys in the
  // popup, which the page never sees) adds at once.
  let picking = false;
  add.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { if (add.value) { e.preventDefault(); addChoice(); } return; }
    if (e.key === 'Escape' && add.value) { e.preventDefault(); add.value = ''; return; }
    picking = true;
    setTimeout(() => { picking = false; }, 0);
  });
  add.addEventListener('blur', () => { add.value = ''; });
  add.addEventListener('change', () => { if (!picking) addChoice(); });
  const addChoice = () => {
    const choice = CLAUSE_CHOICES.find((ch) => ch.key === add.value);
    if (!choice) return;
    if (choice.key === 'metadata.') {
      const name = uniqueName('key', [...present].filter((k) => k.startsWith('metadata.')).map((k) => k.slice(9))).replace(/ /g, '');
      ctx.edit({ kind: 'set', path: [...path, `metadata.${name}`], value: 'value' }, `${key(path)}:meta:${name}`);
      return;
    }
    const focus = choice.key === 'all' || choice.key === 'any' ? `${key([...path, choice.key, 0])}:add` : choice.key === 'not' ? `${key([...path, 'not'])}:add`
      : choice.key === 'prompt' ? key([...path, 'prompt', 'contains'])
        : choice.key === 'urgency' || choice.key === 'reasoning' ? `${key([...path, choice.key])}:${String(choice.initial)}`
          : choice.key === 'classifier' ? `${key([...path, choice.key])}:${String((choice.initial as { tier: string }).tier)}`
          : ['task', 'source', 'language', 'client', ...FLAG_KEYS].includes(choice.key) ? key([...path, choice.key]) : `${key([...path, choice.key])}:op0`;
    ctx.edit({ kind: 'set', path: [...path, choice.key], value: choice.initial }, focus);
  };
  wrap.append(h('div', { class: 'add-row' }, add), issuesSlot());
  return wrap;
}

// ── Targets ───────────────────────────────────────────────────────────────────────────────────────────────────

function modelList(ctx: FormContext, path: JsonPath, list: string[], what: string): HTMLElement {
  const options = ctx.models.map((m) => ({ value: m, label: m }));
  const items = list.map((m, i) => h('li', { class: 'list-item', 'data-path': key([...path, i]) },
    selectInput({ label: `${what} ${i + 1}`, value: m, focus: key([...path, i]), options, onChange: (v) => ctx.edit({ kind: 'set', path: [...path, i], value: v }, key([...path, i])) }),
    orderButtons(ctx, path, i, list.length, 'model', key([...path, i])),
    button({ label: `Remove ${m} from ${what}`, icon: 'close', focusKey: `${key([...path, i])}:remove`, onClick: () => ctx.edit({ kind: 'remove', path: [...path, i] }, `${key(path)}:addModel`) }),
    issuesSlot()));
  const next = ctx.models.find((m) => !list.includes(m)) ?? ctx.models[0];
  return h('div', { class: 'model-list' },
    h('ol', { class: 'ordered' }, items),
    next ? button({ label: `Add a model to ${what}`, text: 'Add model', icon: 'add', focusKey: `${key(path)}:addModel`, onClick: () => ctx.edit({ kind: 'insert', path, index: list.length, value: next }, key([...path, list.length])) })
      : h('span', { class: 'muted small' }, 'Add a model in Models first.'));
}

export function targetEditor(ctx: FormContext, target: unknown, path: JsonPath, label = 'Then route to'): HTMLElement {
  const form = targetToForm(target, ctx.tiers, ctx.models);
  const mode = selectInput({
    label: `${label}: kind`, value: form.mode, focus: `${key(path)}:mode`, class: 'mode',
    options: [{ value: 'tier', label: 'tier' }, { value: 'model', label: 'model' }, { value: 'list', label: 'list of models' }],
    onChange: (m) => ctx.edit({ kind: 'set', path, value: switchTargetMode(form, m as 'tier' | 'model' | 'list', ctx.tiers, ctx.models, ctx.tierModels) }, `${key(path)}:mode`),
  });
  let editor: Child;
  if (form.mode === 'list') editor = modelList(ctx, path, form.models, 'the list');
  else {
    const names = form.mode === 'tier' ? ctx.tiers : ctx.models;
    editor = h('span', { class: 'target-pick' },
      selectInput({ label: `${label}: ${form.mode}`, value: form.name, focus: key(path), options: names.map((n) => ({ value: n, label: n })), onChange: (v) => ctx.edit({ kind: 'set', path, value: v }, key(path)) }),
      form.mode === 'tier' && ctx.tierModels[form.name] ? h('span', { class: 'muted small' }, `→ ${ctx.tierModels[form.name].join(', ')}`) : null);
  }
  return h('div', { class: 'target', 'data-path': key(path) }, h('span', { class: 'field-label' }, label), mode, editor, issuesSlot());
}

function targetSummary(target: unknown): string {
  if (Array.isArray(target)) return `[${target.join(', ')}]`;
  return typeof target === 'string' ? target : '?';
}

// ── Rules ─────────────────────────────────────────────────────────────────────────────────────────────────────

export function ruleCard(ctx: FormContext, rule: unknown, i: number, n: number): HTMLLIElement {
  const path: JsonPath = ['rules', i];
  const r = isObj(rule) ? rule : {};
  const name = typeof r.name === 'string' ? r.name : '';
  const collapseKey = name || `#${i + 1}`;
  const isCollapsed = ctx.collapsed.has(collapseKey);
  const grip = h('span', { class: 'grip', draggable: 'true', title: 'Drag to reorder (or Alt+↑/↓)', 'aria-hidden': 'true' }, icon('gripper'));
  const body = h('div', { class: 'rule-body', id: `rule-body-${i}`, props: { hidden: isCollapsed } },
    field([...path, 'description'], 'Description', textInput({
      label: `Description of rule ${name}`, value: typeof r.description === 'string' ? r.description : '', focus: key([...path, 'description']), placeholder: 'optional',
      onCommit: (v) => ctx.edit(v.trim() ? { kind: 'set', path: [...path, 'description'], value: v } : { kind: 'remove', path: [...path, 'description'] }, key([...path, 'description'])),
    })),
    h('div', { class: 'rule-if' }, h('h4', null, 'If'), conditionEditor(ctx, r.if, [...path, 'if'])),
    h('div', { class: 'rule-then' }, targetEditor(ctx, r.then, [...path, 'then'])));
  const li = h('li', { class: ['rule', isCollapsed && 'collapsed'], 'data-path': key(path), 'data-index': String(i), 'aria-label': `Rule ${i + 1}: ${name}` },
    h('div', { class: 'rule-head' },
      grip,
      h('span', { class: 'rule-index', title: 'Rules are tried in order; the first match wins' }, `${i + 1}`),
      h('button', {
        type: 'button', class: 'btn icon-only', 'aria-expanded': String(!isCollapsed), 'aria-controls': `rule-body-${i}`, 'data-focus': `${key(path)}:toggle`,
        'aria-label': `${isCollapsed ? 'Expand' : 'Collapse'} rule ${name}`, title: isCollapsed ? 'Expand' : 'Collapse',
        on: { click: () => ctx.toggleCollapsed(collapseKey) },
      }, icon(isCollapsed ? 'chevron-right' : 'chevron-down')),
      h('span', { class: 'rule-name', 'data-path': key([...path, 'name']) },
        textInput({
          label: 'Rule name', value: name, focus: key([...path, 'name']), class: 'name', required: true,
          onCommit: (v) => ctx.edit({ kind: 'set', path: [...path, 'name'], value: v.trim() }, key([...path, 'name'])),
        }), issuesSlot()),
      h('span', { class: 'rule-summary muted', title: 'If … then …' }, `${summarizeCondition(r.if)} → ${targetSummary(r.then)}`),
      h('span', { class: 'rule-actions' },
        orderButtons(ctx, ['rules'], i, n, 'rule', key(path)),
        button({ label: `Delete rule ${name}`, icon: 'trash', focusKey: `${key(path)}:delete`, onClick: () => ctx.edit({ kind: 'remove', path }, n > 1 ? `${key(['rules', Math.min(i, n - 2)])}:delete` : 'rules:add') }))),
    issuesSlot(),
    body);
  // Keyboard reorder: Alt+↑ / Alt+↓ anywhere in the card (not in a select, where Alt+↓ opens the list).
  li.addEventListener('keydown', (e) => {
    if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') || e.target instanceof HTMLSelectElement) return;
    if (e.currentTarget !== li || (e.target as HTMLElement).closest('li.rule') !== li) return;
    e.preventDefault();
    const j = i + (e.key === 'ArrowUp' ? -1 : 1);
    if (j < 0 || j >= n) return;
    const focused = (document.activeElement as HTMLElement | null)?.getAttribute('data-focus') ?? `${key(path)}:toggle`;
    const prefix = key(path);
    const moved = focused.startsWith(prefix) ? key(['rules', j]) + focused.slice(prefix.length) : `${key(['rules', j])}:toggle`;
    ctx.edit({ kind: 'move', path: ['rules'], from: i, to: j }, moved);
  });
  grip.addEventListener('dragstart', (e) => { e.dataTransfer?.setData('application/x-switchyard-rule', String(i)); li.classList.add('dragging'); });
  grip.addEventListener('dragend', () => li.classList.remove('dragging'));
  li.addEventListener('dragover', (e) => { if (e.dataTransfer?.types.includes('application/x-switchyard-rule')) { e.preventDefault(); li.classList.add('drop-target'); } });
  li.addEventListener('dragleave', () => li.classList.remove('drop-target'));
  li.addEventListener('drop', (e) => {
    li.classList.remove('drop-target');
    const from = Number(e.dataTransfer?.getData('application/x-switchyard-rule'));
    if (!Number.isInteger(from) || from === i) return;
    e.preventDefault();
    ctx.edit({ kind: 'move', path: ['rules'], from, to: i }, key(['rules', i, 'name']));
  });
  return li;
}

export function rulesSection(ctx: FormContext, value: Obj): HTMLElement {
  const rules = Array.isArray(value.rules) ? value.rules : [];
  const names = rules.map((r) => (isObj(r) && typeof r.name === 'string' ? r.name : ''));
  const addRule = () => {
    const name = uniqueName('new rule', names);
    const then = ctx.tiers[0] ?? ctx.models[0] ?? 'default';
    ctx.edit({ kind: 'insert', path: ['rules'], index: rules.length, value: { name, if: { task: 'chat' }, then } }, key(['rules', rules.length, 'name']));
  };
  return h('section', { class: 'panel-section', id: 'rules', 'aria-labelledby': 'rules-h' },
    h('div', { class: 'section-head' },
      h('h2', { id: 'rules-h' }, 'Rules'), h('span', { class: 'muted small' }, 'tried in order — the first match wins'),
      button({ label: 'Add rule', text: 'Add rule', icon: 'add', focusKey: 'rules:add', onClick: addRule })),
    rules.length
      ? h('ol', { class: 'rules', 'data-path': 'rules' }, rules.map((r, i) => ruleCard(ctx, r, i, rules.length)), issuesSlot())
      : h('div', { class: 'empty', 'data-path': 'rules' }, h('p', null, 'No rules yet: every request goes to the default target. Add a rule to route by task, size, urgency or spend.'), issuesSlot()),
    h('div', { class: 'default-row' }, targetEditor(ctx, value.default, ['default'], 'Otherwise (default)')));
}

// ── Tiers, models, providers, budgets ─────────────────────────────────────────────────────────────────────────

function renameInput(ctx: FormContext, parent: JsonPath, name: string, label: string): HTMLInputElement {
  return textInput({
    label, value: name, focus: `${key([...parent, name])}:name`, class: 'name', required: true,
    onCommit: (v) => ctx.edit({ kind: 'renameKey', path: parent, from: name, to: v.trim() }, `${key([...parent, v.trim()])}:name`),
  });
}

export function tiersSection(ctx: FormContext, value: Obj): HTMLElement {
  const tiers = isObj(value.tiers) ? value.tiers : {};
  const rows = Object.entries(tiers).map(([name, list]) => h('div', { class: 'entry', 'data-path': key(['tiers', name]) },
    h('div', { class: 'entry-head' },
      renameInput(ctx, ['tiers'], name, 'Tier name'),
      button({ label: `Delete tier ${name}`, icon: 'trash', focusKey: `${key(['tiers', name])}:delete`, onClick: () => ctx.edit({ kind: 'remove', path: ['tiers', name] }, 'tiers:add') })),
    Array.isArray(list) ? modelList(ctx, ['tiers', name], list.map(String), `tier ${name}`) : h('p', { class: 'issue error' }, 'A tier is a list of model names.'),
    issuesSlot()));
  return h('section', { class: 'panel-section', id: 'tiers', 'aria-labelledby': 'tiers-h', 'data-path': 'tiers' },
    h('div', { class: 'section-head' },
      h('h2', { id: 'tiers-h' }, 'Tiers'), h('span', { class: 'muted small' }, 'ordered candidates: the first healthy one is tried first'),
      button({ label: 'Add tier', text: 'Add tier', icon: 'add', focusKey: 'tiers:add', onClick: () => {
        const name = uniqueName('tier', Object.keys(tiers)).replace(/ /g, '');
        ctx.edit({ kind: 'set', path: ['tiers', name], value: ctx.models.slice(0, 1) }, `${key(['tiers', name])}:name`);
      } })),
    rows.length ? rows : h('p', { class: 'muted' }, 'No tiers: rules can still name models directly.'),
    issuesSlot());
}

export function modelsSection(ctx: FormContext, value: Obj): HTMLElement {
  const models = isObj(value.models) ? value.models : {};
  const rows = Object.entries(models).map(([name, m]) => {
    const cfg = isObj(m) ? m : {};
    const p: JsonPath = ['models', name];
    const price = (k: 'inputPerMTok' | 'outputPerMTok', label: string) => field([...p, k], label, numberInput({
      label: `${name} ${label}`, value: typeof cfg[k] === 'number' ? cfg[k] as number : undefined, focus: key([...p, k]), placeholder: 'catalog', min: '0',
      onCommit: (n) => ctx.edit(n === undefined ? { kind: 'remove', path: [...p, k] } : { kind: 'set', path: [...p, k], value: n }, key([...p, k])),
    }));
    return h('div', { class: 'entry grid', 'data-path': key(p) },
      field([...p, 'name'], 'Name', renameInput(ctx, ['models'], name, 'Model short name')),
      field([...p, 'provider'], 'Provider', selectInput({
        label: `${name} provider`, value: typeof cfg.provider === 'string' ? cfg.provider : '', focus: key([...p, 'provider']),
        options: ctx.providers.map((x) => ({ value: x, label: x })), onChange: (v) => ctx.edit({ kind: 'set', path: [...p, 'provider'], value: v }, key([...p, 'provider'])),
      })),
      field([...p, 'id'], 'Pinned model id', textInput({
        label: `${name} pinned model id`, value: typeof cfg.id === 'string' ? cfg.id : '', focus: key([...p, 'id']), mono: true, placeholder: 'gpt-4o-mini-2024-07-18',
        onCommit: (v) => ctx.edit({ kind: 'set', path: [...p, 'id'], value: v.trim() }, key([...p, 'id'])),
      })),
      price('inputPerMTok', '$ / 1M input'),
      price('outputPerMTok', '$ / 1M output'),
      h('div', { class: 'entry-actions' }, button({ label: `Delete model ${name}`, icon: 'trash', focusKey: `${key(p)}:delete`, onClick: () => ctx.edit({ kind: 'remove', path: p }, 'models:add') })),
      issuesSlot());
  });
  return h('section', { class: 'panel-section', id: 'models', 'aria-labelledby': 'models-h', 'data-path': 'models' },
    h('div', { class: 'section-head' },
      h('h2', { id: 'models-h' }, 'Models'), h('span', { class: 'muted small' }, 'short names → pinned, dated model ids; prices default to the catalog'),
      button({ label: 'Add model', text: 'Add model', icon: 'add', focusKey: 'models:add', onClick: () => {
        const name = uniqueName('model', Object.keys(models)).replace(/ /g, '');
        ctx.edit({ kind: 'set', path: ['models', name], value: { provider: ctx.providers[0] ?? 'openai', id: '' } }, `${key(['models', name])}:name`);
      } })),
    rows.length ? rows : h('p', { class: 'muted' }, 'No models yet: add one, then put it in a tier.'),
    issuesSlot());
}

export function providersSection(ctx: FormContext, value: Obj): HTMLElement {
  const providers = isObj(value.providers) ? value.providers : {};
  const rows = Object.entries(providers).map(([name, pv]) => {
    const cfg = isObj(pv) ? pv : {};
    const p: JsonPath = ['providers', name];
    const optionalText = (k: 'apiKeyEnv' | 'baseURL', label: string, placeholder: string) => field([...p, k], label, textInput({
      label: `${name} ${label}`, value: typeof cfg[k] === 'string' ? cfg[k] as string : '', focus: key([...p, k]), mono: true, placeholder,
      onCommit: (v) => ctx.edit(v.trim() ? { kind: 'set', path: [...p, k], value: v.trim() } : { kind: 'remove', path: [...p, k] }, key([...p, k])),
    }));
    return h('div', { class: 'entry grid', 'data-path': key(p) },
      field([...p, 'name'], 'Name', renameInput(ctx, ['providers'], name, 'Provider name')),
      field([...p, 'type'], 'Type', selectInput({
        label: `${name} type`, value: typeof cfg.type === 'string' ? cfg.type : '', focus: key([...p, 'type']),
        options: PROVIDER_TYPES.map((t) => ({ value: t, label: t })), onChange: (v) => ctx.edit({ kind: 'set', path: [...p, 'type'], value: v }, key([...p, 'type'])),
      })),
      optionalText('apiKeyEnv', 'API key variable', 'OPENAI_API_KEY'),
      optionalText('baseURL', 'Base URL', 'http://127.0.0.1:11434/v1'),
      h('div', { class: 'entry-actions' }, button({ label: `Delete provider ${name}`, icon: 'trash', focusKey: `${key(p)}:delete`, onClick: () => ctx.edit({ kind: 'remove', path: p }, 'providers:add') })),
      issuesSlot());
  });
  return h('section', { class: 'panel-section', id: 'providers', 'aria-labelledby': 'providers-h', 'data-path': 'providers' },
    h('div', { class: 'section-head' },
      h('h2', { id: 'providers-h' }, 'Providers'), h('span', { class: 'muted small' }, 'keys themselves live in VS Code\'s secret storage, never in this file'),
      button({ label: 'Add provider', text: 'Add provider', icon: 'add', focusKey: 'providers:add', onClick: () => {
        const name = uniqueName('local', Object.keys(providers)).replace(/ /g, '');
        ctx.edit({ kind: 'set', path: ['providers', name], value: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1' } }, `${key(['providers', name])}:name`);
      } })),
    rows.length ? rows : h('p', { class: 'muted' }, 'No providers yet: add OpenAI, Anthropic or a local OpenAI-compatible server.'),
    issuesSlot());
}

export function budgetsSection(ctx: FormContext, value: Obj): HTMLElement {
  const b = isObj(value.budgets) ? value.budgets : {};
  const money = (k: 'dailyUsd' | 'monthlyUsd', label: string) => field(['budgets', k], label, numberInput({
    label, value: typeof b[k] === 'number' ? b[k] as number : undefined, focus: key(['budgets', k]), placeholder: 'no budget', min: '0',
    onCommit: (n) => ctx.edit(n === undefined ? { kind: 'remove', path: ['budgets', k] } : { kind: 'set', path: ['budgets', k], value: n }, key(['budgets', k])),
  }));
  return h('section', { class: 'panel-section', id: 'budgets', 'aria-labelledby': 'budgets-h', 'data-path': 'budgets' },
    h('div', { class: 'section-head' }, h('h2', { id: 'budgets-h' }, 'Budgets'), h('span', { class: 'muted small' }, 'USD; rules can test spentTodayUsd / spentMonthUsd')),
    h('div', { class: 'grid' }, money('dailyUsd', 'Daily budget ($)'), money('monthlyUsd', 'Monthly budget ($)')),
    issuesSlot());
}

/** Datalists the condition inputs suggest from. */
export function datalists(): HTMLElement {
  return h('div', { hidden: true },
    h('datalist', { id: 'dl-tasks' }, KNOWN_TASKS.map((t) => h('option', { value: t }))),
    h('datalist', { id: 'dl-sources' }, KNOWN_SOURCES.map((s) => h('option', { value: s }))),
    h('datalist', { id: 'dl-clients' }, KNOWN_CLIENTS.map((c) => h('option', { value: c }))));
}
