import './screen.css';
import type { Client } from 'graphql-ws';
import { liveSubscription, queryOver, type ApiError, type LinkStatus } from '../shared/api';
import { countdown, ServerClock } from '../shared/clock';
import { byId, h, keyedList, setText, show } from '../shared/dom';
import { langFromLocation, words } from '../shared/i18n';
import { qrSvg } from '../shared/qr';
import {
  CHECK_IN_CODE_QUERY,
  INTERRUPTIONS_QUERY,
  latestInterruption,
  readableFingerprint,
  ROOM_SUBSCRIPTION,
  SERVER_NOW_QUERY,
  SESSION_QUERY,
  type Cadre,
  type CheckInCode,
  type EvaluationResult,
  type Interruption,
  type RoomState,
  type SessionInfo,
  type Speech,
} from '../shared/room';

/**
 * The big screen in the hall: read-only, one session, one token from `?token=`. Everything it shows comes from the
 * `roomState` subscription; the countdown is drawn locally from `endsAt` against the server's clock.
 */

const lang = langFromLocation();
const t = words(lang);
const params = new URLSearchParams(location.search);
const token = params.get('token') ?? '';
const sessionId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');

/** How long the interruption banner stays up after the chair's interruption; then a smaller tag remains. */
const BANNER_MS = 30_000;
const TICK_MS = 200;
const CLOCK_SYNC_MS = 30_000;
const MAX_COMMENTS = 12;
/** Speakers listed as next: fewer while the check-in code and a 点评 share the side column with them. */
const MAX_NEXT = [5, 3, 2];

/** The check-in code shows until the evaluation opens: large before the start, in the side column after. */
const CHECK_IN_PHASES: readonly string[] = ['SCHEDULED', 'SPEECHES', 'EXCHANGE', 'SUMMARY'];
const REVIEW_PHASES: readonly string[] = ['SPEECHES', 'EXCHANGE', 'SUMMARY'];

const clock = new ServerClock();
let code: CheckInCode | null = null;
let codeTimer: number | undefined;
let state: RoomState | null = null;
let client: Client | null = null;
let sessionInfo: SessionInfo | null = null;

/**
 * Interruptions per speech, as last seen. Over a long-lived subscription the server resolves `Speech.interruptions`
 * through loaders cached for the whole subscription, so an ended speech's list can be stale (the speech on stage
 * is not affected: `current.interruptions` comes from the room state). When a speech is cut off without its
 * interruption in view, the screen reads the line-up's interruptions once with a fresh query.
 */
const interruptions = new Map<string, Interruption[]>();
const askedFor = new Set<string>();

function rememberInterruptions(s: RoomState): void {
  if (s.current) interruptions.set(s.current.speech.id, s.current.interruptions);
  for (const sp of s.speeches) if (sp.interruptions.length > (interruptions.get(sp.id)?.length ?? 0)) interruptions.set(sp.id, sp.interruptions);
  const unexplained = s.speeches.filter((sp) => sp.status === 'CUT_OFF' && !interruptions.get(sp.id)?.some((i) => i.cutOff) && !askedFor.has(sp.id));
  if (unexplained.length && client) {
    const c = client;
    for (const sp of unexplained) askedFor.add(sp.id);
    queryOver<{ room: { speeches: { id: string; interruptions: Interruption[] }[] } }>(c, INTERRUPTIONS_QUERY, { s: sessionId })
      .then((data) => {
        for (const sp of data.room.speeches) if (sp.interruptions.length) interruptions.set(sp.id, sp.interruptions);
        render();
      })
      .catch(() => unexplained.forEach((sp) => askedFor.delete(sp.id)));
  }
}

const unitOf = (c: Cadre) => (lang === 'en' ? c.region.nameEn : c.region.name);

