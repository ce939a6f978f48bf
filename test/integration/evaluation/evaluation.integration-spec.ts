import { printSchema } from 'graphql';
import { User } from '../../../src/auth/user.entity';
import { buildAppSchema } from '../../../src/app/schema';
import { BallotGrade, EvaluationVoter } from '../../../src/modules/evaluation/evaluation.entity';
import { RoomEventRecord } from '../../../src/modules/room/room-event.entity';
import { Attendee } from '../../../src/modules/sessions/attendee.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession, ScriptedSession } from '../../helpers/session-script';
import { codeOf, createTestApp, TestApp } from '../../helpers/test-app';

const OPEN = `mutation($s: ID!) { openEvaluation(sessionId: $s) { status entitledVoters ballotsCast } }`;
/** Forced, with a reason: these sessions close with fewer ballots than the quorum (hall.integration-spec.ts tests the quorum). */
const CLOSE = `mutation($s: ID!) { closeEvaluation(sessionId: $s, force: true, reason: "部分同志未投票") { status ballotsCast } }`;
const PUBLISH = `mutation($s: ID!) { publishEvaluation(sessionId: $s) { status } }`;
const CAST = `mutation($s: ID!, $g: [GradeInput!]!, $c: String) { castBallot(sessionId: $s, grades: $g, clientId: $c) { sessionId receipt } }`;
const EVALUATION = `query($s: ID!) { evaluation(sessionId: $s) { status entitledVoters ballotsCast results { speech { id order } excellent good average poor score rank grade droppedByTie } } }`;

