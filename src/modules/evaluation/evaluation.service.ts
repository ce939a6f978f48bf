import { createHmac, timingSafeEqual } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { requireActorId, type Principal } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import type { Clock } from '../../common/clock';
import { BadUserInputError } from '../../common/errors';
import { DEFAULT_EVALUATION_QUORUM, type BallotModeSetting } from '../../config/config';
import { checkClientId } from '../../common/validation';
import { parseId } from '../../common/ids';
import type { Logger } from '../../common/logger';
import { RateLimiter, RateStore } from '../../common/rate-limiter';
import { inTransaction } from '../../db/transaction';
import type { RoomService } from '../room/room.service';
import type { RoomState } from '../room/room-state';
import { refuseEvaluationStep } from '../room/evaluation-lifecycle';
import { EvaluationNotOpenError } from '../room/room.errors';
import { EvaluationResult, EvaluationStatus } from '../room/results';
import { BallotBatcher, BallotBatcherOptions, DEFAULT_BALLOT_BATCHING } from './ballot-batcher';
import { Cadre } from '../registry/cadre.entity';
import { BallotMode, Evaluation, EvaluationVoter, SpentBallotToken } from './evaluation.entity';
import { BallotModeMismatchError, EvaluationAlreadyVotedError, EvaluationNotEntitledError } from './evaluation.errors';
import { generateKeyRing } from './blind/ballot-keys';
import { Session } from '../sessions/session.entity';
import {
  closeEvaluationIn,
  countBallotsIn,
  countTokensIssuedIn,
  gradedSpeeches,
  speakersWithAccounts,
  openEvaluationIn,
  publishedResult,
  publishEvaluationIn,
  recordBallotsIn,
  storeBallotsIn,
  type CheckedBallot,
  type StoreOutcome,
} from './evaluation-steps';
import { checkBallot } from './ballot';
import { BallotWriter, DEFAULT_BALLOT_WRITING } from './ballot-writer';
import type { BallotReceipt, GradeInput, VoterStatus } from './evaluation.types';
import type { TallyConfig, TallyResult } from './tally';

/** Who sees results once the evaluation is closed; after publication, everyone who may see the session. */
const SEE_CLOSED_RESULTS = ['chair', 'admin', 'secretary'];

/**
 * How long a ballot's transaction may wait for the database to take it up and for a lock (s): past it the request
 * fails with the retryable SERVICE_UNAVAILABLE, well inside the 5 s deadline. (The room command recording a batch
 * answers nobody, so it waits its turn.)
 */
const BALLOT_LOCK_WAIT_S = 2;

export interface EvaluationServiceOptions {
  logger?: Logger;
  /** How ballots are recorded in the room (ballot-batcher.ts); tests inject timers. */
  batching?: Partial<Omit<BallotBatcherOptions, 'onError'>>;
  /** The share of the entitled voters whose ballots an ordinary close needs (EVALUATION_QUORUM); default two thirds. */
  quorum?: number;
  /** How the evaluations opened from now on take ballots (BALLOT_MODE); default blind. */
  ballotMode?: BallotModeSetting;
}

/** The most characters of the reason for a close below the quorum. */
export const MAX_CLOSE_REASON_CHARS = 500;

export class EvaluationService {
  private readonly receiptKey: Buffer;

  private readonly quorumShare: number;

  /** The mode of the evaluations this instance opens. */
  readonly ballotMode: BallotMode;

