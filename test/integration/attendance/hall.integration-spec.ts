import { User } from '../../../src/auth/user.entity';
import { Archive } from '../../../src/modules/archive/archive.entity';
import { Evaluation } from '../../../src/modules/evaluation/evaluation.entity';
import { RoomEventRecord } from '../../../src/modules/room/room-event.entity';
import { Attendee } from '../../../src/modules/sessions/attendee.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession, ScriptedSession } from '../../helpers/session-script';
import { codeOf, createTestApp, TestApp } from '../../helpers/test-app';

const CODE = `query($s: ID!) { checkInCode(sessionId: $s) { code rotatesAt expiresAt url } }`;
const CHECK_IN = `mutation($s: ID!, $c: String!) { checkIn(sessionId: $s, code: $c) { present checkedInAt user { id } } }`;
const MARK = `mutation($s: ID!, $u: [ID!]!, $p: Boolean!) { markPresent(sessionId: $s, userIds: $u, present: $p) { present user { id } } }`;
const ROOM = `query($s: ID!) { room(sessionId: $s) { seq attendance { expected present } reviews { speechId tone authorName body } summary { body author } evaluation { status quorum ballotsCast closeReason } speeches { id status withdrawnReason } current { speech { id } } } }`;
const SEAT = `query($s: ID!) { mySeat(sessionId: $s) { registered present entitled voted ownSpeechIds } }`;
const REGISTER = `mutation($s: ID!, $u: [ID!]!) { registerAttendees(sessionId: $s, userIds: $u) { id } }`;
const CAST = `mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`;
const CLOSE = `mutation($s: ID!, $f: Boolean, $r: String) { closeEvaluation(sessionId: $s, force: $f, reason: $r) { status ballotsCast quorum closeReason } }`;

