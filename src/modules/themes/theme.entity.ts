import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { CreatedAtColumn, InstantColumn } from '../../db/columns';
import { User } from '../../auth/user.entity';
import { ThemeCall } from './theme-call.entity';

export enum ThemeStatus {
  PROPOSED = 'PROPOSED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  USED = 'USED',
}
registerEnumType(ThemeStatus, {
  name: 'ThemeStatus',
  description: 'PROPOSED by a leader → APPROVED (or REJECTED) by the organisation department → USED once a session is scheduled on it.',
});

@Entity('themes')
@ObjectType({ simpleResolvers: true, description: 'A theme (主题) proposed by a city leader for a session.' })
export class Theme {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Title, e.g. 发展民宿经济，助推乡村振兴.' })
  @Column({ length: 200 })
  title: string;

  @Field({ description: 'What the theme asks the units to report on.' })
  @Column({ type: 'text' })
  description: string;

  @Field({ description: 'Why the proposer thinks it matters now.' })
  @Column({ type: 'text' })
  rationale: string;

  @Field(() => ThemeStatus, { description: 'Where the theme stands.' })
  @Index()
  @Column({ type: 'varchar', length: 20 })
  status: ThemeStatus;

  @ManyToOne(() => User, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn()
  proposedBy: User;

  @Field(() => ID, { description: 'The proposing leader.' })
  @Column()
  proposedById: number;

  @ManyToOne(() => ThemeCall, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn()
  call: ThemeCall | null;

  @Field(() => ID, { nullable: true, description: 'The call for themes this answers, if any.' })
  @Column({ type: 'int', nullable: true })
  callId: number | null;

  @Field(() => Date, { nullable: true, description: 'When the organisation department approved or rejected it.' })
  @InstantColumn({ nullable: true })
  decidedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was rejected.' })
  @Column({ type: 'varchar', length: 500, nullable: true })
  decisionNote: string | null;

  @Field(() => Date, { description: 'When it was proposed.' })
  @CreatedAtColumn()
  createdAt: Date;
}
