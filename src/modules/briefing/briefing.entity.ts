import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { InstantColumn } from '../../db/columns';

/**
 * Rows are never edited: a revision is a new row (version + 1) that names the one it replaces, which is marked
 * superseded. The current version is the one not superseded. Two projection fields (the latest published verdict)
 * are set when a finding is published, with their own audit-trail entry, and carried into later versions.
 * (Registered as a GraphQL type so that type-graphql gives its fields to Claim and Commitment.)
 */
@ObjectType('Versioned', { simpleResolvers: true, description: 'What every version of a briefing record carries.' })
abstract class Versioned {
  @Field(() => Int, { description: 'Version: 1, then one more per revision.' })
  @Column({ default: 1 })
  version: number;

  @Field(() => ID, { nullable: true, description: 'The version this one revises.' })
  @Column({ type: 'int', nullable: true })
  supersedesId: number | null;

  @Field(() => Date, { nullable: true, description: 'When a newer version replaced this one; null for the current version.' })
  @InstantColumn({ nullable: true })
  supersededAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Why this revision was made (required after the session is sealed).' })
  @Column({ type: 'varchar', length: 500, nullable: true })
  revisionReason: string | null;

  @Column()
  recordedById: number;

  @Field(() => Date, { description: 'When this version was recorded.' })
  @InstantColumn()
  recordedAt: Date;

  /** Projection of the latest published finding on this record, kept by publishFinding for the analytics. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  latestVerdict: string | null;

  @InstantColumn({ nullable: true })
  verdictPublishedAt: Date | null;
}

@Entity('claims')
@Index('ix_claims_speech', ['speechId'])
@Index('ix_claims_cadre', ['cadreId'])
@ObjectType({ simpleResolvers: true, description: 'A figure a speaker reports (晒成绩), e.g. 16 key homestay villages with nearly 3,000 beds.' })
export class Claim extends Versioned {
  @Field(() => ID, { description: 'Stable identifier of this version.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { description: 'Session id.' })
  @Column()
  sessionId: number;

  @Field(() => ID, { description: 'The speech in which it is reported.' })
  @Column()
  speechId: number;

  @Field(() => ID, { description: 'The cadre who reports it.' })
  @Column()
  cadreId: number;

  @Field({ description: 'What is measured, e.g. 重点民宿村床位.' })
  @Column({ length: 200 })
  indicator: string;

  @Field(() => ID, { nullable: true, description: 'The shared indicator of the theme this figure is filed against; null for a free-text indicator.' })
  @Column({ type: 'int', nullable: true })
  indicatorId: number | null;

  @Field(() => Float, { description: 'The figure reported.' })
  @Column({ type: 'double' })
  value: number;

  @Field({ description: 'Its unit, e.g. 张.' })
  @Column({ length: 40 })
  unit: string;

  @Field(() => Date, { description: 'The date the figure is as of.' })
  @InstantColumn()
  asOf: Date;

  @Field(() => String, { nullable: true, description: 'A qualifier as spoken, e.g. 近 (nearly).' })
  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;
}

@Entity('commitments')
@Index('ix_commitments_speech', ['speechId'])
@Index('ix_commitments_cadre', ['cadreId'])
// Covers the analytics' reads of current commitments per session (fulfilment), which had no session index at all.
@Index('ix_commitments_session', ['sessionId', 'supersededAt', 'speechId', 'latestVerdict', 'dueAt', 'verdictPublishedAt'])
@ObjectType({ simpleResolvers: true, description: 'A promise made on stage (工作谋划承诺), with a measurable target and a due date.' })
export class Commitment extends Versioned {
  @Field(() => ID, { description: 'Stable identifier of this version.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { description: 'Session id.' })
  @Column()
  sessionId: number;

  @Field(() => ID, { description: 'The speech in which it is made.' })
  @Column()
  speechId: number;

  @Field(() => ID, { description: 'The cadre who makes it.' })
  @Column()
  cadreId: number;

  @Field({ description: 'What is promised, e.g. 打造民宿床位.' })
  @Column({ length: 200 })
  title: string;

  @Field({ description: 'The measurable target, e.g. 超10万张.' })
  @Column({ length: 500 })
  target: string;

  @Field(() => Date, { description: 'When it is due.' })
  @InstantColumn()
  dueAt: Date;
}
