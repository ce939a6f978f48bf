import { createHash } from 'node:crypto';
import { User } from '../../../src/auth/user.entity';
import { canonicalJson } from '../../../src/common/canonical';
import { Archive } from '../../../src/modules/archive/archive.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession, ScriptedSession } from '../../helpers/session-script';
import { codeOf, createTestApp, TestApp } from '../../helpers/test-app';

const SEAL = `mutation($s: ID!) { sealArchive(sessionId: $s) { sessionId sequence version sealedAt contentHash previousHash document } }`;
const CHAIN = `{ archiveChain { valid length brokenAt } }`;

describeEachEngine('archives', (engine) => {
  let app: TestApp;
  let admin: User;
  let secretary: User;
  let voter: User;
  let adminToken: string;

  /** A session run to CLOSED with a review, an approved comment, an interruption and a published evaluation. */
  async function closedSession(): Promise<ScriptedSession> {
    const s = await scriptSession(app, { speakers: 3, voters: 3, until: RoomPhase.EVALUATION });
    const chair = await app.tokenFor(s.chair);
    await app.gql(`mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: String(s.session.id) }, chair);
    for (const v of s.voters) {
      await app.gql(`mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`, { s: String(s.session.id), g: s.speeches.map((sp, i) => ({ speechId: String(sp.id), grade: i === 0 ? 'EXCELLENT' : 'GOOD' })) }, await app.tokenFor(v));
    }
    await app.gql(`mutation($s: ID!) { closeEvaluation(sessionId: $s) { status } }`, { s: String(s.session.id) }, chair);
    await app.gql(`mutation($s: ID!) { publishEvaluation(sessionId: $s) { status } }`, { s: String(s.session.id) }, chair);
    await app.services.room.command(s.session.id, s.chair.id, { type: 'ADVANCE_PHASE', to: RoomPhase.CLOSED });
    return s;
  }

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    secretary = await createUser(app.ds.manager, { roles: ['secretary'] });
    voter = await createUser(app.ds.manager, { roles: ['voter'] });
    adminToken = await app.tokenFor(admin);
  });
  afterAll(() => app.close());

  it('seals a closed session into a canonical document whose SHA-256 is its contentHash, chained to the one before', async () => {
    const first = await closedSession();
    const second = await closedSession();
    const a = (await app.gql(SEAL, { s: String(first.session.id) }, adminToken)).data!.sealArchive;
    const b = (await app.gql(SEAL, { s: String(second.session.id) }, adminToken)).data!.sealArchive;
    expect(a.previousHash).toBeNull();
    expect(b.previousHash).toBe(a.contentHash);
    expect(b.sequence).toBe(a.sequence + 1);
    expect(createHash('sha256').update(canonicalJson(b.document)).digest('hex')).toBe(b.contentHash);
    expect(b.document.chain).toEqual({ sequence: b.sequence, previousHash: a.contentHash });
    expect(b.document.speeches).toHaveLength(3);
    expect(b.document.speeches[0]).toMatchObject({ order: 1, status: 'FINISHED', spokenMs: 60_000, allottedSeconds: 120 });
    expect(b.document.evaluation).toMatchObject({ status: 'PUBLISHED', entitledVoters: 3, ballotsCast: 3 });
    expect(b.document.evaluation.results[0]).toMatchObject({ speechId: second.speeches[0].id, rank: 1, grade: 'EXCELLENT' });
    expect((await app.gql(CHAIN, {}, await app.tokenFor(secretary))).data!.archiveChain).toEqual({ valid: true, length: 2, brokenAt: null });
  });

  it('refuses to seal a session that is not CLOSED, or one already sealed', async () => {
    const open = await scriptSession(app, { speakers: 2, voters: 0, until: RoomPhase.SUMMARY });
    expect(codeOf(await app.gql(SEAL, { s: String(open.session.id) }, adminToken))).toBe('ROOM_INVALID_TRANSITION');
    const s = await closedSession();
    await app.gql(SEAL, { s: String(s.session.id) }, adminToken);
    expect(codeOf(await app.gql(SEAL, { s: String(s.session.id) }, adminToken))).toBe('ARCHIVE_SEALED');
    expect(codeOf(await app.gql(SEAL, { s: String(s.session.id) }, await app.tokenFor(voter)))).toBe('FORBIDDEN');
  });

  it('answers ARCHIVE_SEALED to any change to a sealed session, and changes nothing', async () => {
    const s = await closedSession();
    await app.gql(SEAL, { s: String(s.session.id) }, adminToken);
    const sid = String(s.session.id);
    const leader = await createUser(app.ds.manager, { roles: ['leader'] });
    const attempts = [
      app.gql(`mutation($s: ID!) { postComment(sessionId: $s, body: "晚来的评论") { id } }`, { s: sid }, await app.tokenFor(leader)),
      app.gql(`mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { id } }`, { s: sid, e: [{ cadreId: String(s.cadres[0].id), allottedSeconds: 60 }] }, adminToken),
      app.gql(`mutation($s: ID!, $u: [ID!]!) { registerAttendees(sessionId: $s, userIds: $u) { id } }`, { s: sid, u: [String(voter.id)] }, adminToken),
      app.gql(`mutation($s: ID!) { publishEvaluation(sessionId: $s) { status } }`, { s: sid }, await app.tokenFor(s.chair)),
    ];
    for (const res of await Promise.all(attempts)) expect(codeOf(res)).toBe('ARCHIVE_SEALED');
    expect((await app.gql(CHAIN, {}, adminToken)).data!.archiveChain.valid).toBe(true);
  });

  it('names the first broken link when a stored document is altered', async () => {
    const s = await closedSession();
    await app.gql(SEAL, { s: String(s.session.id) }, adminToken);
    const stored = await app.ds.getRepository(Archive).findOneByOrFail({ sessionId: s.session.id });
    const forged = { ...stored.document, evaluation: { ...(stored.document.evaluation as object), ballotsCast: 99 } };
    await app.ds.getRepository(Archive).update({ id: stored.id }, { document: forged as never });
    const chain = (await app.gql(CHAIN, {}, adminToken)).data!.archiveChain;
    expect(chain).toMatchObject({ valid: false, brokenAt: String(s.session.id) });
    await app.ds.getRepository(Archive).update({ id: stored.id }, { document: stored.document as never });
    expect((await app.gql(CHAIN, {}, adminToken)).data!.archiveChain.valid).toBe(true);
  });

  describe('cadreDossier', () => {
    const DOSSIER = `query($c: ID!) { cadreDossier(cadreId: $c) { cadre { name } speeches { order allottedSeconds spokenMs overtimeMs status session { number } interruptions { reason cutOff } reviews { tone body } } grades { session { number } grade rank score published } reviews { body } } }`;

    it('gathers a cadre’s speeches with their discipline, the commentary received and grade and rank per session', async () => {
      const s = await scriptSession(app, { speakers: 3, voters: 3, until: RoomPhase.SPEECHES });
      const leader = await createUser(app.ds.manager, { roles: ['leader'] });
      await app.services.room.command(s.session.id, s.chair.id, { type: 'START_SPEECH' });
      await app.services.room.command(s.session.id, s.chair.id, { type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note: null, cutOff: false });
      app.clock.advance(150_000);
      await app.services.room.command(s.session.id, s.chair.id, { type: 'END_SPEECH' });
      await app.gql(`mutation($sp: ID!) { postReview(speechId: $sp, tone: CRITICISM, body: "数据要实") { id } }`, { sp: String(s.speeches[0].id) }, await app.tokenFor(leader));
      for (const to of [RoomPhase.EXCHANGE, RoomPhase.SUMMARY, RoomPhase.EVALUATION]) await app.services.room.command(s.session.id, s.chair.id, { type: 'ADVANCE_PHASE', to });
      const chair = await app.tokenFor(s.chair);
      await app.gql(`mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: String(s.session.id) }, chair);
      for (const v of s.voters) {
        await app.gql(`mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`, { s: String(s.session.id), g: s.speeches.map((sp, i) => ({ speechId: String(sp.id), grade: i === 0 ? 'EXCELLENT' : 'AVERAGE' })) }, await app.tokenFor(v));
      }
      await app.gql(`mutation($s: ID!) { closeEvaluation(sessionId: $s) { status } }`, { s: String(s.session.id) }, chair);

      const res = await app.gql(DOSSIER, { c: String(s.cadres[0].id) }, await app.tokenFor(secretary));
      expect(res.errors).toBeUndefined();
      const d = res.data!.cadreDossier;
      expect(d.speeches).toEqual([
        { order: 1, allottedSeconds: 120, spokenMs: 150_000, overtimeMs: 30_000, status: 'FINISHED', session: { number: s.session.number }, interruptions: [{ reason: 'EMPTY_TALK', cutOff: false }], reviews: [{ tone: 'CRITICISM', body: '数据要实' }] },
      ]);
      expect(d.grades).toEqual([{ session: { number: s.session.number }, grade: 'EXCELLENT', rank: 1, score: 4, published: false }]);
      expect(d.reviews).toEqual([{ body: '数据要实' }]);
    });

    it('is for admin and secretary only, and NOT_FOUND for an unknown cadre', async () => {
      expect(codeOf(await app.gql(DOSSIER, { c: '1' }, await app.tokenFor(voter)))).toBe('FORBIDDEN');
      expect(codeOf(await app.gql(DOSSIER, { c: '999999' }, adminToken))).toBe('NOT_FOUND');
    });
  });
});
