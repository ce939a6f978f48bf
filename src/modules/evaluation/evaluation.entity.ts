import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { InstantColumn } from '../../db/columns';
import { EvaluationStatus, Grade } from '../room/results';

/** How an evaluation takes ballots, fixed when it opens (BALLOT_MODE). */
export enum BallotMode {
  BLIND = 'BLIND',
  SIMPLE = 'SIMPLE',
}

registerEnumType(BallotMode, {
  name: 'BallotMode',
  description: 'How an evaluation takes ballots, fixed when it opens.',
  valuesConfig: {
    BLIND: { description: 'Blind-signed tokens (ballotKey, issueBallotToken, castAnonymousBallot): nothing stored links a voter to a grade.' },
    SIMPLE: { description: 'castBallot: the voter’s “has voted” flag and the grades are written together.' },
  },
});

/** One democratic evaluation (民主评议) per session. */
@Entity('evaluations')
@ObjectType({ simpleResolvers: true, description: 'The democratic evaluation (民主评议) of a session. Results are null until the caller may see them.' })
export class Evaluation {
  @Field(() => ID, { description: 'Session id.' })
  @PrimaryColumn()
  sessionId: number;

  @Field(() => EvaluationStatus, { description: 'Where the evaluation stands.' })
  @Column({ type: 'varchar', length: 20 })
  status: EvaluationStatus;

  @Field(() => Int, { description: 'Attendees entitled to vote, frozen when the evaluation opened.' })
  @Column()
  entitledVoters: number;

  @Field(() => Int, { description: 'Ballots cast so far (in BLIND mode: tokens spent).' })
  @Column({ default: 0 })
  ballotsCast: number;

  @Field(() => BallotMode, { description: 'How this evaluation takes ballots, fixed when it opened.' })
  @Column({ type: 'varchar', length: 10, default: BallotMode.SIMPLE })
  ballotMode: BallotMode;

  @Field(() => Int, { description: 'Ballots needed for an ordinary close (法定人数), fixed when it opened.' })
  @Column({ default: 0 })
  quorum: number;

  @Field(() => String, { nullable: true, description: 'Why the chair closed it below the quorum; null for an ordinary close.' })
  @Column({ type: 'varchar', length: 500, nullable: true })
  closeReason: string | null;

  @Field(() => Date, { description: 'When it opened.' })
  @InstantColumn()
  openedAt: Date;

  @Field(() => Date, { nullable: true, description: 'When it closed.' })
  @InstantColumn({ nullable: true })
  closedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the results were published.' })
  @InstantColumn({ nullable: true })
  publishedAt: Date | null;

  /** The tally's output (JSON), written once at closing. */
  @Column({ type: 'text', nullable: true })
  resultsJson: string | null;
}

/** The entitled voters, frozen at opening, and whether each has voted: never how, never when. */
@Entity('evaluation_voters')
@Unique('uq_evaluation_voters_session_user', ['sessionId', 'userId'])
export class EvaluationVoter {
  @PrimaryGeneratedColumn()
  id: number;

  @Column()
  sessionId: number;

  @Column()
  userId: number;

  @Column({ default: false })
  voted: boolean;

  /** Lets a retry after a lost response get its receipt back instead of EVALUATION_ALREADY_VOTED. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  clientId: string | null;

  /** BLIND mode: the voter has taken their ballot token — the only write that names the voter. Never when. */
  @Column({ default: false })
  tokenIssued: boolean;

  /**
   * BLIND mode: SHA-256 of the blinded message signed, so that a retry after a lost answer gets the same signature.
   * A blinded message is unlinkable to the token it hides (RFC 9474), so this links the voter to nothing cast.
   */
  @Column({ type: 'varchar', length: 64, nullable: true })
  tokenRequest: string | null;
}

/**
 * A session's blind-signature keys (BLIND mode), by purpose: 'general', or 'speaker:<cadreId>' for the ballots of
 * a speaker who votes (they skip that cadre's speeches). The private key exists only while the evaluation is open:
 * closing deletes it, after which no token can be issued.
 */
@Entity('ballot_keys')
export class BallotKeyRow {
  @PrimaryColumn()
  sessionId: number;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  purpose: string;

  @Column({ type: 'text' })
  publicKeyPem: string;

  @Column({ type: 'text', nullable: true })
  privateKeyPem: string | null;
}

/**
 * A ballot token spent (BLIND mode): its hash under the primary key, so that of two casts of one token exactly one
 * insert wins. It names no voter and no key, and holds no time; the receipt (a function of the token alone) lets
 * the voter check their ballot counted, the clientId lets a retry get that receipt again.
 */
@Entity('spent_ballot_tokens', { withoutRowid: true })
@Index('ix_spent_ballot_tokens_session_receipt', ['sessionId', 'receipt'])
export class SpentBallotToken {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tokenHash: string;

  @Column()
  sessionId: number;

  @Column({ type: 'varchar', length: 16 })
  receipt: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  clientId: string | null;
}

/**
 * One grade of one ballot, deliberately loose: no voter, no ballot grouping (a ballot missing one speech would
 * betray its speaker), no sequential id (random UUID; SQLite without a rowid) and no time.
 */
@Entity('ballot_grades', { withoutRowid: true })
@Index('ix_ballot_grades_session', ['sessionId'])
export class BallotGrade {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column()
  sessionId: number;

  @Column()
  speechId: number;

  @Column({ type: 'varchar', length: 20 })
  grade: Grade;
}
