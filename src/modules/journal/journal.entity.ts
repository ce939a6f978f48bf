import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { InstantColumn } from '../../db/columns';

/**
 * The append-only, hash-chained record of who changed what (the audit trail). Each entry's hash covers the
 * previous entry's hash, so removing or editing an entry breaks every link after it.
 */
@Entity('journal_entries')
@Unique('uq_journal_seq', ['seq'])
@ObjectType({ simpleResolvers: true, description: 'One entry of the audit trail: who did what to which record, when, with digests of before and after.' })
export class JournalEntry {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => Int, { description: 'Place in the trail, from 1.' })
  @Column()
  seq: number;

  @Field(() => Date, { description: 'When.' })
  @InstantColumn()
  at: Date;

  @Field(() => ID, { nullable: true, description: 'Who (user id); null for the system.' })
  @Column({ type: 'int', nullable: true })
  actorId: number | null;

  @Field({ description: 'What was done, e.g. recordClaim, publishFinding.' })
  @Column({ length: 60 })
  action: string;

  @Field({ description: 'The kind of record changed, e.g. Claim.' })
  @Column({ length: 40 })
  entity: string;

  @Field(() => ID, { description: 'The record changed.' })
  @Column({ length: 40 })
  entityId: string;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the canonical JSON of the record before; null when created.' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  beforeDigest: string | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the canonical JSON of the record after; null when removed.' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  afterDigest: string | null;

  @Field(() => String, { nullable: true, description: 'Hash of the entry before.' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  previousHash: string | null;

  @Field({ description: 'SHA-256 over this entry’s fields and previousHash.' })
  @Column({ type: 'varchar', length: 64 })
  hash: string;
}

/** One row that every append locks, so entries take their places one after another on every engine. */
@Entity('journal_head')
export class JournalHead {
  @PrimaryColumn()
  id: number;

  @Column()
  seq: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  hash: string | null;
}
