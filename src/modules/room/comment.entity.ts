import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { InstantColumn } from '../../db/columns';

export enum CommentStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
registerEnumType(CommentStatus, { name: 'CommentStatus', description: 'PENDING until the chair approves or rejects it.' });

@Entity('comments')
@Unique('uq_comments_author_client', ['authorId', 'clientId'])
@Index('ix_comments_session_status', ['sessionId', 'status'])
@ObjectType({ simpleResolvers: true, description: 'A question or remark sent by an attendee during a session.' })
export class Comment {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { description: 'Session id.' })
  @Column()
  sessionId: number;

  @Field(() => ID, { nullable: true, description: 'The speech it is about, if any.' })
  @Column({ type: 'int', nullable: true })
  speechId: number | null;

  @Column()
  authorId: number;

  @Field({ description: 'Name of the author as shown in the hall.' })
  @Column({ length: 100 })
  authorName: string;

  @Field({ description: 'Text, 1–500 characters.' })
  @Column({ length: 500 })
  body: string;

  @Field(() => CommentStatus, { description: 'Moderation status.' })
  @Column({ type: 'varchar', length: 20 })
  status: CommentStatus;

  /** Chosen by the client so that a retry after a lost response returns this comment instead of a second one. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  clientId: string | null;

  @Field(() => Date, { description: 'When it was posted.' })
  @InstantColumn()
  postedAt: Date;

  @Field(() => Date, { nullable: true, description: 'When it was last moderated.' })
  @InstantColumn({ nullable: true })
  moderatedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  moderatedById: number | null;
}
