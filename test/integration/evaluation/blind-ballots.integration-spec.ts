import type { User } from '../../../src/auth/user.entity';
import { BallotGrade, BallotKeyRow, EvaluationVoter, SpentBallotToken } from '../../../src/modules/evaluation/evaluation.entity';
import { importPublicKey } from '../../../src/modules/evaluation/blind/ballot-keys';
import { blindToken, prepareToken } from '../../../src/modules/evaluation/blind/ballot-client';
import { createUser } from '../../factories';
import { describeEachEngine, EngineName } from '../../helpers/engines';
import { scriptSession, ScriptedSession } from '../../helpers/session-script';
import { codeOf, createTestApp, GqlResult, TestApp } from '../../helpers/test-app';
import { BALLOT_KEY, castWith, HeldToken, ISSUE, takeBallotToken } from '../../helpers/blind-voter';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import type { BallotModeSetting } from '../../../src/config/config';

const OPEN = `mutation($s: ID!) { openEvaluation(sessionId: $s) { status ballotMode } }`;
const CLOSE = `mutation($s: ID!) { closeEvaluation(sessionId: $s, force: true, reason: "投票时间已到") { status ballotsCast results { speech { order } excellent good average poor score rank grade } } }`;
const EVALUATION = `query($s: ID!) { evaluation(sessionId: $s) { status ballotMode ballotsCast tokensIssued } }`;
const VOTERS = `query($s: ID!) { evaluationVoters(sessionId: $s) { voted tokenIssued user { id } } }`;
const SEAT = `query($s: ID!) { mySeat(sessionId: $s) { entitled voted tokenIssued } }`;
const CAST = `mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`;
const ROOM_KEY = `query($s: ID!) { room(sessionId: $s) { evaluation { keyFingerprint } } }`;
const VERIFY = `query($s: ID!, $r: String!) { verifyBallotReceipt(sessionId: $s, receipt: $r) }`;

const SPEAKERS = 5;
const PATTERN = ['GOOD', 'EXCELLENT', 'AVERAGE', 'GOOD', 'POOR'];

interface World {
  app: TestApp;
  s: ScriptedSession;
  tokens: Map<number, string>;
  chairToken: string;
  sid: string;
}

/** Voter i's ballot: every speech but their own, graded by a pattern shifted by i (one EXCELLENT at most). */
function ballotOf(w: World, voterIndex: number, voter: User): { speechId: string; grade: string }[] {
  const own = new Set(w.s.cadres.filter((c) => c.userId === voter.id).map((c) => c.id));
  return w.s.speeches
    .filter((sp) => !own.has(sp.cadreId))
    .map((sp, i) => ({ speechId: String(sp.id), grade: PATTERN[(i + voterIndex) % PATTERN.length] }));
}

async function world(engine: EngineName, ballotMode: BallotModeSetting, voters: number, speakerVoters: number): Promise<World> {
  const app = await createTestApp(engine, { ballotMode });
  const s = await scriptSession(app, { speakers: SPEAKERS, voters, speakerVoters });
  const tokens = new Map<number, string>();
  for (const v of s.voters) tokens.set(v.id, await app.tokenFor(v));
  return { app, s, tokens, chairToken: await app.tokenFor(s.chair), sid: String(s.session.id) };
}

const ok = (r: GqlResult) => {
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!;
};

