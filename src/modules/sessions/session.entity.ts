import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { CreatedAtColumn, InstantColumn } from '../../db/columns';
import { Theme } from '../themes/theme.entity';
import { RoomPhase } from './session-enums';

@Entity('sessions')
@ObjectType({ simpleResolvers: true, description: 'One session (期) of the big training, big competition.' })
export class Session {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => Int, { description: 'Session number (期数), from 1, in scheduling order.' })
  @Index({ unique: true })
  @Column()
  number: number;

  @Field({ description: 'Title, e.g. 第三期 发展民宿经济，助推乡村振兴.' })
  @Column({ length: 200 })
  title: string;

  @ManyToOne(() => Theme, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn()
  theme: Theme;

  @Field(() => ID, { description: 'Theme id.' })
  @Index()
  @Column()
  themeId: number;

  @Field(() => Date, { description: 'When the session is due to start.' })
  @Index()
  @InstantColumn()
  startsAt: Date;

  @Field({ description: 'Where it is held.' })
  @Column({ length: 200 })
  venue: string;

  /** A projection kept by the live room in the same transaction as its event log; the log is the record. */
  @Field(() => RoomPhase, { description: 'Current phase of the live room.' })
  @Column({ type: 'varchar', length: 20, default: RoomPhase.SCHEDULED })
  phase: RoomPhase;

  @Field({ description: 'Whether the session’s speakers are among the voters of its evaluation (default true). Off, every ballot grades every speech, so no ballot’s shape tells whose it is.' })
  @Column({ default: true })
  speakersVote: boolean;

  @Field(() => Date, { nullable: true, description: 'When the session was sealed into the archive; it cannot change afterwards.' })
  @InstantColumn({ nullable: true })
  sealedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