function layout(): void {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  document.body.replaceChildren(
    h(
      'div',
      { class: 'screen', id: 'screen' },
      h(
        'header',
        { class: 'top' },
        h('div', { class: 'titles' }, h('div', { class: 'theme', id: 'theme' }), h('div', { class: 'session-title', id: 'session-title' })),
        h('div', { class: 'attendance', id: 'attendance', 'aria-live': 'polite' }),
        h('div', { class: 'phase', id: 'phase' }),
      ),
      h('div', { class: 'banner', id: 'banner', hidden: true, role: 'alert' }, h('span', { class: 'banner-label', id: 'banner-label' }), h('span', { class: 'banner-reason', id: 'banner-reason' }), h('span', { class: 'banner-note', id: 'banner-note' })),
      h(
        'main',
        { class: 'stage' },
        h(
          'section',
          { class: 'primary' },
          h(
            'div',
            { class: 'view speaker', id: 'view-speaker', hidden: true },
            h('div', { class: 'order', id: 'speaker-order' }),
            h('div', { class: 'name', id: 'speaker-name' }),
            h('div', { class: 'meta', id: 'speaker-meta' }),
            h('div', { class: 'countdown', id: 'countdown' }),
            h('div', { class: 'timer-notes' }, h('span', { class: 'timer-state', id: 'timer-state' }), h('span', { class: 'interrupt-tag', id: 'interrupt-tag', hidden: true })),
          ),
          h(
            'div',
            { class: 'view idle', id: 'view-idle', hidden: true },
            h('div', { class: 'idle-title', id: 'idle-title' }),
            h('div', { class: 'idle-sub', id: 'idle-sub' }),
            h('div', { class: 'summary', id: 'summary', hidden: true }),
            h('div', { class: 'checkin-slot', id: 'checkin-slot' }),
          ),
          h(
            'div',
            { class: 'view evaluation', id: 'view-evaluation', hidden: true },
            h('div', { class: 'eval-title' }, t.evaluationTitle),
            h('div', { class: 'eval-count', id: 'eval-count' }),
            h('div', { class: 'eval-bar' }, h('div', { class: 'eval-bar-fill', id: 'eval-bar-fill' })),
            h('div', { class: 'eval-status', id: 'eval-status' }),
            h('div', { class: 'eval-key', id: 'eval-key', hidden: true }, h('span', { class: 'eval-key-print', id: 'eval-key-print' }), h('span', { class: 'eval-key-hint' }, t.ballotKeyHint)),
          ),
          h(
            'div',
            { class: 'view results', id: 'view-results', hidden: true },
            h('div', { class: 'results-title' }, t.resultsTitle),
            h(
              'div',
              { class: 'results-head' },
              h('span', {}, t.rank),
              h('span', {}, t.name),
              h('span', {}, t.unit),
              h('span', {}, t.grade),
              h('span', { class: 'num' }, t.score),
            ),
            h('ol', { class: 'results-list', id: 'results' }),
          ),
        ),
        h(
          'aside',
          { class: 'side', id: 'side' },
          h(
            'section',
            { class: 'checkin', id: 'checkin', hidden: true },
            h('div', { class: 'checkin-qr', id: 'checkin-qr' }),
            h('div', { class: 'checkin-text' }, h('h2', {}, t.checkInTitle), h('div', { class: 'checkin-code', id: 'checkin-code' }), h('div', { class: 'checkin-hint' }, t.checkInHint)),
          ),
          h('section', { class: 'review-box', id: 'review', hidden: true }, h('h2', {}, t.reviewTitle), h('div', { class: 'review-who', id: 'review-who' }), h('div', { class: 'review-body', id: 'review-body' })),
          h('section', { class: 'next-box', id: 'next-box' }, h('h2', {}, t.next), h('ol', { class: 'next-list', id: 'next' })),
          h('section', { class: 'comments-box' }, h('h2', {}, t.comments), h('ul', { class: 'comments-list', id: 'comments' }), h('div', { class: 'empty', id: 'comments-empty' }, t.noComments)),
        ),
      ),
      h('div', { class: 'conn', id: 'conn', hidden: true, role: 'status' }, t.reconnecting),
      h('div', { class: 'fatal', id: 'fatal', hidden: true }),
    ),
  );
  setText(byId('phase'), t.loading);
}

