import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../common/scalars';
import { InstantColumn } from '../../db/columns';

/**
 * A sealed session: one canonical JSON document, its SHA-256, and the hash of the archive sealed before it. The
 * unique `sequence` keeps the chain a line: two seals racing for the same place cannot both land.
 */
@Entity('archives')
@Unique('uq_archives_sequence', ['sequence'])
@Unique('uq_archives_session_version', ['sessionId', 'version'])
@ObjectType({ simpleResolvers: true, description: 'The sealed record of a session (活动档案), hash-chained to the archive sealed before it.' })
export class Archive {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { description: 'Session id.' })
  @Index()
  @Column()
  sessionId: number;

  @Field(() => Int, { description: 'Place in the chain, from 1.' })
  @Column()
  sequence: number;

  @Field(() => Int, { description: 'Version for this session: 1, then one more per correction.' })
  @Column({ default: 1 })
  version: number;

  @Field(() => Date, { description: 'When it was sealed.' })
  @InstantColumn()
  sealedAt: Date;

  @Column()
  sealedById: number;

  @Field({ description: 'SHA-256 (hex) of the canonical JSON (RFC 8785) of the document.' })
  @Column({ type: 'varchar', length: 64 })
  contentHash: string;

  @Field(() => String, { nullable: true, description: 'contentHash of the archive sealed before this one; null for the first.' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  previousHash: string | null;

  @Field(() => JSONScalar, { description: 'The sealed document: theme, line-up, speeches, interruptions, comments, reviews, results.' })
  @Column({ type: 'json' })
  document: Record<string, unknown>;
}
