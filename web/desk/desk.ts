import './desk.css';
import { ApiError, graphql } from '../shared/api';
import { byId, h, toast } from '../shared/dom';
import { langFromLocation } from '../shared/i18n';
import { signInForm, signInStore, type SignedIn } from '../shared/sign-in';
import { explain, type Desk } from './desk-api';
import { followupPanel } from './followup';
import { paperPanel } from './paper';
import { reportsPanel } from './reports';
import { rosterPanel } from './roster';
import { sessionsPanel } from './sessions';
import { deskWords } from './words';

/**
 * The organisation department's desk (组织部工作台): the roster from Excel, a series of sessions with their line-ups,
 * attendees and links, leaders' directives handed on as action items (督办), and the reports on paper with their 报送. A laptop page; every change is one request and the
 * server's answer is what the page shows.
 */

const lang = langFromLocation();
const w = deskWords(lang);
const store = signInStore('desk');
const TABS = ['roster', 'sessions', 'paper', 'followup', 'reports'] as const;
type Tab = (typeof TABS)[number];

let signedIn: SignedIn | null = store.read();

function signOut(message?: string): void {
  signedIn = null;
  store.clear();
  showLogin(message);
}

function showLogin(message?: string): void {
  byId('app').replaceChildren(
    signInForm({
      lang,
      title: w.title,
      hint: w.hint,
      message,
      refuse: (roles) => (roles.includes('secretary') || roles.includes('admin') ? null : w.notDesk),
      explain: (err) => explain(w, err),
      signedIn: (answer) => {
        signedIn = answer;
        store.save(answer);
        route();
      },
    }),
  );
  byId('username').focus();
}

function deskFor(session: SignedIn): Desk {
  return {
    lang,
    w,
    token: session.token,
    api: (query, variables = {}) => graphql(query, variables, session.token),
    fail: (err) => {
      if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') return signOut(w.expired);
      toast(explain(w, err));
    },
    toast,
    fileUrl: (path) => `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(session.token)}`,
  };
}

const tabOf = (): Tab => (TABS as readonly string[]).includes(location.hash.slice(1)) ? (location.hash.slice(1) as Tab) : 'roster';

async function showDesk(session: SignedIn): Promise<void> {
  const desk = deskFor(session);
  const tab = tabOf();
  const panel = h('main', { class: 'panel-area', id: 'panel' });
  byId('app').replaceChildren(
    h(
      'div',
      { class: 'desk' },
      h(
        'header',
        { class: 'bar' },
        h('span', { class: 'bar-title' }, w.title),
        h(
          'nav',
          { class: 'tabs', 'aria-label': w.title },
          ...TABS.map((t) => h('a', { href: `#${t}`, id: `tab-${t}`, class: t === tab ? 'tab active' : 'tab', 'aria-current': t === tab ? 'page' : null }, w.tabs[t])),
        ),
        h('span', { class: 'who' }, session.user.displayName),
        h('button', { type: 'button', id: 'sign-out', onclick: () => signOut() }, w.signOut),
      ),
      panel,
    ),
  );
  try {
    panel.replaceChildren(tab === 'roster' ? rosterPanel(desk) : tab === 'sessions' ? await sessionsPanel(desk) : tab === 'paper' ? await paperPanel(desk, session.user) : tab === 'followup' ? await followupPanel(desk) : await reportsPanel(desk));
  } catch (err) {
    desk.fail(err);
  }
}

function route(): void {
  if (!signedIn) return showLogin();
  void showDesk(signedIn);
}

document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
document.body.replaceChildren(h('div', { id: 'app' }), h('div', { id: 'toasts' }));
window.addEventListener('hashchange', route);
route();
