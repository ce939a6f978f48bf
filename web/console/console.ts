import './console.css';
import { ApiError, graphql, liveSubscription, type LinkStatus } from '../shared/api';
import { countdown, ServerClock } from '../shared/clock';
import { byId, h, keyedList, setText, show } from '../shared/dom';
import { langFromLocation, words } from '../shared/i18n';
import { qrSvg } from '../shared/qr';
import { signInForm } from '../shared/sign-in';
import { CHECK_IN_CODE_QUERY, nextPhase, ROOM_STATE_FIELDS, ROOM_SUBSCRIPTION, type CheckInCode, type Phase, type RoomState, type Speech } from '../shared/room';
import { consoleWords } from './words';

/**
 * The chair's console: sign in, pick a session, run the room with one tap (or one key), moderate the comments and
 * run the ballot. Every action is a mutation over HTTP; what the page shows comes back through `roomState`.
 */

const lang = langFromLocation();
const t = words(lang);
const c = consoleWords(lang);
const TOKEN_KEY = 'leitai.console.token';
const POLL_MS = 5000;
const REASONS = ['EMPTY_TALK', 'OFF_TOPIC', 'OVERTIME', 'OTHER'] as const;

interface SessionRow {
  id: string;
  number: number;
  title: string;
  phase: Phase;
  startsAt: string;
  theme: { title: string };
}
interface PendingComment {
  id: string;
  authorName: string;
  body: string;
  postedAt: string;
}
interface VoterStatus {
  voted: boolean;
  /** BLIND mode: has taken their anonymous ballot token (who has cast is not known). */
  tokenIssued: boolean;
  user: { id: string; displayName: string };
}
interface AttendanceEntry {
  present: boolean;
  checkedInAt: string | null;
  user: { id: string; displayName: string };
}
interface ChairResult {
  rank: number;
  grade: string;
  score: number;
  speech: { cadre: { name: string } };
}

let token: string | null = sessionStorage.getItem(TOKEN_KEY);
let sessionId: string | null = null;
let state: RoomState | null = null;
let live: { dispose(): void } | null = null;
let lastSideSeq = -1;
let snapshotNext = true;
let resultsStatus: string | null = null;
let pollTimer: number | undefined;
const clock = new ServerClock();
let code: CheckInCode | null = null;
let codeTimer: number | undefined;

/** The check-in code is handed out until the evaluation opens (web/screen/screen.ts shows it as long). */
const CHECK_IN_PHASES: readonly Phase[] = ['SCHEDULED', 'SPEECHES', 'EXCHANGE', 'SUMMARY'];

const api = <T>(query: string, variables: Record<string, unknown> = {}) => graphql<T>(query, variables, token);

// ——— feedback ———

/** A refused action, shown for a few seconds in the corner. */
function toast(message: string): void {
  const el = h('div', { class: 'toast', role: 'alert' }, message);
  byId('toasts').append(el);
  window.setTimeout(() => el.remove(), 6000);
}

function explain(err: unknown): string {
  if (err instanceof ApiError) return `${c.errors[err.code] ?? err.code}: ${err.message}`;
  return String(err);
}

type ActionId = 'start-next' | 'pause' | 'resume' | 'extend' | 'end' | 'interrupt' | 'next-phase' | 'eval-open' | 'eval-close' | 'eval-publish';

/** Whether an action makes sense in the room as the console knows it: the buttons' state and the queue's guard. */
function allowed(id: ActionId, s: RoomState | null = state): boolean {
  if (!s) return false;
  const cur = s.current;
  const ev = s.evaluation;
  switch (id) {
    case 'start-next':
      return s.phase === 'SPEECHES' && !cur && s.upcoming.length > 0;
    case 'pause':
      return !!cur && cur.timer.running;
    case 'resume':
      return !!cur && !cur.timer.running;
    case 'extend':
    case 'end':
    case 'interrupt':
      return !!cur;
    case 'next-phase':
      return nextPhase(s.phase) !== null && !cur && ev?.status !== 'OPEN';
    case 'eval-open':
      return s.phase === 'EVALUATION' && !ev;
    case 'eval-close':
      return ev?.status === 'OPEN';
    case 'eval-publish':
      return ev?.status === 'CLOSED';
  }
}

let queue: Promise<void> = Promise.resolve();
let inFlight = 0;

/**
 * Runs chair actions one after the other, in the order tapped or keyed: none is dropped because another is still
 * on its way, and each is checked again against the room as it is when its turn comes (a second "start next"
 * while the first is starting does nothing). Errors are shown; a refused token sends the chair back to sign in.
 */
