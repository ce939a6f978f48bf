import { User } from '../../../src/auth/user.entity';
import { Cadre } from '../../../src/modules/registry/cadre.entity';
import { Attendee } from '../../../src/modules/sessions/attendee.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { Session } from '../../../src/modules/sessions/session.entity';
import { Speech } from '../../../src/modules/sessions/speech.entity';
import { Theme, ThemeStatus } from '../../../src/modules/themes/theme.entity';
import { createCadre, createNextSession, createRegion, createTheme, createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { codeOf, createTestApp, GqlResult, TEST_NOW, TestApp } from '../../helpers/test-app';

const SCHEDULE = `mutation($input: ScheduleSessionInput!) {
  scheduleSession(input: $input) { id number title startsAt venue phase themeId theme { id status } speeches { id } }
}`;
const SET_LINEUP = `mutation($sessionId: ID!, $entries: [LineupEntryInput!]!) {
  setLineup(sessionId: $sessionId, entries: $entries) { id speeches { order cadreId allottedSeconds status } }
}`;
const REGISTER = `mutation($sessionId: ID!, $userIds: [ID!]!) { registerAttendees(sessionId: $sessionId, userIds: $userIds) { id attendeeCount } }`;
const SESSION = `query($id: ID!) {
  session(id: $id) { id number title phase theme { title } speeches { order allottedSeconds status cadre { id name region { name } } } }
}`;
const SESSIONS = `query($first: Int, $after: String) {
  sessions(first: $first, after: $after) {
    totalCount
    edges { cursor node { id number } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

const STARTS_AT = '2026-04-01T01:00:00.000Z';

interface SessionPage {
  totalCount: number;
  edges: { cursor: string; node: { id: string; number: number } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
}

describeEachEngine('sessions', (engine) => {
  let app: TestApp;
  let admin: User;
  let voter: User;

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    voter = await createUser(app.ds.manager, { roles: ['voter'] });
  });
  afterEach(() => app.clock.set(TEST_NOW));
  afterAll(() => app.close());

  const sessionCount = () => app.ds.getRepository(Session).count();
  const speechCount = () => app.ds.getRepository(Speech).count();
  const themeStatus = async (id: number) => (await app.ds.getRepository(Theme).findOneByOrFail({ id })).status;
  const schedule = async (themeId: number, overrides: Record<string, unknown> = {}) =>
    app.gql(SCHEDULE, { input: { themeId: String(themeId), title: '第一期', startsAt: STARTS_AT, venue: '市委党校报告厅', ...overrides } }, await app.tokenFor(admin));
  /** The stored line-up of a session, every column that matters, in speaking order. */
  const lineupOf = async (sessionId: number) =>
    (await app.ds.getRepository(Speech).find({ where: { sessionId }, order: { order: 'ASC' } })).map((s) => ({
      id: s.id,
      order: s.order,
      cadreId: s.cadreId,
      allottedSeconds: s.allottedSeconds,
      status: s.status,
    }));
  const entry = (cadre: Cadre | string, allottedSeconds = 300) => ({ cadreId: typeof cadre === 'string' ? cadre : String(cadre.id), allottedSeconds });

  /** A session whose line-up has been set through the API to three cadres of two regions. */
  async function sessionWithLineup() {
    const session = await createNextSession(app.ds.manager);
    const east = await createRegion(app.ds.manager);
    const west = await createRegion(app.ds.manager);
    const cadres = [
      await createCadre(app.ds.manager, { regionId: east.id }),
      await createCadre(app.ds.manager, { regionId: west.id }),
      await createCadre(app.ds.manager, { regionId: east.id }),
    ];
    const res = await app.gql(SET_LINEUP, { sessionId: String(session.id), entries: [entry(cadres[0], 300), entry(cadres[1], 420), entry(cadres[2], 600)] }, await app.tokenFor(admin));
    expect(res.errors).toBeUndefined();
    return { session, cadres, regions: { east, west } };
  }

  describe('scheduleSession', () => {
    // First in the file: the numbering starts from an empty table.
    it('numbers sessions 1, 2, 3 in scheduling order and marks each theme USED', async () => {
      expect(await sessionCount()).toBe(0);
      const themes = [
        await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED }),
        await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED }),
        await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED }),
      ];
      const numbers: number[] = [];
      for (const theme of themes) {
        const res = await schedule(theme.id);
        expect(res.errors).toBeUndefined();
        expect(res.data!.scheduleSession).toMatchObject({ themeId: String(theme.id), theme: { id: String(theme.id), status: 'USED' } });
        numbers.push(res.data!.scheduleSession.number);
        expect(await themeStatus(theme.id)).toBe(ThemeStatus.USED);
      }
      expect(numbers).toEqual([1, 2, 3]);
    });

    it('creates a SCHEDULED session with an empty line-up and trimmed text', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED });
      const res = await schedule(theme.id, { title: ' 第四期 发展民宿经济 ', venue: ' 报告厅 ' });
      expect(res.errors).toBeUndefined();
      expect(res.data!.scheduleSession).toMatchObject({ title: '第四期 发展民宿经济', venue: '报告厅', startsAt: STARTS_AT, phase: 'SCHEDULED', speeches: [] });
      const saved = await app.ds.getRepository(Session).findOneByOrFail({ id: Number(res.data!.scheduleSession.id) });
      expect(saved.startsAt.toISOString()).toBe(STARTS_AT);
    });

    it('schedules another session on a theme already USED', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED });
      const first = await schedule(theme.id);
      const second = await schedule(theme.id);
      expect(second.errors).toBeUndefined();
      expect(second.data!.scheduleSession.number).toBe(first.data!.scheduleSession.number + 1);
      expect(await themeStatus(theme.id)).toBe(ThemeStatus.USED);
    });

    it('numbers sessions scheduled at the same moment on different themes without errors, gaps or repeats', async () => {
      const themes = [];
      for (let i = 0; i < 4; i++) themes.push(await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED }));
      const before = await sessionCount();
      const last = (await app.ds.getRepository(Session).find({ order: { number: 'DESC' }, take: 1 }))[0]?.number ?? 0;

      const results = await Promise.all(themes.map((t) => schedule(t.id)));

      expect(results.map((r) => r.errors?.[0]?.extensions?.code ?? null)).toEqual([null, null, null, null]);
      expect(results.map((r) => r.data!.scheduleSession.number).sort((a: number, b: number) => a - b)).toEqual([last + 1, last + 2, last + 3, last + 4]);
      expect(await sessionCount()).toBe(before + 4);
    });

    it.each([
      ['a PROPOSED theme', ThemeStatus.PROPOSED],
      ['a REJECTED theme', ThemeStatus.REJECTED],
    ])('rejects %s with BAD_USER_INPUT and changes nothing', async (_what, status) => {
      const theme = await createTheme(app.ds.manager, { status });
      const before = await sessionCount();
      const res = await schedule(theme.id);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await sessionCount()).toBe(before);
      expect(await themeStatus(theme.id)).toBe(status);
    });

    it.each([
      ['an unknown theme', { themeId: '999999' }, 'NOT_FOUND'],
      ['a garbage theme id', { themeId: 'theme' }, 'NOT_FOUND'],
      ['a start in the past', { startsAt: '2026-02-28T08:00:00.000Z' }, 'BAD_USER_INPUT'],
      ['a start of exactly now', { startsAt: TEST_NOW }, 'BAD_USER_INPUT'],
      ['a 10,000-character title', { title: '长'.repeat(10_000) }, 'BAD_USER_INPUT'],
      ['a blank title', { title: '  ' }, 'BAD_USER_INPUT'],
      ['a 10,000-character venue', { venue: '长'.repeat(10_000) }, 'BAD_USER_INPUT'],
    ])('rejects %s and changes nothing', async (_what, override, code) => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED });
      const before = await sessionCount();
      const res = await schedule(theme.id, override);
      expect(codeOf(res)).toBe(code);
      expect(await sessionCount()).toBe(before);
      expect(await themeStatus(theme.id)).toBe(ThemeStatus.APPROVED);
    });

    it('judges "the past" by the injected clock', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED });
      app.clock.set('2026-05-01T00:00:00.000Z');
      const res = await schedule(theme.id);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await themeStatus(theme.id)).toBe(ThemeStatus.APPROVED);
    });

    it('is FORBIDDEN to a voter and changes nothing', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED });
      const before = await sessionCount();
      const res = await app.gql(SCHEDULE, { input: { themeId: String(theme.id), title: '第一期', startsAt: STARTS_AT, venue: '报告厅' } }, await app.tokenFor(voter));
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(await sessionCount()).toBe(before);
      expect(await themeStatus(theme.id)).toBe(ThemeStatus.APPROVED);
    });
  });

  describe('setLineup', () => {
    it('stores the line-up in the order given', async () => {
      const { session, cadres } = await sessionWithLineup();
      expect(await lineupOf(session.id)).toEqual([
        expect.objectContaining({ order: 1, cadreId: cadres[0].id, allottedSeconds: 300, status: 'UPCOMING' }),
        expect.objectContaining({ order: 2, cadreId: cadres[1].id, allottedSeconds: 420, status: 'UPCOMING' }),
        expect.objectContaining({ order: 3, cadreId: cadres[2].id, allottedSeconds: 600, status: 'UPCOMING' }),
      ]);
    });

    it('returns the session with its speeches, each with the cadre’s name and region', async () => {
      const { session, cadres, regions } = await sessionWithLineup();
      const res = await app.gql(SESSION, { id: String(session.id) }, await app.tokenFor(voter));
      expect(res.errors).toBeUndefined();
      expect(res.data!.session.speeches).toEqual([
        { order: 1, allottedSeconds: 300, status: 'UPCOMING', cadre: { id: String(cadres[0].id), name: cadres[0].name, region: { name: regions.east.name } } },
        { order: 2, allottedSeconds: 420, status: 'UPCOMING', cadre: { id: String(cadres[1].id), name: cadres[1].name, region: { name: regions.west.name } } },
        { order: 3, allottedSeconds: 600, status: 'UPCOMING', cadre: { id: String(cadres[2].id), name: cadres[2].name, region: { name: regions.east.name } } },
      ]);
    });

    it('replaces the whole line-up, reordered and shortened', async () => {
      const { session, cadres } = await sessionWithLineup();
      const fresh = await createCadre(app.ds.manager);
      const res = await app.gql(
        SET_LINEUP,
        { sessionId: String(session.id), entries: [entry(cadres[2], 120), entry(fresh, 3600), entry(cadres[0], 1)] },
        await app.tokenFor(admin),
      );
      expect(res.errors).toBeUndefined();
      const expected = [
        { order: 1, cadreId: String(cadres[2].id), allottedSeconds: 120, status: 'UPCOMING' },
        { order: 2, cadreId: String(fresh.id), allottedSeconds: 3600, status: 'UPCOMING' },
        { order: 3, cadreId: String(cadres[0].id), allottedSeconds: 1, status: 'UPCOMING' },
      ];
      expect(res.data!.setLineup.speeches).toEqual(expected);
      const stored = await lineupOf(session.id);
      expect(stored.map(({ order, cadreId, allottedSeconds }) => ({ order, cadreId, allottedSeconds }))).toEqual(
        expected.map(({ order, cadreId, allottedSeconds }) => ({ order, cadreId: Number(cadreId), allottedSeconds })),
      );

      const shorter = await app.gql(SET_LINEUP, { sessionId: String(session.id), entries: [entry(cadres[1], 60)] }, await app.tokenFor(admin));
      expect(shorter.errors).toBeUndefined();
      expect(await lineupOf(session.id)).toEqual([expect.objectContaining({ order: 1, cadreId: cadres[1].id, allottedSeconds: 60 })]);
    });

    it('leaves the line-ups of other sessions alone', async () => {
      const a = await sessionWithLineup();
      const b = await sessionWithLineup();
      const before = await lineupOf(a.session.id);
      const res = await app.gql(SET_LINEUP, { sessionId: String(b.session.id), entries: [entry(a.cadres[0])] }, await app.tokenFor(admin));
      expect(res.errors).toBeUndefined();
      expect(await lineupOf(a.session.id)).toEqual(before);
    });

    it.each([
      ['a cadre twice', (c: Cadre[]) => [entry(c[0]), entry(c[1]), entry(c[0])], 'BAD_USER_INPUT'],
      ['allottedSeconds 0', (c: Cadre[]) => [entry(c[0]), entry(c[1], 0)], 'BAD_USER_INPUT'],
      ['allottedSeconds 3601', (c: Cadre[]) => [entry(c[0], 3601), entry(c[1])], 'BAD_USER_INPUT'],
      ['negative allottedSeconds', (c: Cadre[]) => [entry(c[0], -60)], 'BAD_USER_INPUT'],
      ['an empty line-up', () => [], 'BAD_USER_INPUT'],
      ['an unknown cadre', (c: Cadre[]) => [entry(c[1]), entry('999999')], 'NOT_FOUND'],
      ['a garbage cadre id', (c: Cadre[]) => [entry(c[1]), entry('cadre-7')], 'NOT_FOUND'],
    ])('rejects %s and leaves the existing line-up exactly as it was', async (_what, entries, code) => {
      const { session, cadres } = await sessionWithLineup();
      const before = await lineupOf(session.id);
      const total = await speechCount();
      const res = await app.gql(SET_LINEUP, { sessionId: String(session.id), entries: entries(cadres) }, await app.tokenFor(admin));
      expect(codeOf(res)).toBe(code);
      expect(await lineupOf(session.id)).toEqual(before);
      expect(await speechCount()).toBe(total);
    });

    it.each([
      ['an unknown session', '999999'],
      ['a garbage session id', 'session-1'],
    ])('answers NOT_FOUND for %s and changes nothing', async (_what, sessionId) => {
      const cadre = await createCadre(app.ds.manager);
      const sessions = await sessionCount();
      const speeches = await speechCount();
      const res = await app.gql(SET_LINEUP, { sessionId, entries: [entry(cadre)] }, await app.tokenFor(admin));
      expect(codeOf(res)).toBe('NOT_FOUND');
      expect(await sessionCount()).toBe(sessions);
      expect(await speechCount()).toBe(speeches);
    });

    it.each([RoomPhase.SPEECHES, RoomPhase.EVALUATION, RoomPhase.CLOSED])(
      'answers ROOM_INVALID_TRANSITION once the room has moved on to %s and leaves the line-up as it was',
      async (phase) => {
        const { session, cadres } = await sessionWithLineup();
        const order = Object.values(RoomPhase);
        for (const to of order.slice(1, order.indexOf(phase) + 1)) await app.services.room.command(session.id, admin.id, { type: 'ADVANCE_PHASE', to });
        const before = await lineupOf(session.id);
        const res = await app.gql(SET_LINEUP, { sessionId: String(session.id), entries: [entry(cadres[2]), entry(cadres[0])] }, await app.tokenFor(admin));
        expect(codeOf(res)).toBe('ROOM_INVALID_TRANSITION');
        expect(res.errors![0].extensions!.phase).toBe(phase);
        expect(await lineupOf(session.id)).toEqual(before);
      },
    );

    it('is FORBIDDEN to a voter and leaves the line-up as it was', async () => {
      const { session, cadres } = await sessionWithLineup();
      const before = await lineupOf(session.id);
      const res = await app.gql(SET_LINEUP, { sessionId: String(session.id), entries: [entry(cadres[1])] }, await app.tokenFor(voter));
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(await lineupOf(session.id)).toEqual(before);
    });
  });

  describe('registerAttendees', () => {
    const ATTENDEES = `query($id: ID!) { session(id: $id) { id attendeeCount attendees { id username } } }`;
    const attendeeRows = (sessionId: number) => app.ds.getRepository(Attendee).countBy({ sessionId });

    it('registers voters once, however often they are sent', async () => {
      const session = await createNextSession(app.ds.manager);
      const [a, b, c] = [await createUser(app.ds.manager), await createUser(app.ds.manager), await createUser(app.ds.manager)];
      const token = await app.tokenFor(admin);

      const first = await app.gql(REGISTER, { sessionId: String(session.id), userIds: [String(a.id), String(b.id)] }, token);
      expect(first.errors).toBeUndefined();
      expect(first.data!.registerAttendees).toEqual({ id: String(session.id), attendeeCount: 2 });

      const again = await app.gql(REGISTER, { sessionId: String(session.id), userIds: [String(b.id), String(c.id), String(c.id), String(a.id)] }, token);
      expect(again.errors).toBeUndefined();
      expect(again.data!.registerAttendees.attendeeCount).toBe(3);
      expect(await attendeeRows(session.id)).toBe(3);

      const same = await app.gql(REGISTER, { sessionId: String(session.id), userIds: [String(a.id), String(b.id), String(c.id)] }, token);
      expect(same.data!.registerAttendees.attendeeCount).toBe(3);
      expect(await attendeeRows(session.id)).toBe(3);
    });

    it('shows the attendee list to the admin', async () => {
      const session = await createNextSession(app.ds.manager);
      const users = [await createUser(app.ds.manager), await createUser(app.ds.manager)];
      const token = await app.tokenFor(admin);
      expect((await app.gql(REGISTER, { sessionId: String(session.id), userIds: users.map((u) => String(u.id)) }, token)).errors).toBeUndefined();
      const res = await app.gql(ATTENDEES, { id: String(session.id) }, token);
      expect(res.errors).toBeUndefined();
      expect(res.data!.session).toEqual({
        id: String(session.id),
        attendeeCount: 2,
        attendees: users.map((u) => ({ id: String(u.id), username: u.username })),
      });
    });

    it('lets a voter see the count but answers FORBIDDEN for the list', async () => {
      const session = await createNextSession(app.ds.manager);
      const token = await app.tokenFor(voter);
      await app.gql(REGISTER, { sessionId: String(session.id), userIds: [String(voter.id)] }, await app.tokenFor(admin));

      const count = await app.gql(`query($id: ID!) { session(id: $id) { attendeeCount } }`, { id: String(session.id) }, token);
      expect(count.errors).toBeUndefined();
      expect(count.data!.session.attendeeCount).toBe(1);

      const list = await app.gql(ATTENDEES, { id: String(session.id) }, token);
      expect(codeOf(list)).toBe('FORBIDDEN');
      expect(list.data?.session ?? null).toBeNull();
    });

    it.each([
      ['an unknown user', '999999'],
      ['a garbage user id', 'user-1'],
    ])('answers NOT_FOUND for %s and registers no one from that call', async (_what, stranger) => {
      const session = await createNextSession(app.ds.manager);
      const known = await createUser(app.ds.manager);
      const token = await app.tokenFor(admin);
      await app.gql(REGISTER, { sessionId: String(session.id), userIds: [String(voter.id)] }, token);
      const res = await app.gql(REGISTER, { sessionId: String(session.id), userIds: [String(known.id), stranger] }, token);
      expect(codeOf(res)).toBe('NOT_FOUND');
      expect(await attendeeRows(session.id)).toBe(1);
    });

    it('answers NOT_FOUND for an unknown session', async () => {
      const before = await app.ds.getRepository(Attendee).count();
      const res = await app.gql(REGISTER, { sessionId: '999999', userIds: [String(voter.id)] }, await app.tokenFor(admin));
      expect(codeOf(res)).toBe('NOT_FOUND');
      expect(await app.ds.getRepository(Attendee).count()).toBe(before);
    });

    it('answers CONFLICT once the evaluation has frozen the list', async () => {
      const session = await createNextSession(app.ds.manager, { phase: RoomPhase.EVALUATION });
      const res = await app.gql(REGISTER, { sessionId: String(session.id), userIds: [String(voter.id)] }, await app.tokenFor(admin));
      expect(codeOf(res)).toBe('CONFLICT');
      expect(await attendeeRows(session.id)).toBe(0);
    });

    it('is FORBIDDEN to a voter and changes nothing', async () => {
      const session = await createNextSession(app.ds.manager);
      const res = await app.gql(REGISTER, { sessionId: String(session.id), userIds: [String(voter.id)] }, await app.tokenFor(voter));
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(await attendeeRows(session.id)).toBe(0);
    });
  });

  describe('session', () => {
    it('returns the session with its theme', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.USED });
      const session = await createNextSession(app.ds.manager, { themeId: theme.id, title: '第五期' });
      const res = await app.gql(SESSION, { id: String(session.id) }, await app.tokenFor(voter));
      expect(res.errors).toBeUndefined();
      expect(res.data!.session).toEqual({ id: String(session.id), number: session.number, title: '第五期', phase: 'SCHEDULED', theme: { title: theme.title }, speeches: [] });
    });

    it.each([
      ['an unknown id', '999999'],
      ['a garbage id', 'session-1'],
    ])('returns null for %s', async (_what, id) => {
      const res = await app.gql(SESSION, { id }, await app.tokenFor(voter));
      expect(res.errors).toBeUndefined();
      expect(res.data!.session).toBeNull();
    });
  });

  describe('sessions', () => {
    it('walks every page newest first, without skips or repeats', async () => {
      for (let i = 0; i < 5; i++) await createNextSession(app.ds.manager);
      const expected = (await app.ds.getRepository(Session).find({ order: { number: 'DESC' } })).map((s) => s.number);
      const token = await app.tokenFor(voter);

      const pages: SessionPage[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 1000; guard++) {
        const res: GqlResult<{ sessions: SessionPage }> = await app.gql<{ sessions: SessionPage }>(SESSIONS, { first: 2, after }, token);
        expect(res.errors).toBeUndefined();
        pages.push(res.data!.sessions);
        if (!res.data!.sessions.pageInfo.hasNextPage) break;
        after = res.data!.sessions.pageInfo.endCursor;
      }

      expect(pages.flatMap((p) => p.edges.map((e) => e.node.number))).toEqual(expected);
      expect(pages).toHaveLength(Math.ceil(expected.length / 2));
      pages.forEach((page, i) => {
        expect(page.totalCount).toBe(expected.length);
        expect(page.pageInfo.hasNextPage).toBe(i < pages.length - 1);
        expect(page.pageInfo.hasPreviousPage).toBe(i > 0);
        expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1].cursor);
      });
    });

    it.each([
      ['first: 0', { first: 0 }],
      ['first: 101', { first: 101 }],
      ['a malformed after', { after: 'garbage' }],
      ['a cadre cursor', { after: Buffer.from('cadre:3').toString('base64url') }],
    ])('rejects %s with BAD_USER_INPUT', async (_what, args) => {
      expect(codeOf(await app.gql(SESSIONS, args, await app.tokenFor(voter)))).toBe('BAD_USER_INPUT');
    });
  });

  describe('screen token', () => {
    let own: Session;
    let other: Session;
    let screen: string;

    beforeAll(async () => {
      ({ session: own } = await sessionWithLineup());
      other = await createNextSession(app.ds.manager);
      screen = await app.services.tokens.signScreen(own.id);
    });

    it('reads its own session, line-up included', async () => {
      const res = await app.gql(SESSION, { id: String(own.id) }, screen);
      expect(res.errors).toBeUndefined();
      expect(res.data!.session).toMatchObject({ id: String(own.id), number: own.number, phase: 'SCHEDULED' });
      expect(res.data!.session.speeches).toHaveLength(3);
      expect(res.data!.session.speeches[0].cadre.region.name).toEqual(expect.any(String));
    });

    it('answers FORBIDDEN for another session', async () => {
      const res = await app.gql(SESSION, { id: String(other.id) }, screen);
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(res.data?.session ?? null).toBeNull();
    });

    it('answers FORBIDDEN for the attendee list of its own session', async () => {
      const res = await app.gql(`query($id: ID!) { session(id: $id) { attendees { id } } }`, { id: String(own.id) }, screen);
      expect(codeOf(res)).toBe('FORBIDDEN');
    });

    it.each([
      ['sessions', `{ sessions { totalCount } }`],
      ['regions', `{ regions { id } }`],
      ['cadres', `{ cadres { totalCount } }`],
      ['themes', `{ themes { id } }`],
    ])('answers FORBIDDEN for %s', async (_what, query) => {
      const res = await app.gql(query, {}, screen);
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(res.data ?? null).toBeNull();
    });

    it.each([
      ['setLineup on its own session', () => ({ query: SET_LINEUP, variables: { sessionId: String(own.id), entries: [{ cadreId: '1', allottedSeconds: 60 }] } })],
      ['registerAttendees on its own session', () => ({ query: REGISTER, variables: { sessionId: String(own.id), userIds: [String(voter.id)] } })],
      ['scheduleSession', () => ({ query: SCHEDULE, variables: { input: { themeId: '1', title: '第X期', startsAt: STARTS_AT, venue: '报告厅' } } })],
      ['issueScreenToken', () => ({ query: `mutation($id: ID!) { issueScreenToken(sessionId: $id) }`, variables: { id: String(other.id) } })],
      ['approveTheme', () => ({ query: `mutation { approveTheme(id: "1") { id } }`, variables: {} })],
      ['proposeTheme', () => ({ query: `mutation { proposeTheme(input: { title: "主题", description: "说明" }) { id } }`, variables: {} })],
      ['createCadre', () => ({ query: `mutation { createCadre(input: { name: "某人", position: "副县长", regionId: "1" }) { id } }`, variables: {} })],
    ])('answers FORBIDDEN for the mutation %s and changes nothing', async (_what, op) => {
      const counts = async () => [await sessionCount(), await speechCount(), await app.ds.getRepository(Attendee).count(), await app.ds.getRepository(Theme).count(), await app.ds.getRepository(Cadre).count()];
      const before = await counts();
      const lineup = await lineupOf(own.id);
      const { query, variables } = op();
      const res = await app.gql(query, variables, screen);
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
      expect(await lineupOf(own.id)).toEqual(lineup);
    });
  });
});
