import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { InstantColumn } from '../../db/columns';

export enum ReviewTone {
  PRAISE = 'PRAISE',
  CRITICISM = 'CRITICISM',
  DIRECTIVE = 'DIRECTIVE',
  SUGGESTION = 'SUGGESTION',
}
registerEnumType(ReviewTone, { name: 'ReviewTone', description: 'The tone of a leader’s commentary (点评).' });

@Entity('reviews')
@Index('ix_reviews_speech', ['speechId'])
@ObjectType({ simpleResolvers: true, description: 'A city leader’s on-the-spot commentary (点评) on a speech.' })
export class Review {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { description: 'Session id.' })
  @Column()
  sessionId: number;

  @Field(() => ID, { description: 'The speech commented on.' })
  @Column()
  speechId: number;

  @Column()
  authorId: number;

  @Field({ description: 'The leader, as shown in the hall.' })
  @Column({ length: 100 })
  authorName: string;

  @Field(() => ReviewTone, { description: 'Praise, criticism, directive or suggestion.' })
  @Column({ type: 'varchar', length: 20 })
  tone: ReviewTone;

  @Field({ description: 'What the leader said, 1–2000 characters.' })
  @Column({ type: 'text' })
  body: string;

  @Field(() => Date, { description: 'When it was given.' })
  @InstantColumn()
  at: Date;
}