function act(label: string, guard: () => boolean, run: () => Promise<unknown>): Promise<void> {
  inFlight++;
  document.body.dataset.busy = 'true';
  const job = queue.then(async () => {
    if (!guard()) return;
    try {
      await run();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') return signOut(c.expired);
      toast(`${label} — ${explain(err)}`);
    }
  });
  queue = job.finally(() => {
    if (--inFlight === 0) document.body.dataset.busy = 'false';
  });
  return queue;
}

/** Takes a room state from the subscription or from a mutation's answer, whichever is newer. */
function adopt(next: RoomState, receivedAt: number, sentAt: number = receivedAt, authoritative = false): void {
  if (next.sessionId !== sessionId) return;
  if (state && next.seq < state.seq && !authoritative) return;
  clock.sample(Date.parse(next.serverNow), receivedAt, sentAt);
  state = next;
  renderRoom();
}

// ——— sign in and session choice ———

function showLogin(message?: string): void {
  const form = signInForm({
    lang,
    title: c.title,
    message,
    refuse: (roles) => (roles.includes('chair') || roles.includes('admin') ? null : c.notChair),
    explain,
    signedIn: (answer) => {
      token = answer.token;
      sessionStorage.setItem(TOKEN_KEY, token);
      route();
    },
  });
  byId('app').replaceChildren(form);
  byId('username').focus();
}

function signOut(message?: string): void {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  leaveRoom();
  history.replaceState(null, '', location.pathname + location.search);
  showLogin(message);
}

async function showPicker(): Promise<void> {
  leaveRoom();
  const list = h('ul', { class: 'session-list', id: 'session-list' });
  byId('app').replaceChildren(
    h('div', { class: 'card picker' }, h('div', { class: 'picker-head' }, h('h1', {}, c.pickSession), h('button', { type: 'button', onclick: () => signOut() }, c.signOut)), list),
  );
  try {
    const data = await api<{ sessions: { edges: { node: SessionRow }[] } }>(
      `{ sessions(first: 50) { edges { node { id number title phase startsAt theme { title } } } } }`,
    );
    list.replaceChildren(
      ...data.sessions.edges.map(({ node: s }) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'session-pick', 'data-session': s.id, 'data-number': s.number, onclick: () => (location.hash = `#/session/${encodeURIComponent(s.id)}`) },
            h('span', { class: 'no' }, c.sessionNo(s.number)),
            h('span', { class: 'title' }, s.title),
            h('span', { class: 'theme' }, s.theme.title),
            h('span', { class: `phase phase-${s.phase.toLowerCase()}` }, t.phases[s.phase] ?? s.phase),
          ),
        ),
      ),
    );
  } catch (err) {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') return signOut(c.expired);
    list.replaceChildren(h('li', { class: 'form-error' }, explain(err)));
  }
}

// ——— the room ———

function button(id: string, label: string, key: string, onclick: () => void, extra = ''): HTMLButtonElement {
  return h('button', { type: 'button', id, class: `action ${extra}`, onclick }, h('span', { class: 'label' }, label), key ? h('kbd', {}, key) : null);
}

