import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { InstantColumn } from '../../db/columns';
import { Cadre } from '../registry/cadre.entity';
import { Session } from './session.entity';
import { SpeechStatus } from './session-enums';

@Entity('speeches')
@Unique('uq_speeches_session_order', ['sessionId', 'order'])
@Unique('uq_speeches_session_cadre', ['sessionId', 'cadreId'])
// Covers the analytics' reads of finished speeches per session (overtime rates, speaking discipline).
@Index('ix_speeches_session_ended', ['sessionId', 'endedAt', 'regionId', 'cadreId', 'overtimeMs', 'spokenMs', 'allottedSeconds', 'status'])
@ObjectType({ simpleResolvers: true, description: 'A slot in a session line-up: one cadre, in order, with a time allowance.' })
export class Speech {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => Session, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn()
  session: Session;

  @Field(() => ID, { description: 'Session id.' })
  @Column()
  sessionId: number;

  @Field(() => Int, { description: 'Position in the line-up, from 1.' })
  @Column({ name: 'speaking_order' })
  order: number;

  @ManyToOne(() => Cadre, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn()
  cadre: Cadre;

  @Field(() => ID, { description: 'Cadre id.' })
  @Index()
  @Column()
  cadreId: number;

  /** The cadre's unit when the line-up was set: history stays with the unit a speech was given for. */
  @Index()
  @Column({ type: 'int', nullable: true })
  regionId: number | null;

  @Field(() => Int, { description: 'Time allowed, in seconds (1–3600).' })
  @Column()
  allottedSeconds: number;

  @Field(() => SpeechStatus, { description: 'Where the speech stands.' })
  @Column({ type: 'varchar', length: 20, default: SpeechStatus.UPCOMING })
  status: SpeechStatus;

  @Field(() => Date, { nullable: true, description: 'When the speech first started.' })
  @InstantColumn({ nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the speech ended.' })
  @InstantColumn({ nullable: true })
  endedAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'Time actually spoken, pauses excluded, once ended.' })
  @Column({ type: 'int', nullable: true })
  spokenMs: number | null;

  @Field(() => Int, { nullable: true, description: 'Time spoken beyond the allowance (extensions included), once ended.' })
  @Column({ type: 'int', nullable: true })
  overtimeMs: number | null;

  @Field(() => String, { nullable: true, description: 'Why it was withdrawn (缺席 / 取消), when its status is WITHDRAWN.' })
  @Column({ type: 'varchar', length: 500, nullable: true })
  withdrawnReason: string | null;
}
