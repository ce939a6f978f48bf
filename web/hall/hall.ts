import './hall.css';
import { ApiError, graphql, liveSubscription, whileBusy, type LinkStatus } from '../shared/api';
import { countdown, ServerClock } from '../shared/clock';
import { byId, h, keyedList, setText, show } from '../shared/dom';
import { langFromLocation, words } from '../shared/i18n';
import { ballotSpeeches, canChoose, checkDraft, choose, excellentQuota, GRADES, gradesOf, newClientId, restoreDraft, type Draft, type Grade } from './ballot';
import { canBlind, fingerprintOf, signedToken, type HeldToken, type SignedToken } from './blind';
import {
  BALLOT_KEY_QUERY,
  CAST_ANONYMOUS_MUTATION,
  CAST_MUTATION,
  HALL_ROOM_SUBSCRIPTION,
  ISSUE_TOKEN_MUTATION,
  ME_QUERY,
  MY_COMMENTS_QUERY,
  MY_SESSIONS_QUERY,
  SEAT_QUERY,
  SESSION_QUERY,
  VERIFY_QUERY,
  type BallotMode,
  type HallRoom,
  type HallSpeech,
  type Me,
  type MyComment,
  type Seat,
  type SessionRow,
} from './hall-room';
import { readableFingerprint } from '../shared/room';
import { mineView } from './mine';
import { hallWords } from './words';

/**
 * The attendee's phone (/hall, and /signin/<token> for a personal link): sign in, check in with the code on the big
 * screen, follow the room, send questions, cast the secret ballot; leaders also give 点评 and the summary, speakers
 * see their own slot and result. Everything live comes through `roomState`; actions are mutations over HTTP.
 */

const lang = langFromLocation();
const t = words(lang);
const w = hallWords(lang);
const TOKEN_KEY = 'leitai.hall.token';
const LINK_PATH = /^\/signin\/([A-Za-z0-9_-]{43})\/?$/;
const MAX_QUESTION = 500;
const MAX_REVIEW = 2000;
const MAX_SUMMARY = 5000;
const TICK_MS = 250;
const TONES = ['PRAISE', 'CRITICISM', 'SUGGESTION', 'DIRECTIVE'] as const;

// ——— storage: a phone in private mode may refuse it; the page then keeps what it must in memory, for this visit ———

/** What localStorage refused to keep: read only when it has nothing, so another tab's changes still win. */
const memory = new Map<string, string>();
const store = {
  get(key: string): string | null {
    try {
      return localStorage.getItem(key) ?? memory.get(key) ?? null;
    } catch {
      return memory.get(key) ?? null;
    }
  },
  set(key: string, value: string): void {
    try {
      localStorage.setItem(key, value);
      memory.delete(key);
    } catch {
      memory.set(key, value);
    }
  },
  remove(key: string): void {
    memory.delete(key);
    try {
      localStorage.removeItem(key);
    } catch {
      // as above
    }
  },
  json<T>(key: string): T | null {
    const raw = store.get(key);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return null;
    }
  },
};

let token: string | null = store.get(TOKEN_KEY);
let me: Me | null = null;
let sessionId: string | null = null;
let sessionInfo: SessionRow | null = null;
let seat: Seat | null = null;
let room: HallRoom | null = null;
let live: { dispose(): void } | null = null;
let mine: { dispose(): void } | null = null;
let snapshotNext = true;
let linkStatus: LinkStatus = 'connecting';
let myComments: MyComment[] = [];
let commentsSeq = -1;
let commentsLoading = false;
let seatReadFor = '';
let ballotStage: 'choose' | 'review' = 'choose';
let ballotBuiltFor = '';
let draft: Draft | null = null;
let casting = false;
/** How the open evaluation takes ballots; read with the seat. */
let ballotMode: BallotMode | null = null;
/** BLIND mode: where this phone stands with its anonymous ballot token. */
let tokenState: 'none' | 'taking' | 'held' | 'retrying' | 'elsewhere' | 'insecure' = 'none';
let taking: Promise<SignedToken> | null = null;
/** The fingerprint of the key this phone's token is signed under, once computed: shown for comparison with the big screen. */
let keyPrint: string | null = null;
let tokenRetryAt = 0;
const clock = new ServerClock();

const api = <T>(query: string, variables: Record<string, unknown> = {}) => graphql<T>(query, variables, token);
const busy = <T>(send: () => Promise<T>, status: HTMLElement) => whileBusy(send, () => setText(status, w.busy));
const hasRole = (...roles: string[]) => !!me && me.roles.some((r) => roles.includes(r.toLowerCase()));
const keyFor = (what: string) => `leitai.hall.${what}.${sessionId}.${me?.id}`;
const langSuffix = lang === 'en' ? 'lang=en' : '';
const unitOf = (sp: HallSpeech) => (lang === 'en' ? sp.cadre.region.nameEn : sp.cadre.region.name);
/** "双桥区委常委、常务副区长" already names the unit; otherwise the unit goes first. */
const postOf = (sp: HallSpeech) => (sp.cadre.position.includes(sp.cadre.region.name) ? sp.cadre.position : `${unitOf(sp)}　${sp.cadre.position}`);

function explain(err: unknown): string {
  if (err instanceof ApiError) return w.errors[err.code] ?? err.message;
  return String(err);
}

function hhmm(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function seconds(ms: number | null): number {
  return Math.max(1, Math.ceil((ms ?? 1000) / 1000));
}

/** Shows `busyLabel` on the button and disables it while `run` goes on: a double tap sends once. */
async function withButton(button: HTMLButtonElement, busyLabel: string, run: () => Promise<void>): Promise<void> {
  if (button.disabled) return;
  const label = button.textContent ?? '';
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  setText(button, busyLabel);
  try {
    await run();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    setText(button, label);
  }
}

// ——— the frame ———

function frame(): void {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  document.body.replaceChildren(
    h(
      'header',
      { class: 'bar' },
      h('div', { class: 'bar-titles' }, h('div', { class: 'brand' }, '擂台'), h('div', { class: 'bar-session', id: 'bar-session' })),
      h('span', { class: 'phase-pill', id: 'phase', hidden: true }),
      h('a', { class: 'lang', id: 'lang', href: '#', lang: lang === 'en' ? 'zh-CN' : 'en' }, w.language),
    ),
    h('div', { class: 'conn', id: 'conn', role: 'status', hidden: true }, w.reconnecting),
    h('main', { id: 'app', class: 'app' }, h('p', { class: 'loading' }, w.loading)),
  );
  setLangLink();
}

function setLangLink(): void {
  const a = document.getElementById('lang') as HTMLAnchorElement | null;
  if (!a) return;
  const params = new URLSearchParams(location.search);
  if (lang === 'en') params.delete('lang');
  else params.set('lang', 'en');
  const q = params.toString();
  a.href = `${location.pathname}${q ? `?${q}` : ''}`;
}

function app(...children: HTMLElement[]): void {
  byId('app').replaceChildren(...children);
}

// ——— signing in ———

interface AuthAnswer {
  token: string;
  sessionId?: string | null;
  user: Me;
}

function showLogin(message = ''): void {
  leaveRoom();
  setText(byId('bar-session'), '');
  show(byId('phase'), false);
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: false, required: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', id: 'login-error', role: 'alert' }, message);
  const submit = h('button', { type: 'submit', class: 'primary', id: 'login-submit' }, w.signIn);
  const form = h(
    'form',
    { class: 'card login', id: 'login-form' },
    h('h1', {}, w.signInTitle),
    h('p', { class: 'hint' }, w.signInHint),
    h('label', { for: 'username' }, w.username),
    user,
    h('label', { for: 'password' }, w.password),
    pass,
    error,
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void withButton(submit, w.signingIn, async () => {
      setText(error, '');
      try {
        const data = await busy(
          () => graphql<{ login: AuthAnswer }>(`mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { token user { id username displayName roles } } }`, { u: user.value.trim(), p: pass.value }),
          error,
        );
        signedIn(data.login);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'RATE_LIMITED') setText(error, w.throttled(seconds(err.retryAfterMs)));
        else setText(error, err instanceof ApiError && err.code === 'UNAUTHENTICATED' ? w.badLogin : explain(err));
      }
    });
  });
  app(form);
}

