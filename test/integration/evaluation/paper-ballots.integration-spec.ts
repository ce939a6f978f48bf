import { User } from '../../../src/auth/user.entity';
import { SpeechResultRow } from '../../../src/modules/analytics/projections.entity';
import { BallotGrade, Evaluation } from '../../../src/modules/evaluation/evaluation.entity';
import { PaperSpeechCount, PaperTally } from '../../../src/modules/evaluation/paper/paper-tally.entity';
import { DEFAULT_TALLY_CONFIG, emptyCounts, GradeCounts, tally } from '../../../src/modules/evaluation/tally';
import { JournalEntry } from '../../../src/modules/journal/journal.entity';
import { Grade } from '../../../src/modules/room/results';
import { RoomEventRecord } from '../../../src/modules/room/room-event.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession, ScriptedSession } from '../../helpers/session-script';
import { codeOf, createTestApp, GqlResult, TestApp } from '../../helpers/test-app';

const TALLY_FIELDS = `ballots counts { speechId speech { id order } excellent good average poor } enteredBy { id } enteredAt confirmedBy { id } confirmedAt`;
const OPEN = `mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`;
const CLOSE = `mutation($s: ID!) { closeEvaluation(sessionId: $s) { status ballotsCast } }`;
const ENTER = `mutation($s: ID!, $i: PaperTallyInput!) { enterPaperTally(sessionId: $s, input: $i) { ${TALLY_FIELDS} } }`;
const CONFIRM = `mutation($s: ID!) { confirmPaperTally(sessionId: $s) { ${TALLY_FIELDS} } }`;
const CAST = `mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`;
const EVALUATION = `query($s: ID!) { evaluation(sessionId: $s) { status ballotsCast paperTally { ${TALLY_FIELDS} } results { speech { id } excellent good average poor score rank grade droppedByTie } } }`;
const SEAL = `mutation($s: ID!) { sealArchive(sessionId: $s) { document } }`;

type Counts = [excellent: number, good: number, average: number, poor: number];

/**
 * Four paper ballots over six speeches (at most 2 EXCELLENT a ballot, 8 in all): 7 EXCELLENT, no speech with more
 * than 4 grades, and one speech graded on 3 (a speaker's own ballot skipped it).
 */
const PAPER: Counts[] = [
  [3, 1, 0, 0],
  [2, 2, 0, 0],
  [1, 1, 1, 1],
  [0, 2, 1, 0],
  [1, 3, 0, 0],
  [0, 0, 2, 2],
];

