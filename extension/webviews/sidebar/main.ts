/**
 * Spend sidebar webview (browser). Renders what the host sends (snapshot, live entries, summary, conversations,
 * health) through the pure view model; asks the host for an expanded conversation's requests and to run commands.
 * State kept with setState so a re-shown view paints at once.
 */
import type { LedgerEntry } from '../../../shared/protocol';
import { WEBVIEW_COMMANDS, type HostToSidebar, type RequestAction, type SidebarToHost, type WebviewCommand } from '../../../shared/webview';
import { button, h, icon, mount, svg, type Child } from '../common/dom';
import { channel } from '../common/vscodeApi';
import {
  buildSidebarView, mergeConversation, mergeRecent, recentRow, replaceEntry, type BucketRow, type BudgetBar, type ChartModel, type ConversationRow,
  type EscalationRow, type HealthRow, type RecentRow, type SidebarData, type SidebarView,
} from './viewModel';

interface State { data?: SidebarData; collapsed?: string[]; expanded?: string[] }

const vscode = channel<HostToSidebar, SidebarToHost, State>();
const saved = vscode.getState();
// State saved by a build without conversations has none; the next snapshot brings them.
let data: SidebarData | undefined = saved?.data && { ...saved.data, conversations: saved.data.conversations ?? [] };
const collapsed = new Set(saved?.collapsed ?? []);
/** Conversations shown open, by key; their requests are fetched from the host again whenever the view loads. */
const expanded = new Set(saved?.expanded ?? []);
const requestsOf = new Map<string, LedgerEntry[]>();
let status: 'loading' | 'ready' | 'disconnected' | 'error' = 'loading';
let error: { code: string; message: string } | undefined;
let freshId: string | undefined;

const app = document.getElementById('app')!;

function persist() {
  vscode.setState({ data, collapsed: [...collapsed], expanded: [...expanded] });
}

function toggleConversation(key: string) {
  if (expanded.delete(key)) requestsOf.delete(key);
  else {
    expanded.add(key);
    vscode.post({ type: 'conversationRequests', key });
  }
  persist();
  render();
}

function run(command: WebviewCommand) {
  vscode.post({ type: 'runCommand', command });
}

function commandLink(text: string, command: WebviewCommand, iconName?: string): HTMLButtonElement {
  return h('button', { type: 'button', class: 'link', 'data-command': command, on: { click: () => run(command) } },
    iconName ? icon(iconName) : null, text);
}

function section(id: string, title: string, body: Child, extra?: Child): HTMLElement {
  const isCollapsed = collapsed.has(id);
  const headingId = `h-${id}`;
  return h('section', { class: ['section', isCollapsed && 'collapsed'], 'aria-labelledby': headingId, 'data-section': id },
    h('h2', { id: headingId },
      h('button', {
        type: 'button', class: 'section-toggle', 'aria-expanded': String(!isCollapsed), 'aria-controls': `body-${id}`,
        on: { click: () => { if (collapsed.has(id)) collapsed.delete(id); else collapsed.add(id); persist(); render(); } },
      }, icon(isCollapsed ? 'chevron-right' : 'chevron-down'), h('span', null, title)),
      extra ?? null),
    h('div', { id: `body-${id}`, class: 'section-body', props: { hidden: isCollapsed } }, body));
}

function budget(bar: BudgetBar): HTMLElement {
  const fill = h('div', { class: 'fill' });
  if (bar.percent !== null) fill.style.width = `${bar.percent}%`;
  return h('div', { class: ['budget', `level-${bar.level}`], 'data-budget': bar.label },
    h('div', { class: 'budget-line' },
      h('span', { class: 'budget-label' }, bar.label),
      h('span', { class: 'budget-spent' }, bar.spent),
      h('span', { class: 'budget-of' }, bar.budget),
      bar.percentText ? h('span', { class: 'budget-pct' }, bar.percentText) : null),
    bar.percent !== null
      ? h('div', { class: 'bar', role: 'progressbar', 'aria-label': `${bar.label} spend against budget`, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(bar.percent)), 'aria-valuetext': `${bar.spent} ${bar.budget}` }, fill)
      : h('div', { class: 'bar none', 'aria-hidden': 'true' }),
    h('div', { class: 'muted small' }, bar.requests,
      bar.level === 'none' ? [' · ', h('span', null, 'set "budgets" in the rules file to track it')] : null));
}