function render(): void {
  if (!state) return;
  const s = state;
  setText(byId('phase'), t.phases[s.phase] ?? s.phase);
  byId('screen').dataset.phase = s.phase;
  byId('screen').dataset.seq = String(s.seq);

  const evaluation = s.evaluation;
  const view = evaluation?.status === 'PUBLISHED' ? 'results' : evaluation ? 'evaluation' : s.current ? 'speaker' : 'idle';
  for (const v of ['speaker', 'idle', 'evaluation', 'results']) show(byId(`view-${v}`), v === view);

  if (s.current) {
    const { speech } = s.current;
    setText(byId('speaker-order'), t.speakerNo(speech.order));
    setText(byId('speaker-name'), speech.cadre.name);
    setText(byId('speaker-meta'), `${unitOf(speech.cadre)}　${speech.cadre.position}`);
  }
  if (view === 'idle') renderIdle(s);
  if (evaluation && view === 'evaluation') {
    setText(byId('eval-count'), t.voted(evaluation.ballotsCast, evaluation.entitledVoters));
    const share = evaluation.entitledVoters ? Math.min(1, evaluation.ballotsCast / evaluation.entitledVoters) : 0;
    byId('eval-bar-fill').style.width = `${(share * 100).toFixed(1)}%`;
    const quorum = evaluation.quorum ? `　${t.quorum(evaluation.quorum)}` : '';
    setText(byId('eval-status'), `${evaluation.status === 'OPEN' ? t.votingOpen : t.votingClosed}${quorum}`);
    // BLIND mode: the general key's fingerprint, for every phone in the hall to compare with its own.
    const print = evaluation.status === 'OPEN' && evaluation.keyFingerprint ? readableFingerprint(evaluation.keyFingerprint) : '';
    show(byId('eval-key'), print !== '');
    setText(byId('eval-key-print'), t.ballotKey(print));
  }
  if (evaluation?.results && view === 'results') renderResults(evaluation.results);

  setText(byId('attendance'), s.attendance.expected ? t.attendance(s.attendance.present, s.attendance.expected) : '');
  // Large beside 等待开始 before the start; a small panel at the top of the side column once the speeches begin.
  const checkin = byId('checkin');
  const slot = s.phase === 'SCHEDULED' ? byId('checkin-slot') : byId('side');
  if (checkin.parentElement !== slot) slot.prepend(checkin);
  const checkinShown = CHECK_IN_PHASES.includes(s.phase) && code !== null;
  show(checkin, checkinShown);
  const review = s.reviews[0];
  const reviewShown = Boolean(review) && REVIEW_PHASES.includes(s.phase);
  show(byId('review'), reviewShown);
  if (review) {
    const about = s.speeches.find((sp) => sp.id === review.speechId);
    setText(byId('review-who'), `${review.authorName} · ${t.tones[review.tone] ?? review.tone}${about ? ` · ${about.cadre.name}` : ''}`);
    setText(byId('review-body'), review.body);
  }

  // The speakers still to come, and those withdrawn (缺席 / 取消) in their place, marked and nothing else.
  const next = s.speeches.filter((sp) => (sp.status === 'UPCOMING' || sp.status === 'WITHDRAWN') && sp.id !== s.current?.speech.id);
  if (!next.some((sp) => sp.status === 'UPCOMING')) next.length = 0;
  next.splice(MAX_NEXT[Number(checkinShown && s.phase !== 'SCHEDULED') + Number(reviewShown)]);
  show(byId('next-box'), next.length > 0 && view !== 'results' && view !== 'evaluation');
  keyedList(byId('next'), next, (sp) => `${sp.id}:${sp.status}`, (sp) =>
    sp.status === 'WITHDRAWN'
      ? h('li', { class: 'withdrawn' }, h('span', { class: 'n' }, String(sp.order)), h('span', { class: 'who' }, sp.cadre.name), h('span', { class: 'tag' }, t.withdrawn))
      : h('li', {}, h('span', { class: 'n' }, String(sp.order)), h('span', { class: 'who' }, sp.cadre.name), h('span', { class: 'unit' }, unitOf(sp.cadre))),
  );

  const list = byId('comments');
  const firstFill = list.children.length === 0;
  const fresh = keyedList(list, s.comments.slice(0, MAX_COMMENTS), (c) => c.id, (c) =>
    h('li', {}, h('div', { class: 'body' }, c.body), h('div', { class: 'author' }, c.authorName)),
  );
  if (!firstFill) {
    for (const node of fresh) {
      node.classList.add('fresh');
      node.addEventListener('animationend', () => node.classList.remove('fresh'), { once: true });
    }
  }
  show(byId('comments-empty'), s.comments.length === 0);
  tick();
}

