import { DataSource } from 'typeorm';
import { requireActorId, type Principal } from '../../auth/principal';
import { sha256Hex } from '../../common/canonical';
import { parseId } from '../../common/ids';
import { RateLimiter, RateStore } from '../../common/rate-limiter';
import { checkClientId } from '../../common/validation';
import { inTransaction } from '../../db/transaction';
import { isUniqueViolation } from '../../db/errors';
import { refuseEvaluationStep } from '../room/evaluation-lifecycle';
import type { RoomState } from '../room/room-state';
import { Cadre } from '../registry/cadre.entity';
import { checkBallot } from './ballot';
import { BallotWriter, DEFAULT_BALLOT_WRITING } from './ballot-writer';
import { GENERAL, importPublicKey, KeyPurpose, parsePurpose, skippedSpeaker, speakerPurpose } from './blind/ballot-keys';
import { keyFingerprint, keyThatSigned, receiptOf, signBlinded, signingKey, tokenHash, type SigningKey } from './blind/ballot-token';
import { fromBase64url } from './blind/encoding';
import { BALLOT_VARIANT, type BallotCryptoKey } from './blind/variant';
import { BallotKeyRow, BallotMode, Evaluation, EvaluationVoter } from './evaluation.entity';
import {
  BallotModeMismatchError,
  BallotNotAnonymousError,
  BallotTokenAlreadyIssuedError,
  BallotTokenInvalidError,
  BallotTokenSpentError,
  EvaluationNotEntitledError,
} from './evaluation.errors';
import { gradedSpeeches, holdOpenBox, storeAnonymousBallotsIn, type AnonymousBallot, type StoreOutcome } from './evaluation-steps';
import type { EvaluationService } from './evaluation.service';
import type { BallotKey, BallotReceipt, GradeInput } from './evaluation.types';
import { EvaluationStatus } from '../room/results';
import { EvaluationNotOpenError } from '../room/room.errors';

/** As for castBallot: a ballot's transaction waits at most this long (s) before the retryable SERVICE_UNAVAILABLE. */
const BALLOT_LOCK_WAIT_S = 2;

/** A session's keys as the box uses them: public keys to verify, private ones to sign while the box is open. */
interface SessionKeys {
  pems: ReadonlyMap<KeyPurpose, string>;
  publics: ReadonlyMap<KeyPurpose, BallotCryptoKey>;
  signing: ReadonlyMap<KeyPurpose, SigningKey>;
}

/**
 * The blind ballot box (BLIND mode, docs/blind-ballots.md). Taking a token is the only write bound to the voter: a
 * conditional update of their row, and a blind signature of a message the server cannot read. Casting comes in a
 * request of its own without Authorization: the signature tells which of the session's keys signed (so which shape
 * the ballot has), the token's hash is spent once, and the grades go in loose — nothing in that transaction, or in
 * any log line, names the voter.
 */
export class BlindBallotService {
  private readonly keys = new Map<number, Promise<SessionKeys>>();
  private readonly writer: BallotWriter<AnonymousBallot, StoreOutcome>;
  /** Keeps one token from hammering the box; a token is spent once anyway. */
  private readonly attempts: RateLimiter;

  constructor(
    private readonly ds: DataSource,
    private readonly evaluations: EvaluationService,
    rates: RateStore,
  ) {
    this.attempts = new RateLimiter('anonymous ballot attempts', [{ limit: 30, windowMs: 60_000 }], rates);
    this.writer = new BallotWriter((sessionId, ballots) => this.store(sessionId, ballots), { ...DEFAULT_BALLOT_WRITING, maxWaitMs: BALLOT_LOCK_WAIT_S * 1000 });
  }

  /** The public key meant for the caller: their own speaker key if they speak in the session, else the general key. */
  async ballotKey(principal: Principal | null, rawSessionId: string): Promise<BallotKey> {
    const userId = requireActorId(principal);
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const { purpose, keys } = await this.voterKey(sessionId, userId);
    const publicKeyPem = keys.pems.get(purpose)!;
    return { publicKeyPem, variant: BALLOT_VARIANT, fingerprint: keyFingerprint(publicKeyPem) };
  }

  /**
   * Signs the caller's blinded message, once per voter: the voter's row is marked as having taken a token in a
   * conditional update (of twenty racing requests one takes it). The same blinded message again is signed again —
   * a retry after a lost answer — any other is refused (BALLOT_TOKEN_ALREADY_ISSUED). The blinded message itself is
   * not stored, only its hash for that retry: it is unlinkable to the token it hides.
   */
  async issueBallotToken(principal: Principal | null, rawSessionId: string, blindedMessage: string): Promise<string> {
    const userId = requireActorId(principal);
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const { purpose, keys } = await this.voterKey(sessionId, userId);
    const signing = keys.signing.get(purpose);
    if (!signing) throw new EvaluationNotOpenError(EvaluationStatus.CLOSED);
    // Signed first: a malformed message is refused before anything is written.
    const signature = signBlinded(signing, blindedMessage);
    const request = sha256Hex(`blinded:${blindedMessage}`);
    await inTransaction(
      this.ds,
      async (m) => {
        await holdOpenBox(m, sessionId, BallotMode.BLIND);
        const taken = await m
          .createQueryBuilder()
          .update(EvaluationVoter)
          .set({ tokenIssued: true, tokenRequest: request })
          .where({ sessionId, userId, tokenIssued: false })
          .execute();
        if (taken.affected) return;
        const voter = await m.getRepository(EvaluationVoter).findOneBy({ sessionId, userId });
        if (!voter) throw new EvaluationNotEntitledError();
        if (voter.tokenRequest !== request) throw new BallotTokenAlreadyIssuedError();
      },
      { lockWaitSeconds: BALLOT_LOCK_WAIT_S },
    );
    return signature;
  }