describeEachEngine('the hall: check-in, quorum, withdrawn speeches, reviews and the summary', (engine) => {
  let app: TestApp;
  let admin: User;
  let secretary: User;
  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    secretary = await createUser(app.ds.manager, { roles: ['secretary'] });
  });
  afterAll(() => app.close());

  const room = async (s: ScriptedSession) => (await app.gql(ROOM, { s: String(s.session.id) }, await app.tokenFor(s.chair))).data!.room;
  /** Registers `n` new attendees through the API: absent until they check in. */
  const newcomers = async (s: ScriptedSession, n: number) => {
    const users: User[] = [];
    for (let i = 0; i < n; i++) users.push(await createUser(app.ds.manager, { roles: ['voter'] }));
    expect((await app.gql(REGISTER, { s: String(s.session.id), u: users.map((u) => String(u.id)) }, await app.tokenFor(admin))).errors).toBeUndefined();
    return users;
  };
  const code = async (s: ScriptedSession) => (await app.gql(CODE, { s: String(s.session.id) }, await app.tokenFor(s.chair))).data!.checkInCode;

  describe('check-in', () => {
    it('takes the code the hall shows, counts 到会 in the room, and is harmless twice', async () => {
      const s = await scriptSession(app, { speakers: 3, voters: 0, until: RoomPhase.SCHEDULED });
      const [a, b] = await newcomers(s, 2);
      expect((await room(s)).attendance).toEqual({ expected: 2, present: 0 });
      const shown = await code(s);
      expect(shown.code).toMatch(/^\d{6}$/);
      expect(shown.url).toBe(`/hall?session=${s.session.id}&code=${shown.code}`);
      expect(Date.parse(shown.expiresAt) - Date.parse(shown.rotatesAt)).toBe(30_000);

      const first = await app.gql(CHECK_IN, { s: String(s.session.id), c: shown.code }, await app.tokenFor(a));
      expect(first.data!.checkIn).toMatchObject({ present: true, user: { id: String(a.id) } });
      const seq = (await room(s)).seq;
      expect((await app.gql(CHECK_IN, { s: String(s.session.id), c: '000000' }, await app.tokenFor(a))).data!.checkIn.present).toBe(true);
      expect((await room(s)).seq).toBe(seq);
      expect((await room(s)).attendance).toEqual({ expected: 2, present: 1 });
      const logged = await app.ds.getRepository(RoomEventRecord).findOneByOrFail({ sessionId: s.session.id, type: 'ATTENDANCE_CHANGED', seq });
      expect(JSON.parse(logged.payload)).toMatchObject({ userIds: [a.id], present: true, presentCount: 1 });
      expect((await app.gql(SEAT, { s: String(s.session.id) }, await app.tokenFor(b))).data!.mySeat).toEqual({ registered: true, present: false, entitled: false, voted: false, ownSpeechIds: [] });
    });

    it('answers CHECK_IN_CODE_INVALID to a stale or wrong code and changes nothing; a stranger is FORBIDDEN', async () => {
      const s = await scriptSession(app, { speakers: 3, voters: 0, until: RoomPhase.SCHEDULED });
      const [a] = await newcomers(s, 1);
      const old = await code(s);
      app.clock.advance(61_000);
      const before = await room(s);
      const stale = await app.gql(CHECK_IN, { s: String(s.session.id), c: old.code }, await app.tokenFor(a));
      expect(codeOf(stale)).toBe('CHECK_IN_CODE_INVALID');
      const fresh = await code(s);
      const wrong = String((Number(fresh.code) + 1) % 1_000_000).padStart(6, '0');
      expect(codeOf(await app.gql(CHECK_IN, { s: String(s.session.id), c: wrong }, await app.tokenFor(a)))).toBe('CHECK_IN_CODE_INVALID');
      expect(codeOf(await app.gql(CHECK_IN, { s: String(s.session.id), c: 'abc' }, await app.tokenFor(a)))).toBe('CHECK_IN_CODE_INVALID');
      expect(await room(s)).toEqual(before);
      expect(await app.ds.getRepository(Attendee).findOneByOrFail({ sessionId: s.session.id, userId: a.id })).toMatchObject({ checkedInAt: null });
      const stranger = await createUser(app.ds.manager, { roles: ['voter'] });
      expect(codeOf(await app.gql(CHECK_IN, { s: String(s.session.id), c: fresh.code }, await app.tokenFor(stranger)))).toBe('FORBIDDEN');
      // The code of the period before still works for its second half-minute.
      app.clock.advance(30_000);
      expect((await app.gql(CHECK_IN, { s: String(s.session.id), c: fresh.code }, await app.tokenFor(a))).data!.checkIn.present).toBe(true);
    });

    it('takes a hall checking in at once: every one present, named in the log, in fewer room events than check-ins', async () => {
      const s = await scriptSession(app, { speakers: 2, voters: 0, until: RoomPhase.SCHEDULED });
      const hall: User[] = [];
      for (let i = 0; i < 3; i++) hall.push(...(await newcomers(s, 20)));
      const shown = await code(s);
      const answers = await Promise.all(hall.map(async (u) => app.gql(CHECK_IN, { s: String(s.session.id), c: shown.code }, await app.tokenFor(u))));
      expect(answers.filter((a) => a.errors)).toEqual([]);
      expect((await room(s)).attendance).toEqual({ expected: 60, present: 60 });
      const events = await app.ds.getRepository(RoomEventRecord).findBy({ sessionId: s.session.id, type: 'ATTENDANCE_CHANGED' });
      const named = events.flatMap((e) => (JSON.parse(e.payload) as { userIds: number[] }).userIds);
      expect(named.sort((a, b) => a - b)).toEqual(hall.map((u) => u.id).sort((a, b) => a - b));
      expect(events.length).toBeLessThan(3 + 60);
    });

    it('lets the session’s screen read the code, not another session’s', async () => {
      const s = await scriptSession(app, { speakers: 2, voters: 0, until: RoomPhase.SCHEDULED });
      const other = await scriptSession(app, { speakers: 2, voters: 0, until: RoomPhase.SCHEDULED });
      const screen = await app.services.tokens.signScreen(s.session.id);
      expect((await app.gql(CODE, { s: String(s.session.id) }, screen)).data!.checkInCode.code).toMatch(/^\d{6}$/);
      expect(codeOf(await app.gql(CODE, { s: String(other.session.id) }, screen))).toBe('FORBIDDEN');
      const voter = await createUser(app.ds.manager, { roles: ['voter'] });
      expect(codeOf(await app.gql(CODE, { s: String(s.session.id) }, await app.tokenFor(voter)))).toBe('FORBIDDEN');
    });

    it('lets the chair or secretary mark registered attendees present or absent, and refuses strangers', async () => {
      const s = await scriptSession(app, { speakers: 2, voters: 0, until: RoomPhase.SCHEDULED });
      const [a, b] = await newcomers(s, 2);
      const marked = await app.gql(MARK, { s: String(s.session.id), u: [String(a.id), String(b.id)], p: true }, await app.tokenFor(secretary));
      expect(marked.data!.markPresent.map((e: { present: boolean }) => e.present)).toEqual([true, true]);
      await app.gql(MARK, { s: String(s.session.id), u: [String(b.id)], p: false }, await app.tokenFor(s.chair));
      expect((await room(s)).attendance).toEqual({ expected: 2, present: 1 });
      const stranger = await createUser(app.ds.manager, { roles: ['voter'] });
      const before = await room(s);
      const refused = await app.gql(MARK, { s: String(s.session.id), u: [String(a.id), String(stranger.id)], p: false }, await app.tokenFor(s.chair));
      expect(codeOf(refused)).toBe('BAD_USER_INPUT');
      expect(await room(s)).toEqual(before);
      const summary = (await app.gql(`query($s: ID!) { attendance(sessionId: $s) { expected present entries { present user { id } } } }`, { s: String(s.session.id) }, await app.tokenFor(secretary))).data!.attendance;
      expect(summary).toMatchObject({ expected: 2, present: 1 });
      expect(summary.entries[0]).toMatchObject({ present: true, user: { id: String(a.id) } });
    });
  });

  describe('the evaluation entitles those present, and closes below the quorum only by force with a reason', () => {
    it('refuses a registered voter who was not present when it opened', async () => {
      const s = await scriptSession(app, { speakers: 3, voters: 3, until: RoomPhase.SUMMARY });
      const [late] = await newcomers(s, 1);
      await app.services.room.command(s.session.id, s.chair.id, { type: 'ADVANCE_PHASE', to: RoomPhase.EVALUATION });
      const chair = await app.tokenFor(s.chair);
      expect((await app.gql(`mutation($s: ID!) { openEvaluation(sessionId: $s) { entitledVoters quorum } }`, { s: String(s.session.id) }, chair)).data!.openEvaluation).toEqual({ entitledVoters: 3, quorum: 2 });
      const grades = s.speeches.map((sp) => ({ speechId: String(sp.id), grade: 'GOOD' }));
      expect(codeOf(await app.gql(CAST, { s: String(s.session.id), g: grades }, await app.tokenFor(late)))).toBe('EVALUATION_NOT_ENTITLED');
      expect((await app.gql(SEAT, { s: String(s.session.id) }, await app.tokenFor(s.voters[0]))).data!.mySeat).toMatchObject({ present: true, entitled: true, voted: false });
      expect((await app.gql(CAST, { s: String(s.session.id), g: grades }, await app.tokenFor(s.voters[0]))).errors).toBeUndefined();
      expect((await app.gql(SEAT, { s: String(s.session.id) }, await app.tokenFor(s.voters[0]))).data!.mySeat.voted).toBe(true);
    });

    it('answers EVALUATION_QUORUM_NOT_MET below the quorum, needs a reason to force, and keeps the reason in the log and the archive', async () => {
      const s = await scriptSession(app, { speakers: 3, voters: 6 });
      const sid = String(s.session.id);
      const chair = await app.tokenFor(s.chair);
      await app.gql(`mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: sid }, chair);
      const grades = s.speeches.map((sp) => ({ speechId: String(sp.id), grade: 'GOOD' }));
      for (const v of s.voters.slice(0, 3)) expect((await app.gql(CAST, { s: sid, g: grades }, await app.tokenFor(v))).errors).toBeUndefined();

      const refused = await app.gql(CLOSE, { s: sid }, chair);
      expect(codeOf(refused)).toBe('EVALUATION_QUORUM_NOT_MET');
      expect(refused.errors![0].extensions).toMatchObject({ ballotsCast: 3, quorum: 4 });
      expect(codeOf(await app.gql(CLOSE, { s: sid, f: true, r: '  ' }, chair))).toBe('BAD_USER_INPUT');
      expect((await room(s)).evaluation).toEqual({ status: 'OPEN', quorum: 4, ballotsCast: 3, closeReason: null });
      expect(await app.ds.getRepository(Evaluation).findOneByOrFail({ sessionId: s.session.id })).toMatchObject({ status: 'OPEN', closeReason: null });

      const forced = await app.gql(CLOSE, { s: sid, f: true, r: '大雪封路，三位同志未能到会' }, chair);
      expect(forced.data!.closeEvaluation).toEqual({ status: 'CLOSED', ballotsCast: 3, quorum: 4, closeReason: '大雪封路，三位同志未能到会' });
      expect((await room(s)).evaluation).toMatchObject({ status: 'CLOSED', closeReason: '大雪封路，三位同志未能到会' });
      await app.gql(`mutation($s: ID!) { publishEvaluation(sessionId: $s) { status } }`, { s: sid }, chair);
      await app.services.room.command(s.session.id, s.chair.id, { type: 'ADVANCE_PHASE', to: RoomPhase.CLOSED });
      expect((await app.gql(`mutation($s: ID!) { sealArchive(sessionId: $s) { contentHash } }`, { s: sid }, await app.tokenFor(admin))).errors).toBeUndefined();
      const archive = await app.ds.getRepository(Archive).findOneByOrFail({ sessionId: s.session.id });
      expect((archive.document as any).evaluation).toMatchObject({ quorum: 4, ballotsCast: 3, closeReason: '大雪封路，三位同志未能到会' });
    });

    it('closes at the quorum without force', async () => {
      const s = await scriptSession(app, { speakers: 2, voters: 3 });
      const sid = String(s.session.id);
      const chair = await app.tokenFor(s.chair);
      await app.gql(`mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: sid }, chair);
      const grades = s.speeches.map((sp) => ({ speechId: String(sp.id), grade: 'AVERAGE' }));
      for (const v of s.voters.slice(0, 2)) await app.gql(CAST, { s: sid, g: grades }, await app.tokenFor(v));
      expect((await app.gql(CLOSE, { s: sid }, chair)).data!.closeEvaluation).toEqual({ status: 'CLOSED', ballotsCast: 2, quorum: 2, closeReason: null });
    });
  });

  describe('withdrawn speeches', () => {
    it('are skipped, graded by no ballot, outside the one-third base, and their reason stays', async () => {
      const s = await scriptSession(app, { speakers: 4, voters: 3, until: RoomPhase.SPEECHES });
      const sid = String(s.session.id);
      const chair = await app.tokenFor(s.chair);
      const withdrawn = s.speeches[1];
      const res = await app.gql(`mutation($sp: ID!, $r: String!) { withdrawSpeech(speechId: $sp, reason: $r) { id status withdrawnReason } }`, { sp: String(withdrawn.id), r: '因公出差' }, await app.tokenFor(secretary));
      expect(res.data!.withdrawSpeech).toEqual({ id: String(withdrawn.id), status: 'WITHDRAWN', withdrawnReason: '因公出差' });
      const again = await app.gql(`mutation($sp: ID!) { withdrawSpeech(speechId: $sp, reason: "再次") { id } }`, { sp: String(withdrawn.id) }, chair);
      expect(codeOf(again)).toBe('ROOM_INVALID_TRANSITION');
      const spoken: string[] = [];
      for (;;) {
        const started = await app.gql(`mutation($s: ID!) { startSpeech(sessionId: $s) { current { speech { id } } } }`, { s: sid }, chair);
        if (started.errors) break;
        spoken.push(started.data!.startSpeech.current.speech.id);
        if (spoken.length === 1) {
          const late = await app.gql(`mutation($sp: ID!) { withdrawSpeech(speechId: $sp, reason: "迟到") { id } }`, { sp: spoken[0] }, chair);
          expect(codeOf(late)).toBe('ROOM_INVALID_TRANSITION');
        }
        await app.gql(`mutation($s: ID!) { endSpeech(sessionId: $s) { seq } }`, { s: sid }, chair);
      }
      expect(spoken).toEqual([s.speeches[0], s.speeches[2], s.speeches[3]].map((sp) => String(sp.id)));
      for (const to of [RoomPhase.EXCHANGE, RoomPhase.SUMMARY, RoomPhase.EVALUATION]) await app.services.room.command(s.session.id, s.chair.id, { type: 'ADVANCE_PHASE', to });
      await app.gql(`mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: sid }, chair);
      const voter = await app.tokenFor(s.voters[0]);
      const withIt = s.speeches.map((sp) => ({ speechId: String(sp.id), grade: 'GOOD' }));
      expect(codeOf(await app.gql(CAST, { s: sid, g: withIt }, voter))).toBe('BAD_USER_INPUT');
      const others = s.speeches.filter((sp) => sp.id !== withdrawn.id);
      const twoExcellent = others.map((sp, i) => ({ speechId: String(sp.id), grade: i < 2 ? 'EXCELLENT' : 'GOOD' }));
      expect(codeOf(await app.gql(CAST, { s: sid, g: twoExcellent }, voter))).toBe('EVALUATION_QUOTA_EXCEEDED');
      const oneExcellent = others.map((sp, i) => ({ speechId: String(sp.id), grade: i < 1 ? 'EXCELLENT' : 'GOOD' }));
      for (const v of s.voters) expect((await app.gql(CAST, { s: sid, g: oneExcellent }, await app.tokenFor(v))).errors).toBeUndefined();
      const closed = await app.gql(`mutation($s: ID!) { closeEvaluation(sessionId: $s) { status } }`, { s: sid }, chair);
      expect(closed.errors).toBeUndefined();
      const results = (await app.gql(`query($s: ID!) { evaluation(sessionId: $s) { results { speech { id } } } }`, { s: sid }, chair)).data!.evaluation.results;
      expect(results.map((r: { speech: { id: string } }) => r.speech.id).sort()).toEqual(others.map((sp) => String(sp.id)).sort());
      expect((await room(s)).speeches[1]).toEqual({ id: String(withdrawn.id), status: 'WITHDRAWN', withdrawnReason: '因公出差' });
    });
  });

  describe('mySessions', () => {
    it('lists the sessions an attendee is registered for, and every open one for a leader', async () => {
      const s = await scriptSession(app, { speakers: 2, voters: 1, until: RoomPhase.SCHEDULED });
      const ids = async (u: User) => (await app.gql(`{ mySessions { id phase } }`, {}, await app.tokenFor(u))).data!.mySessions.map((x: { id: string }) => x.id);
      expect(await ids(s.voters[0])).toEqual([String(s.session.id)]);
      const stranger = await createUser(app.ds.manager, { roles: ['voter'] });
      expect(await ids(stranger)).toEqual([]);
      const leader = await createUser(app.ds.manager, { roles: ['leader'] });
      expect(await ids(leader)).toContain(String(s.session.id));
    });
  });

  describe('reviews and the summary', () => {
    it('carries the leaders’ reviews newest first and the 总结讲话 in the room’s state, recorded in SUMMARY only', async () => {
      const s = await scriptSession(app, { speakers: 2, voters: 1, until: RoomPhase.EXCHANGE });
      const sid = String(s.session.id);
      const leader = await createUser(app.ds.manager, { roles: ['leader'], displayName: '张书记' });
      const leaderToken = await app.tokenFor(leader);
      const postAs = (sp: number, tone: string, body: string) =>
        app.gql(`mutation($sp: ID!, $t: ReviewTone!, $b: String!) { postReview(speechId: $sp, tone: $t, body: $b) { id } }`, { sp: String(sp), t: tone, b: body }, leaderToken);
      expect((await postAs(s.speeches[0].id, 'PRAISE', '数据扎实')).errors).toBeUndefined();
      expect((await postAs(s.speeches[1].id, 'DIRECTIVE', '三个月内拿出方案')).errors).toBeUndefined();
      const SUMMARY = `mutation($s: ID!, $b: String!) { recordSummary(sessionId: $s, body: $b) { body author } }`;
      expect(codeOf(await app.gql(SUMMARY, { s: sid, b: '总结' }, leaderToken))).toBe('ROOM_INVALID_TRANSITION');
      await app.services.room.command(s.session.id, s.chair.id, { type: 'ADVANCE_PHASE', to: RoomPhase.SUMMARY });
      expect(codeOf(await app.gql(SUMMARY, { s: sid, b: '总结' }, await app.tokenFor(s.voters[0])))).toBe('FORBIDDEN');
      expect((await app.gql(SUMMARY, { s: sid, b: '  一要抓项目，二要抓落实。 ' }, leaderToken)).data!.recordSummary).toEqual({ body: '一要抓项目，二要抓落实。', author: '张书记' });
      const state = await room(s);
      expect(state.reviews).toEqual([
        { speechId: String(s.speeches[1].id), tone: 'DIRECTIVE', authorName: '张书记', body: '三个月内拿出方案' },
        { speechId: String(s.speeches[0].id), tone: 'PRAISE', authorName: '张书记', body: '数据扎实' },
      ]);
      expect(state.summary).toEqual({ body: '一要抓项目，二要抓落实。', author: '张书记' });
      const seen = await app.services.hub.states(s.session.id);
      const first = await seen.next();
      expect(first.value.summary?.body).toBe('一要抓项目，二要抓落实。');
      expect(first.value.reviews).toHaveLength(2);
      await seen.return?.();
      // The subscription asked the log for news; let that read finish before the test's database closes.
      await app.services.hub.refresh(s.session.id);
    });
  });
});