function signedIn(auth: AuthAnswer): void {
  token = auth.token;
  me = auth.user;
  store.set(TOKEN_KEY, token);
  void chooseSession();
}

async function signInWithLink(linkToken: string): Promise<void> {
  const status = h('p', { class: 'loading', role: 'status' }, w.signingIn);
  app(status);
  try {
    const data = await busy(
      () => graphql<{ signInWithLink: AuthAnswer }>(`mutation Link($t: String!) { signInWithLink(token: $t) { token sessionId user { id username displayName roles } } }`, { t: linkToken }),
      status,
    );
    const sid = data.signInWithLink.sessionId;
    // The link's token leaves the address bar (and the history): what stays is the session it opens.
    const q = [sid ? `session=${encodeURIComponent(sid)}` : '', langSuffix].filter(Boolean).join('&');
    history.replaceState(null, '', `/hall${q ? `?${q}` : ''}`);
    setLangLink();
    signedIn(data.signInWithLink);
  } catch (err) {
    history.replaceState(null, '', `/hall${langSuffix ? `?${langSuffix}` : ''}`);
    setLangLink();
    token = null;
    store.remove(TOKEN_KEY);
    showLogin(err instanceof ApiError && err.code === 'RATE_LIMITED' ? w.throttled(seconds(err.retryAfterMs)) : err instanceof ApiError && err.code === 'NETWORK' ? explain(err) : w.linkRefused);
  }
}

function signOut(message?: string): void {
  token = null;
  me = null;
  store.remove(TOKEN_KEY);
  showLogin(message);
}

/** A refused token sends the phone back to the sign-in form; anything else is for the caller to say. */
function refusedToken(err: unknown): boolean {
  if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
    signOut(w.expired);
    return true;
  }
  return false;
}

// ——— which session ———

async function chooseSession(): Promise<void> {
  const wanted = new URLSearchParams(location.search).get('session');
  try {
    if (!me) me = (await api<{ me: Me | null }>(ME_QUERY)).me;
    if (!me) return signOut(w.expired);
    if (new URLSearchParams(location.search).get('view') === 'mine') return showMine();
    if (wanted) return enterSession(wanted);
    const { mySessions } = await api<{ mySessions: SessionRow[] }>(MY_SESSIONS_QUERY);
    const open = mySessions.filter((s) => s.phase !== 'CLOSED');
    if (open.length === 1) return enterSession(open[0].id);
    showPicker(open.length ? open : mySessions);
  } catch (err) {
    if (refusedToken(err)) return;
    app(h('p', { class: 'form-error', role: 'alert' }, explain(err)), h('button', { type: 'button', class: 'primary', onclick: () => void chooseSession() }, w.signIn));
  }
}

function showPicker(sessions: SessionRow[]): void {
  leaveRoom();
  setText(byId('bar-session'), '');
  app(
    h(
      'section',
      { class: 'card picker', 'aria-labelledby': 'picker-title' },
      h('h1', { id: 'picker-title' }, w.pickSession),
      sessions.length
        ? h(
            'ul',
            { class: 'session-list', id: 'session-list' },
            ...sessions.map((s) =>
              h(
                'li',
                {},
                h(
                  'button',
                  { type: 'button', class: 'session-pick', 'data-session': s.id, onclick: () => void pickSession(s.id) },
                  h('span', { class: 'no' }, w.sessionNo(s.number)),
                  h('span', { class: 'title' }, s.title),
                  h('span', { class: 'meta' }, `${t.phases[s.phase] ?? s.phase} · ${s.theme.title}`),
                ),
              ),
            ),
          )
        : h('p', { class: 'empty' }, w.noSessions),
    ),
    footer(false),
  );
}

function pickSession(id: string): void {
  const q = [`session=${encodeURIComponent(id)}`, langSuffix].filter(Boolean).join('&');
  history.pushState(null, '', `/hall?${q}`);
  setLangLink();
  enterSession(id);
}

function footer(inRoom: boolean): HTMLElement {
  return h(
    'footer',
    { class: 'foot' },
    h('span', { class: 'who', id: 'who' }, me?.displayName ?? ''),
    inRoom ? h('button', { type: 'button', class: 'quiet', id: 'switch-session', onclick: () => void switchSession() }, w.switchSession) : null,
    mine ? null : h('button', { type: 'button', class: 'quiet', id: 'open-mine', onclick: () => openMine() }, w.mine),
    h('button', { type: 'button', class: 'quiet', id: 'sign-out', onclick: () => signOut() }, w.signOut),
  );
}

function openMine(): void {
  history.pushState(null, '', `/hall?${['view=mine', langSuffix].filter(Boolean).join('&')}`);
  setLangLink();
  showMine();
}

/** 我的事项: the inbox, findings to answer, action items and commitments to report on (mine.ts). */
function showMine(): void {
  leaveRoom();
  setText(byId('bar-session'), '');
  const view = mineView({ lang, token: token!, api, explain, expired: () => signOut(w.expired) });
  mine = view;
  app(view.el, footer(false));
}

async function switchSession(): Promise<void> {
  history.pushState(null, '', `/hall${langSuffix ? `?${langSuffix}` : ''}`);
  setLangLink();
  try {
    const { mySessions } = await api<{ mySessions: SessionRow[] }>(MY_SESSIONS_QUERY);
    showPicker(mySessions);
  } catch (err) {
    if (!refusedToken(err)) showPicker([]);
  }
}

// ——— the room ———

function card(id: string, title: string | null, ...children: (HTMLElement | null)[]): HTMLElement {
  const headingId = `${id}-title`;
  return h('section', { class: 'card', id, hidden: true, 'aria-labelledby': title ? headingId : null }, title ? h('h2', { id: headingId }, title) : null, ...children);
}