function renderIdle(s: RoomState): void {
  const upNext: Speech | undefined = s.upcoming[0];
  let title = t.phases[s.phase] ?? s.phase;
  let sub = '';
  if (s.phase === 'SCHEDULED') {
    title = t.waiting;
    sub = sessionInfo?.venue ?? '';
  } else if (s.phase === 'SPEECHES') {
    if (upNext) {
      title = t.betweenSpeeches;
      sub = `${t.next}：${upNext.cadre.name}（${unitOf(upNext.cadre)}）`;
    } else title = t.allSpoken;
  } else if (s.phase === 'SUMMARY' && s.summary) {
    title = t.summaryTitle;
    sub = s.summary.author;
  } else if (s.phase === 'EVALUATION') title = t.evaluationSoon;
  else if (s.phase === 'CLOSED') title = t.closed;
  const cut = latestInterruption(s, interruptions);
  if (cut && s.phase === 'SPEECHES') sub = `${t.lastCutOff(cut.speech.cadre.name, t.reasons[cut.interruption.reason] ?? cut.interruption.reason)}${sub ? `　${sub}` : ''}`;
  setText(byId('idle-title'), title);
  setText(byId('idle-sub'), sub);
  const summary = byId('summary');
  show(summary, s.phase === 'SUMMARY' && s.summary !== null);
  if (s.summary) setText(summary, s.summary.body);
}

function renderResults(results: EvaluationResult[]): void {
  keyedList(byId('results'), results, (r) => `${r.speech.id}:${r.rank}:${r.grade}:${r.score}`, (r) =>
    h(
      'li',
      { class: `grade-${r.grade.toLowerCase()}` },
      h('span', { class: 'rank' }, String(r.rank)),
      h('span', { class: 'who' }, r.speech.cadre.name),
      h('span', { class: 'unit' }, unitOf(r.speech.cadre)),
      h('span', { class: 'grade' }, t.grades[r.grade] ?? r.grade, r.droppedByTie ? h('small', {}, `（${t.tieNote}）`) : null),
      h('span', { class: 'num' }, r.score.toFixed(2)),
    ),
  );
}

/** The part that moves between messages: the countdown and the banner's time window. */
function tick(): void {
  if (!state) return;
  const now = clock.now();
  const current = state.current;
  if (current) {
    const c = countdown(current.timer, now);
    const el = byId('countdown');
    setText(el, c.text);
    el.dataset.tone = c.tone;
    el.dataset.running = String(c.running);
    const notes: string[] = [];
    if (!c.running) notes.push(t.paused);
    else if (c.tone === 'over') notes.push(t.overtime);
    if (current.timer.extendedMs > 0) notes.push(t.extended(Math.round(current.timer.extendedMs / 60_000)));
    setText(byId('timer-state'), notes.join('　'));
    const tag = byId('interrupt-tag');
    show(tag, current.interruptions.length > 0);
    if (current.interruptions.length) {
      const last = current.interruptions[current.interruptions.length - 1];
      setText(tag, `${t.interruptedTimes(current.interruptions.length)}：${t.reasons[last.reason] ?? last.reason}`);
    }
  }
  const latest = latestInterruption(state, interruptions);
  const recent = latest && now - Date.parse(latest.interruption.at) < BANNER_MS && state.phase === 'SPEECHES';
  const banner = byId('banner');
  show(banner, Boolean(recent));
  if (latest && recent) {
    const { interruption } = latest;
    banner.dataset.cutoff = String(interruption.cutOff);
    setText(byId('banner-label'), interruption.cutOff ? `${t.interrupted} · ${t.cutOff}` : t.interrupted);
    setText(byId('banner-reason'), t.reasons[interruption.reason] ?? interruption.reason);
    setText(byId('banner-note'), interruption.note ?? '');
  }
}