function chart(c: ChartModel): HTMLElement {
  const box = svg('svg', {
    class: 'chart', viewBox: `0 0 ${c.width} ${c.height}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': c.description, focusable: 'false',
  },
  svg('line', { class: 'baseline', x1: '0', x2: String(c.width), y1: String(c.height - 0.5), y2: String(c.height - 0.5) }),
  c.bars.map((b) => svg('rect', { class: ['day', b.today && 'today'], x: String(b.x), y: String(b.y), width: String(b.width), height: String(b.height), 'data-date': b.date },
    svg('title', null, b.label))));
  return h('figure', { class: 'chart-box' }, box,
    h('figcaption', { class: 'muted small chart-caption' },
      h('span', null, c.firstDate), h('span', null, c.empty ? 'no spend yet' : `max ${c.maxLabel}/day`), h('span', null, c.lastDate)));
}

function buckets(rows: BucketRow[], kind: string): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, `No spend by ${kind} yet.`);
  return h('ul', { class: 'buckets', 'aria-label': `Spend by ${kind}` }, rows.map((r) => {
    const fill = h('div', { class: 'fill' });
    fill.style.width = `${r.share}%`;
    return h('li', { class: 'bucket', title: `${r.key}: ${r.cost}, ${r.requests}` },
      h('div', { class: 'bucket-line' }, h('span', { class: 'bucket-key' }, r.key), h('span', { class: 'bucket-cost' }, r.cost)),
      h('div', { class: 'bar thin', 'aria-hidden': 'true' }, fill),
      h('div', { class: 'muted small' }, r.requests));
  }));
}

function requestAction(action: RequestAction, requestId: string) {
  vscode.post({ type: 'requestAction', action, requestId });
}

/** The row's way back: ask again with a stronger model, mark (or unmark) the answer overkill. Keyboard-reachable buttons. */
function requestActions(r: RecentRow): HTMLElement {
  const what = `the ${r.time} request to ${r.model}`;
  return h('span', { class: 'req-actions', role: 'group', 'aria-label': `Actions for ${what}` },
    button({ label: `Ask again with a stronger model (${what})`, icon: 'arrow-circle-up', class: 'req-stronger', attrs: { 'data-action': 'askAgainStronger' }, onClick: () => requestAction('askAgainStronger', r.id) }),
    r.overkill
      ? button({ label: `Clear the overkill mark (${what})`, icon: 'thumbsdown-filled', class: 'req-overkill marked', attrs: { 'data-action': 'clearOverkill', 'aria-pressed': 'true' }, onClick: () => requestAction('clearOverkill', r.id) })
      : button({ label: `Mark the answer as overkill (${what})`, icon: 'thumbsdown', class: 'req-overkill', attrs: { 'data-action': 'markOverkill', 'aria-pressed': 'false' }, onClick: () => requestAction('markOverkill', r.id) }));
}

function recentItem(r: RecentRow): HTMLElement {
  return h('li', { class: ['req', `status-${r.status}`, r.id === freshId && 'fresh', r.overkill && 'overkill'], 'data-id': r.id },
    h('div', { class: 'req-top' },
      h('span', { class: 'req-time', title: r.ago }, r.time),
      h('span', { class: 'req-model', title: r.model }, r.model),
      r.overkill ? h('span', { class: 'req-overkill-badge', title: 'The answer was marked overkill' }, 'overkill') : null,
      r.status !== 'ok' ? h('span', { class: 'badge', title: r.error ?? r.status }, r.status) : null,
      r.fallback
        ? h('details', { class: 'fallback' },
          h('summary', { title: r.fallback.title, 'aria-label': `${r.fallback.count} fallback${r.fallback.count === 1 ? '' : 's'}; show attempts` }, icon('sync'), h('span', null, `${r.fallback.count}`)),
          h('pre', { class: 'attempts' }, r.fallback.title))
        : null,
      requestActions(r)),
    r.escalation ? h('div', { class: 'req-escalated small', title: 'This request was asked again with a stronger model' }, icon('arrow-circle-up'), h('span', null, r.escalation)) : null,
    h('div', { class: 'req-mid muted' },
      h('span', { class: 'req-source' }, r.source), ' · ', h('span', { class: 'req-rule', title: `rule "${r.rule}"` }, r.rule)),
    r.traffic ? h('div', { class: 'req-traffic muted small', title: r.trafficTitle ?? undefined }, r.traffic) : null,
    h('dl', { class: 'req-nums' },
      h('div', null, h('dt', null, 'tokens'), h('dd', { title: r.tokensTitle }, r.tokens)),
      h('div', null, h('dt', null, 'est.'), h('dd', { class: 'req-est' }, r.estimated)),
      h('div', null, h('dt', null, 'actual'), h('dd', {
        class: ['req-actual', r.actualUnknown && 'unknown', r.usageEstimated && 'counted'],
        title: r.actualUnknown ? 'The provider reported no usage, so the cost is unknown'
          : r.usageEstimated ? 'Priced from usage Switchyard counted (the stream ended early), not from the provider\'s report' : undefined,
      }, r.actual)),
      h('div', null, h('dt', null, 'time'), h('dd', { title: r.latencyTitle }, r.latency))),
    r.error && r.status !== 'ok' ? h('div', { class: 'req-error small' }, r.error) : null);
}

function conversationItem(c: ConversationRow, index: number, now: number): HTMLElement {
  const open = expanded.has(c.key);
  const bodyId = `conv-${index}`;
  const entries = requestsOf.get(c.key);
  return h('li', { class: ['conv', open && 'open', c.errors > 0 && 'has-errors'], 'data-key': c.key },
    h('button', {
      type: 'button', class: 'conv-toggle', 'aria-expanded': String(open), 'aria-controls': bodyId, title: c.title,
      on: { click: () => toggleConversation(c.key) },
    },
    icon(open ? 'chevron-down' : 'chevron-right'), icon('robot', 'conv-icon'),
    h('span', { class: 'conv-client' }, c.client),
    h('span', { class: 'conv-key' }, c.label),
    h('span', { class: 'conv-cost' }, c.cost)),
    h('div', { class: 'conv-models muted small', title: c.models }, c.models),
    h('dl', { class: 'req-nums' },
      h('div', null, h('dt', null, 'requests'), h('dd', { class: 'conv-requests-count' }, c.requests)),
      h('div', null, h('dt', null, 'turns'), h('dd', { class: 'conv-turns' }, c.turns)),
      h('div', null, h('dt', null, 'tool calls'), h('dd', { class: 'conv-tools' }, c.toolCalls)),
      h('div', null, h('dt', null, 'tokens'), h('dd', { title: c.tokensTitle }, c.tokens)),
      h('div', null, h('dt', null, 'last'), h('dd', { class: 'conv-last', title: c.lastAgo }, c.last))),
    c.costUnknown || c.errors || c.fallbacks
      ? h('div', { class: 'conv-notes small' },
        c.costUnknown ? h('span', { class: 'muted' }, icon('question'), c.costUnknown) : null,
        c.errors ? h('span', { class: 'conv-errors' }, icon('error'), `${c.errors} failed`) : null,
        c.fallbacks ? h('span', { class: 'conv-fallbacks' }, icon('sync'), `${c.fallbacks} fallback${c.fallbacks === 1 ? '' : 's'}`) : null)
      : null,
    h('div', { id: bodyId, class: 'conv-body', props: { hidden: !open } },
      !open ? null
        : !entries ? h('p', { class: 'loading' }, 'Loading requests…')
          : h('ol', { class: 'recent', 'aria-label': `Requests of conversation ${c.label}, newest first` }, entries.map((e) => recentItem(recentRow(e, now))))));
}

function conversationList(rows: SidebarView['conversations'], now: number): HTMLElement {
  if (rows === null) {
    return h('p', { class: 'muted', 'data-state': 'conversations-unsupported' },
      'This daemon is older than the extension and cannot list conversations. ', commandLink('Restart Daemon', WEBVIEW_COMMANDS.restartDaemon));
  }
  if (!rows.length) {
    return h('p', { class: 'muted', 'data-state': 'no-conversations' },
      'No agent conversations yet. Requests from coding agents (Claude Code, Codex CLI…) and from any client that sends a conversation key (for example an x-switchyard-session header) are grouped here, each with its total.');
  }
  return h('ul', { class: 'conversations', 'aria-label': 'Conversations, most recently active first' }, rows.map((c, i) => conversationItem(c, i, now)));
}

function escalationList(rows: EscalationRow[], kind: 'rule' | 'verdict'): HTMLElement {
  const label = kind === 'rule' ? 'Escalation rate by rule' : 'Escalation rate by classifier verdict';
  if (!rows.length) return h('p', { class: 'muted small', 'data-empty': kind }, kind === 'rule' ? 'No rule\'s answers were escalated or marked overkill.' : 'No escalations by classifier verdict.');
  return h('ul', { class: 'buckets escalations', 'aria-label': label, 'data-escalations': kind }, rows.map((r) => {
    const fill = h('div', { class: 'fill' });
    fill.style.width = `${r.share}%`;
    return h('li', { class: 'bucket escalation', title: r.title, 'data-key': r.key },
      h('div', { class: 'bucket-line' }, h('span', { class: 'bucket-key' }, r.key), h('span', { class: 'escalation-pct' }, r.percent)),
      h('div', { class: 'bar thin', 'aria-hidden': 'true' }, fill),
      h('div', { class: 'muted small' }, h('span', { class: 'escalation-rate' }, r.rate),
        r.overkill ? [' · ', h('span', { class: 'escalation-overkill' }, icon('thumbsdown'), r.overkill)] : null));
  }));
}

function escalations(view: NonNullable<SidebarView['escalations']>): HTMLElement {
  if (view.empty) {
    return h('p', { class: 'muted', 'data-state': 'no-escalations' },
      'No escalations this month. When an answer falls short, run "Ask Again With a Stronger Model" (on the answer, or ',
      icon('arrow-circle-up'), ' on a recent request); when it was more than needed, "Mark Answer as Overkill" (', icon('thumbsdown'),
      '). How often each rule\'s answers needed either shows here.');
  }
  return h('div', null,
    h('h3', { class: 'sub' }, 'By rule'), escalationList(view.byRule, 'rule'),
    h('h3', { class: 'sub' }, 'By classifier verdict'), escalationList(view.byVerdict, 'verdict'));
}

function healthList(rows: HealthRow[]): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, 'No providers configured. Add one in the rules editor.');
  return h('ul', { class: 'health' }, rows.map((r) => h('li', { class: ['health-row', `circuit-${r.state}`], title: r.title },
    icon(r.state === 'closed' ? 'pass-filled' : r.state === 'open' ? 'error' : 'debug-pause', 'state-icon'),
    h('span', { class: 'health-name' }, h('strong', null, r.provider), ' ', h('span', { class: 'muted' }, r.model)),
    h('span', { class: 'health-state' }, r.stateText),
    h('span', { class: ['health-key', r.hasKey ? 'has-key' : 'no-key'] }, icon(r.hasKey ? 'key' : 'warning'), r.keyText))));
}

function banner(): HTMLElement | null {
  if (status === 'disconnected') {
    return h('div', { class: 'banner warning', role: 'alert', 'data-state': 'disconnected' }, icon('debug-disconnect'),
      h('div', null, h('strong', null, 'Daemon not running'), ' — ', commandLink('Restart Daemon', WEBVIEW_COMMANDS.restartDaemon),
        data ? h('div', { class: 'muted small' }, 'Showing the last figures received.') : null));
  }
  if (status === 'error' && error) {
    return h('div', { class: 'banner error', role: 'alert', 'data-state': 'error' }, icon('error'),
      h('div', null, h('strong', null, 'Could not load spend: '), error.message,
        h('div', { class: 'actions' },
          button({ label: 'Retry', text: 'Retry', icon: 'refresh', onClick: () => vscode.post({ type: 'refresh' }) }),
          commandLink('Show log', WEBVIEW_COMMANDS.showLog))));
  }
  return null;
}

function emptyState(view: SidebarView): HTMLElement {
  return h('div', { class: 'empty', 'data-state': 'empty' },
    icon('graph', 'empty-icon'),
    h('p', null, "No requests yet — run 'Switchyard: Ask…' (Ctrl+Alt+Y) or set an API key"),
    h('div', { class: 'actions' },
      commandLink('Ask…', WEBVIEW_COMMANDS.ask, 'comment-discussion'),
      commandLink('Set API key', WEBVIEW_COMMANDS.setApiKey, 'key')),
    view.noKeys ? h('p', { class: 'muted small' }, 'No provider has an API key yet: requests cannot be sent until one does.') : null);
}

function render() {
  const children: Child[] = [banner()];
  if (!data) {
    if (status === 'loading') children.push(h('p', { class: 'loading' }, 'Loading spend…'));
    mount(app, children);
    app.setAttribute('aria-busy', String(status === 'loading'));
    return;
  }
  const view = buildSidebarView(data);
  const body: Child[] = [];
  if (view.empty) {
    body.push(emptyState(view));
  } else {
    body.push(
      h('div', { class: 'budgets' }, budget(view.today), budget(view.month)),
      h('p', { class: ['savings', view.savings.positive ? 'good' : 'bad'], title: view.savings.explanation },
        icon(view.savings.positive ? 'arrow-down' : 'arrow-up'), h('strong', null, view.savings.text), ' ',
        h('span', { class: 'muted' }, 'vs. sending everything to the default tier')),
      view.unknownNote ? h('p', { class: 'note small', 'data-note': 'unknown-cost' }, icon('question'), view.unknownNote) : null,
      section('chart', 'Last 30 days', chart(view.chart)),
      section('conversations', 'Conversations', conversationList(view.conversations, data.now)),
      section('models', 'By model', buckets(view.byModel, 'model')),
      section('rules', 'By rule', buckets(view.byRule, 'rule')),
      view.escalations ? section('escalations', 'Escalations', escalations(view.escalations)) : null,
      section('recent', 'Recent requests', view.recent.length
        ? h('ol', { class: 'recent', 'aria-label': 'Recent requests outside conversations, newest first' }, view.recent.map(recentItem))
        : h('p', { class: 'muted' }, 'No recent requests outside conversations.')),
    );
  }
  body.push(section('health', 'Providers', healthList(view.health)));
  body.push(h('footer', { class: 'footer' },
    button({ label: 'Refresh', icon: 'refresh', text: 'Refresh', onClick: () => vscode.post({ type: 'refresh' }) }),
    commandLink('Open Rules Editor', WEBVIEW_COMMANDS.openRulesEditor, 'list-ordered')));
  children.push(h('div', { class: ['content', status === 'disconnected' && 'stale'] }, body));
  mount(app, children);
  app.setAttribute('aria-busy', 'false');
}

vscode.onMessage((m) => {
  switch (m.type) {
    case 'snapshot':
      data = { summary: m.summary, recent: m.recent, conversations: m.conversations, health: m.health, now: m.now };
      status = 'ready'; error = undefined; freshId = undefined;
      requestsOf.clear();
      // Open conversations show their newest requests again (they may have grown while the view was hidden); one no
      // longer listed is forgotten.
      for (const key of [...expanded]) {
        if (m.conversations?.some((c) => c.key === key)) vscode.post({ type: 'conversationRequests', key });
        else if (m.conversations) expanded.delete(key);
      }
      break;
    case 'summary':
      if (data) data = { ...data, summary: m.summary, now: m.now };
      status = 'ready';
      break;
    case 'conversations':
      if (data) data = { ...data, conversations: m.conversations, now: m.now };
      break;
    case 'conversationRequests':
      if (expanded.has(m.key)) requestsOf.set(m.key, m.entries);
      break;
    case 'entry':
      if (data) {
        const e = m.entry;
        const s = data.summary;
        // Show the new row and bump the totals at once; the debounced summary from the host corrects them.
        const known = e.costUsd ?? 0;
        const loaded = e.conversation ? requestsOf.get(e.conversation) : undefined;
        if (e.conversation && loaded) requestsOf.set(e.conversation, mergeRecent(loaded, e));
        data = {
          ...data,
          now: Math.max(data.now, e.time),
          recent: e.conversation ? data.recent : mergeRecent(data.recent, e),
          conversations: data.conversations && mergeConversation(data.conversations, e),
          summary: {
            ...s,
            requestsToday: s.requestsToday + 1, requestsMonth: s.requestsMonth + 1,
            todayUsd: s.todayUsd + known, monthUsd: s.monthUsd + known,
            unknownCostRequests: s.unknownCostRequests + (e.costUsd === null ? 1 : 0),
          },
        };
        freshId = e.id;
      } else {
        vscode.post({ type: 'refresh' });
      }
      break;
    case 'entryChanged':
      if (data) data = { ...data, recent: replaceEntry(data.recent, m.entry) };
      for (const [key, list] of requestsOf) requestsOf.set(key, replaceEntry(list, m.entry));
      break;
    case 'health':
      if (data) data = { ...data, health: m.health };
      break;
    case 'loading':
      if (status !== 'ready') status = 'loading';
      break;
    case 'disconnected':
      status = 'disconnected';
      break;
    case 'error':
      status = 'error'; error = { code: m.code, message: m.message };
      break;
  }
  persist();
  render();
});

render();
vscode.post({ type: 'ready' });
