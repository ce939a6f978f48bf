import { h, setText } from '../shared/dom';
import { formatWhen, loadRegions, loadSessions, regionSelect, table, type CadreRow, type Desk, type RegionRow, type SessionRow } from './desk-api';
import { lineupEditor, type Slot } from './lineup';
import { importBox } from './roster';

interface ThemeRow {
  id: string;
  title: string;
  status: string;
}
interface SessionDetail extends SessionRow {
  speeches: { allottedSeconds: number; status: string; cadre: CadreRow }[];
}
interface SignInLink {
  url: string;
  expiresAt: string;
  user: { username: string; displayName: string };
}

const DETAIL = `query($id: ID!) { session(id: $id) { id number title phase startsAt venue attendeeCount theme { title }
  speeches { allottedSeconds status cadre { id name position region { name } } } } }`;
const DESK_ROLES = ['voter', 'speaker', 'leader', 'chair', 'auditor', 'analyst', 'secretary', 'admin'] as const;

/** A `datetime-local` value a fortnight from now at 09:00, the usual hour of a session. */
function nextSlot(): string {
  const d = new Date(Date.now() + 14 * 24 * 3600 * 1000);
  d.setHours(9, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T09:00`;
}

/** Links as a spreadsheet the secretary can mail-merge or print: UTF-8 with a BOM, so Excel reads the Chinese. */
function linksCsv(links: readonly SignInLink[]): string {
  const cell = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const origin = location.origin;
  const lines = [['账号', '姓名', '登录链接', '有效期至'], ...links.map((l) => [l.user.username, l.user.displayName, l.url.startsWith('/') ? origin + l.url : l.url, l.expiresAt])];
  return '\ufeff' + lines.map((l) => l.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** 场次安排: a series at once, the list of sessions, and one session's line-up, attendees and links. */
export async function sessionsPanel(desk: Desk): Promise<HTMLElement> {
  const w = desk.w;
  const [themes, regions] = await Promise.all([desk.api<{ themes: ThemeRow[] }>(`{ themes { id title status } }`).then((d) => d.themes.filter((t) => t.status === 'APPROVED' || t.status === 'USED')), loadRegions(desk)]);
  const list = h('ul', { class: 'session-list', id: 'desk-sessions' });
  const detail = h('section', { class: 'card detail', id: 'session-detail' }, h('p', { class: 'hint' }, w.pick));
  let sessions: SessionRow[] = [];
  let selected: string | null = null;

  const refreshList = async () => {
    sessions = await loadSessions(desk);
    list.replaceChildren(
      ...sessions.map((s) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: `session-item${s.id === selected ? ' selected' : ''}`, 'data-id': s.id, onclick: () => void select(s.id) },
            h('span', { class: 'no' }, w.sessionNo(s.number)),
            h('span', { class: 'title' }, s.title),
            h('span', { class: 'meta' }, `${formatWhen(s.startsAt, desk.lang)} · ${s.venue} · ${w.phases[s.phase] ?? s.phase} · ${w.attendeeCount(s.attendeeCount)}`),
          ),
        ),
      ),
    );
  };

  const select = async (id: string) => {
    selected = id;
    for (const b of Array.from(list.querySelectorAll<HTMLElement>('.session-item'))) b.classList.toggle('selected', b.dataset.id === id);
    try {
      const { session } = await desk.api<{ session: SessionDetail | null }>(DETAIL, { id });
      if (session) detail.replaceChildren(...sessionDetail(desk, session, regions, sessions, () => void refreshList().then(() => select(id))));
    } catch (err) {
      desk.fail(err);
    }
  };

  await refreshList();
  return h('div', { class: 'sessions-layout' }, h('div', { class: 'column' }, seriesForm(desk, themes, async (first) => (await refreshList(), select(first))), h('section', { class: 'card' }, h('h2', {}, w.sessionsTitle), list)), detail);
}

function seriesForm(desk: Desk, themes: readonly ThemeRow[], scheduled: (firstId: string) => Promise<void>): HTMLElement {
  const w = desk.w;
  const theme = h('select', { id: 'series-theme', required: true }, ...(themes.length ? themes.map((t) => h('option', { value: t.id }, t.title)) : [h('option', { value: '' }, w.noThemes)]));
  const title = h('input', { id: 'series-title', required: true, maxLength: 180 });
  const first = h('input', { id: 'series-first', type: 'datetime-local', required: true, value: nextSlot() });
  const every = h('input', { id: 'series-every', type: 'number', min: 1, max: 366, value: '14', required: true });
  const count = h('input', { id: 'series-count', type: 'number', min: 1, max: 26, value: '3', required: true });
  const venue = h('input', { id: 'series-venue', required: true, maxLength: 200 });
  const status = h('p', { class: 'hint', id: 'series-status', role: 'status' });
  const field = (label: string, input: HTMLElement, note?: string) => h('label', { class: 'field' }, h('span', {}, label), input, note ? h('small', {}, note) : null);
  const form = h(
    'form',
    { class: 'card', id: 'series-form' },
    h('h2', {}, w.seriesTitle),
    field(w.theme, theme),
    field(w.titlePrefix, title),
    field(w.firstStartsAt, first),
    h('div', { class: 'row' }, field(w.everyDays, every, w.fortnightly), field(w.count, count)),
    field(w.venue, venue),
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary', id: 'series-submit' }, w.schedule), status),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const input = { themeId: theme.value, titlePrefix: title.value, firstStartsAt: new Date(first.value).toISOString(), everyDays: Number(every.value), count: Number(count.value), venue: venue.value };
    void desk
      .api<{ scheduleSeries: { id: string }[] }>(`mutation($input: ScheduleSeriesInput!) { scheduleSeries(input: $input) { id number } }`, { input })
      .then(async (data) => {
        setText(status, w.scheduled(data.scheduleSeries.length));
        await scheduled(data.scheduleSeries[0].id);
      })
      .catch((err) => desk.fail(err));
  });
  return form;
}

function sessionDetail(desk: Desk, session: SessionDetail, regions: readonly RegionRow[], sessions: readonly SessionRow[], changed: () => void): HTMLElement[] {
  const w = desk.w;
  const sid = session.id;
  const locked = session.phase !== 'SCHEDULED';
  const slots: Slot[] = session.speeches.map((s) => ({ cadre: s.cadre, minutes: Math.max(1, Math.round(s.allottedSeconds / 60)) }));
  const editor = lineupEditor(desk, {
    slots,
    locked,
    regions,
    save: async (next) => {
      await desk.api(`mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { id } }`, {
        s: sid,
        e: next.map((slot) => ({ cadreId: slot.cadre.id, allottedSeconds: slot.minutes * 60 })),
      });
    },
  });

  // Attendees: the last session's, a role's (in one unit), or a spreadsheet of 账号.
  const count = h('p', { class: 'count', id: 'attendee-count' }, w.attendeeCount(session.attendeeCount));
  const earlier = sessions.filter((s) => s.number < session.number).sort((a, b) => b.number - a.number)[0];
  const group = (g: Record<string, string>) =>
    desk
      .api<{ registerAttendeeGroup: { attendeeCount: number } }>(`mutation($s: ID!, $g: AttendeeGroupInput!) { registerAttendeeGroup(sessionId: $s, group: $g) { attendeeCount } }`, { s: sid, g })
      .then((d) => {
        setText(count, w.attendeeCount(d.registerAttendeeGroup.attendeeCount));
        desk.toast(w.registered(d.registerAttendeeGroup.attendeeCount), 'ok');
        changed();
      })
      .catch((err) => desk.fail(err));
  const role = h('select', { id: 'attendee-role' }, ...DESK_ROLES.map((r) => h('option', { value: r.toUpperCase() }, w.roles[r])));
  const region = regionSelect('attendee-region', regions, w.allRegions);
  const attendees = h(
    'div',
    { class: 'block' },
    h('h3', {}, w.attendeesTitle),
    count,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'button', id: 'attendees-from-last', disabled: !earlier, title: earlier ? `${w.sessionNo(earlier.number)} ${earlier.title}` : w.noLast, onclick: () => earlier && void group({ fromSessionId: earlier.id }) }, w.fromLast),
      h('span', { class: 'sep' }),
      role,
      region,
      h('button', { type: 'button', id: 'attendees-add-role', onclick: () => void group(region.value ? { role: role.value, regionId: region.value } : { role: role.value }) }, w.byRole),
    ),
    h('p', { class: 'hint' }, w.importAttendees),
    importBox(desk, { id: 'attendee-import', route: () => `/imports/attendees?sessionId=${encodeURIComponent(sid)}`, applied: () => changed() }),
  );

  // Links: one personal link per attendee (a CSV to hand out), and the big screen's.
  const linksOut = h('div', { id: 'links-out' });
  const screenOut = h('div', { id: 'screen-out' });
  const issueLinks = () =>
    desk
      .api<{ issueSignInLinks: SignInLink[] }>(`mutation($s: ID!) { issueSignInLinks(sessionId: $s) { url expiresAt user { username displayName } } }`, { s: sid })
      .then(({ issueSignInLinks: links }) => {
        const href = URL.createObjectURL(new Blob([linksCsv(links)], { type: 'text/csv;charset=utf-8' }));
        linksOut.replaceChildren(
          h('p', {}, w.linksIssued(links.length), ' ', h('a', { id: 'links-csv', class: 'button', href, download: `signin-links-${session.number}.csv` }, w.downloadLinks)),
          table('links-table', [w.username, w.name, 'URL', w.expires], links.slice(0, 200).map((l) => [l.user.username, l.user.displayName, h('code', {}, l.url), formatWhen(l.expiresAt, desk.lang)])),
        );
      })
      .catch((err) => desk.fail(err));
  const issueScreen = () =>
    desk
      .api<{ issueScreenToken: string }>(`mutation($s: ID!) { issueScreenToken(sessionId: $s) }`, { s: sid })
      .then(({ issueScreenToken: screenToken }) => {
        const url = `${location.origin}/screen/${encodeURIComponent(sid)}?token=${encodeURIComponent(screenToken)}`;
        screenOut.replaceChildren(h('div', { class: 'row' }, h('input', { id: 'screen-url', readOnly: true, value: url, onfocus: (e: Event) => (e.target as HTMLInputElement).select() }), h('a', { class: 'button', href: url, target: '_blank', rel: 'noopener' }, '↗')));
      })
      .catch((err) => desk.fail(err));
  const links = h(
    'div',
    { class: 'block' },
    h('h3', {}, w.linksTitle),
    h('div', { class: 'row' }, h('button', { type: 'button', id: 'issue-links', onclick: () => void issueLinks() }, w.issueLinks), h('button', { type: 'button', id: 'issue-screen', onclick: () => void issueScreen() }, w.screenLink)),
    h('p', { class: 'hint' }, w.linksHint),
    linksOut,
    screenOut,
  );

  return [
    h('h2', { id: 'detail-title' }, `${w.sessionNo(session.number)} ${session.title}`),
    h('p', { class: 'hint' }, `${session.theme.title} · ${formatWhen(session.startsAt, desk.lang)} · ${session.venue} · ${w.phases[session.phase] ?? session.phase}`),
    h('div', { class: 'block' }, h('h3', {}, w.lineupTitle), editor),
    attendees,
    links,
  ];
}