function enterSession(id: string): void {
  leaveRoom();
  sessionId = id;
  sessionInfo = null;
  seat = null;
  room = null;
  myComments = [];
  commentsSeq = -1;
  seatReadFor = '';
  ballotStage = 'choose';
  ballotBuiltFor = '';
  draft = null;
  ballotMode = null;
  tokenState = 'none';
  taking = null;
  keyPrint = null;
  tokenRetryAt = 0;
  snapshotNext = true;

  const code = h('input', {
    id: 'checkin-input',
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: 6,
    enterkeyhint: 'done',
    'aria-describedby': 'checkin-hint checkin-error',
  });
  const checkInForm = h(
    'form',
    { class: 'checkin-form', id: 'checkin-form' },
    h('label', { for: 'checkin-input' }, w.codeLabel),
    h('div', { class: 'row' }, code, h('button', { type: 'submit', class: 'primary', id: 'checkin-submit' }, w.checkIn)),
  );
  checkInForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void checkIn(code.value, byId<HTMLButtonElement>('checkin-submit'));
  });

  const question = h('textarea', { id: 'question', name: 'question', rows: 3, maxlength: MAX_QUESTION, placeholder: w.askPlaceholder, 'aria-describedby': 'question-count question-about' });
  question.addEventListener('input', renderQuestionCount);

  app(
    h('div', { class: 'notice', id: 'fatal', role: 'alert', hidden: true }),
    card('checkin', w.checkInTitle, h('p', { class: 'hint', id: 'checkin-hint' }, w.checkInHint), checkInForm, h('p', { class: 'form-error', id: 'checkin-error', role: 'alert' })),
    h('p', { class: 'checked-in', id: 'checked-in', hidden: true }),
    h(
      'section',
      { class: 'ballot', id: 'ballot', hidden: true, 'aria-labelledby': 'ballot-title' },
      h('h2', { id: 'ballot-title' }, w.ballotTitle),
      h('p', { class: 'hint', id: 'ballot-hint' }),
      h('p', { class: 'anonymity', id: 'ballot-anonymity', role: 'status', hidden: true }),
      h('p', { class: 'key-print', id: 'ballot-key', hidden: true }),
      h('div', { class: 'quota', id: 'quota', role: 'status', 'aria-live': 'polite' }),
      h('div', { id: 'ballot-choose' }, h('div', { id: 'ballot-list', class: 'ballot-list' }), h('p', { class: 'missing', id: 'ballot-missing' }), h('button', { type: 'button', class: 'primary big', id: 'ballot-next', onclick: () => toReview() }, w.toReview)),
      h(
        'div',
        { id: 'ballot-review', hidden: true },
        h('h3', { tabindex: -1, id: 'ballot-review-title' }, w.reviewTitle),
        h('ol', { class: 'review-list', id: 'review-list' }),
        h('p', { class: 'form-error', id: 'ballot-error', role: 'alert' }),
        h('div', { class: 'row two' }, h('button', { type: 'button', class: 'secondary big', id: 'ballot-back', onclick: () => backToChoose() }, w.back), h('button', { type: 'button', class: 'primary big', id: 'ballot-cast', onclick: () => void cast() }, w.cast)),
      ),
    ),
    card(
      'voted',
      w.votedTitle,
      h('p', { id: 'voted-text' }),
      h('div', { class: 'receipt-box', id: 'receipt-box', hidden: true }, h('span', { class: 'label' }, w.receipt), h('code', { id: 'receipt' })),
      h('button', { type: 'button', class: 'secondary', id: 'verify', hidden: true, onclick: () => void verify() }, w.verify),
      h('p', { id: 'verify-result', role: 'status' }),
    ),
    h('p', { class: 'notice', id: 'not-entitled', hidden: true }, w.notEntitled),
    h('p', { class: 'notice', id: 'token-elsewhere', role: 'alert', hidden: true }, w.tokenElsewhere),
    h('p', { class: 'progress', id: 'eval-progress', hidden: true }),
    h(
      'section',
      { class: 'card stage', id: 'stage', 'aria-label': w.onStage, hidden: true },
      h(
        'div',
        { id: 'stage-speaker', hidden: true },
        h('div', { class: 'order', id: 'speaker-order' }),
        h('div', { class: 'name', id: 'speaker-name', 'aria-live': 'polite' }),
        h('div', { class: 'meta', id: 'speaker-meta' }),
        h('div', { class: 'clock', id: 'clock', role: 'timer', 'aria-live': 'off' }),
        h('div', { class: 'notes', id: 'timer-notes' }),
      ),
      h('div', { class: 'idle', id: 'stage-idle', 'aria-live': 'polite' }),
      h('div', { class: 'attendance', id: 'attendance' }),
    ),
    card('my-speech', w.mySpeech, h('div', { id: 'my-speech-body' })),
    card(
      'ask',
      w.askTitle,
      h('label', { for: 'question', class: 'sr-only' }, w.askLabel),
      question,
      h('div', { class: 'row between' }, h('span', { class: 'about', id: 'question-about' }), h('span', { class: 'count', id: 'question-count' }, `0 / ${MAX_QUESTION}`)),
      h('button', { type: 'button', class: 'primary', id: 'question-send', onclick: () => void sendQuestion() }, w.send),
      h('p', { class: 'status-line', id: 'question-status', role: 'status' }),
      h('h3', { id: 'my-comments-title', hidden: true }, w.myQuestions),
      h('ul', { class: 'my-comments', id: 'my-comments', 'aria-labelledby': 'my-comments-title' }),
    ),
    leaderCards(),
    card('results-card', t.resultsTitle, h('ol', { class: 'results', id: 'results' })),
    card('summary-card', w.summary, h('p', { class: 'summary-body', id: 'summary-body' }), h('p', { class: 'by', id: 'summary-by' })),
    card('reviews-card', w.reviews, h('ul', { class: 'reviews', id: 'reviews' })),
    card('comments-card', w.approvedComments, h('ul', { class: 'comments', id: 'comments' })),
    card('lineup-card', w.lineup, h('ol', { class: 'lineup', id: 'lineup' })),
    footer(true),
  );
  restorePendingQuestion();

  void loadSession(id);
  void loadSeat();
  void loadMyComments();

  live = liveSubscription<{ roomState: HallRoom }>({
    token: token!,
    query: HALL_ROOM_SUBSCRIPTION,
    variables: { s: id },
    onData: (data, receivedAt) => adopt(data.roomState, receivedAt),
    onStatus: (s) => {
      linkStatus = s;
      if (s !== 'online') snapshotNext = true;
      show(byId('conn'), s !== 'online' && room !== null);
      document.body.dataset.link = s;
    },
    onError: (err) => {
      if (refusedToken(err)) return;
      if (err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN') fatal(explain(err));
    },
  });

  const auto = new URLSearchParams(location.search).get('code');
  if (auto) void checkIn(auto, byId<HTMLButtonElement>('checkin-submit'), true);
}

function leaderCards(): HTMLElement {
  const wrap = h('div', { id: 'leader-cards' });
  if (!hasRole('leader', 'chair', 'admin')) return wrap;
  if (hasRole('leader')) {
    const select = h('select', { id: 'review-speech', name: 'speech' });
    const body = h('textarea', { id: 'review-body', name: 'review', rows: 4, maxlength: MAX_REVIEW });
    const tones = h(
      'fieldset',
      { class: 'tones', id: 'review-tones' },
      h('legend', {}, w.reviewTone),
      ...TONES.map((tone) =>
        h('label', { class: 'chip' }, h('input', { type: 'radio', name: 'tone', value: tone, id: `tone-${tone}`, checked: tone === 'SUGGESTION' }), h('span', {}, w.tones[tone])),
      ),
    );
    wrap.append(
      card(
        'review-composer',
        w.reviewComposer,
        h('label', { for: 'review-speech' }, w.reviewSpeech),
        select,
        tones,
        h('label', { for: 'review-body' }, w.reviewBody),
        body,
        h('button', { type: 'button', class: 'primary', id: 'review-publish', onclick: () => void publishReview() }, w.publish),
        h('p', { class: 'status-line', id: 'review-status', role: 'status' }),
      ),
    );
  }
  wrap.append(
    card(
      'summary-composer',
      w.summaryComposer,
      h('label', { for: 'summary-input' }, w.summaryBody),
      h('textarea', { id: 'summary-input', name: 'summary', rows: 6, maxlength: MAX_SUMMARY }),
      h('button', { type: 'button', class: 'primary', id: 'summary-publish', onclick: () => void publishSummary() }, w.summaryPublish),
      h('p', { class: 'status-line', id: 'summary-status', role: 'status' }),
    ),
  );
  return wrap;
}

