import { User } from '../../../src/auth/user.entity';
import { JournalEntry } from '../../../src/modules/journal/journal.entity';
import { ReportSubmission } from '../../../src/modules/reports/report-submission.entity';
import { Attendee } from '../../../src/modules/sessions/attendee.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { Session } from '../../../src/modules/sessions/session.entity';
import { ThemeStatus } from '../../../src/modules/themes/theme.entity';
import { createNextSession, createRegion, createTheme, createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession, ScriptedSession } from '../../helpers/session-script';
import { codeOf, createTestApp, TEST_NOW, TestApp } from '../../helpers/test-app';

const SERIES = `mutation($input: ScheduleSeriesInput!) { scheduleSeries(input: $input) { id number title startsAt venue phase theme { id status } } }`;
const GROUP = `mutation($s: ID!, $g: AttendeeGroupInput!) { registerAttendeeGroup(sessionId: $s, group: $g) { id attendeeCount } }`;
const SENT = `mutation($k: ReportKind!, $id: ID!, $n: String) { markReportSent(kind: $k, subjectId: $id, note: $n) { id kind subjectId sentAt contentHash note sentBy { id } } }`;
const SUBMISSIONS = `query($k: ReportKind!, $id: ID!) { reportSubmissions(kind: $k, subjectId: $id) { kind subjectId note sentBy { id } } }`;

const DAY = 24 * 3600 * 1000;