describeEachEngine('democratic evaluation', (engine) => {
  let app: TestApp;
  let admin: User;
  let secretary: User;
  let analyst: User;
  let s: ScriptedSession;
  const token = (u: User) => app.tokenFor(u);
  const sid = () => String(s.session.id);
  /** A ballot from `voter`: grades in line-up order, skipping their own speech. */
  const ballot = (voter: User, grades: string[]) => {
    const own = s.cadres.findIndex((c) => c.userId === voter.id);
    const mine = s.speeches.filter((_, i) => i !== own);
    return mine.map((sp, i) => ({ speechId: String(sp.id), grade: grades[i % grades.length] }));
  };
  const cast = async (voter: User, grades: string[], clientId?: string) => app.gql(CAST, { s: sid(), g: ballot(voter, grades), c: clientId ?? null }, await token(voter));
  const gradeRows = () => app.ds.getRepository(BallotGrade).countBy({ sessionId: s.session.id });

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    secretary = await createUser(app.ds.manager, { roles: ['secretary'] });
    analyst = await createUser(app.ds.manager, { roles: ['analyst'] });
  });
  afterAll(() => app.close());

  beforeEach(async () => {
    s = await scriptSession(app, { speakers: 6, voters: 8, speakerVoters: 2 });
  });

  describe('the flow', () => {
    it('opens, takes ballots, closes with results, publishes — each step a room event the screen can count', async () => {
      const chair = await token(s.chair);
      expect((await app.gql(OPEN, { s: sid() }, chair)).data!.openEvaluation).toEqual({ status: 'OPEN', entitledVoters: 8, ballotsCast: 0 });
      for (const v of s.voters.slice(0, 5)) expect((await cast(v, ['EXCELLENT', 'GOOD', 'GOOD', 'AVERAGE', 'POOR', 'GOOD'])).errors).toBeUndefined();
      const screen = await app.services.tokens.signScreen(s.session.id);
      const room = await app.gql(`query($s: ID!) { room(sessionId: $s) { evaluation { status entitledVoters ballotsCast results { rank } } } }`, { s: sid() }, screen);
      expect(room.data!.room.evaluation).toEqual({ status: 'OPEN', entitledVoters: 8, ballotsCast: 5, results: null });

      expect((await app.gql(CLOSE, { s: sid() }, chair)).data!.closeEvaluation).toEqual({ status: 'CLOSED', ballotsCast: 5 });
      const closed = (await app.gql(EVALUATION, { s: sid() }, await token(secretary))).data!.evaluation;
      expect(closed.results).toHaveLength(6);
      const totalVotes = closed.results.reduce((n: number, r: any) => n + r.excellent + r.good + r.average + r.poor, 0);
      expect(totalVotes).toBe(5 * 6 - 2);
      expect(closed.results.filter((r: any) => r.grade === 'EXCELLENT').length).toBeLessThanOrEqual(2);

      expect((await app.gql(PUBLISH, { s: sid() }, chair)).data!.publishEvaluation.status).toBe('PUBLISHED');
      const published = await app.gql(`query($s: ID!) { room(sessionId: $s) { evaluation { status results { rank grade } } } }`, { s: sid() }, screen);
      expect(published.data!.room.evaluation.results).toHaveLength(6);

      const types = (await app.ds.getRepository(RoomEventRecord).find({ where: { sessionId: s.session.id }, order: { seq: 'ASC' } })).map((e) => e.type);
      expect(types.slice(-8)).toEqual(['EVALUATION_OPENED', 'BALLOT_CAST', 'BALLOT_CAST', 'BALLOT_CAST', 'BALLOT_CAST', 'BALLOT_CAST', 'EVALUATION_CLOSED', 'EVALUATION_PUBLISHED']);
    });

    it('shows results to nobody while open; to chair, admin and secretary once closed; to everyone once published', async () => {
      const chair = await token(s.chair);
      await app.gql(OPEN, { s: sid() }, chair);
      await cast(s.voters[3], ['GOOD']);
      const readers = { chair: s.chair, admin, secretary, analyst, voter: s.voters[3] };
      const seen = async () => {
        const out: Record<string, boolean> = {};
        for (const [name, user] of Object.entries(readers)) out[name] = (await app.gql(EVALUATION, { s: sid() }, await token(user))).data!.evaluation.results !== null;
        out.screen = (await app.gql(EVALUATION, { s: sid() }, await app.services.tokens.signScreen(s.session.id))).data!.evaluation.results !== null;
        return out;
      };
      expect(await seen()).toEqual({ chair: false, admin: false, secretary: false, analyst: false, voter: false, screen: false });
      await app.gql(CLOSE, { s: sid() }, chair);
      expect(await seen()).toEqual({ chair: true, admin: true, secretary: true, analyst: false, voter: false, screen: false });
      await app.gql(PUBLISH, { s: sid() }, chair);
      expect(await seen()).toEqual({ chair: true, admin: true, secretary: true, analyst: true, voter: true, screen: true });
    });

    it('refuses to open outside phase EVALUATION, to open twice, and to publish before closing', async () => {
      const early = await scriptSession(app, { speakers: 3, voters: 2, until: RoomPhase.SUMMARY });
      expect(codeOf(await app.gql(OPEN, { s: String(early.session.id) }, await token(early.chair)))).toBe('ROOM_INVALID_TRANSITION');
      const chair = await token(s.chair);
      await app.gql(OPEN, { s: sid() }, chair);
      expect(codeOf(await app.gql(OPEN, { s: sid() }, chair))).toBe('CONFLICT');
      expect(codeOf(await app.gql(PUBLISH, { s: sid() }, chair))).toBe('CONFLICT');
      const leave = await app.services.room.command(s.session.id, s.chair.id, { type: 'ADVANCE_PHASE', to: RoomPhase.CLOSED }).catch((e) => e);
      expect(leave.extensions.code).toBe('ROOM_INVALID_TRANSITION');
    });
  });

  describe('castBallot', () => {
    beforeEach(async () => {
      await app.gql(OPEN, { s: sid() }, await token(s.chair));
    });

    it('has a speaker grade everyone but themself, and refuses a ballot that grades their own speech', async () => {
      const speakerVoter = s.voters[0];
      const withOwn = s.speeches.map((sp) => ({ speechId: String(sp.id), grade: 'GOOD' }));
      const refused = await app.gql(CAST, { s: sid(), g: withOwn }, await token(speakerVoter));
      expect(codeOf(refused)).toBe('BAD_USER_INPUT');
      expect((await cast(speakerVoter, ['GOOD'])).errors).toBeUndefined();
    });

    it.each([
      ['four EXCELLENT of six', ['EXCELLENT', 'EXCELLENT', 'EXCELLENT', 'GOOD', 'GOOD', 'GOOD'], 'EVALUATION_QUOTA_EXCEEDED'],
      ['a missing speech', null, 'BAD_USER_INPUT'],
      ['a repeated speech', 'repeat', 'BAD_USER_INPUT'],
      ['an unknown speech', 'unknown', 'BAD_USER_INPUT'],
    ])('refuses %s and stores nothing', async (_what, grades, code) => {
      const voter = s.voters[5];
      let g = ballot(voter, ['GOOD']);
      if (Array.isArray(grades)) g = ballot(voter, grades);
      if (grades === null) g = g.slice(1);
      if (grades === 'repeat') g = [...g.slice(1), g[1]];
      if (grades === 'unknown') g = [...g.slice(1), { speechId: '999999', grade: 'GOOD' }];
      const res = await app.gql(CAST, { s: sid(), g }, await token(voter));
      expect(codeOf(res)).toBe(code);
      if (code === 'EVALUATION_QUOTA_EXCEEDED') expect(res.errors![0].message).toMatch(/3 EXCELLENT|4 EXCELLENT grades for 6 speakers: at most 2/);
      expect(await gradeRows()).toBe(0);
      expect((await app.ds.getRepository(EvaluationVoter).findOneByOrFail({ sessionId: s.session.id, userId: voter.id })).voted).toBe(false);
    });

    it('refuses a non-attendee with EVALUATION_NOT_ENTITLED, and the list stays frozen at opening', async () => {
      const late = await createUser(app.ds.manager, { roles: ['voter'] });
      await app.ds.getRepository(Attendee).insert({ sessionId: s.session.id, userId: late.id });
      expect(codeOf(await cast(late, ['GOOD']))).toBe('EVALUATION_NOT_ENTITLED');
      const reg = await app.gql(`mutation($s: ID!, $u: [ID!]!) { registerAttendees(sessionId: $s, userIds: $u) { id } }`, { s: sid(), u: [String(late.id)] }, await token(admin));
      expect(codeOf(reg)).toBe('CONFLICT');
    });

    it('refuses ballots before opening and after closing with EVALUATION_NOT_OPEN', async () => {
      const other = await scriptSession(app, { speakers: 3, voters: 2 });
      const early = await app.gql(CAST, { s: String(other.session.id), g: other.speeches.map((sp) => ({ speechId: String(sp.id), grade: 'GOOD' })) }, await token(other.voters[0]));
      expect(codeOf(early)).toBe('EVALUATION_NOT_OPEN');
      await app.gql(CLOSE, { s: sid() }, await token(s.chair));
      expect(codeOf(await cast(s.voters[4], ['GOOD']))).toBe('EVALUATION_NOT_OPEN');
    });

    it('accepts exactly one of 20 concurrent ballots from one voter', async () => {
      const voter = s.voters[6];
      const voterToken = await token(voter);
      const results = await Promise.all(Array.from({ length: 20 }, () => app.gql(CAST, { s: sid(), g: ballot(voter, ['GOOD', 'AVERAGE']) }, voterToken)));
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => codeOf(r) === 'EVALUATION_ALREADY_VOTED')).toHaveLength(19);
      expect(await gradeRows()).toBe(6);
      expect((await app.services.room.state(s.session.id)).evaluation!.ballotsCast).toBe(1);
    });

    it('returns the same receipt for a retry with the same clientId, and proves the vote without revealing it', async () => {
      const voter = s.voters[7];
      const first = await cast(voter, ['GOOD'], 'phone-7');
      const retry = await cast(voter, ['POOR'], 'phone-7');
      expect(retry.data!.castBallot.receipt).toBe(first.data!.castBallot.receipt);
      expect(codeOf(await cast(voter, ['GOOD'], 'another-client'))).toBe('EVALUATION_ALREADY_VOTED');
      expect(await gradeRows()).toBe(6);
      const verify = `query($s: ID!, $r: String!) { verifyBallotReceipt(sessionId: $s, receipt: $r) }`;
      expect((await app.gql(verify, { s: sid(), r: first.data!.castBallot.receipt }, await token(analyst))).data!.verifyBallotReceipt).toBe(true);
      expect((await app.gql(verify, { s: sid(), r: 'x'.repeat(32) }, await token(analyst))).data!.verifyBallotReceipt).toBe(false);
    });
  });

  describe('secrecy', () => {
    it('stores grades with no voter, no ballot grouping, no sequential id and no time', async () => {
      const columns = app.ds.getMetadata(BallotGrade).columns.map((c) => c.databaseName).sort();
      expect(columns).toEqual(['grade', 'id', 'session_id', 'speech_id']);
      expect(app.ds.getMetadata(EvaluationVoter).columns.map((c) => c.databaseName).sort()).toEqual(['client_id', 'id', 'session_id', 'token_issued', 'token_request', 'user_id', 'voted']);
      await app.gql(OPEN, { s: sid() }, await token(s.chair));
      await cast(s.voters[4], ['GOOD']);
      await cast(s.voters[5], ['AVERAGE']);
      const ids = (await app.ds.getRepository(BallotGrade).findBy({ sessionId: s.session.id })).map((g) => g.id);
      expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
      const castEvents = await app.ds.getRepository(RoomEventRecord).findBy({ sessionId: s.session.id, type: 'BALLOT_CAST' });
      expect(castEvents.map((e) => [e.actorId, JSON.parse(e.payload)])).toEqual([[null, { type: 'BALLOT_CAST', ballotsCast: 1 }], [null, { type: 'BALLOT_CAST', ballotsCast: 2 }]]);
    });

    it('exposes no GraphQL type that links a voter to a grade', async () => {
      const sdl = printSchema(await buildAppSchema());
      expect(sdl).not.toMatch(/type BallotGrade/);
      const typesWithGrade = [...sdl.matchAll(/type (\w+)[^{]*\{([^}]*)\}/g)].filter(([, , body]) => /:\s*Grade!?/.test(body));
      for (const [, name, body] of typesWithGrade) expect({ name, linksUser: /:\s*User!?\b|userId|voter/i.test(body) }).toEqual({ name, linksUser: false });
    });

    it('shows the chair who has voted, never how', async () => {
      await app.gql(OPEN, { s: sid() }, await token(s.chair));
      await cast(s.voters[2], ['GOOD']);
      const res = await app.gql(`query($s: ID!) { evaluationVoters(sessionId: $s) { user { id } voted } }`, { s: sid() }, await token(s.chair));
      expect(res.data!.evaluationVoters).toHaveLength(8);
      expect(res.data!.evaluationVoters.filter((v: any) => v.voted)).toEqual([{ user: { id: String(s.voters[2].id) }, voted: true }]);
      expect(codeOf(await app.gql(`query($s: ID!) { evaluationVoters(sessionId: $s) { voted } }`, { s: sid() }, await token(analyst)))).toBe('FORBIDDEN');
    });
  });
});