function leaveRoom(): void {
  live?.dispose();
  live = null;
  mine?.dispose();
  mine = null;
  room = null;
  sessionId = null;
  show(byId('conn'), false);
}

function fatal(message: string | null): void {
  const el = document.getElementById('fatal');
  if (!el) return;
  show(el, message !== null);
  if (message) setText(el, message);
}

function adopt(next: HallRoom, receivedAt: number): void {
  if (next.sessionId !== sessionId) return;
  const snapshot = snapshotNext;
  snapshotNext = false;
  if (room && next.seq < room.seq && !snapshot) return;
  clock.sample(Date.parse(next.serverNow), receivedAt);
  const before = room;
  room = next;
  fatal(null);
  show(byId('conn'), linkStatus !== 'online');
  // The seat changes with the evaluation (entitled when it opens, voted when cast): read it again then.
  const evKey = next.evaluation?.status ?? 'none';
  if (snapshot || evKey !== seatReadFor) void loadSeat(evKey);
  if (snapshot || (before && before.seq !== next.seq && myComments.some((c) => c.status === 'PENDING'))) void loadMyComments();
  render();
}

async function loadSession(id: string): Promise<void> {
  try {
    const data = await api<{ session: SessionRow | null }>(SESSION_QUERY, { s: id });
    if (id !== sessionId) return;
    if (!data.session) return fatal(w.errors.NOT_FOUND);
    sessionInfo = data.session;
    setText(byId('bar-session'), `${w.sessionNo(sessionInfo.number)} · ${sessionInfo.theme.title}`);
    document.title = `${sessionInfo.theme.title} · ${w.title}`;
  } catch (err) {
    if (!refusedToken(err)) fatal(explain(err));
  }
}

async function loadSeat(forKey = room?.evaluation?.status ?? 'none'): Promise<void> {
  const id = sessionId;
  seatReadFor = forKey;
  try {
    const data = await api<{ mySeat: Seat; evaluation: { ballotMode: BallotMode } | null }>(SEAT_QUERY, { s: id });
    if (id !== sessionId) return;
    seat = data.mySeat;
    ballotMode = data.evaluation?.ballotMode ?? null;
    render();
  } catch (err) {
    if (refusedToken(err)) return;
    seatReadFor = '';
  }
}

async function loadMyComments(): Promise<void> {
  const id = sessionId;
  if (!id || commentsLoading) return;
  commentsLoading = true;
  const seq = room?.seq ?? -1;
  try {
    const data = await api<{ myComments: MyComment[] }>(MY_COMMENTS_QUERY, { s: id });
    if (id !== sessionId) return;
    myComments = data.myComments;
    commentsSeq = seq;
    renderMyComments();
  } catch (err) {
    refusedToken(err);
  } finally {
    commentsLoading = false;
  }
  // The room moved on while we read: a moderation may have landed after our read.
  if (room && room.seq !== commentsSeq && myComments.some((c) => c.status === 'PENDING')) void loadMyComments();
}

// ——— rendering ———

function render(): void {
  if (!room || !sessionId) return;
  const r = room;
  const phase = byId('phase');
  show(phase, true);
  setText(phase, t.phases[r.phase] ?? r.phase);
  phase.dataset.phase = r.phase;
  document.body.dataset.phase = r.phase;
  document.body.dataset.seq = String(r.seq);

  const ev = r.evaluation;
  const receipt = storedReceipt();
  const mayVote = ev?.status === 'OPEN' && !!seat?.entitled && !seat.voted && !receipt;
  // BLIND mode: the page takes its token as soon as the box opens, long before the voter is done, so that taking
  // and casting do not pair by time; a voter whose token went to another phone votes there.
  if (mayVote && ballotMode === 'BLIND') takeTokenSoon();
  const ballotOpen = mayVote && !(ballotMode === 'BLIND' && tokenState === 'elsewhere');
  document.body.dataset.mode = ballotOpen ? 'ballot' : 'room';
  for (const id of ['stage', 'my-speech', 'ask', 'leader-cards', 'results-card', 'summary-card', 'reviews-card', 'comments-card', 'lineup-card', 'checkin', 'checked-in']) {
    const el = document.getElementById(id);
    if (el) el.classList.toggle('away', ballotOpen);
  }
  show(byId('ballot'), ballotOpen);
  if (ballotOpen) renderBallot();

  renderSeat();
  renderVoted(receipt);
  renderStage();
  renderMySpeech();
  renderLeader();
  renderLists();
  renderQuestionAbout();
  const asking = r.phase !== 'CLOSED';
  show(byId('ask'), asking || myComments.length > 0);
  for (const id of ['question', 'question-send', 'question-count', 'question-about']) show(byId(id), asking);
}

function renderSeat(): void {
  const checkin = byId('checkin');
  const line = byId('checked-in');
  if (!seat) {
    show(checkin, false);
    show(line, false);
    return;
  }
  const closed = room?.phase === 'CLOSED' || !!room?.evaluation;
  show(checkin, seat.registered && !seat.present && !closed);
  show(line, seat.present);
  if (seat.present) setText(line, seat.checkedInAt ? w.checkedInAt(hhmm(seat.checkedInAt)) : w.checkedInNoTime);
}

function renderVoted(receipt: string | null): void {
  const ev = room?.evaluation ?? null;
  const voted = !!ev && (!!receipt || !!seat?.voted);
  show(byId('voted'), voted);
  show(byId('receipt-box'), voted && !!receipt);
  show(byId('verify'), voted && !!receipt);
  setText(byId('voted-text'), receipt ? w.votedThanks : w.votedElsewhere);
  show(byId('token-elsewhere'), ev?.status === 'OPEN' && !voted && ballotMode === 'BLIND' && tokenState === 'elsewhere');
  if (receipt) setText(byId('receipt'), receipt);
  show(byId('not-entitled'), !!ev && !!seat && seat.registered && !seat.entitled && !voted);
  const progress = byId('eval-progress');
  show(progress, !!ev && ev.status !== 'PUBLISHED' && document.body.dataset.mode !== 'ballot');
  if (ev) setText(progress, ev.status === 'OPEN' ? w.ballotProgress(ev.ballotsCast, ev.entitledVoters) : w.ballotClosed);
}

