import type { User } from '../../../src/auth/user.entity';
import { inTransaction, writeLock } from '../../../src/db/transaction';
import { BallotGrade, Evaluation, EvaluationVoter } from '../../../src/modules/evaluation/evaluation.entity';
import { storeBallotIn } from '../../../src/modules/evaluation/evaluation-steps';
import { Grade } from '../../../src/modules/room/results';
import { RoomEventRecord } from '../../../src/modules/room/room-event.entity';
import { Session } from '../../../src/modules/sessions/session.entity';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession, ScriptedSession } from '../../helpers/session-script';
import { codeOf, createTestApp, GqlResult, TestApp } from '../../helpers/test-app';

const OPEN = `mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`;
/** Forced, with a reason: a close racing the ballots may come before the quorum (hall.integration-spec.ts tests the quorum). */
const CLOSE = `mutation($s: ID!) { closeEvaluation(sessionId: $s, force: true, reason: "投票时间已到") { status ballotsCast results { excellent good average poor } } }`;
const CAST = `mutation($s: ID!, $g: [GradeInput!]!, $c: String) { castBallot(sessionId: $s, grades: $g, clientId: $c) { sessionId receipt } }`;
const EVALUATION = `query($s: ID!) { evaluation(sessionId: $s) { status ballotsCast } }`;