function showRoom(id: string): void {
  leaveRoom();
  sessionId = id;
  lastSideSeq = -1;
  snapshotNext = true;
  resultsStatus = null;
  const cutOff = h('input', { type: 'checkbox', id: 'cut-off' });
  const note = h('input', { type: 'text', id: 'interrupt-note', placeholder: c.notePlaceholder, maxlength: 500 });
  byId('app').replaceChildren(
    h(
      'div',
      { class: 'room' },
      h(
        'header',
        { class: 'bar' },
        h('div', { class: 'bar-title' }, h('strong', {}, c.title), h('span', { id: 'room-title' }, c.sessionLabel(id))),
        h('span', { class: 'link', id: 'link' }, c.link.connecting),
        h('button', { type: 'button', id: 'screen-link-btn', onclick: () => void issueScreenLink() }, c.screenLink),
        h('button', { type: 'button', onclick: () => (location.hash = '') }, c.switchSession),
        h('button', { type: 'button', onclick: () => signOut() }, c.signOut),
      ),
      h('div', { class: 'screen-link', id: 'screen-link-box', hidden: true }, h('input', { id: 'screen-link', readonly: true }), h('a', { id: 'screen-link-open', target: '_blank', rel: 'noopener' }, c.open)),
      h(
        'main',
        { class: 'grid' },
        h(
          'section',
          { class: 'control' },
          h(
            'div',
            { class: 'phase-row' },
            h('span', { class: 'phase-now', id: 'phase-now' }),
            h('span', { class: 'attendance', id: 'attendance', 'aria-live': 'polite' }),
            button('next-phase', c.nextPhase, '⇧→', () => void advance()),
          ),
          h(
            'div',
            { class: 'current card', id: 'current' },
            h('div', { class: 'who', id: 'current-name' }),
            h('div', { class: 'meta', id: 'current-meta' }),
            h('div', { class: 'clock', id: 'current-clock' }),
            h('div', { class: 'notes', id: 'current-notes' }),
          ),
          h(
            'div',
            { class: 'actions' },
            button('start-next', c.startNext, 'N', () => void roomAction(c.startNext, 'start-next', 'startSpeech'), 'go'),
            button('pause', c.pause, c.space, () => void roomAction(c.pause, 'pause', 'pauseSpeech')),
            button('resume', c.resume, c.space, () => void roomAction(c.resume, 'resume', 'resumeSpeech'), 'go'),
            button('extend', c.extend, '+', () => void roomAction(c.extend, 'extend', 'extendSpeech', ', seconds: 60')),
            button('end', c.end, 'E', () => void roomAction(c.end, 'end', 'endSpeech'), 'stop'),
          ),
          h(
            'div',
            { class: 'interrupt card' },
            h('div', { class: 'interrupt-head' }, h('strong', {}, c.interrupt), h('label', { class: 'check' }, cutOff, c.cutOff)),
            h('div', { class: 'reasons' }, ...REASONS.map((r, i) => button(`interrupt-${r}`, t.reasons[r], String(i + 1), () => void interrupt(r), 'warn'))),
            note,
          ),
          h('div', { class: 'card upcoming', id: 'upcoming-box' }, h('h2', {}, c.upcoming), h('ol', { id: 'upcoming' })),
        ),
        h(
          'section',
          { class: 'side' },
          h(
            'div',
            { class: 'card summary-box', id: 'summary-box', hidden: true },
            h('h2', {}, c.summary),
            h('textarea', { id: 'summary-body', rows: 4, maxlength: 5000, placeholder: c.summaryPlaceholder }),
            h('div', { class: 'row' }, button('summary-save', c.summarySave, '', () => void saveSummary(), 'go'), h('span', { class: 'saved', id: 'summary-saved' })),
            h('div', { class: 'form-error', id: 'summary-error', role: 'alert' }),
          ),
          h('div', { class: 'card queue' }, h('h2', {}, c.queue, ' ', h('span', { class: 'count', id: 'queue-count' }, '0')), h('ul', { id: 'queue' }), h('div', { class: 'empty', id: 'queue-empty' }, c.queueEmpty)),
          h(
            'div',
            { class: 'card evaluation', id: 'evaluation-box', hidden: true },
            h('h2', {}, t.evaluationTitle, ' ', h('span', { class: 'eval-state', id: 'eval-state' })),
            h('div', { class: 'eval-count' }, h('span', { class: 'voted', id: 'voted' }), h('span', { class: 'quorum', id: 'quorum' })),
            h(
              'div',
              { class: 'eval-actions' },
              button('eval-open', c.openEval, '', () => void evaluationAction(c.openEval, 'eval-open', 'openEvaluation')),
              button('eval-close', c.closeEval, '', () => void closeEvaluation(), 'stop'),
              button('eval-publish', c.publishEval, '', () => void evaluationAction(c.publishEval, 'eval-publish', 'publishEvaluation'), 'go'),
            ),
            h(
              'div',
              { class: 'below-quorum', id: 'below-quorum', hidden: true },
              h('div', { class: 'below', id: 'below-quorum-text' }),
              h('div', { class: 'row' }, h('input', { type: 'text', id: 'force-reason', maxlength: 500, required: true, placeholder: c.forceReason }), button('eval-force', c.forceClose, '', () => void forceClose(), 'stop')),
            ),
            h('div', { class: 'form-error', id: 'eval-error', role: 'alert' }),
            h('div', { class: 'eval-reason', id: 'eval-reason', hidden: true }),
            h('p', { class: 'voters-note', id: 'voters-note', hidden: true }, c.blindVoters),
            h('ul', { class: 'voters', id: 'voters' }),
            h('ol', { class: 'chair-results', id: 'chair-results' }),
          ),
          h(
            'div',
            { class: 'card checkin', id: 'checkin', hidden: true },
            h('div', { class: 'checkin-qr', id: 'checkin-qr' }),
            h('div', { class: 'checkin-text' }, h('h2', {}, c.checkIn), h('div', { class: 'checkin-code', id: 'checkin-code' }), h('div', { class: 'hint' }, c.checkInHint)),
          ),
          h(
            'div',
            { class: 'card attendees-box' },
            h('h2', {}, c.attendees, ' ', h('span', { class: 'eval-state', id: 'attendees-count' })),
            h('ul', { class: 'attendees', id: 'attendees' }),
            h('div', { class: 'empty', id: 'attendees-empty', hidden: true }, c.attendeesEmpty),
          ),
        ),
      ),
      h('footer', { class: 'help' }, c.help),
    ),
  );
  void api<{ session: { title: string; number: number } | null }>(`query($s: ID!) { session(id: $s) { title number } }`, { s: id })
    .then((d) => d.session && setText(byId('room-title'), d.session.title))
    .catch(() => undefined);

  live = liveSubscription<{ roomState: RoomState }>({
    token: token!,
    query: ROOM_SUBSCRIPTION,
    variables: { s: id },
    onData: (data, receivedAt) => {
      // The first message after a (re)connection is a full snapshot: the truth, even if older than what we hold.
      adopt(data.roomState, receivedAt, receivedAt, snapshotNext);
      snapshotNext = false;
    },
    onStatus: (s: LinkStatus) => {
      if (s !== 'online') snapshotNext = true;
      const el = byId('link');
      el.dataset.status = s;
      setText(el, c.link[s]);
    },
    onError: (err) => {
      if (err.code === 'UNAUTHENTICATED') signOut(c.expired);
      else toast(explain(err));
    },
  });
  pollTimer = window.setInterval(() => void refreshSide(true), POLL_MS);
  void refreshCode();
  updateControls();
}

