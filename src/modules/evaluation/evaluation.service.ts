import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import type { Clock } from '../../common/clock';
import { BadUserInputError, ForbiddenError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { writeLock } from '../../db/transaction';
import { Cadre } from '../registry/cadre.entity';
import type { PublishedResult } from '../room/room-events';
import type { RoomService } from '../room/room.service';
import { Attendee } from '../sessions/attendee.entity';
import { checkBallot } from './ballot';
import { BallotGrade, Evaluation, EvaluationStatus, EvaluationVoter } from './evaluation.entity';
import { EvaluationAlreadyVotedError, EvaluationNotEntitledError, EvaluationNotOpenError } from './evaluation.errors';
import type { BallotReceipt, EvaluationResult, GradeInput, VoterStatus } from './evaluation.types';
import { Grade } from './grades';
import { emptyCounts, tally, TallyConfig, TallyResult } from './tally';

/** Who sees results once the evaluation is closed; after publication, everyone who may see the session. */
const SEE_CLOSED_RESULTS = ['chair', 'admin', 'secretary'];
const MAX_CLIENT_ID_CHARS = 64;

/** Thrown inside the ballot transaction when the voter's earlier attempt with this clientId already counted. */
class AlreadyCounted extends Error {}

export class EvaluationService {
  private readonly receiptKey: Buffer;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly room: RoomService,
    secret: string,
    private readonly config: TallyConfig,
  ) {
    this.receiptKey = createHmac('sha256', secret).update('leitai ballot receipts').digest();
  }

  /** Opens the ballot box: freezes the attendees as the entitled voters. */
  async openEvaluation(principal: Principal | null, rawSessionId: string): Promise<Evaluation> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    await this.room.execute(sessionId, actorOf(principal), async (m) => {
      const attendees = await m.getRepository(Attendee).find({ where: { sessionId }, order: { userId: 'ASC' } });
      if (!(await m.getRepository(Evaluation).existsBy({ sessionId }))) {
        if (attendees.length) await m.getRepository(EvaluationVoter).insert(attendees.map((a) => ({ sessionId, userId: a.userId, voted: false, clientId: null })));
        await m.getRepository(Evaluation).insert({ sessionId, status: EvaluationStatus.OPEN, entitledVoters: attendees.length, ballotsCast: 0, openedAt: this.clock.now() });
      }
      return { type: 'OPEN_EVALUATION', entitledVoters: attendees.length };
    });
    return this.ds.getRepository(Evaluation).findOneByOrFail({ sessionId });
  }

  /**
   * One ballot per entitled voter, enforced by a conditional update of the voter's row inside the room's
   * transaction. The grades are stored loose (see BallotGrade); the receipt is a keyed hash of session and voter.
   */
  async castBallot(principal: Principal | null, rawSessionId: string, grades: GradeInput[], clientId: string | null): Promise<BallotReceipt> {
    const userId = actorOf(principal);
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    if (clientId !== null && (clientId.length === 0 || clientId.length > MAX_CLIENT_ID_CHARS)) {
      throw new BadUserInputError(`clientId must be 1–${MAX_CLIENT_ID_CHARS} characters`, 'clientId');
    }
    const lines = grades.map((g, i) => ({ speechId: parseId('speech', g.speechId, `grades.${i}.speechId`), grade: g.grade }));
    const receipt = { sessionId: String(sessionId), receipt: this.receiptFor(sessionId, userId) };
    try {
      await this.room.execute(sessionId, null, async (m, state) => {
        const evaluation = await m.getRepository(Evaluation).findOne({ where: { sessionId }, lock: writeLock(m) });
        if (evaluation?.status !== EvaluationStatus.OPEN) throw new EvaluationNotOpenError(evaluation?.status ?? 'not opened yet');
        const voter = await m.getRepository(EvaluationVoter).findOneBy({ sessionId, userId });
        if (!voter) throw new EvaluationNotEntitledError();
        if (voter.voted) throw clientId !== null && voter.clientId === clientId ? new AlreadyCounted() : new EvaluationAlreadyVotedError();

        const ownCadres = new Set((await m.getRepository(Cadre).findBy({ userId })).map((c) => c.id));
        const toGrade = state.speeches.filter((s) => !ownCadres.has(s.cadreId)).map((s) => s.speechId);
        const refused = checkBallot(lines, toGrade);
        if (refused) throw refused;

        const claimed = await m.getRepository(EvaluationVoter).update({ id: voter.id, voted: false }, { voted: true, clientId });
        if (claimed.affected !== 1) throw new EvaluationAlreadyVotedError();
        if (lines.length) await m.getRepository(BallotGrade).insert(lines.map((l) => ({ id: randomUUID(), sessionId, speechId: l.speechId, grade: l.grade })));
        await m.getRepository(Evaluation).increment({ sessionId }, 'ballotsCast', 1);
        return { type: 'CAST_BALLOT', ballotsCast: evaluation.ballotsCast + 1 };
      });
    } catch (err) {
      if (err instanceof AlreadyCounted) return receipt;
      throw err;
    }
    return receipt;
  }

  /** Closes the ballot box and computes the result once, from the grade counts alone. */
  async closeEvaluation(principal: Principal | null, rawSessionId: string): Promise<Evaluation> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    await this.room.execute(sessionId, actorOf(principal), async (m, state) => {
      const evaluation = await m.getRepository(Evaluation).findOne({ where: { sessionId }, lock: writeLock(m) });
      if (evaluation?.status !== EvaluationStatus.OPEN) throw new EvaluationNotOpenError(evaluation?.status ?? 'not opened yet');
      const counts = await this.gradeCounts(m, sessionId);
      const results = tally(state.speeches.map((s) => ({ speechId: s.speechId, order: s.order, counts: counts.get(s.speechId) ?? emptyCounts() })), this.config);
      await m.getRepository(Evaluation).update({ sessionId }, { status: EvaluationStatus.CLOSED, closedAt: this.clock.now(), resultsJson: JSON.stringify(results) });
      return { type: 'CLOSE_EVALUATION', ballotsCast: evaluation.ballotsCast };
    });
    return this.ds.getRepository(Evaluation).findOneByOrFail({ sessionId });
  }

  /** Publishes the results to the hall, the analysts and the dossiers; they never change afterwards. */
  async publishEvaluation(principal: Principal | null, rawSessionId: string): Promise<Evaluation> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    await this.room.execute(sessionId, actorOf(principal), async (m) => {
      const evaluation = await m.getRepository(Evaluation).findOne({ where: { sessionId }, lock: writeLock(m) });
      const results = evaluation?.resultsJson ? (JSON.parse(evaluation.resultsJson) as TallyResult[]) : [];
      if (evaluation?.status === EvaluationStatus.CLOSED) {
        await m.getRepository(Evaluation).update({ sessionId }, { status: EvaluationStatus.PUBLISHED, publishedAt: this.clock.now() });
      }
      return { type: 'PUBLISH_EVALUATION', results: results.map(published) };
    });
    return this.ds.getRepository(Evaluation).findOneByOrFail({ sessionId });
  }

  async evaluation(rawSessionId: string): Promise<Evaluation | null> {
    return this.ds.getRepository(Evaluation).findOneBy({ sessionId: parseId('session', rawSessionId, 'sessionId') });
  }

  /** Nobody sees results before closing; chair, admin and secretary after; everyone else after publication. */
  results(evaluation: Evaluation, principal: Principal | null): EvaluationResult[] | null {
    if (!evaluation.resultsJson || evaluation.status === EvaluationStatus.OPEN) return null;
    const mayRead = evaluation.status === EvaluationStatus.PUBLISHED || principal?.roles.some((r) => SEE_CLOSED_RESULTS.includes(r));
    if (!mayRead) return null;
    return (JSON.parse(evaluation.resultsJson) as TallyResult[]).map(resultView);
  }

  /** Who has voted, for the chair: never how. */
  async voters(rawSessionId: string): Promise<VoterStatus[]> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const voters = await this.ds.getRepository(EvaluationVoter).find({ where: { sessionId }, order: { userId: 'ASC' } });
    const users = new Map((await this.ds.getRepository(User).findBy({ id: In(voters.map((v) => v.userId)) })).map((u) => [u.id, u]));
    return voters.map((v) => ({ user: users.get(v.userId)!, voted: v.voted }));
  }

  /** True when the receipt belongs to a voter who has voted in this session. */
  async verifyReceipt(rawSessionId: string, receipt: string): Promise<boolean> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const voters = await this.ds.getRepository(EvaluationVoter).findBy({ sessionId, voted: true });
    const given = Buffer.from(receipt);
    return voters.some((v) => {
      const expected = Buffer.from(this.receiptFor(sessionId, v.userId));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }

  private receiptFor(sessionId: number, userId: number): string {
    return createHmac('sha256', this.receiptKey).update(`${sessionId}:${userId}`).digest('base64url').slice(0, 32);
  }

  private async gradeCounts(m: EntityManager, sessionId: number): Promise<Map<number, ReturnType<typeof emptyCounts>>> {
    const rows: { speechId: number; grade: Grade; n: string | number }[] = await m
      .getRepository(BallotGrade)
      .createQueryBuilder('g')
      .select('g.speechId', 'speechId')
      .addSelect('g.grade', 'grade')
      .addSelect('COUNT(*)', 'n')
      .where('g.sessionId = :sessionId', { sessionId })
      .groupBy('g.speechId')
      .addGroupBy('g.grade')
      .getRawMany();
    const counts = new Map<number, ReturnType<typeof emptyCounts>>();
    for (const row of rows) {
      const c = counts.get(Number(row.speechId)) ?? emptyCounts();
      c[row.grade] = Number(row.n);
      counts.set(Number(row.speechId), c);
    }
    return counts;
  }
}

function actorOf(principal: Principal | null): number {
  if (principal?.kind !== 'user') throw new ForbiddenError();
  return principal.userId;
}

function resultView(r: TallyResult): EvaluationResult {
  return { speechId: r.speechId, excellent: r.counts.EXCELLENT, good: r.counts.GOOD, average: r.counts.AVERAGE, poor: r.counts.POOR, score: r.score, rank: r.rank, grade: r.grade, droppedByTie: r.droppedByTie };
}

function published(r: TallyResult): PublishedResult {
  return resultView(r);
}