function setStatus(status: LinkStatus): void {
  // The badge is for a lost link; the very first connection shows "connecting" in the phase slot instead.
  const badge = byId('conn');
  show(badge, status !== 'online' && state !== null);
  document.body.dataset.link = status;
}

async function syncClock(): Promise<void> {
  if (!client) return;
  const sentAt = Date.now();
  try {
    const data = await queryOver<{ room: { serverNow: string } }>(client, SERVER_NOW_QUERY, { s: sessionId });
    clock.sample(Date.parse(data.room.serverNow), Date.now(), sentAt);
  } catch {
    // The subscription's next message samples the clock too.
  }
}

async function loadSession(c: Client): Promise<void> {
  if (sessionInfo) return;
  try {
    const data = await queryOver<{ session: SessionInfo | null }>(c, SESSION_QUERY, { s: sessionId });
    sessionInfo = data.session;
    if (!sessionInfo) return;
    setText(byId('theme'), sessionInfo.theme.title);
    setText(byId('session-title'), sessionInfo.title);
    document.title = `${sessionInfo.theme.title} · ${sessionInfo.title}`;
    render();
  } catch {
    // Retried on the next connection; the room itself does not depend on it.
  }
}

/** Reads the check-in code now and again when it rotates (by the server's clock); a failure retries in 5 s. */
async function refreshCode(): Promise<void> {
  window.clearTimeout(codeTimer);
  if (!client || (state && !CHECK_IN_PHASES.includes(state.phase))) return;
  try {
    const data = await queryOver<{ checkInCode: CheckInCode }>(client, CHECK_IN_CODE_QUERY, { s: sessionId });
    code = data.checkInCode;
    setText(byId('checkin-code'), code.code);
    byId('checkin-qr').replaceChildren(qrSvg(code.url.startsWith('/') ? `${location.origin}${code.url}` : code.url, t.checkInQr));
    byId('checkin').dataset.code = code.code;
    render();
    codeTimer = window.setTimeout(() => void refreshCode(), Math.max(1000, Date.parse(code.rotatesAt) - clock.now() + 250));
  } catch {
    codeTimer = window.setTimeout(() => void refreshCode(), 5000);
  }
}

function fatal(message: string | null): void {
  const el = byId('fatal');
  show(el, message !== null);
  if (message) setText(el, message);
}

function main(): void {
  layout();
  if (!token || !sessionId) {
    fatal(t.badToken);
    return;
  }
  liveSubscription<{ roomState: RoomState }>({
    token,
    query: ROOM_SUBSCRIPTION,
    variables: { s: sessionId },
    onData: (data, receivedAt) => {
      clock.sample(Date.parse(data.roomState.serverNow), receivedAt);
      state = data.roomState;
      rememberInterruptions(state);
      fatal(null);
      render();
    },
    onStatus: setStatus,
    onError: (err: ApiError) => {
      if (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND') fatal(t.badToken);
    },
    onConnected: (c) => {
      client = c;
      void loadSession(c);
      void syncClock();
      void refreshCode();
    },
  });
  window.setInterval(tick, TICK_MS);
  window.setInterval(() => void syncClock(), CLOCK_SYNC_MS);
}

main();