function leaveRoom(): void {
  live?.dispose();
  live = null;
  state = null;
  sessionId = null;
  clearInterval(pollTimer);
  clearTimeout(codeTimer);
  code = null;
}

function renderRoom(): void {
  if (!state) return;
  const s = state;
  const next = nextPhase(s.phase);
  setText(byId('phase-now'), `${c.phase}：${t.phases[s.phase]}`);
  setText(byId('next-phase').querySelector<HTMLElement>('.label')!, next ? `${c.nextPhase}：${t.phases[next]}` : c.noNextPhase);
  if (s.current) {
    const { speech } = s.current;
    setText(byId('current-name'), `${t.speakerNo(speech.order)}　${speech.cadre.name}`);
    setText(byId('current-meta'), `${speech.cadre.region.name}　${speech.cadre.position}`);
  } else {
    setText(byId('current-name'), s.phase === 'SPEECHES' ? (s.upcoming[0] ? `${c.nextUp}：${s.upcoming[0].cadre.name}` : t.allSpoken) : t.phases[s.phase]);
    setText(byId('current-meta'), '');
  }
  // The speakers still to come, and the withdrawn ones with their reason; withdrawing needs the evaluation unopened.
  const upcoming = s.speeches.filter((sp) => (sp.status === 'UPCOMING' || sp.status === 'WITHDRAWN') && sp.id !== s.current?.speech.id);
  show(byId('upcoming-box'), upcoming.length > 0 && s.phase !== 'CLOSED');
  keyedList(byId('upcoming'), upcoming, (sp) => `${sp.id}:${sp.status}`, lineupRow);
  const canWithdraw = !s.evaluation && s.phase !== 'CLOSED';
  for (const b of byId('upcoming').querySelectorAll<HTMLButtonElement>('button.withdraw, button.withdraw-confirm')) b.disabled = !canWithdraw;

  setText(byId('attendance'), s.attendance.expected ? t.attendance(s.attendance.present, s.attendance.expected) : '');
  show(byId('checkin'), CHECK_IN_PHASES.includes(s.phase) && code !== null);

  const summaryBox = byId('summary-box');
  show(summaryBox, s.phase === 'SUMMARY');
  setText(byId('summary-saved'), s.summary ? c.summarySaved(s.summary.author) : '');
  const summaryInput = byId<HTMLTextAreaElement>('summary-body');
  if (s.summary && !summaryInput.value && document.activeElement !== summaryInput) summaryInput.value = s.summary.body;

  const ev = s.evaluation;
  show(byId('evaluation-box'), s.phase === 'EVALUATION' || s.phase === 'CLOSED' || ev !== null);
  setText(byId('eval-state'), ev ? c.evalStatus[ev.status] : '');
  setText(byId('voted'), ev ? t.voted(ev.ballotsCast, ev.entitledVoters) : '');
  setText(byId('quorum'), ev ? t.quorum(ev.quorum) : '');
  const below = ev?.status === 'OPEN' && ev.ballotsCast < ev.quorum;
  show(byId('below-quorum'), below);
  if (ev && below) setText(byId('below-quorum-text'), c.belowQuorum(ev.ballotsCast, ev.quorum));
  if (ev?.status !== 'OPEN') setText(byId('eval-error'), '');
  show(byId('eval-reason'), Boolean(ev?.closeReason));
  if (ev?.closeReason) setText(byId('eval-reason'), c.forcedBecause(ev.closeReason));
  tick();
  updateControls();
  if (s.seq !== lastSideSeq) {
    lastSideSeq = s.seq;
    void refreshSide(false);
  }
}