describeEachEngine('paper ballots (纸质票)', (engine) => {
  let app: TestApp;
  let admin: User;
  let admin2: User;
  let secretary: User;
  let analyst: User;
  let s: ScriptedSession;
  const sid = () => String(s.session.id);
  const token = (u: User) => app.tokenFor(u);
  const input = (ballots: number, rows: Counts[] = PAPER) => ({
    ballots,
    counts: s.speeches.map((sp, i) => ({ speechId: String(sp.id), excellent: rows[i][0], good: rows[i][1], average: rows[i][2], poor: rows[i][3] })),
  });
  const enter = async (by: User, i: unknown) => app.gql(ENTER, { s: sid(), i }, await token(by));
  const confirm = async (by: User) => app.gql(CONFIRM, { s: sid() }, await token(by));
  const close = async () => app.gql(CLOSE, { s: sid() }, await token(s.chair));
  /** An electronic ballot from `voter`: grades in line-up order, skipping their own speech. */
  const cast = async (voter: User, grades: Grade[]) => {
    const own = s.cadres.findIndex((c) => c.userId === voter.id);
    const g = s.speeches.filter((_, i) => i !== own).map((sp, i) => ({ speechId: String(sp.id), grade: grades[i % grades.length] }));
    const res = await app.gql(CAST, { s: sid(), g }, await token(voter));
    expect(res.errors).toBeUndefined();
  };
  /** Everything a refused call must leave as it was. */
  const snapshot = async () => ({
    tallies: await app.ds.getRepository(PaperTally).find({ where: { sessionId: s.session.id } }),
    counts: await app.ds.getRepository(PaperSpeechCount).find({ where: { sessionId: s.session.id }, order: { speechId: 'ASC' } }),
    journal: await app.ds.getRepository(JournalEntry).count(),
    evaluation: await app.ds.getRepository(Evaluation).findOneByOrFail({ sessionId: s.session.id }),
    results: await app.ds.getRepository(SpeechResultRow).countBy({ sessionId: s.session.id }),
    events: await app.ds.getRepository(RoomEventRecord).countBy({ sessionId: s.session.id }),
  });
  const expectRefused = async (res: GqlResult, code: string, before: Awaited<ReturnType<typeof snapshot>>) => {
    expect(codeOf(res)).toBe(code);
    expect(res.data ?? null).toBeNull();
    expect(await snapshot()).toEqual(before);
    return res.errors![0];
  };
  /** What the tally gives for the electronic grades stored plus `paper`. */
  const expectedResults = async (paper: Counts[]) => {
    const counts = new Map<number, GradeCounts>(s.speeches.map((sp, i) => [sp.id, { EXCELLENT: paper[i][0], GOOD: paper[i][1], AVERAGE: paper[i][2], POOR: paper[i][3] }]));
    for (const g of await app.ds.getRepository(BallotGrade).findBy({ sessionId: s.session.id })) (counts.get(g.speechId) ?? emptyCounts())[g.grade]++;
    return tally(s.speeches.map((sp) => ({ speechId: sp.id, order: sp.order, counts: counts.get(sp.id)! })), DEFAULT_TALLY_CONFIG).map((r) => ({
      speech: { id: String(r.speechId) },
      excellent: r.counts.EXCELLENT,
      good: r.counts.GOOD,
      average: r.counts.AVERAGE,
      poor: r.counts.POOR,
      score: r.score,
      rank: r.rank,
      grade: r.grade,
      droppedByTie: r.droppedByTie,
    }));
  };

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    admin2 = await createUser(app.ds.manager, { roles: ['admin'] });
    secretary = await createUser(app.ds.manager, { roles: ['secretary'] });
    analyst = await createUser(app.ds.manager, { roles: ['analyst'] });
  });
  afterAll(() => app.close());

  /** Six speakers, eight entitled voters (the first two also speak): the quorum is 6. */
  beforeEach(async () => {
    s = await scriptSession(app, { speakers: 6, voters: 8, speakerVoters: 2 });
    expect((await app.gql(OPEN, { s: sid() }, await token(s.chair))).errors).toBeUndefined();
  });

  describe('the flow', () => {
    it('enters, has another confirm, and closes on the electronic ballots plus the paper ones — in the quorum and in the tally', async () => {
      const { EXCELLENT, GOOD, AVERAGE, POOR } = Grade;
      await cast(s.voters[0], [EXCELLENT, GOOD, AVERAGE, GOOD, POOR]);
      await cast(s.voters[2], [GOOD, EXCELLENT, GOOD, AVERAGE, POOR, GOOD]);
      await cast(s.voters[3], [AVERAGE, GOOD, EXCELLENT, GOOD, GOOD, POOR]);

      app.clock.advance(60_000);
      const entered = await enter(secretary, input(4));
      expect(entered.errors).toBeUndefined();
      expect(entered.data!.enterPaperTally).toEqual({
        ballots: 4,
        counts: s.speeches.map((sp, i) => ({ speechId: String(sp.id), speech: { id: String(sp.id), order: sp.order }, excellent: PAPER[i][0], good: PAPER[i][1], average: PAPER[i][2], poor: PAPER[i][3] })),
        enteredBy: { id: String(secretary.id) },
        enteredAt: app.clock.now().toISOString(),
        confirmedBy: null,
        confirmedAt: null,
      });
      const enteredAt = app.clock.now().toISOString();

      app.clock.advance(30_000);
      const confirmed = await confirm(s.chair);
      expect(confirmed.errors).toBeUndefined();
      expect(confirmed.data!.confirmPaperTally).toMatchObject({ ballots: 4, enteredBy: { id: String(secretary.id) }, enteredAt, confirmedBy: { id: String(s.chair.id) }, confirmedAt: app.clock.now().toISOString() });

      // 3 on phones + 4 on paper = 7 ≥ the quorum of 6: an ordinary close, no force needed.
      expect((await close()).data!.closeEvaluation).toEqual({ status: 'CLOSED', ballotsCast: 7 });
      const evaluation = (await app.gql(EVALUATION, { s: sid() }, await token(secretary))).data!.evaluation;
      expect(evaluation.ballotsCast).toBe(7);
      expect(evaluation.results).toEqual(await expectedResults(PAPER));
      expect(evaluation.paperTally).toMatchObject({ ballots: 4, enteredBy: { id: String(secretary.id) }, confirmedBy: { id: String(s.chair.id) } });
      const totals = evaluation.results.reduce((n: number, r: any) => n + r.excellent + r.good + r.average + r.poor, 0);
      expect(totals).toBe(3 * 6 - 1 + PAPER.flat().reduce((a, b) => a + b, 0));

      const closedEvent = (await app.ds.getRepository(RoomEventRecord).find({ where: { sessionId: s.session.id, type: 'EVALUATION_CLOSED' } }))[0];
      expect(closedEvent).toBeDefined();
      const journal = await app.ds.getRepository(JournalEntry).find({ where: { entity: 'PaperTally', entityId: sid() }, order: { seq: 'ASC' } });
      expect(journal.map((e) => [e.action, e.actorId])).toEqual([
        ['enterPaperTally', secretary.id],
        ['confirmPaperTally', s.chair.id],
      ]);
      expect(journal[0].beforeDigest).toBeNull();
    });

    it('counts a paper-only hall: no phone ballot at all', async () => {
      const rows: Counts[] = PAPER.map(([e, g, a, p]) => [e, g + 2, a, p]);
      expect((await enter(admin, input(6, rows))).errors).toBeUndefined();
      expect((await confirm(admin2)).errors).toBeUndefined();
      expect((await close()).data!.closeEvaluation).toEqual({ status: 'CLOSED', ballotsCast: 6 });
      expect((await app.gql(EVALUATION, { s: sid() }, await token(s.chair))).data!.evaluation.results).toEqual(await expectedResults(rows));
    });

    it('replaces an entry that is not confirmed yet, journalling the one it replaced', async () => {
      expect((await enter(secretary, input(4))).errors).toBeUndefined();
      const second: Counts[] = PAPER.map(([e, g, a, p]) => [0, e + g, a, p]);
      const replaced = await enter(admin, input(5, second));
      expect(replaced.errors).toBeUndefined();
      expect(replaced.data!.enterPaperTally).toMatchObject({ ballots: 5, enteredBy: { id: String(admin.id) }, confirmedBy: null });
      const rows = await app.ds.getRepository(PaperSpeechCount).find({ where: { sessionId: s.session.id } });
      expect(rows).toHaveLength(6);
      expect(rows.every((r) => r.excellent === 0)).toBe(true);
      expect((await app.ds.getRepository(PaperTally).findOneByOrFail({ sessionId: s.session.id })).ballots).toBe(5);
      const journal = await app.ds.getRepository(JournalEntry).find({ where: { entity: 'PaperTally', entityId: sid() }, order: { seq: 'ASC' } });
      expect(journal.map((e) => e.action)).toEqual(['enterPaperTally', 'enterPaperTally']);
      expect(journal[1].beforeDigest).toBe(journal[0].afterDigest);

      // The one who entered last is the one who may not confirm; another admin may.
      expect(codeOf(await confirm(admin))).toBe('PAPER_TALLY_SAME_PERSON');
      expect((await confirm(admin2)).data!.confirmPaperTally.confirmedBy).toEqual({ id: String(admin2.id) });
    });

    it('keeps the paper tally, who entered and who confirmed it, in the sealed archive', async () => {
      expect((await enter(secretary, input(4))).errors).toBeUndefined();
      expect((await confirm(admin)).errors).toBeUndefined();
      await cast(s.voters[4], [Grade.GOOD]);
      await cast(s.voters[5], [Grade.GOOD]);
      expect(codeOf(await close())).toBeUndefined();
      await app.services.room.command(s.session.id, s.chair.id, { type: 'ADVANCE_PHASE', to: RoomPhase.CLOSED });
      const document = (await app.gql(SEAL, { s: sid() }, await token(admin))).data!.sealArchive.document;
      expect(document.evaluation.ballotsCast).toBe(6);
      expect(document.evaluation.paperTally).toEqual({
        ballots: 4,
        counts: s.speeches.map((sp, i) => ({ speechId: sp.id, excellent: PAPER[i][0], good: PAPER[i][1], average: PAPER[i][2], poor: PAPER[i][3] })).sort((a, b) => a.speechId - b.speechId),
        enteredBy: { id: secretary.id, name: secretary.displayName },
        enteredAt: expect.any(String),
        confirmedBy: { id: admin.id, name: admin.displayName },
        confirmedAt: expect.any(String),
      });
    });
  });

  describe('refusals change nothing', () => {
    it.each([
      ['negative ballots', () => ({ ...input(4), ballots: -1 }), 'BAD_USER_INPUT', 'input.ballots'],
      ['a negative count', () => { const i = input(4); i.counts[2].poor = -1; return i; }, 'BAD_USER_INPUT', 'input.counts.2.poor'],
      ['an unknown speech', () => { const i = input(4); i.counts[5].speechId = '999999'; return i; }, 'BAD_USER_INPUT', 'input.counts.5.speechId'],
      ['a speech twice', () => { const i = input(4); i.counts[5].speechId = i.counts[0].speechId; return i; }, 'BAD_USER_INPUT', 'input.counts.5.speechId'],
      ['a missing speech', () => { const i = input(4); i.counts.pop(); return i; }, 'BAD_USER_INPUT', 'input.counts'],
      ['more grades for a speech than ballots', () => input(3), 'PAPER_TALLY_INVALID', undefined],
      ['more ballots than entitled voters', () => input(9, PAPER), 'PAPER_TALLY_INVALID', undefined],
      ['more EXCELLENT than a third of each ballot', () => input(4, PAPER.map(([e, g, a, p], i) => (i === 3 ? [2, g - 1, a, p] : [e, g, a, p]))), 'PAPER_TALLY_INVALID', undefined],
    ])('refuses %s, with or without an entry before it', async (_what, make, code, field) => {
      let before = await snapshot();
      const first = await expectRefused(await enter(secretary, make()), code, before);
      if (field) expect(first.extensions!.field).toBe(field);
      if (code === 'PAPER_TALLY_INVALID') expect(first.extensions!.rule).toMatch(/^(SPEECH_OVER_BALLOTS|OVER_ENTITLED|EXCELLENT_OVER_QUOTA)$/);

      expect((await enter(secretary, input(4))).errors).toBeUndefined();
      before = await snapshot();
      await expectRefused(await enter(secretary, make()), code, before);
    });

    it('names the rule: grades over ballots, ballots over the entitled, EXCELLENT over the quota', async () => {
      const before = await snapshot();
      expect((await expectRefused(await enter(secretary, input(3)), 'PAPER_TALLY_INVALID', before)).extensions).toMatchObject({ rule: 'SPEECH_OVER_BALLOTS', graded: 4, ballots: 3 });
      await cast(s.voters[2], [Grade.GOOD]);
      const afterBallot = await snapshot();
      expect((await expectRefused(await enter(secretary, input(8)), 'PAPER_TALLY_INVALID', afterBallot)).extensions).toMatchObject({ rule: 'OVER_ENTITLED', electronicBallots: 1, ballots: 8, entitledVoters: 8 });
      const tooMany = PAPER.map(([e, g, a, p], i): Counts => (i === 5 ? [2, 0, 1, 1] : [e, g, a, p]));
      expect((await expectRefused(await enter(secretary, input(4, tooMany)), 'PAPER_TALLY_INVALID', afterBallot)).extensions).toMatchObject({ rule: 'EXCELLENT_OVER_QUOTA', excellent: 9, allowed: 8 });
    });

    it('refuses the one who entered it as the one who confirms it', async () => {
      expect((await enter(admin, input(4))).errors).toBeUndefined();
      const before = await snapshot();
      await expectRefused(await confirm(admin), 'PAPER_TALLY_SAME_PERSON', before);
    });

    it('refuses a confirmation when the phones have since made the ballots more than the entitled voters', async () => {
      expect((await enter(secretary, input(6))).errors).toBeUndefined();
      await cast(s.voters[2], [Grade.GOOD]);
      await cast(s.voters[3], [Grade.GOOD]);
      await cast(s.voters[4], [Grade.GOOD]);
      const before = await snapshot();
      expect((await expectRefused(await confirm(admin), 'PAPER_TALLY_INVALID', before)).extensions).toMatchObject({ rule: 'OVER_ENTITLED', electronicBallots: 3, ballots: 6 });
    });

    it('refuses to change or confirm again a confirmed tally', async () => {
      expect((await enter(secretary, input(4))).errors).toBeUndefined();
      expect((await confirm(admin)).errors).toBeUndefined();
      const before = await snapshot();
      await expectRefused(await enter(secretary, input(5)), 'PAPER_TALLY_CONFIRMED', before);
      await expectRefused(await confirm(admin2), 'PAPER_TALLY_CONFIRMED', before);
    });

    it('refuses to close while an entered tally is unconfirmed, and closes once it is confirmed', async () => {
      expect((await enter(secretary, input(6))).errors).toBeUndefined();
      const before = await snapshot();
      const refused = await expectRefused(await close(), 'PAPER_TALLY_UNCONFIRMED', before);
      expect(refused.message).toMatch(/confirm/);
      expect(before.evaluation.status).toBe('OPEN');
      expect((await confirm(admin)).errors).toBeUndefined();
      expect((await close()).data!.closeEvaluation).toEqual({ status: 'CLOSED', ballotsCast: 6 });
    });

    it('refuses to confirm when nothing was entered', async () => {
      const before = await snapshot();
      await expectRefused(await confirm(admin), 'NOT_FOUND', before);
    });

    it('takes counts only while the evaluation is OPEN', async () => {
      const early = await scriptSession(app, { speakers: 3, voters: 2 });
      const i = { ballots: 1, counts: early.speeches.map((sp) => ({ speechId: String(sp.id), excellent: 0, good: 1, average: 0, poor: 0 })) };
      expect(codeOf(await app.gql(ENTER, { s: String(early.session.id), i }, await token(secretary)))).toBe('EVALUATION_NOT_OPEN');
      expect(await app.ds.getRepository(PaperTally).countBy({ sessionId: early.session.id })).toBe(0);

      expect((await enter(secretary, input(6))).errors).toBeUndefined();
      expect((await confirm(admin)).errors).toBeUndefined();
      expect(codeOf(await close())).toBeUndefined();
      const before = await snapshot();
      await expectRefused(await enter(secretary, input(1, PAPER.map(() => [0, 1, 0, 0]))), 'EVALUATION_NOT_OPEN', before);
      await expectRefused(await confirm(admin2), 'EVALUATION_NOT_OPEN', before);
    });
  });

  describe('racing the close', () => {
    it('either counts a confirmation in the close or refuses the close, never closes past an unconfirmed count', async () => {
      await cast(s.voters[2], [Grade.GOOD]);
      expect((await enter(secretary, input(6))).errors).toBeUndefined();
      const [closed, confirmed] = await Promise.all([close(), confirm(admin)]);
      expect(confirmed.errors).toBeUndefined();
      if (closed.errors) {
        expect(codeOf(closed)).toBe('PAPER_TALLY_UNCONFIRMED');
        expect((await app.ds.getRepository(Evaluation).findOneByOrFail({ sessionId: s.session.id })).status).toBe('OPEN');
      } else {
        expect(closed.data!.closeEvaluation).toEqual({ status: 'CLOSED', ballotsCast: 7 });
      }
    });

    it('either takes an entry before the close (which then refuses) or refuses it after', async () => {
      for (const v of s.voters.slice(2, 8)) await cast(v, [Grade.GOOD]);
      const [closed, entered] = await Promise.all([close(), enter(secretary, input(2, PAPER.map((): Counts => [0, 1, 1, 0])))]);
      if (entered.errors) {
        expect(codeOf(entered)).toBe('EVALUATION_NOT_OPEN');
        expect(closed.data!.closeEvaluation).toEqual({ status: 'CLOSED', ballotsCast: 6 });
        expect(await app.ds.getRepository(PaperTally).countBy({ sessionId: s.session.id })).toBe(0);
      } else {
        expect(codeOf(closed)).toBe('PAPER_TALLY_UNCONFIRMED');
        expect((await app.ds.getRepository(Evaluation).findOneByOrFail({ sessionId: s.session.id })).status).toBe('OPEN');
      }
    });
  });

  describe('roles', () => {
    it('lets only the secretary and admins enter, and only admins and the chair confirm', async () => {
      const voter = s.voters[6];
      let before = await snapshot();
      for (const who of [s.chair, analyst, voter]) await expectRefused(await enter(who, input(4)), 'FORBIDDEN', before);
      expect(codeOf(await app.gql(ENTER, { s: sid(), i: input(4) }, null))).toBe('UNAUTHENTICATED');
      expect(codeOf(await app.gql(ENTER, { s: sid(), i: input(4) }, await app.services.tokens.signScreen(s.session.id)))).toBe('FORBIDDEN');

      expect((await enter(secretary, input(4))).errors).toBeUndefined();
      before = await snapshot();
      for (const who of [secretary, analyst, voter]) await expectRefused(await confirm(who), 'FORBIDDEN', before);
    });

    it('shows the paper tally to chair, admin and secretary, and null to everyone else', async () => {
      expect((await enter(secretary, input(4))).errors).toBeUndefined();
      const seen = async (t: string) => (await app.gql(`query($s: ID!) { evaluation(sessionId: $s) { paperTally { ballots } } }`, { s: sid() }, t)).data!.evaluation.paperTally;
      for (const who of [s.chair, admin, secretary]) expect(await seen(await token(who))).toEqual({ ballots: 4 });
      for (const who of [analyst, s.voters[6]]) expect(await seen(await token(who))).toBeNull();
      expect(await seen(await app.services.tokens.signScreen(s.session.id))).toBeNull();
    });
  });
});