function renderStage(): void {
  const r = room!;
  show(byId('stage'), true);
  setText(byId('attendance'), w.attendance(r.attendance.present, r.attendance.expected));
  show(byId('stage-speaker'), !!r.current);
  show(byId('stage-idle'), !r.current);
  if (r.current) {
    const sp = r.current.speech;
    setText(byId('speaker-order'), `${w.onStage} · ${t.speakerNo(sp.order)}`);
    setText(byId('speaker-name'), sp.cadre.name);
    setText(byId('speaker-meta'), postOf(sp));
  } else {
    const next = r.speeches.find((s) => s.status === 'UPCOMING');
    let idle = t.phases[r.phase] ?? r.phase;
    if (r.phase === 'SCHEDULED') idle = sessionInfo ? `${t.waiting} · ${sessionInfo.venue}` : t.waiting;
    else if (r.phase === 'SPEECHES') idle = next ? `${t.betweenSpeeches}：${next.cadre.name}` : t.allSpoken;
    else if (r.phase === 'CLOSED') idle = t.closed;
    else if (r.phase === 'EVALUATION' && r.evaluation?.status === 'PUBLISHED') idle = t.resultsTitle;
    setText(byId('stage-idle'), idle);
  }
  tick();
}

function tick(): void {
  const cur = room?.current;
  if (!cur) return;
  const cd = countdown(cur.timer, clock.now());
  const el = byId('clock');
  setText(el, cd.text);
  el.dataset.tone = cd.tone;
  el.dataset.running = String(cd.running);
  const notes: string[] = [];
  if (!cd.running) notes.push(t.paused);
  else if (cd.tone === 'over') notes.push(t.overtime);
  if (cur.timer.extendedMs > 0) notes.push(t.extended(Math.round(cur.timer.extendedMs / 60_000)));
  const n = cur.interruptions.length;
  if (n) notes.push(`${t.interruptedTimes(n)}：${t.reasons[cur.interruptions[n - 1].reason] ?? cur.interruptions[n - 1].reason}`);
  setText(byId('timer-notes'), notes.join('　'));
}

function statusTag(sp: HallSpeech): HTMLElement {
  return h('span', { class: `tag status-${sp.status.toLowerCase()}` }, w.status[sp.status] ?? sp.status);
}

function renderMySpeech(): void {
  const box = byId('my-speech');
  const own = seat ? room!.speeches.filter((s) => seat!.ownSpeechIds.includes(s.id)) : [];
  show(box, own.length > 0);
  if (!own.length) return;
  const ev = room!.evaluation;
  const key = JSON.stringify([own.map((s) => [s.id, s.status, s.allottedSeconds]), ev?.status, ev?.results?.length]);
  const body = byId('my-speech-body');
  if (body.dataset.key === key) return;
  body.dataset.key = key;
  body.replaceChildren(
    ...own.map((sp) => {
      const result = ev?.status === 'PUBLISHED' ? ev.results?.find((x) => x.speech.id === sp.id) : undefined;
      return h(
        'div',
        { class: 'my-slot', 'data-speech': sp.id },
        h('div', { class: 'slot' }, h('strong', {}, t.speakerNo(sp.order)), statusTag(sp)),
        h('div', { class: 'meta' }, w.allotted(Math.round(sp.allottedSeconds / 60))),
        sp.status === 'WITHDRAWN' ? h('div', { class: 'meta' }, w.withdrawn(sp.withdrawnReason)) : null,
        h('div', { class: 'result', id: `my-result-${sp.id}` }, result ? w.myResult(result.rank, t.grades[result.grade] ?? result.grade) : w.resultPending),
      );
    }),
  );
}

function startedSpeeches(): HallSpeech[] {
  return (room?.speeches ?? []).filter((s) => s.startedAt !== null && s.status !== 'WITHDRAWN' && s.status !== 'UPCOMING').sort((a, b) => b.order - a.order);
}

function renderLeader(): void {
  const r = room!;
  const composer = document.getElementById('review-composer');
  if (composer) {
    const reviewPhase = r.phase === 'SPEECHES' || r.phase === 'EXCHANGE' || r.phase === 'SUMMARY';
    const started = startedSpeeches();
    show(composer, reviewPhase);
    const select = byId<HTMLSelectElement>('review-speech');
    const key = started.map((s) => s.id).join(',');
    if (select.dataset.key !== key) {
      const chosen = select.value;
      const isNew = select.dataset.current !== (r.current?.speech.id ?? '');
      select.replaceChildren(...started.map((s) => h('option', { value: s.id }, `${t.speakerNo(s.order)} · ${s.cadre.name}（${unitOf(s)}）`)));
      // The speech on stage is the default; a choice made earlier stays while the line-up moves on.
      const current = r.current?.speech.id;
      select.value = current && isNew ? current : started.some((s) => s.id === chosen) ? chosen : (current ?? started[0]?.id ?? '');
      select.dataset.key = key;
    }
    select.dataset.current = r.current?.speech.id ?? '';
    const none = started.length === 0;
    select.disabled = none;
    byId<HTMLButtonElement>('review-publish').disabled = none || byId('review-publish').getAttribute('aria-busy') === 'true';
    if (none) setText(byId('review-status'), w.noStartedSpeech);
    else if (byId('review-status').textContent === w.noStartedSpeech) setText(byId('review-status'), '');
  }
  const summary = document.getElementById('summary-composer');
  if (summary) show(summary, r.phase === 'SUMMARY' && hasRole('leader', 'chair', 'admin'));
}

function renderLists(): void {
  const r = room!;
  const byIdSpeech = new Map(r.speeches.map((s) => [s.id, s]));
  const results = r.evaluation?.status === 'PUBLISHED' ? (r.evaluation.results ?? []) : [];
  show(byId('results-card'), results.length > 0);
  keyedList(byId('results'), results, (x) => `${x.speech.id}:${x.rank}:${x.grade}`, (x) => {
    const sp = byIdSpeech.get(x.speech.id);
    return h(
      'li',
      { class: `grade-${x.grade.toLowerCase()}${seat?.ownSpeechIds.includes(x.speech.id) ? ' mine' : ''}` },
      h('span', { class: 'n' }, String(x.rank)),
      h('span', { class: 'who' }, h('span', { class: 'name' }, sp?.cadre.name ?? ''), h('span', { class: 'unit' }, sp ? unitOf(sp) : '')),
      h('strong', { class: 'grade-word' }, t.grades[x.grade] ?? x.grade, x.droppedByTie ? h('small', {}, `（${t.tieNote}）`) : null),
    );
  });
  show(byId('summary-card'), !!r.summary);
  if (r.summary) {
    setText(byId('summary-body'), r.summary.body);
    setText(byId('summary-by'), `${r.summary.author} · ${hhmm(r.summary.at)}`);
  }
  show(byId('reviews-card'), r.reviews.length > 0);
  keyedList(byId('reviews'), r.reviews, (rv) => rv.id, (rv) => {
    const sp = byIdSpeech.get(rv.speechId);
    return h(
      'li',
      { class: `review tone-${rv.tone.toLowerCase()}` },
      h('div', { class: 'review-head' }, h('span', { class: 'tone' }, w.tones[rv.tone] ?? rv.tone), h('strong', {}, rv.authorName), sp ? h('span', { class: 'to' }, `→ ${sp.cadre.name}`) : null),
      h('div', { class: 'body' }, rv.body),
    );
  });
  show(byId('comments-card'), r.comments.length > 0);
  keyedList(byId('comments'), r.comments.slice(0, 10), (c) => c.id, (c) => h('li', {}, h('div', { class: 'body' }, c.body), h('div', { class: 'by' }, c.authorName)));
  show(byId('lineup-card'), r.speeches.length > 0);
  const current = r.current?.speech.id;
  keyedList(byId('lineup'), r.speeches, (s) => `${s.id}:${s.status}:${s.id === current}`, (s) =>
    h(
      'li',
      { class: `slot-${s.status.toLowerCase()}${s.id === current ? ' now' : ''}`, 'data-speech': s.id },
      h('span', { class: 'n' }, String(s.order)),
      h('span', { class: 'who' }, h('span', { class: 'name' }, s.cadre.name), h('span', { class: 'unit' }, unitOf(s)), s.status === 'WITHDRAWN' ? h('span', { class: 'why' }, w.withdrawn(s.withdrawnReason)) : null),
      statusTag(s),
    ),
  );
}