function tick(): void {
  if (!state) return;
  const el = byId('current-clock');
  const notes: string[] = [];
  if (state.current) {
    const cd = countdown(state.current.timer, clock.now());
    setText(el, cd.text);
    el.dataset.tone = cd.tone;
    el.dataset.running = String(cd.running);
    if (!cd.running) notes.push(t.paused);
    if (state.current.timer.extendedMs > 0) notes.push(t.extended(Math.round(state.current.timer.extendedMs / 60_000)));
    const n = state.current.interruptions.length;
    if (n) notes.push(`${t.interruptedTimes(n)}：${t.reasons[state.current.interruptions[n - 1].reason]}`);
  } else setText(el, '');
  setText(byId('current-notes'), notes.join('　'));
}

function updateControls(): void {
  if (!sessionId || !document.getElementById('start-next')) return;
  const cur = state?.current ?? null;
  (byId('eval-force') as HTMLButtonElement).disabled = !allowed('eval-close');
  (byId('summary-save') as HTMLButtonElement).disabled = state?.phase !== 'SUMMARY';
  for (const id of ['start-next', 'pause', 'resume', 'extend', 'end', 'next-phase', 'eval-open', 'eval-close', 'eval-publish'] as const) {
    (byId(id) as HTMLButtonElement).disabled = !allowed(id);
  }
  for (const r of REASONS) (byId(`interrupt-${r}`) as HTMLButtonElement).disabled = !allowed('interrupt');
  show(byId('pause'), !cur || cur.timer.running);
  show(byId('resume'), !!cur && !cur.timer.running);
}

/** The moderation queue, who has voted and (once closed) the results: what the room state does not carry. */
async function refreshSide(polled: boolean): Promise<void> {
  const id = sessionId;
  if (!id || !token) return;
  const ev = state?.evaluation ?? null;
  try {
    const attendance = `attendance(sessionId: $s) { expected present entries { present checkedInAt user { id displayName } } }`;
    const data = await api<{
      comments: PendingComment[];
      evaluationVoters?: VoterStatus[];
      evaluation?: { ballotMode: 'BLIND' | 'SIMPLE' } | null;
      attendance: { expected: number; present: number; entries: AttendanceEntry[] };
    }>(
      ev
        ? `query($s: ID!) { comments(sessionId: $s, status: PENDING) { id authorName body postedAt } evaluationVoters(sessionId: $s) { voted tokenIssued user { id displayName } } evaluation(sessionId: $s) { ballotMode } ${attendance} }`
        : `query($s: ID!) { comments(sessionId: $s, status: PENDING) { id authorName body postedAt } ${attendance} }`,
      { s: id },
    );
    if (id !== sessionId) return;
    renderQueue(data.comments);
    renderAttendees(data.attendance.entries, data.attendance.present, data.attendance.expected);
    if (data.evaluationVoters) renderVoters(data.evaluationVoters, data.evaluation?.ballotMode === 'BLIND');
    if (ev && ev.status !== 'OPEN' && resultsStatus !== ev.status) {
      const r = await api<{ evaluation: { status: string; results: ChairResult[] | null } | null }>(
        `query($s: ID!) { evaluation(sessionId: $s) { status results { rank grade score speech { cadre { name } } } } }`,
        { s: id },
      );
      resultsStatus = r.evaluation?.status ?? null;
      renderChairResults(r.evaluation?.results ?? []);
    }
  } catch (err) {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') signOut(c.expired);
    else if (!polled) toast(explain(err));
  }
}