describeEachEngine('blind-signed ballots', (engine) => {
  describe('a session of twelve voters, two of whom speak', () => {
    let w: World;
    let held: Map<number, HeldToken>;
    const gql = (q: string, v: Record<string, unknown>, t: string | null) => w.app.gql(q, v, t);
    const counts = async () => ({
      spent: await w.app.ds.getRepository(SpentBallotToken).countBy({ sessionId: w.s.session.id }),
      grades: await w.app.ds.getRepository(BallotGrade).countBy({ sessionId: w.s.session.id }),
    });

    beforeAll(async () => {
      w = await world(engine, 'blind', 12, 2);
      expect(ok(await w.app.gql(OPEN, { s: w.sid }, w.chairToken)).openEvaluation).toEqual({ status: 'OPEN', ballotMode: 'BLIND' });
      held = new Map();
    });
    afterAll(() => w.app.close());

    it('keeps a general key and one per speaker who votes, each speaker is answered their own, the others the general one', async () => {
      const keys = await w.app.ds.getRepository(BallotKeyRow).findBy({ sessionId: w.s.session.id });
      const speakerCadres = w.s.cadres.filter((c) => c.userId != null).map((c) => `speaker:${c.id}`);
      expect(keys.map((k) => k.purpose).sort()).toEqual(['general', ...speakerCadres].sort());
      expect(keys.every((k) => k.privateKeyPem?.includes('PRIVATE KEY'))).toBe(true);
      const answered = await Promise.all(w.s.voters.map(async (v) => ok(await gql(BALLOT_KEY, { s: w.sid }, w.tokens.get(v.id)!)).ballotKey.publicKeyPem as string));
      const general = keys.find((k) => k.purpose === 'general')!.publicKeyPem;
      expect(answered.slice(2)).toEqual(Array(10).fill(general));
      expect(answered[0]).toBe(keys.find((k) => k.purpose === `speaker:${w.s.cadres[0].id}`)!.publicKeyPem);
      expect(answered[1]).toBe(keys.find((k) => k.purpose === `speaker:${w.s.cadres[1].id}`)!.publicKeyPem);
    });

    it("tells the room the general key's fingerprint, the one every voter but a speaker is answered", async () => {
      const fingerprints = await Promise.all(w.s.voters.map(async (v) => ok(await gql(BALLOT_KEY, { s: w.sid }, w.tokens.get(v.id)!)).ballotKey.fingerprint as string));
      const announced = ok(await gql(ROOM_KEY, { s: w.sid }, w.chairToken)).room.evaluation.keyFingerprint;
      expect(announced).toMatch(/^[0-9a-f]{64}$/);
      expect(fingerprints.slice(2)).toEqual(Array(10).fill(announced));
      expect(fingerprints.slice(0, 2)).not.toContain(announced);
    });

    it('issues one token per voter under 20 concurrent requests, and the same blinded message again gets the same signature', async () => {
      const voter = w.s.voters[5];
      const token = w.tokens.get(voter.id)!;
      const key = await importPublicKey(ok(await gql(BALLOT_KEY, { s: w.sid }, token)).ballotKey.publicKeyPem);
      const blinded = await Promise.all(Array.from({ length: 20 }, async () => (await blindToken(key, prepareToken())).blindedMessage));
      const answers = await Promise.all(blinded.map((b) => gql(ISSUE, { s: w.sid, b }, token)));
      const won = answers.filter((a) => !a.errors);
      expect(won).toHaveLength(1);
      expect(answers.filter((a) => codeOf(a) === 'BALLOT_TOKEN_ALREADY_ISSUED')).toHaveLength(19);
      const winner = blinded[answers.indexOf(won[0])];
      expect(ok(await gql(ISSUE, { s: w.sid, b: winner }, token)).issueBallotToken).toBe(won[0].data!.issueBallotToken);
      const row = await w.app.ds.getRepository(EvaluationVoter).findOneByOrFail({ sessionId: w.s.session.id, userId: voter.id });
      expect(row).toMatchObject({ tokenIssued: true, voted: false });
    });

    it('refuses a voter who is not entitled, a malformed blinded message, and castBallot in a BLIND evaluation, changing nothing', async () => {
      const stranger = await w.app.tokenFor(w.s.chair);
      expect(codeOf(await gql(ISSUE, { s: w.sid, b: 'AAAA' }, stranger))).toBe('EVALUATION_NOT_ENTITLED');
      const voter = w.s.voters[6];
      expect(codeOf(await gql(ISSUE, { s: w.sid, b: 'not base64url!' }, w.tokens.get(voter.id)!))).toBe('BALLOT_TOKEN_INVALID');
      expect((await w.app.ds.getRepository(EvaluationVoter).findOneByOrFail({ sessionId: w.s.session.id, userId: voter.id })).tokenIssued).toBe(false);
      const cast = await gql(CAST, { s: w.sid, g: ballotOf(w, 6, voter) }, w.tokens.get(voter.id)!);
      expect(codeOf(cast)).toBe('BALLOT_MODE_MISMATCH');
      expect(await counts()).toEqual({ spent: 0, grades: 0 });
    });

    it('lets every voter take a token; the chair and the seat see who took one, never who cast', async () => {
      for (const [i, v] of w.s.voters.entries()) if (i !== 5) held.set(v.id, await takeBallotToken(gql, w.sid, w.tokens.get(v.id)!));
      const voters = ok(await gql(VOTERS, { s: w.sid }, w.chairToken)).evaluationVoters as { voted: boolean; tokenIssued: boolean }[];
      expect(voters.every((v) => v.tokenIssued && !v.voted)).toBe(true);
      expect(ok(await gql(EVALUATION, { s: w.sid }, w.chairToken)).evaluation).toMatchObject({ tokensIssued: 12, ballotsCast: 0 });
      expect(ok(await gql(SEAT, { s: w.sid }, w.tokens.get(w.s.voters[0].id)!)).mySeat).toEqual({ entitled: true, voted: false, tokenIssued: true });
    });

    it('refuses an anonymous ballot sent with Authorization, a forged signature, a speaker grading their own speech and the quota, changing nothing', async () => {
      const speaker = w.s.voters[0];
      const h = held.get(speaker.id)!;
      expect(codeOf(await w.app.gql(`mutation($s: ID!, $t: String!, $sig: String!, $g: [GradeInput!]!) { castAnonymousBallot(sessionId: $s, token: $t, signature: $sig, grades: $g) { receipt } }`, { s: w.sid, t: h.token, sig: h.signature, g: ballotOf(w, 0, speaker) }, w.tokens.get(speaker.id)!))).toBe('BALLOT_NOT_ANONYMOUS');
      const other = held.get(w.s.voters[3].id)!;
      expect(codeOf(await castWith(gql, w.sid, { token: h.token, signature: other.signature }, ballotOf(w, 0, speaker)))).toBe('BALLOT_TOKEN_INVALID');
      expect(codeOf(await castWith(gql, w.sid, { token: 'short', signature: h.signature }, ballotOf(w, 0, speaker)))).toBe('BALLOT_TOKEN_INVALID');
      // The speaker's token carries a ballot without their speech: with it, it is refused, and so is a general ballot short of one.
      const all = w.s.speeches.map((sp, i) => ({ speechId: String(sp.id), grade: PATTERN[i] }));
      expect(codeOf(await castWith(gql, w.sid, h, all))).toBe('BAD_USER_INPUT');
      expect(codeOf(await castWith(gql, w.sid, other, all.slice(1)))).toBe('BAD_USER_INPUT');
      expect(codeOf(await castWith(gql, w.sid, other, all.map((g) => ({ ...g, grade: 'EXCELLENT' }))))).toBe('EVALUATION_QUOTA_EXCEEDED');
      expect(await counts()).toEqual({ spent: 0, grades: 0 });
    });

    it('counts each token once: a retry with the same clientId gets the same receipt, another use BALLOT_TOKEN_SPENT', async () => {
      const results = await Promise.all(
        w.s.voters.filter((v) => held.has(v.id)).map(async (v) => {
          const i = w.s.voters.indexOf(v);
          const h = held.get(v.id)!;
          const [a, b] = await Promise.all([castWith(gql, w.sid, h, ballotOf(w, i, v), `phone-${v.id}`), castWith(gql, w.sid, h, ballotOf(w, i, v), `phone-${v.id}`)]);
          expect(a.errors).toBeUndefined();
          expect(b.data).toEqual(a.data);
          expect(a.data!.castAnonymousBallot.receipt).toBe(h.receipt);
          return { v, i, h };
        }),
      );
      const { v, i, h } = results[0];
      expect(codeOf(await castWith(gql, w.sid, h, ballotOf(w, i, v), 'another-phone'))).toBe('BALLOT_TOKEN_SPENT');
      expect(codeOf(await castWith(gql, w.sid, h, ballotOf(w, i, v)))).toBe('BALLOT_TOKEN_SPENT');
      expect(await counts()).toEqual({ spent: 11, grades: 11 * SPEAKERS - 2 });
      // Checked without Authorization, as the hall does: the check does not name who holds the receipt.
      expect(ok(await gql(VERIFY, { s: w.sid, r: h.receipt }, null)).verifyBallotReceipt).toBe(true);
      expect(ok(await gql(VERIFY, { s: w.sid, r: '0123456789abcdef' }, null)).verifyBallotReceipt).toBe(false);
      expect(ok(await gql(VERIFY, { s: w.sid, r: h.receipt }, w.tokens.get(v.id)!)).verifyBallotReceipt).toBe(true);
      expect(ok(await gql(EVALUATION, { s: w.sid }, w.chairToken)).evaluation).toMatchObject({ ballotsCast: 11, tokensIssued: 12 });
      const spent = await w.app.ds.getRepository(SpentBallotToken).findBy({ sessionId: w.s.session.id });
      expect(Object.keys(spent[0]).sort()).toEqual(['clientId', 'receipt', 'sessionId', 'tokenHash']);
    });

    it('destroys the private keys at the close, after which no token is issued and no ballot cast', async () => {
      const closed = ok(await gql(CLOSE, { s: w.sid }, w.chairToken)).closeEvaluation;
      expect(closed).toMatchObject({ status: 'CLOSED', ballotsCast: 11 });
      const keys = await w.app.ds.getRepository(BallotKeyRow).findBy({ sessionId: w.s.session.id });
      expect(keys.map((k) => k.privateKeyPem)).toEqual(keys.map(() => null));
      expect(keys.every((k) => k.publicKeyPem.includes('PUBLIC KEY'))).toBe(true);
      const late = w.s.voters[5];
      expect(codeOf(await gql(ISSUE, { s: w.sid, b: 'AAAA' }, w.tokens.get(late.id)!))).toBe('EVALUATION_NOT_OPEN');
    });
  });

  it('gives the same results as SIMPLE mode on the same grades', async () => {
    const results: unknown[] = [];
    for (const mode of ['simple', 'blind'] as const) {
      const w = await world(engine, mode, 9, 2);
      try {
        const gql = (q: string, v: Record<string, unknown>, t: string | null) => w.app.gql(q, v, t);
        ok(await gql(OPEN, { s: w.sid }, w.chairToken));
        const announced = ok(await gql(ROOM_KEY, { s: w.sid }, w.chairToken)).room.evaluation.keyFingerprint;
        expect(announced === null).toBe(mode === 'simple');
        for (const [i, v] of w.s.voters.entries()) {
          const grades = ballotOf(w, i, v);
          const token = w.tokens.get(v.id)!;
          ok(mode === 'simple' ? await gql(CAST, { s: w.sid, g: grades }, token) : await castWith(gql, w.sid, await takeBallotToken(gql, w.sid, token), grades));
        }
        results.push(ok(await gql(CLOSE, { s: w.sid }, w.chairToken)).closeEvaluation);
      } finally {
        await w.app.close();
      }
    }
    expect((results[0] as { ballotsCast: number }).ballotsCast).toBe(9);
    expect(results[1]).toEqual(results[0]);
  });

  it('with speakersVote off, entitles no speaker and keeps only the general key: every ballot has one shape', async () => {
    const app = await createTestApp(engine, { ballotMode: 'blind' });
    try {
      const s = await scriptSession(app, { speakers: 3, voters: 6, speakerVoters: 2, until: RoomPhase.SUMMARY });
      const chair = await app.tokenFor(s.chair);
      const secretary = await app.tokenFor(await createUser(app.ds.manager, { roles: ['secretary'] }));
      const SET = `mutation($s: ID!, $v: Boolean!) { setSpeakersVote(sessionId: $s, speakersVote: $v) { speakersVote } }`;
      // The desk decides, until the list of voters freezes (phase EVALUATION).
      expect(codeOf(await app.gql(SET, { s: String(s.session.id), v: false }, chair))).toBe('FORBIDDEN');
      expect(ok(await app.gql(SET, { s: String(s.session.id), v: false }, secretary)).setSpeakersVote).toEqual({ speakersVote: false });
      await app.services.room.command(s.session.id, s.chair.id, { type: 'ADVANCE_PHASE', to: RoomPhase.EVALUATION });
      ok(await app.gql(OPEN, { s: String(s.session.id) }, chair));
      expect(codeOf(await app.gql(SET, { s: String(s.session.id), v: true }, secretary))).toBe('CONFLICT');
      const voters = await app.ds.getRepository(EvaluationVoter).findBy({ sessionId: s.session.id });
      expect(voters.map((v) => v.userId).sort()).toEqual(s.voters.slice(2).map((v) => v.id).sort());
      expect((await app.ds.getRepository(BallotKeyRow).findBy({ sessionId: s.session.id })).map((k) => k.purpose)).toEqual(['general']);
    } finally {
      await app.close();
    }
  });
});
