import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { InstantColumn } from '../../db/columns';
import { EvaluationStatus, Grade } from '../room/results';

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

  @Field(() => Int, { description: 'Ballots cast so far.' })
  @Column({ default: 0 })
  ballotsCast: number;

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