  /**
   * An anonymous ballot. Refused when the request carries a principal: a ballot that names its voter is not taken.
   * The token must verify under one of the session's keys; that key's purpose gives the speeches the ballot grades.
   * The token's hash is spent once (a unique insert, no session lock); a retry with the same token and clientId gets
   * the same receipt, any other second use BALLOT_TOKEN_SPENT. The receipt is a function of the token alone.
   */
  async castAnonymousBallot(
    principal: Principal | null,
    rawSessionId: string,
    token: string,
    signature: string,
    grades: GradeInput[],
    clientId: string | null,
  ): Promise<BallotReceipt> {
    if (principal) throw new BallotNotAnonymousError();
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    checkClientId(clientId);
    const lines = grades.map((g, i) => ({ speechId: parseId('speech', g.speechId, `grades.${i}.speechId`), grade: g.grade }));
    const hash = tokenHash(token);
    if (!fromBase64url(signature)) throw new BallotTokenInvalidError('the signature is not base64url');
    await this.attempts.take(`token:${hash}`);
    const room = await this.evaluations.lineup(sessionId);
    const closed = refuseEvaluationStep(room.evaluation?.status, 'ballot');
    if (closed) throw closed;
    const keys = await this.sessionKeys(sessionId);
    const purpose = await keyThatSigned(keys.publics, token, signature);
    if (!purpose) throw new BallotTokenInvalidError('the signature does not verify with any of this session’s ballot keys');
    const refused = checkBallot(lines, speechesFor(room, purpose));
    if (refused) throw refused;
    const receipt = { sessionId: String(sessionId), receipt: receiptOf(token) };
    const outcome = await this.writer.submit(sessionId, { tokenHash: hash, receipt: receipt.receipt, lines, clientId });
    if (!outcome.stored) {
      if (clientId !== null && outcome.clientId === clientId) return receipt;
      throw new BallotTokenSpentError();
    }
    await this.evaluations.ballotsStored(sessionId);
    return receipt;
  }

  /** Forgets a session's keys (after the close destroyed the private ones). */
  forget(sessionId: number): void {
    this.keys.delete(sessionId);
  }

  /** One group of anonymous ballots; a token spent meanwhile by another instance's group makes the group run again. */
  private async store(sessionId: number, ballots: AnonymousBallot[]): Promise<StoreOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.ds, (m) => storeAnonymousBallotsIn(m, sessionId, ballots), { lockWaitSeconds: BALLOT_LOCK_WAIT_S });
      } catch (err) {
        if (attempt >= 3 || !isUniqueViolation(err)) throw err;
      }
    }
  }

  /** The caller's key: entitled, box open in BLIND mode; a speaker's own key when they speak in the session. */
  private async voterKey(sessionId: number, userId: number): Promise<{ purpose: KeyPurpose; keys: SessionKeys }> {
    const [evaluation, voter] = await Promise.all([
      this.ds.getRepository(Evaluation).findOneBy({ sessionId }),
      this.ds.getRepository(EvaluationVoter).findOneBy({ sessionId, userId }),
    ]);
    const closed = refuseEvaluationStep(evaluation?.status, 'ballot');
    if (closed) throw closed;
    if (evaluation!.ballotMode !== BallotMode.BLIND) throw new BallotModeMismatchError(evaluation!.ballotMode);
    if (!voter) throw new EvaluationNotEntitledError();
    const keys = await this.sessionKeys(sessionId);
    const room = await this.evaluations.lineup(sessionId);
    const speaking = new Set(room.speeches.map((s) => s.cadreId));
    const own = (await this.ds.getRepository(Cadre).findBy({ userId })).find((c) => speaking.has(c.id));
    const purpose = own ? speakerPurpose(own.id) : GENERAL;
    if (!keys.pems.has(purpose)) throw new Error(`the session ${sessionId} has no ballot key for ${purpose}`);
    return { purpose, keys };
  }

  /** The session's keys, read once per instance while the box is open. */
  private sessionKeys(sessionId: number): Promise<SessionKeys> {
    let keys = this.keys.get(sessionId);
    if (!keys) {
      keys = readKeys(this.ds, sessionId);
      this.keys.set(sessionId, keys);
      keys.catch(() => this.keys.delete(sessionId));
    }
    return keys;
  }
}

async function readKeys(ds: DataSource, sessionId: number): Promise<SessionKeys> {
  const [rows, evaluation] = await Promise.all([ds.getRepository(BallotKeyRow).findBy({ sessionId }), ds.getRepository(Evaluation).findOneBy({ sessionId })]);
  const open = evaluation?.status === EvaluationStatus.OPEN;
  const pems = new Map<KeyPurpose, string>();
  const publics = new Map<KeyPurpose, BallotCryptoKey>();
  const signing = new Map<KeyPurpose, SigningKey>();
  for (const row of rows) {
    const purpose = parsePurpose(row.purpose);
    if (!purpose) continue;
    pems.set(purpose, row.publicKeyPem);
    publics.set(purpose, await importPublicKey(row.publicKeyPem));
    if (open && row.privateKeyPem) signing.set(purpose, signingKey(row.privateKeyPem));
  }
  return { pems, publics, signing };
}

/** The speeches a ballot signed for `purpose` grades: the line-up, without the speeches of the speaker it skips. */
function speechesFor(room: RoomState, purpose: KeyPurpose): number[] {
  const skipped = skippedSpeaker(purpose);
  return gradedSpeeches(room).filter((s) => String(s.cadreId) !== skipped).map((s) => s.speechId);
}