// ——— check-in ———

async function checkIn(raw: string, button: HTMLButtonElement, auto = false): Promise<void> {
  const code = raw.replace(/\s+/g, '');
  const error = byId('checkin-error');
  const input = byId<HTMLInputElement>('checkin-input');
  if (!/^\d{6}$/.test(code)) {
    setText(error, w.codeShape);
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  const id = sessionId;
  await withButton(button, w.checkingIn, async () => {
    setText(error, '');
    try {
      const data = await busy(
        () => api<{ checkIn: { present: boolean; checkedInAt: string | null } }>(`mutation CheckIn($s: ID!, $c: String!) { checkIn(sessionId: $s, code: $c) { present checkedInAt } }`, { s: id, c: code }),
        error,
      );
      if (id !== sessionId) return;
      input.removeAttribute('aria-invalid');
      seat = seat ? { ...seat, present: data.checkIn.present, checkedInAt: data.checkIn.checkedInAt } : seat;
      void loadSeat();
      render();
    } catch (err) {
      if (refusedToken(err)) return;
      input.setAttribute('aria-invalid', 'true');
      if (err instanceof ApiError && err.code === 'CHECK_IN_CODE_INVALID') setText(error, w.codeInvalid);
      else if (err instanceof ApiError && err.code === 'RATE_LIMITED') setText(error, w.codeThrottled(seconds(err.retryAfterMs)));
      else if (err instanceof ApiError && err.code === 'FORBIDDEN') setText(error, w.notRegistered);
      else setText(error, explain(err));
      show(byId('checkin'), true);
      if (!auto) input.focus();
    }
  });
  if (auto) {
    // The code of a scanned QR is used once: it leaves the address bar, so a reload does not send it again.
    const params = new URLSearchParams(location.search);
    params.delete('code');
    history.replaceState(null, '', `${location.pathname}?${params.toString()}`);
    setLangLink();
  }
}

// ——— questions ———

interface PendingQuestion {
  clientId: string;
  body: string;
  speechId: string | null;
}

function renderQuestionCount(): void {
  const n = [...byId<HTMLTextAreaElement>('question').value].length;
  const el = byId('question-count');
  setText(el, `${n} / ${MAX_QUESTION}`);
  el.classList.toggle('over', n > MAX_QUESTION);
}

function renderQuestionAbout(): void {
  const cur = room?.current;
  const pending = store.json<PendingQuestion>(keyFor('question'));
  const speechId = pending ? pending.speechId : (cur?.speech.id ?? null);
  const sp = speechId ? room?.speeches.find((s) => s.id === speechId) : undefined;
  setText(byId('question-about'), sp ? w.askAbout(sp.cadre.name) : w.askGeneral);
}

function restorePendingQuestion(): void {
  const pending = store.json<PendingQuestion>(keyFor('question'));
  if (!pending || typeof pending.body !== 'string') return;
  byId<HTMLTextAreaElement>('question').value = pending.body;
  setText(byId('question-status'), w.unsent);
  renderQuestionCount();
}

async function sendQuestion(): Promise<void> {
  const textarea = byId<HTMLTextAreaElement>('question');
  const status = byId('question-status');
  const body = textarea.value.trim();
  if (!body) return setText(status, w.empty);
  if ([...body].length > MAX_QUESTION) return setText(status, w.tooLong);
  const key = keyFor('question');
  let pending = store.json<PendingQuestion>(key);
  // One clientId per question, kept until the server answers: sending it again after a lost answer posts once.
  if (!pending || pending.body !== body) {
    pending = { clientId: newClientId(), body, speechId: room?.current?.speech.id ?? null };
    store.set(key, JSON.stringify(pending));
  }
  const q = pending;
  const id = sessionId;
  await withButton(byId<HTMLButtonElement>('question-send'), w.sending, async () => {
    setText(status, '');
    try {
      const data = await busy(
        () =>
          api<{ postComment: MyComment }>(
            `mutation Ask($s: ID!, $b: String!, $sp: ID, $c: String) { postComment(sessionId: $s, body: $b, speechId: $sp, clientId: $c) { id body status postedAt speechId } }`,
            { s: id, b: q.body, sp: q.speechId, c: q.clientId },
          ),
        status,
      );
      store.remove(key);
      if (id !== sessionId) return;
      if (textarea.value.trim() === q.body) textarea.value = '';
      renderQuestionCount();
      setText(status, data.postComment.status === 'PENDING' ? w.sent : w.sentDirect);
      myComments = [data.postComment, ...myComments.filter((c) => c.id !== data.postComment.id)];
      renderMyComments();
      void loadMyComments();
    } catch (err) {
      if (refusedToken(err)) return;
      if (err instanceof ApiError && err.code === 'RATE_LIMITED') {
        // Refused before anything was stored: the text stays in the box, the next tap is a question of its own.
        store.remove(key);
        setText(status, w.rateLimited(seconds(err.retryAfterMs)));
      } else if (err instanceof ApiError && (err.code === 'NETWORK' || err.code === 'TIMEOUT' || err.code === 'SERVICE_UNAVAILABLE' || err.code === 'INTERNAL_SERVER_ERROR')) setText(status, w.unsent);
      else {
        // Refused for good (too long, not allowed): the next try is a new question.
        store.remove(key);
        setText(status, explain(err));
      }
    }
  });
  renderQuestionAbout();
}

function renderMyComments(): void {
  show(byId('my-comments-title'), myComments.length > 0);
  keyedList(byId('my-comments'), myComments, (c) => `${c.id}:${c.status}`, (c) =>
    h(
      'li',
      { 'data-comment': c.id, 'data-status': c.status },
      h('span', { class: `tag comment-${c.status.toLowerCase()}` }, w.commentStatus[c.status] ?? c.status),
      h('span', { class: 'body' }, c.body),
    ),
  );
}

// ——— the ballot ———

function storedReceipt(): string | null {
  const r = store.json<{ receipt?: unknown }>(keyFor('receipt'));
  return r && typeof r.receipt === 'string' ? r.receipt : null;
}

function ballotOf(): HallSpeech[] {
  return room && seat ? ballotSpeeches(room.speeches, seat.ownSpeechIds) : [];
}

function saveDraft(): void {
  if (draft) store.set(keyFor('ballot'), JSON.stringify(draft));
}

function renderBallot(): void {
  const speeches = ballotOf();
  const ids = speeches.map((s) => s.id);
  const builtFor = ids.join(',');
  if (builtFor !== ballotBuiltFor || !draft) {
    // The draft survives a reload (and keeps its clientId); choices of speeches no longer on the ballot go.
    draft = restoreDraft(store.json(keyFor('ballot')), ids) ?? { clientId: newClientId(), choices: {} };
    saveDraft();
    ballotBuiltFor = builtFor;
    byId('ballot-list').replaceChildren(...speeches.map((sp) => ballotItem(sp)));
  }
  const quota = excellentQuota(ids.length);
  setText(byId('ballot-hint'), w.ballotHint(ids.length, quota));
  renderAnonymity();
  const check = checkDraft(draft, ids);
  const counter = byId('quota');
  setText(counter, w.quotaCounter(check.excellent, quota));
  counter.dataset.full = String(check.excellent >= quota);
  for (const sp of speeches) {
    for (const g of GRADES) {
      const input = document.getElementById(`g-${sp.id}-${g}`) as HTMLInputElement | null;
      if (!input) continue;
      input.checked = draft.choices[sp.id] === g;
      input.disabled = !canChoose(draft, ids, sp.id, g);
      input.parentElement!.classList.toggle('off', input.disabled);
      input.parentElement!.title = input.disabled ? w.quotaFull : '';
    }
  }
  setText(byId('ballot-missing'), check.missing.length ? w.missing(check.missing.length) : '');
  byId<HTMLButtonElement>('ballot-next').disabled = !check.complete;
  show(byId('ballot-choose'), ballotStage === 'choose');
  show(byId('ballot-review'), ballotStage === 'review');
  if (ballotStage === 'review') {
    byId('review-list').replaceChildren(
      ...speeches.map((sp) =>
        h('li', { class: `grade-${(draft!.choices[sp.id] ?? '').toLowerCase()}` }, h('span', { class: 'who' }, `${sp.order}. ${sp.cadre.name}`), h('strong', {}, t.grades[draft!.choices[sp.id]] ?? '—')),
      ),
    );
  }
}

function ballotItem(sp: HallSpeech): HTMLElement {
  const legendId = `ballot-${sp.id}-legend`;
  return h(
    'fieldset',
    { class: 'ballot-item', 'data-speech': sp.id, 'aria-labelledby': legendId },
    h('legend', { id: legendId }, h('span', { class: 'n' }, String(sp.order)), h('span', { class: 'name' }, sp.cadre.name), h('span', { class: 'unit' }, postOf(sp))),
    h(
      'div',
      { class: 'grades', role: 'radiogroup', 'aria-label': w.gradeFor(sp.cadre.name) },
      ...GRADES.map((g) =>
        h(
          'label',
          { class: `grade grade-${g.toLowerCase()}` },
          h('input', { type: 'radio', name: `g-${sp.id}`, value: g, id: `g-${sp.id}-${g}`, onchange: () => pick(sp.id, g) }),
          h('span', {}, t.grades[g]),
        ),
      ),
    ),
  );
}

function pick(speechId: string, grade: Grade): void {
  if (!draft) return;
  draft = choose(draft, ballotOf().map((s) => s.id), speechId, grade);
  saveDraft();
  renderBallot();
}

function toReview(): void {
  if (!draft || !checkDraft(draft, ballotOf().map((s) => s.id)).complete) return;
  ballotStage = 'review';
  setText(byId('ballot-error'), '');
  renderBallot();
  byId('ballot').scrollIntoView({ block: 'start' });
  byId('ballot-review-title').focus();
}

function backToChoose(): void {
  ballotStage = 'choose';
  renderBallot();
}

// ——— the blind ballot box: a token taken at opening, a ballot cast with it that does not say whose it is ———

/** Starts taking the token unless it is held, being taken, or failed a moment ago (then it is tried again soon). */
function takeTokenSoon(): void {
  if (taking || tokenState === 'held' || tokenState === 'elsewhere' || Date.now() < tokenRetryAt) return;
  void takeToken().catch(() => undefined);
}

/** The voter's signed token for this session: kept on the phone, or taken now (once; concurrent callers share it). */
function takeToken(): Promise<SignedToken> {
  if (taking) return taking;
  const id = sessionId;
  const key = keyFor('token');
  if (!canBlind()) {
    tokenState = 'insecure';
    renderAnonymity();
    return Promise.reject(new ApiError('WebCrypto is not available on this page', 'INSECURE_PAGE'));
  }
  const kept = store.json<HeldToken>(key);
  // The server says this voter took a token, and this phone has none: another phone (or a cleared one) holds it.
  if (!kept && seat?.tokenIssued) {
    tokenState = 'elsewhere';
    render();
    return Promise.reject(new ApiError('the token was taken elsewhere', 'BALLOT_TOKEN_ALREADY_ISSUED'));
  }
  if (!kept?.signature) tokenState = 'taking';
  const attempt = signedToken({
    load: () => store.json<HeldToken>(key),
    save: (held) => store.set(key, JSON.stringify(held)),
    ballotKey: async () => (await whileBusy(() => api<{ ballotKey: { publicKeyPem: string } }>(BALLOT_KEY_QUERY, { s: id }), () => undefined)).ballotKey.publicKeyPem,
    issue: async (b) => (await whileBusy(() => api<{ issueBallotToken: string }>(ISSUE_TOKEN_MUTATION, { s: id, b }), () => undefined)).issueBallotToken,
  });
  taking = attempt;
  renderAnonymity();
  attempt.then(
    (signed) => {
      if (taking !== attempt) return;
      tokenState = 'held';
      renderAnonymity();
      void fingerprintOf(signed.publicKeyPem).then((print) => {
        if (taking !== attempt) return;
        keyPrint = print;
        renderAnonymity();
      });
    },
    (err: unknown) => {
      if (taking !== attempt) return;
      taking = null;
      if (refusedToken(err)) return;
      const code = err instanceof ApiError ? err.code : 'UNKNOWN';
      if (code === 'BALLOT_TOKEN_ALREADY_ISSUED') tokenState = 'elsewhere';
      else if (code === 'EVALUATION_NOT_OPEN' || code === 'EVALUATION_NOT_ENTITLED' || code === 'BALLOT_MODE_MISMATCH') void loadSeat();
      else {
        tokenState = 'retrying';
        tokenRetryAt = Date.now() + 3000 + Math.random() * 2000;
        window.setTimeout(() => render(), tokenRetryAt - Date.now() + 50);
      }
      render();
    },
  );
  return attempt;
}

function renderAnonymity(): void {
  const el = document.getElementById('ballot-anonymity');
  if (!el) return;
  const blind = ballotMode === 'BLIND';
  show(el, blind);
  el.dataset.token = tokenState;
  const text: Record<typeof tokenState, string> = { none: w.tokenTaking, taking: w.tokenTaking, held: w.tokenHeld, retrying: w.tokenRetrying, elsewhere: w.tokenElsewhere, insecure: w.needsHttps };
  if (blind) setText(el, text[tokenState]);
  renderKeyPrint(blind && tokenState === 'held' ? keyPrint : null);
}

/**
 * The fingerprint of this phone's ballot key, for the voter to compare with the big screen's: a server that gave
 * this phone a key of its own (to tell its ballot from the others) would show here what the hall's screen does not.
 * A speaker's key is their own by design. The phone also compares it with the room's, and says so if they differ.
 */
function renderKeyPrint(print: string | null): void {
  const el = document.getElementById('ballot-key');
  if (!el) return;
  show(el, print !== null);
  if (print === null) return;
  const speaker = (seat?.ownSpeechIds.length ?? 0) > 0;
  const announced = room?.evaluation?.keyFingerprint ?? null;
  const mismatch = !speaker && announced !== null && announced !== print;
  el.dataset.mismatch = String(mismatch);
  el.setAttribute('role', mismatch ? 'alert' : 'note');
  el.replaceChildren(
    h('span', { class: 'label' }, w.keyLabel),
    h('strong', { class: 'print' }, readableFingerprint(print)),
    h('span', { class: 'note' }, mismatch ? w.keyMismatch : speaker ? w.speakerKey : w.keyToCompare),
  );
}

/**
 * Casts with the token in a request that carries no Authorization, no cookie and no Referer, and checks that the
 * receipt is the one this phone computed from its token. A token already spent was spent by this phone (nobody else
 * has it): its answer was lost on the way, and the ballot counted.
 */
async function castBlind(id: string, ballot: Draft, ids: string[], waiting: () => void): Promise<string> {
  const held = await takeToken();
  let receipt: string;
  try {
    const data = await whileBusy(
      () => graphql<{ castAnonymousBallot: { receipt: string } }>(CAST_ANONYMOUS_MUTATION, { s: id, t: held.token, sig: held.signature, g: gradesOf(ballot, ids), c: ballot.clientId }, null, { anonymous: true }),
      waiting,
      60_000,
    );
    receipt = data.castAnonymousBallot.receipt;
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'BALLOT_TOKEN_SPENT')) throw err;
    receipt = held.receipt;
  }
  if (receipt !== held.receipt) throw new ApiError(`the server answered receipt ${receipt}, this phone computed ${held.receipt}`, 'RECEIPT_MISMATCH');
  return receipt;
}