describeEachEngine('the desk: a series of sessions, attendees by group, reports marked as sent', (engine) => {
  let app: TestApp;
  let secretary: User;
  let voter: User;
  let desk: string;

  beforeAll(async () => {
    app = await createTestApp(engine);
    secretary = await createUser(app.ds.manager, { roles: ['secretary'] });
    voter = await createUser(app.ds.manager, { roles: ['voter'] });
    desk = await app.tokenFor(secretary);
  });
  afterEach(() => app.clock.set(TEST_NOW));
  afterAll(() => app.close());

  const sessionCount = () => app.ds.getRepository(Session).count();

  describe('scheduleSeries', () => {
    it('schedules a fortnightly series in one go, numbered and titled in order, and marks the theme used', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED });
      const first = new Date(Date.parse(TEST_NOW) + 7 * DAY).toISOString();
      const before = await sessionCount();
      const res = await app.gql(SERIES, { input: { themeId: String(theme.id), titlePrefix: '营商环境大比武', firstStartsAt: first, everyDays: 14, count: 3, venue: '市委党校报告厅' } }, desk);
      expect(res.errors).toBeUndefined();
      const sessions = res.data!.scheduleSeries;
      expect(sessions).toHaveLength(3);
      expect(sessions.map((s: { startsAt: string }) => Date.parse(s.startsAt) - Date.parse(first))).toEqual([0, 14 * DAY, 28 * DAY]);
      const numbers = sessions.map((s: { number: number }) => s.number);
      expect(numbers).toEqual([numbers[0], numbers[0] + 1, numbers[0] + 2]);
      expect(sessions.map((s: { title: string }) => s.title)).toEqual(['营商环境大比武（1/3）', '营商环境大比武（2/3）', '营商环境大比武（3/3）']);
      expect(sessions.every((s: { phase: string; venue: string; theme: { status: string } }) => s.phase === 'SCHEDULED' && s.venue === '市委党校报告厅' && s.theme.status === 'USED')).toBe(true);
      expect(await sessionCount()).toBe(before + 3);
      const journalled = await app.ds.getRepository(JournalEntry).countBy({ action: 'scheduleSeries', actorId: secretary.id });
      expect(journalled).toBeGreaterThanOrEqual(3);
    });

    it('schedules every two weeks when no interval is given', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED });
      const first = new Date(Date.parse(TEST_NOW) + DAY).toISOString();
      const res = await app.gql(SERIES, { input: { themeId: String(theme.id), titlePrefix: '文旅融合', firstStartsAt: first, count: 2, venue: '会议中心' } }, desk);
      expect(res.errors).toBeUndefined();
      expect(Date.parse(res.data!.scheduleSeries[1].startsAt) - Date.parse(first)).toBe(14 * DAY);
    });

    it.each([
      ['a first start in the past', { firstStartsAt: new Date(Date.parse(TEST_NOW) - DAY).toISOString() }, 'input.firstStartsAt'],
      ['no sessions', { count: 0 }, undefined],
      ['more than 26 sessions', { count: 27 }, undefined],
      ['an interval of no days', { everyDays: 0 }, undefined],
      ['a blank title', { titlePrefix: '   ' }, undefined],
    ])('refuses %s with BAD_USER_INPUT and schedules nothing', async (_what, override, field) => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED });
      const input = { themeId: String(theme.id), titlePrefix: '乡村振兴', firstStartsAt: new Date(Date.parse(TEST_NOW) + DAY).toISOString(), everyDays: 14, count: 2, venue: '会议中心', ...override };
      const before = await sessionCount();
      const res = await app.gql(SERIES, { input }, desk);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      if (field) expect(res.errors![0].extensions!.field).toBe(field);
      expect(await sessionCount()).toBe(before);
    });

    it('refuses a theme that is not approved, and a voter', async () => {
      const proposed = await createTheme(app.ds.manager, { status: ThemeStatus.PROPOSED });
      const input = { themeId: String(proposed.id), titlePrefix: '乡村振兴', firstStartsAt: new Date(Date.parse(TEST_NOW) + DAY).toISOString(), count: 2, venue: '会议中心' };
      const before = await sessionCount();
      expect(codeOf(await app.gql(SERIES, { input }, desk))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(SERIES, { input }, await app.tokenFor(voter)))).toBe('FORBIDDEN');
      expect(await sessionCount()).toBe(before);
    });
  });

  describe('registerAttendeeGroup', () => {
    it('registers everyone of the last session, and is harmless twice', async () => {
      const last = await createNextSession(app.ds.manager);
      const people = [await createUser(app.ds.manager, { roles: ['voter'] }), await createUser(app.ds.manager, { roles: ['speaker', 'voter'] })];
      await app.ds.getRepository(Attendee).insert(people.map((u) => ({ sessionId: last.id, userId: u.id })));
      const next = await createNextSession(app.ds.manager);
      const res = await app.gql(GROUP, { s: String(next.id), g: { fromSessionId: String(last.id) } }, desk);
      expect(res.errors).toBeUndefined();
      expect(res.data!.registerAttendeeGroup.attendeeCount).toBe(2);
      expect((await app.gql(GROUP, { s: String(next.id), g: { fromSessionId: String(last.id) } }, desk)).data!.registerAttendeeGroup.attendeeCount).toBe(2);
      const rows = await app.ds.getRepository(Attendee).findBy({ sessionId: next.id });
      expect(rows.map((r) => r.userId).sort((a, b) => a - b)).toEqual(people.map((u) => u.id).sort((a, b) => a - b));
    });

    it('registers the holders of a role in one region, never a screen or someone of another region', async () => {
      const region = await createRegion(app.ds.manager);
      const other = await createRegion(app.ds.manager);
      const inside = await createUser(app.ds.manager, { roles: ['voter'], regionId: region.id });
      await createUser(app.ds.manager, { roles: ['voter'], regionId: other.id });
      await createUser(app.ds.manager, { roles: ['auditor'], regionId: region.id });
      const session = await createNextSession(app.ds.manager);
      const res = await app.gql(GROUP, { s: String(session.id), g: { role: 'VOTER', regionId: String(region.id) } }, desk);
      expect(res.errors).toBeUndefined();
      expect((await app.ds.getRepository(Attendee).findBy({ sessionId: session.id })).map((a) => a.userId)).toEqual([inside.id]);
    });

    it.each([
      ['both a session and a role', (last: string) => ({ fromSessionId: last, role: 'VOTER' }), 'BAD_USER_INPUT'],
      ['neither', () => ({}), 'BAD_USER_INPUT'],
      ['an unknown session', () => ({ fromSessionId: '999999' }), 'NOT_FOUND'],
      ['an empty group', (last: string) => ({ fromSessionId: last }), 'BAD_USER_INPUT'],
    ])('refuses %s and registers no one', async (_what, group, code) => {
      const empty = await createNextSession(app.ds.manager);
      const session = await createNextSession(app.ds.manager);
      const res = await app.gql(GROUP, { s: String(session.id), g: group(String(empty.id)) }, desk);
      expect(codeOf(res)).toBe(code);
      expect(await app.ds.getRepository(Attendee).countBy({ sessionId: session.id })).toBe(0);
    });

    it('refuses once the list of voters is frozen', async () => {
      const s = await scriptSession(app, { speakers: 2, voters: 2, until: RoomPhase.EVALUATION });
      expect((await app.gql(`mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: String(s.session.id) }, await app.tokenFor(s.chair))).errors).toBeUndefined();
      await createUser(app.ds.manager, { roles: ['voter'] });
      const res = await app.gql(GROUP, { s: String(s.session.id), g: { role: 'VOTER' } }, desk);
      expect(codeOf(res)).toBe('CONFLICT');
      expect(await app.ds.getRepository(Attendee).countBy({ sessionId: s.session.id })).toBe(2);
    });
  });

  describe('markReportSent', () => {
    /** A session run to CLOSED with published results, sealed. */
    async function sealedSession(): Promise<ScriptedSession> {
      const s = await scriptSession(app, { speakers: 2, voters: 3, until: RoomPhase.EVALUATION });
      const chair = await app.tokenFor(s.chair);
      const sid = String(s.session.id);
      await app.gql(`mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: sid }, chair);
      for (const v of s.voters) {
        await app.gql(`mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`, { s: sid, g: s.speeches.map((sp) => ({ speechId: String(sp.id), grade: 'GOOD' })) }, await app.tokenFor(v));
      }
      expect((await app.gql(`mutation($s: ID!) { closeEvaluation(sessionId: $s) { status } }`, { s: sid }, chair)).errors).toBeUndefined();
      return s;
    }

    it('refuses results not yet published, then records who sent them and when, with the archive hash, in the journal', async () => {
      const s = await sealedSession();
      const sid = String(s.session.id);
      const before = await app.ds.getRepository(ReportSubmission).count();
      expect(codeOf(await app.gql(SENT, { k: 'EVALUATION', id: sid }, desk))).toBe('CONFLICT');
      expect(codeOf(await app.gql(SENT, { k: 'MINUTES', id: sid }, desk))).toBe('CONFLICT');
      expect(await app.ds.getRepository(ReportSubmission).count()).toBe(before);

      const chair = await app.tokenFor(s.chair);
      await app.gql(`mutation($s: ID!) { publishEvaluation(sessionId: $s) { status } }`, { s: sid }, chair);
      await app.services.room.command(s.session.id, s.chair.id, { type: 'ADVANCE_PHASE', to: RoomPhase.CLOSED });
      const admin = await app.tokenFor(await createUser(app.ds.manager, { roles: ['admin'] }));
      const sealed = (await app.gql(`mutation($s: ID!) { sealArchive(sessionId: $s) { contentHash } }`, { s: sid }, admin)).data!.sealArchive;

      app.clock.advance(3600_000);
      const sent = await app.gql(SENT, { k: 'EVALUATION', id: sid, n: '纸质报送 市委办公室' }, desk);
      expect(sent.errors).toBeUndefined();
      expect(sent.data!.markReportSent).toMatchObject({ kind: 'EVALUATION', subjectId: sid, contentHash: sealed.contentHash, note: '纸质报送 市委办公室', sentBy: { id: String(secretary.id) } });
      expect(Date.parse(sent.data!.markReportSent.sentAt)).toBe(app.clock.now().getTime());
      const trail = await app.ds.getRepository(JournalEntry).findOneByOrFail({ action: 'markReportSent', entityId: sent.data!.markReportSent.id });
      expect(trail.actorId).toBe(secretary.id);
      expect(trail.at.getTime()).toBe(app.clock.now().getTime());

      expect((await app.gql(SENT, { k: 'MINUTES', id: sid }, desk)).errors).toBeUndefined();
      expect((await app.gql(SUBMISSIONS, { k: 'EVALUATION', id: sid }, desk)).data!.reportSubmissions).toEqual([
        { kind: 'EVALUATION', subjectId: sid, note: '纸质报送 市委办公室', sentBy: { id: String(secretary.id) } },
      ]);
    });

    it('sends a dossier of a known cadre only, refuses a long note and a voter', async () => {
      const s = await scriptSession(app, { speakers: 1, voters: 0, until: RoomPhase.SCHEDULED });
      const cadre = String(s.cadres[0].id);
      expect(codeOf(await app.gql(SENT, { k: 'DOSSIER', id: '999999' }, desk))).toBe('NOT_FOUND');
      expect(codeOf(await app.gql(SENT, { k: 'DOSSIER', id: cadre, n: '长'.repeat(501) }, desk))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(SENT, { k: 'DOSSIER', id: cadre }, await app.tokenFor(voter)))).toBe('FORBIDDEN');
      expect(await app.ds.getRepository(ReportSubmission).countBy({ kind: 'DOSSIER' as never, subjectId: s.cadres[0].id })).toBe(0);
      const sent = await app.gql(SENT, { k: 'DOSSIER', id: cadre }, desk);
      expect(sent.data!.markReportSent).toMatchObject({ kind: 'DOSSIER', subjectId: cadre, contentHash: null, note: null });
    });
  });
});