  /** Called when an evaluation closes, so that what was cached for its box is let go. */
  onClosed: (sessionId: number) => void = () => undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly room: RoomService,
    secret: string,
    private readonly config: TallyConfig,
    rates: RateStore,
    options: EvaluationServiceOptions = {},
  ) {
    this.quorumShare = options.quorum ?? DEFAULT_EVALUATION_QUORUM;
    this.ballotMode = options.ballotMode === 'simple' ? BallotMode.SIMPLE : BallotMode.BLIND;
    this.receiptKey = createHmac('sha256', secret).update('leitai ballot receipts').digest();
    this.ballotAttempts = new RateLimiter('ballot attempts', [{ limit: 30, windowMs: 60_000 }], rates);
    this.batcher = new BallotBatcher((sessionId) => this.recordBallots(sessionId), {
      ...DEFAULT_BALLOT_BATCHING,
      ...options.batching,
      onError: (err, sessionId) => options.logger?.warn({ err, sessionId }, 'recording ballots in the room failed; retried, and the close records the final count'),
    });
    this.writer = new BallotWriter(
      (sessionId, ballots) => inTransaction(this.ds, (m) => storeBallotsIn(m, sessionId, ballots), { lockWaitSeconds: BALLOT_LOCK_WAIT_S }),
      { ...DEFAULT_BALLOT_WRITING, maxWaitMs: BALLOT_LOCK_WAIT_S * 1000 },
    );
  }

  /** One ballot counts per voter; this only keeps a client from hammering the ballot box. */
  private readonly ballotAttempts: RateLimiter;

  /** Records committed ballots in the room, one room command per session per short window. */
  private readonly batcher: BallotBatcher;

  /**
   * Per session with an open evaluation, the speeches each speaker gave (user id → speech ids), read once: the
   * line-up is final once the box opens, and every ballot leaves out its voter's own speech.
   */
  private readonly ownSpeeches = new Map<number, Promise<Map<number, number[]>>>();

  /** Stores ballots, those of a session that arrive together in one transaction. */
  private readonly writer: BallotWriter<CheckedBallot, StoreOutcome>;

  /**
   * Opens the ballot box: freezes the attendees present now as the entitled voters, and the quorum. In BLIND mode
   * the session's keys are made first (outside the room's lock: a key takes a fraction of a second) and stored with
   * the evaluation: the general key, and one per speaker who votes.
   */
  async openEvaluation(principal: Principal | null, rawSessionId: string): Promise<Evaluation> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const actorId = requireActorId(principal);
    const mode = this.ballotMode;
    const keys = mode === BallotMode.BLIND && !(await this.ds.getRepository(Evaluation).existsBy({ sessionId })) ? await this.newKeys(sessionId) : undefined;
    await this.room.execute(sessionId, actorId, (m) => openEvaluationIn(m, sessionId, this.clock, this.quorumShare, { mode, keys }));
    return this.withCount(await this.ds.getRepository(Evaluation).findOneByOrFail({ sessionId }));
  }

  /** A fresh key ring for a session: the general key, and one per cadre of the line-up who has an account and votes. */
  private async newKeys(sessionId: number): Promise<{ purpose: string; publicKeyPem: string; privateKeyPem: string }[]> {
    const session = await this.ds.getRepository(Session).findOneBy({ id: sessionId });
    const voting = session?.speakersVote === false ? [] : await speakersWithAccounts(this.ds.manager, sessionId);
    const ring = await generateKeyRing(voting.map((c) => c.id));
    return [...ring].map(([purpose, key]) => ({ purpose, publicKeyPem: key.publicKeyPem, privateKeyPem: key.privateKeyPkcs8 }));
  }

  /**
   * One ballot per entitled voter; the receipt is a keyed hash of session and voter. A voter who has voted is
   * answered from their own row before anything is locked: the same receipt for a retry with the same clientId,
   * EVALUATION_ALREADY_VOTED otherwise. A new ballot is checked against the line-up and stored in a short
   * transaction with the ballots of the session that arrived with it (BallotWriter, storeBallotsIn), then recorded
   * in the room with the ballots committed about the same time (BallotBatcher); the answer waits for that record,
   * briefly, so the voter's screen counts their ballot.
   */
  async castBallot(principal: Principal | null, rawSessionId: string, grades: GradeInput[], clientId: string | null): Promise<BallotReceipt> {
    const userId = requireActorId(principal);
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    checkClientId(clientId);
    const lines = grades.map((g, i) => ({ speechId: parseId('speech', g.speechId, `grades.${i}.speechId`), grade: g.grade }));
    await this.ballotAttempts.take(`user:${userId}`);
    const receipt = { sessionId: String(sessionId), receipt: this.receiptFor(sessionId, userId) };
    const voters = this.ds.getRepository(EvaluationVoter);
    const voter = await voters.findOneBy({ sessionId, userId });
    if (voter?.voted) return counted(voter, clientId, receipt);
    if (voter?.tokenIssued) throw new BallotModeMismatchError(BallotMode.BLIND);
    // The room says whether the box is open (the ballot's transaction checks it again) and holds the line-up.
    const room = await this.lineup(sessionId);
    const closed = refuseEvaluationStep(room.evaluation?.status, 'ballot');
    if (closed) {
      this.ownSpeeches.delete(sessionId);
      throw closed;
    }
    if (!voter) throw new EvaluationNotEntitledError();
    const refused = checkBallot(lines, await this.speechesToGrade(sessionId, room, userId));
    if (refused) throw refused;
    const outcome = await this.writer.submit(sessionId, { voterId: voter.id, lines, clientId });
    // Another attempt of this voter claimed the row first (in this group or before): answer as to a retry.
    if (!outcome.stored) return counted(outcome, clientId, receipt);
    await this.batcher.committed(sessionId);
    return receipt;
  }

  /**
   * Closes the ballot box and computes the result once, from the grade counts alone. Ballots waiting to be
   * recorded are recorded first; the close itself records the exact final count. Below the quorum it is refused
   * (EVALUATION_QUORUM_NOT_MET) unless `force` comes with a reason, which the room's log and the archive keep.
   */
  async closeEvaluation(principal: Principal | null, rawSessionId: string, force = false, rawReason: string | null = null): Promise<Evaluation> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const actorId = requireActorId(principal);
    const reason = rawReason?.trim() || null;
    if (force && !reason) throw new BadUserInputError('a close below the quorum needs a reason', 'reason');
    if (reason && [...reason].length > MAX_CLOSE_REASON_CHARS) throw new BadUserInputError(`a reason has at most ${MAX_CLOSE_REASON_CHARS} characters`, 'reason');
    await this.flushBallots(sessionId);
    await this.room.execute(sessionId, actorId, (m, state) => closeEvaluationIn(m, state, sessionId, this.clock, this.config, { force, reason }));
    this.ownSpeeches.delete(sessionId);
    this.onClosed(sessionId);
    return this.ds.getRepository(Evaluation).findOneByOrFail({ sessionId });
  }

  /** Publishes the results to the hall, the analysts and the dossiers; they never change afterwards. */
  async publishEvaluation(principal: Principal | null, rawSessionId: string): Promise<Evaluation> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    await this.room.execute(sessionId, requireActorId(principal), (m) => publishEvaluationIn(m, sessionId, this.clock));
    return this.ds.getRepository(Evaluation).findOneByOrFail({ sessionId });
  }

  async evaluation(rawSessionId: string): Promise<Evaluation | null> {
    const evaluation = await this.ds.getRepository(Evaluation).findOneBy({ sessionId: parseId('session', rawSessionId, 'sessionId') });
    return evaluation && this.withCount(evaluation);
  }

  /** Records in the room now the ballots of a session still waiting for their batch. */
  flushBallots(sessionId: number): Promise<void> {
    return this.batcher.flush(sessionId);
  }

  /** Records what is still waiting to be recorded in the rooms (at shutdown). */
  close(): Promise<void> {
    return this.batcher.close();
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
    return voters.map((v) => ({ user: users.get(v.userId)!, voted: v.voted, tokenIssued: v.tokenIssued }));
  }

  /** Voters who have taken a ballot token (BLIND mode). */
  tokensIssued(sessionId: number): Promise<number> {
    return countTokensIssuedIn(this.ds.manager, sessionId);
  }

  /**
   * True when the receipt belongs to a ballot counted in this session: a voter who has voted (SIMPLE), or a token
   * spent (BLIND: the receipt is stored with the spent token's hash, and names nobody).
   */
  async verifyReceipt(rawSessionId: string, receipt: string): Promise<boolean> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    if (/^[0-9a-f]{16}$/.test(receipt) && (await this.ds.getRepository(SpentBallotToken).existsBy({ sessionId, receipt }))) return true;
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

  /**
   * The stored count is written once, at closing (a per-ballot increment would make the evaluation row the lock
   * every ballot waits for); while open the count is read from the voters' rows.
   */
  private async withCount(evaluation: Evaluation): Promise<Evaluation> {
    if (evaluation.status !== EvaluationStatus.OPEN) return evaluation;
    return Object.assign(evaluation, { ballotsCast: await countBallotsIn(this.ds.manager, evaluation.sessionId) });
  }

  /** The room commits of ballots just stored are recorded in (the answer to a voter waits for it, briefly). */
  ballotsStored(sessionId: number): Promise<void> {
    return this.batcher.committed(sessionId);
  }

  /** The room with its line-up: this instance's copy once it shows the evaluation open (the line-up is final by then). */
  async lineup(sessionId: number): Promise<RoomState> {
    const cached = this.room.hub.cached(sessionId);
    return cached?.evaluation?.status === 'OPEN' ? cached : this.room.state(sessionId);
  }

  /** What `userId` grades: every speech of the line-up but their own (speechesToGrade, with the speakers read once). */
  private async speechesToGrade(sessionId: number, room: RoomState, userId: number): Promise<number[]> {
    let speakers = this.ownSpeeches.get(sessionId);
    if (!speakers) {
      speakers = speechesBySpeaker(this.ds, room);
      this.ownSpeeches.set(sessionId, speakers);
      speakers.catch(() => this.ownSpeeches.delete(sessionId));
    }
    const own = new Set((await speakers).get(userId) ?? []);
    return gradedSpeeches(room).filter((s) => !own.has(s.speechId)).map((s) => s.speechId);
  }

  /** One room command recording the ballot box's exact count; nothing once the evaluation has closed. */
  private async recordBallots(sessionId: number): Promise<void> {
    try {
      await this.room.execute(sessionId, null, (m, state) => recordBallotsIn(m, state, sessionId));
    } catch (err) {
      if (!(err instanceof EvaluationNotOpenError)) throw err;
    }
  }

}

/** The speeches of a line-up by the user id of their speaker (cadres without an account speak but do not vote). */
async function speechesBySpeaker(ds: DataSource, room: RoomState): Promise<Map<number, number[]>> {
  const cadres = await ds.getRepository(Cadre).findBy({ id: In([...new Set(room.speeches.map((s) => s.cadreId))]) });
  const userOf = new Map(cadres.map((c) => [c.id, c.userId]));
  const bySpeaker = new Map<number, number[]>();
  for (const speech of room.speeches) {
    const userId = userOf.get(speech.cadreId);
    if (userId != null) bySpeaker.set(userId, [...(bySpeaker.get(userId) ?? []), speech.speechId]);
  }
  return bySpeaker;
}

/** The answer to a voter whose ballot is in: their receipt for a retry with the same clientId, a refusal otherwise. */
function counted(voter: Pick<EvaluationVoter, 'clientId'>, clientId: string | null, receipt: BallotReceipt): BallotReceipt {
  if (clientId !== null && voter.clientId === clientId) return receipt;
  throw new EvaluationAlreadyVotedError();
}