function renderQueue(comments: PendingComment[]): void {
  // Oldest first: the chair works through the queue in the order it came in.
  const ordered = [...comments].sort((a, b) => Date.parse(a.postedAt) - Date.parse(b.postedAt));
  setText(byId('queue-count'), String(ordered.length));
  show(byId('queue-empty'), ordered.length === 0);
  keyedList(byId('queue'), ordered, (cm) => cm.id, (cm) =>
    h(
      'li',
      { 'data-comment': cm.id },
      h('div', { class: 'body' }, cm.body),
      h('div', { class: 'author' }, cm.authorName),
      h(
        'div',
        { class: 'mod' },
        h('button', { type: 'button', class: 'approve go', onclick: () => void moderate(cm.id, true) }, c.approve),
        h('button', { type: 'button', class: 'reject stop', onclick: () => void moderate(cm.id, false) }, c.reject),
      ),
    ),
  );
}

/** Who has voted (SIMPLE) or, in BLIND mode, who has taken a token: the server does not know who has cast. */
function renderVoters(voters: VoterStatus[], blind: boolean): void {
  const done = (v: VoterStatus) => (blind ? v.tokenIssued : v.voted);
  show(byId('voters-note'), blind);
  const sorted = [...voters].sort((a, b) => Number(done(b)) - Number(done(a)) || a.user.displayName.localeCompare(b.user.displayName));
  keyedList(byId('voters'), sorted, (v) => `${v.user.id}:${done(v)}`, (v) =>
    h('li', { class: done(v) ? 'yes' : 'no', title: v.user.displayName }, `${done(v) ? '✓' : '·'} ${v.user.displayName}`),
  );
}

function lineupRow(sp: Speech): HTMLElement {
  const head = [h('span', { class: 'n' }, String(sp.order)), h('span', { class: 'who' }, sp.cadre.name), h('span', { class: 'unit' }, sp.cadre.region.name)];
  if (sp.status === 'WITHDRAWN') {
    return h('li', { class: 'withdrawn', 'data-speech': sp.id }, ...head, h('span', { class: 'why' }, c.withdrawn(sp.withdrawnReason ?? '')));
  }
  const reason = h('input', { type: 'text', class: 'withdraw-reason', maxlength: 500, required: true, placeholder: c.withdrawReason });
  const error = h('div', { class: 'form-error' });
  const form = h(
    'div',
    { class: 'withdraw-form', hidden: true },
    reason,
    h('button', { type: 'button', class: 'withdraw-confirm stop', onclick: () => void withdraw(sp.id, reason, error) }, c.withdrawConfirm),
    h('button', { type: 'button', class: 'withdraw-keep', onclick: () => (show(form, false), setText(error, '')) }, c.withdrawKeep),
    error,
  );
  const open = h('button', { type: 'button', class: 'withdraw', onclick: () => (show(form, true), reason.focus()) }, c.withdraw);
  return h('li', { 'data-speech': sp.id }, ...head, open, form);
}

function renderAttendees(entries: AttendanceEntry[], present: number, expected: number): void {
  setText(byId('attendees-count'), t.attendance(present, expected));
  show(byId('attendees-empty'), entries.length === 0);
  const at = (iso: string) => new Date(iso).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit' });
  keyedList(byId('attendees'), entries, (e) => `${e.user.id}:${e.present}`, (e) =>
    h(
      'li',
      { class: e.present ? 'present' : 'absent', 'data-user': e.user.id },
      h('span', { class: 'who' }, e.user.displayName),
      h('span', { class: 'state' }, e.present ? (e.checkedInAt ? c.checkedIn(at(e.checkedInAt)) : c.present) : c.absent),
      e.present
        ? h('button', { type: 'button', class: 'unmark', onclick: () => void markPresent(e.user.id, false) }, c.unmark)
        : h('button', { type: 'button', class: 'mark go', onclick: () => void markPresent(e.user.id, true) }, c.markPresent),
    ),
  );
}

function renderChairResults(results: ChairResult[]): void {
  byId('chair-results').replaceChildren(
    ...results.map((r) => h('li', {}, h('span', { class: 'n' }, String(r.rank)), ` ${r.speech.cadre.name} `, h('strong', {}, t.grades[r.grade]), ` ${r.score.toFixed(2)}`)),
  );
}

// ——— actions ———

function roomAction(label: string, id: ActionId, mutation: string, args = ''): Promise<void> {
  const session = sessionId;
  return act(label, () => allowed(id), async () => {
    const sentAt = Date.now();
    const data = await api<Record<string, RoomState>>(`mutation($s: ID!) { ${mutation}(sessionId: $s${args}) { ${ROOM_STATE_FIELDS} } }`, { s: session });
    adopt(data[mutation], Date.now(), sentAt);
  });
}