async function castSimple(id: string, ballot: Draft, ids: string[], waiting: () => void): Promise<string> {
  const data = await whileBusy(() => api<{ castBallot: { receipt: string } }>(CAST_MUTATION, { s: id, g: gradesOf(ballot, ids), c: ballot.clientId }), waiting, 60_000);
  return data.castBallot.receipt;
}

async function cast(): Promise<void> {
  if (casting || !draft || !sessionId) return;
  const ids = ballotOf().map((s) => s.id);
  if (!checkDraft(draft, ids).complete) return backToChoose();
  const button = byId<HTMLButtonElement>('ballot-cast');
  const error = byId('ballot-error');
  const ballot = draft;
  const id = sessionId;
  casting = true;
  byId<HTMLButtonElement>('ballot-back').disabled = true;
  try {
    await withButton(button, w.casting, async () => {
      setText(error, '');
      try {
        const send = ballotMode === 'BLIND' ? castBlind : castSimple;
        const receipt = await send(id, ballot, ids, () => setText(error, w.busy));
        if (id !== sessionId) return;
        store.set(keyFor('receipt'), JSON.stringify({ receipt }));
        store.remove(keyFor('ballot'));
        // The token did its work: the phone keeps only the receipt.
        store.remove(keyFor('token'));
        seat = seat && { ...seat, voted: ballotMode !== 'BLIND' };
      } catch (err) {
        if (refusedToken(err)) return;
        const code = err instanceof ApiError ? err.code : 'UNKNOWN';
        if (code === 'EVALUATION_ALREADY_VOTED') {
          store.remove(keyFor('ballot'));
          seat = seat && { ...seat, voted: true };
        } else if (code === 'EVALUATION_QUOTA_EXCEEDED' || code === 'BAD_USER_INPUT') {
          ballotStage = 'choose';
          setText(byId('ballot-missing'), explain(err));
        } else if (code === 'EVALUATION_NOT_ENTITLED' || code === 'EVALUATION_NOT_OPEN' || code === 'BALLOT_MODE_MISMATCH') {
          setText(error, explain(err));
          void loadSeat();
        } else if (code === 'RECEIPT_MISMATCH') setText(error, w.receiptMismatch);
        else if (code === 'INSECURE_PAGE') setText(error, w.needsHttps);
        else if (code === 'BALLOT_TOKEN_ALREADY_ISSUED' || code === 'BALLOT_TOKEN_INVALID') setText(error, explain(err));
        else setText(error, w.castRetry);
      }
    });
  } finally {
    casting = false;
    byId<HTMLButtonElement>('ballot-back').disabled = false;
  }
  render();
  if (document.body.dataset.mode === 'room') byId('voted').scrollIntoView({ block: 'start' });
}

