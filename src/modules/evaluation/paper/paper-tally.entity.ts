import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { InstantColumn } from '../../../db/columns';

/**
 * The paper ballots (纸质票) of a session's evaluation, counted by hand: how many ballots, who entered the counts and
 * when, who confirmed them and when. One row per session; re-entering before confirmation overwrites it (the
 * journal keeps each entry), and once confirmed it never changes. docs/paper-ballots.md.
 */
@Entity('paper_tallies')
@ObjectType({ simpleResolvers: true, description: 'The hand-counted paper ballots (纸质票) of an evaluation: entered by the desk, confirmed by a second person, then counted by the close.' })
export class PaperTally {
  @PrimaryColumn()
  sessionId: number;

  @Field(() => Int, { description: 'Paper ballots handed in.' })
  @Column()
  ballots: number;

  @Column()
  enteredById: number;

  @Field(() => Date, { description: 'When the counts were (last) entered.' })
  @InstantColumn()
  enteredAt: Date;

  @Column({ type: 'int', nullable: true })
  confirmedById: number | null;

  @Field(() => Date, { nullable: true, description: 'When a second person confirmed the counts; null until then.' })
  @InstantColumn({ nullable: true })
  confirmedAt: Date | null;
}

/** One speaker's grade counts on the paper ballots: how many gave each grade. */
@Entity('paper_speech_counts')
@ObjectType({ simpleResolvers: true, description: 'One speaker’s grade counts on the paper ballots.' })
export class PaperSpeechCount {
  @PrimaryColumn()
  sessionId: number;

  @Field(() => ID, { description: 'The speech graded.' })
  @PrimaryColumn()
  speechId: number;

  @Field(() => Int, { description: 'Paper ballots grading it EXCELLENT (优秀).' })
  @Column()
  excellent: number;

  @Field(() => Int, { description: 'Paper ballots grading it GOOD (良好).' })
  @Column()
  good: number;

  @Field(() => Int, { description: 'Paper ballots grading it AVERAGE (一般).' })
  @Column()
  average: number;

  @Field(() => Int, { description: 'Paper ballots grading it POOR (较差).' })
  @Column()
  poor: number;
}