function interrupt(reason: (typeof REASONS)[number]): Promise<void> {
  const session = sessionId;
  const noteInput = byId('interrupt-note') as HTMLInputElement;
  const cutOffInput = byId('cut-off') as HTMLInputElement;
  const note = noteInput.value.trim() || null;
  const cutOff = cutOffInput.checked;
  return act(c.interrupt, () => allowed('interrupt'), async () => {
    const sentAt = Date.now();
    const data = await api<{ interruptSpeech: RoomState }>(
      `mutation($s: ID!, $r: InterruptionReason!, $n: String, $c: Boolean) { interruptSpeech(sessionId: $s, reason: $r, note: $n, cutOff: $c) { ${ROOM_STATE_FIELDS} } }`,
      { s: session, r: reason, n: note, c: cutOff },
    );
    noteInput.value = '';
    cutOffInput.checked = false;
    adopt(data.interruptSpeech, Date.now(), sentAt);
  });
}

/** One step forward from the phase shown when the chair asked; a second tap meanwhile does not skip a phase. */
function advance(): Promise<void> {
  const from = state?.phase;
  const to = from && nextPhase(from);
  if (!to) return Promise.resolve();
  const session = sessionId;
  return act(c.nextPhase, () => state?.phase === from && allowed('next-phase'), async () => {
    const sentAt = Date.now();
    const data = await api<{ advancePhase: RoomState }>(`mutation($s: ID!, $p: RoomPhase!) { advancePhase(sessionId: $s, phase: $p) { ${ROOM_STATE_FIELDS} } }`, {
      s: session,
      p: to,
    });
    adopt(data.advancePhase, Date.now(), sentAt);
  });
}

function evaluationAction(label: string, id: ActionId, mutation: string): Promise<void> {
  const session = sessionId;
  return act(label, () => allowed(id), async () => {
    await api(`mutation($s: ID!) { ${mutation}(sessionId: $s) { status } }`, { s: session });
    resultsStatus = null;
    await refreshSide(false);
  });
}

/** 结束投票: below the quorum the server refuses, and the console says so in words beside the forced close. */
function closeEvaluation(): Promise<void> {
  const session = sessionId;
  const error = byId('eval-error');
  return act(c.closeEval, () => allowed('eval-close'), async () => {
    try {
      await api(`mutation($s: ID!) { closeEvaluation(sessionId: $s) { status } }`, { s: session });
      setText(error, '');
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'EVALUATION_QUORUM_NOT_MET')) throw err;
      setText(error, c.errors.EVALUATION_QUORUM_NOT_MET);
      show(byId('below-quorum'), true);
      byId('force-reason').focus();
      return;
    }
    resultsStatus = null;
    await refreshSide(false);
  });
}

/** 强制结束: closes below the quorum, never without a reason (the log and the archive keep it). */
function forceClose(): Promise<void> {
  const session = sessionId;
  const input = byId<HTMLInputElement>('force-reason');
  const error = byId('eval-error');
  const reason = input.value.trim();
  if (!reason) {
    setText(error, c.forceNeedsReason);
    input.focus();
    return Promise.resolve();
  }
  return act(c.forceClose, () => allowed('eval-close'), async () => {
    await api(`mutation($s: ID!, $r: String!) { closeEvaluation(sessionId: $s, force: true, reason: $r) { status } }`, { s: session, r: reason });
    input.value = '';
    setText(error, '');
    resultsStatus = null;
    await refreshSide(false);
  });
}

function withdraw(speechId: string, input: HTMLInputElement, error: HTMLElement): Promise<void> {
  const reason = input.value.trim();
  if (!reason) {
    setText(error, c.withdrawNeedsReason);
    input.focus();
    return Promise.resolve();
  }
  return act(c.withdraw, () => !state?.evaluation, async () => {
    await api(`mutation($id: ID!, $r: String!) { withdrawSpeech(speechId: $id, reason: $r) { id status } }`, { id: speechId, r: reason });
  });
}

function markPresent(userId: string, present: boolean): Promise<void> {
  const session = sessionId;
  return act(present ? c.markPresent : c.unmark, () => true, async () => {
    await api(`mutation($s: ID!, $u: [ID!]!, $p: Boolean!) { markPresent(sessionId: $s, userIds: $u, present: $p) { present } }`, { s: session, u: [userId], p: present });
    await refreshSide(false);
  });
}