async function verify(): Promise<void> {
  const receipt = storedReceipt();
  if (!receipt) return;
  const out = byId('verify-result');
  await withButton(byId<HTMLButtonElement>('verify'), w.verifying, async () => {
    try {
      // Asked without Authorization, cookie or Referer: a receipt is stored beside its ballot, and the check must not
      // say whose it is.
      const data = await graphql<{ verifyBallotReceipt: boolean }>(VERIFY_QUERY, { s: sessionId, r: receipt }, null, { anonymous: true });
      out.dataset.ok = String(data.verifyBallotReceipt);
      setText(out, data.verifyBallotReceipt ? w.verifyOk : w.verifyNo);
    } catch (err) {
      if (!refusedToken(err)) setText(out, explain(err));
    }
  });
}

// ——— leaders ———

async function publishReview(): Promise<void> {
  const status = byId('review-status');
  const speechId = byId<HTMLSelectElement>('review-speech').value;
  const tone = (document.querySelector('input[name="tone"]:checked') as HTMLInputElement | null)?.value;
  const bodyEl = byId<HTMLTextAreaElement>('review-body');
  const body = bodyEl.value.trim();
  if (!speechId) return setText(status, w.noStartedSpeech);
  if (!body) return setText(status, w.empty);
  await withButton(byId<HTMLButtonElement>('review-publish'), w.publishing, async () => {
    try {
      await busy(
        () => api(`mutation Review($sp: ID!, $t: ReviewTone!, $b: String!) { postReview(speechId: $sp, tone: $t, body: $b) { id } }`, { sp: speechId, t: tone ?? 'SUGGESTION', b: body }),
        status,
      );
      if (bodyEl.value.trim() === body) bodyEl.value = '';
      setText(status, w.published);
    } catch (err) {
      if (!refusedToken(err)) setText(status, explain(err));
    }
  });
}

async function publishSummary(): Promise<void> {
  const status = byId('summary-status');
  const input = byId<HTMLTextAreaElement>('summary-input');
  const body = input.value.trim();
  if (!body) return setText(status, w.empty);
  const id = sessionId;
  await withButton(byId<HTMLButtonElement>('summary-publish'), w.publishing, async () => {
    try {
      await busy(() => api(`mutation Summary($s: ID!, $b: String!) { recordSummary(sessionId: $s, body: $b) { at } }`, { s: id, b: body }), status);
      setText(status, w.summaryDone);
    } catch (err) {
      if (!refusedToken(err)) setText(status, explain(err));
    }
  });
}

// ——— start ———

function main(): void {
  frame();
  window.setInterval(tick, TICK_MS);
  window.addEventListener('popstate', () => {
    if (!token) return;
    const params = new URLSearchParams(location.search);
    const id = params.get('session');
    if (params.get('view') === 'mine') showMine();
    else if (id && id !== sessionId) enterSession(id);
    else if (!id) void switchSession();
  });
  const link = LINK_PATH.exec(location.pathname);
  if (link) {
    void signInWithLink(link[1]);
    return;
  }
  if (!token) return showLogin();
  void chooseSession();
}

main();
