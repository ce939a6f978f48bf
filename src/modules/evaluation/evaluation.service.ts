import { createHmac, timingSafeEqual } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { requireActorId, type Principal } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import type { Clock } from '../../common/clock';
import { checkClientId } from '../../common/validation';
import { parseId } from '../../common/ids';
import { RateLimiter, RateStore } from '../../common/rate-limiter';
import type { RoomService } from '../room/room.service';
import { EvaluationResult, EvaluationStatus } from '../room/results';
import { Evaluation, EvaluationVoter } from './evaluation.entity';
import { BallotAlreadyCounted, castBallotIn, closeEvaluationIn, openEvaluationIn, publishedResult, publishEvaluationIn } from './evaluation-steps';
import type { BallotReceipt, GradeInput, VoterStatus } from './evaluation.types';
import type { TallyConfig, TallyResult } from './tally';

/** Who sees results once the evaluation is closed; after publication, everyone who may see the session. */
const SEE_CLOSED_RESULTS = ['chair', 'admin', 'secretary'];

export class EvaluationService {
  private readonly receiptKey: Buffer;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly room: RoomService,
    secret: string,
    private readonly config: TallyConfig,
    rates: RateStore,
  ) {
    this.receiptKey = createHmac('sha256', secret).update('leitai ballot receipts').digest();
    this.ballotAttempts = new RateLimiter('ballot attempts', [{ limit: 30, windowMs: 60_000 }], rates);
  }

  /** One ballot counts per voter; this only keeps a client from hammering the ballot box. */
  private readonly ballotAttempts: RateLimiter;

  /** Opens the ballot box: freezes the attendees as the entitled voters. */
  async openEvaluation(principal: Principal | null, rawSessionId: string): Promise<Evaluation> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    await this.room.execute(sessionId, requireActorId(principal), (m) => openEvaluationIn(m, sessionId, this.clock));
    return this.ds.getRepository(Evaluation).findOneByOrFail({ sessionId });
  }

  /** One ballot per entitled voter (see castBallotIn); the receipt is a keyed hash of session and voter. */
  async castBallot(principal: Principal | null, rawSessionId: string, grades: GradeInput[], clientId: string | null): Promise<BallotReceipt> {
    const userId = requireActorId(principal);
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    checkClientId(clientId);
    const lines = grades.map((g, i) => ({ speechId: parseId('speech', g.speechId, `grades.${i}.speechId`), grade: g.grade }));
    await this.ballotAttempts.take(`user:${userId}`);
    const receipt = { sessionId: String(sessionId), receipt: this.receiptFor(sessionId, userId) };
    try {
      await this.room.execute(sessionId, null, (m, state) => castBallotIn(m, state, sessionId, userId, lines, clientId));
    } catch (err) {
      if (err instanceof BallotAlreadyCounted) return receipt;
      throw err;
    }
    return receipt;
  }

  /** Closes the ballot box and computes the result once, from the grade counts alone. */
  async closeEvaluation(principal: Principal | null, rawSessionId: string): Promise<Evaluation> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    await this.room.execute(sessionId, requireActorId(principal), (m, state) => closeEvaluationIn(m, state, sessionId, this.clock, this.config));
    return this.ds.getRepository(Evaluation).findOneByOrFail({ sessionId });
  }

  /** Publishes the results to the hall, the analysts and the dossiers; they never change afterwards. */
  async publishEvaluation(principal: Principal | null, rawSessionId: string): Promise<Evaluation> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    await this.room.execute(sessionId, requireActorId(principal), (m) => publishEvaluationIn(m, sessionId, this.clock));
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
    return (JSON.parse(evaluation.resultsJson) as TallyResult[]).map(publishedResult) as EvaluationResult[];
  }

  /** A session's results as `principal` may see them: undefined without an evaluation, null while not theirs to see. */
  async sessionResults(sessionId: number, principal: Principal | null): Promise<EvaluationResult[] | null | undefined> {
    const evaluation = await this.ds.getRepository(Evaluation).findOneBy({ sessionId });
    return evaluation ? this.results(evaluation, principal) : undefined;
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

}