function saveSummary(): Promise<void> {
  const session = sessionId;
  const input = byId<HTMLTextAreaElement>('summary-body');
  const error = byId('summary-error');
  const body = input.value.trim();
  if (!body) {
    setText(error, c.summaryNeedsBody);
    input.focus();
    return Promise.resolve();
  }
  return act(c.summarySave, () => state?.phase === 'SUMMARY', async () => {
    await api(`mutation($s: ID!, $b: String!) { recordSummary(sessionId: $s, body: $b) { at } }`, { s: session, b: body });
    setText(error, '');
  });
}

/** Reads the check-in code now and again when it rotates (by the server's clock); a failure retries in 5 s. */
async function refreshCode(): Promise<void> {
  window.clearTimeout(codeTimer);
  const id = sessionId;
  if (!id || !token || (state && !CHECK_IN_PHASES.includes(state.phase))) return;
  try {
    const data = await api<{ checkInCode: CheckInCode }>(CHECK_IN_CODE_QUERY, { s: id });
    if (id !== sessionId) return;
    code = data.checkInCode;
    setText(byId('checkin-code'), code.code);
    byId('checkin-qr').replaceChildren(qrSvg(code.url.startsWith('/') ? `${location.origin}${code.url}` : code.url, t.checkInQr));
    byId('checkin').dataset.code = code.code;
    show(byId('checkin'), !state || CHECK_IN_PHASES.includes(state.phase));
    codeTimer = window.setTimeout(() => void refreshCode(), Math.max(1000, Date.parse(code.rotatesAt) - clock.now() + 250));
  } catch (err) {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') return signOut(c.expired);
    if (id === sessionId) codeTimer = window.setTimeout(() => void refreshCode(), 5000);
  }
}

function moderate(commentId: string, approve: boolean): Promise<void> {
  return act(approve ? c.approve : c.reject, () => true, async () => {
    await api(`mutation($id: ID!, $a: Boolean!) { moderateComment(commentId: $id, approve: $a) { id status } }`, { id: commentId, a: approve });
    byId('queue').querySelector(`[data-comment="${CSS.escape(commentId)}"]`)?.remove();
    await refreshSide(false);
  });
}

async function issueScreenLink(): Promise<void> {
  const id = sessionId;
  await act(c.screenLink, () => true, async () => {
    const data = await api<{ issueScreenToken: string }>(`mutation($s: ID!) { issueScreenToken(sessionId: $s) }`, { s: id });
    const url = `${location.origin}/screen/${encodeURIComponent(id!)}?token=${encodeURIComponent(data.issueScreenToken)}`;
    (byId('screen-link') as HTMLInputElement).value = url;
    (byId('screen-link-open') as HTMLAnchorElement).href = url;
    show(byId('screen-link-box'), true);
  });
}

/** The frequent actions on single keys; never while typing, never with a modifier (browser shortcuts stay). */
function onKey(e: KeyboardEvent): void {
  if (!sessionId || e.ctrlKey || e.metaKey || e.altKey) return;
  const target = e.target as HTMLElement | null;
  if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
  const click = (id: string) => {
    const b = document.getElementById(id) as HTMLButtonElement | null;
    if (b && !b.disabled && !b.hidden) b.click();
  };
  const key = e.key;
  let handled = true;
  if (key === 'n' || key === 'N') click('start-next');
  else if (key === ' ') click(state?.current?.timer.running ? 'pause' : 'resume');
  else if (key === '+' || key === '=') click('extend');
  else if (key === 'e' || key === 'E') click('end');
  else if (key >= '1' && key <= '4') click(`interrupt-${REASONS[Number(key) - 1]}`);
  else if (key === 'ArrowRight' && e.shiftKey) click('next-phase');
  else if (key === 'a' || key === 'A') (byId('queue').querySelector('button.approve') as HTMLButtonElement | null)?.click();
  else if (key === 'x' || key === 'X') (byId('queue').querySelector('button.reject') as HTMLButtonElement | null)?.click();
  else handled = false;
  if (handled) e.preventDefault();
}

// ——— routing ———

function route(): void {
  if (!token) return showLogin();
  const m = /^#\/session\/(.+)$/.exec(location.hash);
  if (m) showRoom(decodeURIComponent(m[1]));
  else void showPicker();
}

function main(): void {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  document.body.replaceChildren(h('div', { id: 'app' }), h('div', { id: 'toasts', class: 'toasts' }));
  window.addEventListener('hashchange', route);
  window.addEventListener('keydown', onKey);
  window.setInterval(tick, 200);
  route();
}

main();
