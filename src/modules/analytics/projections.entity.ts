import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { InstantColumn } from '../../db/columns';

/**
 * Row-shaped views of what the log and the tally already decided, written in the same transaction, so the
 * analysts' aggregates are plain indexed SQL. Nothing here is typed in; all of it can be rebuilt from the record.
 */
@Entity('speech_results')
@Index('ix_speech_results_session', ['sessionId'])
@Index('ix_speech_results_region', ['regionId', 'published'])
@Index('ix_speech_results_cadre', ['cadreId', 'published'])
// Covers every analytics read of this table (standings, rankings, trends, grade distributions): reached from the
// sessions a filter selects, or scanned whole, without a lookup per row into the table itself.
@Index('ix_speech_results_published_session', ['published', 'sessionId', 'regionId', 'cadreId', 'grade', 'score', 'place', 'excellent', 'good', 'average', 'poor'])
export class SpeechResultRow {
  @PrimaryColumn()
  speechId: number;

  @Column()
  sessionId: number;

  @Column()
  cadreId: number;

  @Column({ type: 'int', nullable: true })
  regionId: number | null;

  @Column({ type: 'varchar', length: 20 })
  grade: string;

  /** The speech's rank in its session (named `place`: RANK is a reserved word in MySQL 8). */
  @Column()
  place: number;

  @Column({ type: 'double' })
  score: number;

  @Column()
  excellent: number;

  @Column()
  good: number;

  @Column()
  average: number;

  @Column()
  poor: number;

  @Column({ default: false })
  published: boolean;
}

@Entity('interruptions')
@Index('ix_interruptions_session', ['sessionId'])
@Index('ix_interruptions_speech', ['speechId'])
export class InterruptionRow {
  @PrimaryGeneratedColumn()
  id: number;

  @Column()
  sessionId: number;

  @Column()
  seq: number;

  @Column()
  speechId: number;

  @Column({ type: 'varchar', length: 20 })
  reason: string;

  @Column()
  cutOff: boolean;

  @InstantColumn()
  at: Date;
}