const SPEAKERS = 5;
const GRADES = ['GOOD', 'EXCELLENT', 'AVERAGE', 'GOOD', 'POOR'];

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describeEachEngine('the ballot box under load', (engine) => {
  let app: TestApp;
  let s: ScriptedSession;
  const tokens = new Map<number, string>();
  const sid = () => String(s.session.id);
  const ballot = () => s.speeches.map((sp, i) => ({ speechId: String(sp.id), grade: GRADES[i % GRADES.length] }));
  const cast = (voter: User, clientId: string | null = null): Promise<GqlResult> => app.gql(CAST, { s: sid(), g: ballot(), c: clientId }, tokens.get(voter.id));
  const voted = () => app.ds.getRepository(EvaluationVoter).find({ where: { sessionId: s.session.id, voted: true } });
  const gradeRows = () => app.ds.getRepository(BallotGrade).countBy({ sessionId: s.session.id });
  const castEvents = async () =>
    (await app.ds.getRepository(RoomEventRecord).find({ where: { sessionId: s.session.id }, order: { seq: 'ASC' } }))
      .filter((e) => e.type === 'BALLOT_CAST' || e.type === 'EVALUATION_CLOSED')
      .map((e) => ({ type: e.type, ballotsCast: JSON.parse(e.payload).ballotsCast as number }));
  const totalVotes = (results: { excellent: number; good: number; average: number; poor: number }[]) =>
    results.reduce((n, r) => n + r.excellent + r.good + r.average + r.poor, 0);

  /** Opens a session of `voters` attendees (none of them a speaker) with signed-in tokens. */
  async function openSession(voters: number): Promise<void> {
    s = await scriptSession(app, { speakers: SPEAKERS, voters });
    for (const v of s.voters) tokens.set(v.id, await app.tokenFor(v));
    expect((await app.gql(OPEN, { s: sid() }, await app.tokenFor(s.chair))).errors).toBeUndefined();
  }

  /**
   * A transaction of its own holding the evaluation row (and the session row) exclusively until released: on
   * MySQL row locks, on SQLite the turn of every other transaction.
   */
  async function holdRoom(): Promise<() => Promise<void>> {
    const held = gate();
    const release = gate();
    const done = inTransaction(app.ds, async (m) => {
      await m.getRepository(Session).findOne({ where: { id: s.session.id }, lock: writeLock(m) });
      await m.getRepository(Evaluation).findOne({ where: { sessionId: s.session.id }, lock: writeLock(m) });
      held.open();
      await release.wait;
    });
    await held.wait;
    return async () => {
      release.open();
      await done;
    };
  }

  beforeAll(async () => {
    app = await createTestApp(engine);
  });
  afterAll(() => app.close());

  it('counts 50 voters once each when every ballot is sent twice at once with the same clientId, and the room ends at 50', async () => {
    await openSession(50);
    const sent = s.voters.map((v) => Promise.all([cast(v, `phone-${v.id}`), cast(v, `phone-${v.id}`)]));
    const answers = await Promise.all(sent);

    for (const pair of answers) {
      expect(pair.map((a) => a.errors)).toEqual([undefined, undefined]);
      expect(pair[1].data!.castBallot).toEqual(pair[0].data!.castBallot);
    }
    expect(new Set(answers.map(([a]) => a.data!.castBallot.receipt)).size).toBe(50);
    expect(await voted()).toHaveLength(50);
    expect(await gradeRows()).toBe(50 * SPEAKERS);

    await app.services.evaluations.flushBallots(s.session.id);
    expect((await app.services.room.state(s.session.id)).evaluation!.ballotsCast).toBe(50);
    const events = await castEvents();
    expect(events.length).toBeLessThanOrEqual(50);
    expect(events.map((e) => e.ballotsCast)).toEqual([...events.map((e) => e.ballotsCast)].sort((a, b) => a - b));
    expect(new Set(events.map((e) => e.ballotsCast)).size).toBe(events.length);
    expect(events.at(-1)).toEqual({ type: 'BALLOT_CAST', ballotsCast: 50 });
    expect((await app.gql(EVALUATION, { s: sid() }, tokens.get(s.voters[0].id))).data!.evaluation).toEqual({ status: 'OPEN', ballotsCast: 50 });

    const closed = (await app.gql(CLOSE, { s: sid() }, await app.tokenFor(s.chair))).data!.closeEvaluation;
    expect(closed.ballotsCast).toBe(50);
    expect(totalVotes(closed.results)).toBe(50 * SPEAKERS);
  });

  it('answers a voter who has voted from their own row while the room and the evaluation are locked', async () => {
    await openSession(3);
    const [voter] = s.voters;
    const first = await cast(voter, 'phone-a');
    expect(first.errors).toBeUndefined();
    const outsider = await createUser(app.ds.manager, { roles: ['voter'] });
    tokens.set(outsider.id, await app.tokenFor(outsider));

    const release = await holdRoom();
    try {
      const retry = await cast(voter, 'phone-a');
      expect(retry.data!.castBallot).toEqual(first.data!.castBallot);
      expect(codeOf(await cast(voter, 'phone-b'))).toBe('EVALUATION_ALREADY_VOTED');
      expect(codeOf(await cast(voter, null))).toBe('EVALUATION_ALREADY_VOTED');
      expect(codeOf(await cast(outsider, 'phone-c'))).toBe('EVALUATION_NOT_ENTITLED');
    } finally {
      await release();
    }
    expect(await gradeRows()).toBe(SPEAKERS);
  });

  it('refuses a ballot that cannot get in within 2 s with the retryable SERVICE_UNAVAILABLE, storing nothing', async () => {
    await openSession(2);
    const [voter] = s.voters;
    const release = await holdRoom();
    let refused: GqlResult;
    const startedAt = Date.now();
    try {
      refused = await cast(voter, 'phone-a');
    } finally {
      await release();
    }
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(codeOf(refused)).toBe('SERVICE_UNAVAILABLE');
    expect(refused.errors![0].extensions).toMatchObject({ retryable: true, reason: engine === 'mysql' ? 'lock-wait' : 'queue' });
    expect(refused.errors![0].extensions!.retryAfterMs).toBeGreaterThan(0);
    expect(await voted()).toHaveLength(0);
    expect(await gradeRows()).toBe(0);

    expect((await cast(voter, 'phone-a')).errors).toBeUndefined();
    expect(await voted()).toHaveLength(1);
  });

  it('counts a ballot that commits while the close waits for the evaluation row', async () => {
    await openSession(4);
    for (const v of s.voters.slice(0, 3)) expect((await cast(v)).errors).toBeUndefined();
    const late = await app.ds.getRepository(EvaluationVoter).findOneByOrFail({ sessionId: s.session.id, userId: s.voters[3].id });
    const lines = s.speeches.map((sp) => ({ speechId: sp.id, grade: Grade.GOOD }));

    // The fourth ballot is stored but not yet committed when the close starts.
    const stored = gate();
    const commit = gate();
    const room = await app.services.room.state(s.session.id);
    const fourth = inTransaction(app.ds, async (m) => {
      expect(await storeBallotIn(m, room, late, lines, null)).toBe(true);
      stored.open();
      await commit.wait;
    });
    await stored.wait;
    const closing = app.gql(CLOSE, { s: sid() }, await app.tokenFor(s.chair));
    if (engine === 'mysql') await waitForLockWait();
    commit.open();
    await fourth;

    const closed = (await closing).data!.closeEvaluation;
    expect(closed.ballotsCast).toBe(4);
    expect(totalVotes(closed.results)).toBe(4 * SPEAKERS);
    expect((await app.services.room.state(s.session.id)).evaluation).toMatchObject({ status: 'CLOSED', ballotsCast: 4 });
  });

  it('either counts a ballot racing the close or refuses it with EVALUATION_NOT_OPEN, never after the tally', async () => {
    await openSession(30);
    const chair = await app.tokenFor(s.chair);
    const ballots = s.voters.map((v) => cast(v, `phone-${v.id}`));
    const closing = app.gql(CLOSE, { s: sid() }, chair);
    const more = s.voters.map((v) => cast(v, `phone-${v.id}`));
    const answers = await Promise.all([...ballots, ...more]);
    const closed = (await closing).data!.closeEvaluation;

    const codes = new Set(answers.map((a) => codeOf(a) ?? 'OK'));
    for (const code of codes) expect(['OK', 'EVALUATION_NOT_OPEN']).toContain(code);
    const accepted = new Set(answers.filter((a) => !a.errors).map((a) => a.data!.castBallot.receipt));
    const counted = await voted();
    expect(counted).toHaveLength(accepted.size);
    expect(closed.ballotsCast).toBe(counted.length);
    expect(totalVotes(closed.results)).toBe(counted.length * SPEAKERS);
    expect(await gradeRows()).toBe(counted.length * SPEAKERS);

    // A voter refused on one attempt was counted on the other only if that one was answered with the receipt.
    for (const [i, v] of s.voters.entries()) {
      const mine = [answers[i], answers[i + s.voters.length]];
      expect(counted.some((c) => c.userId === v.id)).toBe(mine.some((a) => !a.errors));
    }

    await app.services.evaluations.flushBallots(s.session.id);
    const events = await castEvents();
    expect(events.at(-1)).toEqual({ type: 'EVALUATION_CLOSED', ballotsCast: counted.length });
    expect(events.every((e) => e.ballotsCast <= counted.length)).toBe(true);
    expect((await app.services.room.state(s.session.id)).evaluation).toMatchObject({ status: 'CLOSED', ballotsCast: counted.length });
  });

  /** Until another connection waits in a statement locking the evaluation row (the close). */
  async function waitForLockWait(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      const [row] = await app.ds.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE ?`, ['%FROM `evaluations`%FOR UPDATE%']);
      if (Number(row.n) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('the close never waited for the evaluation row');
  }
});
