import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { InstantColumn } from '../../db/columns';

/** The three reports on paper: 评议结果 and 活动纪要 of a session, 干部档案 of a cadre. */
export enum ReportKind {
  EVALUATION = 'EVALUATION',
  MINUTES = 'MINUTES',
  DOSSIER = 'DOSSIER',
}
registerEnumType(ReportKind, {
  name: 'ReportKind',
  description: 'EVALUATION (评议结果) and MINUTES (活动纪要) of a session; DOSSIER (干部档案) of a cadre.',
});

/**
 * A report sent to the city's party secretary (报送市委主要领导). Rows are only ever added: sending again is a
 * new row, and each is also in the audit trail.
 */
@Entity('report_submissions')
@Index('idx_report_submissions_subject', ['kind', 'subjectId'])
@ObjectType({ simpleResolvers: true, description: 'A report marked as sent (报送): which, by whom, when.' })
export class ReportSubmission {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ReportKind, { description: 'Which report.' })
  @Column({ type: 'varchar', length: 20 })
  kind: ReportKind;

  @Field(() => ID, { description: 'The session (EVALUATION, MINUTES) or the cadre (DOSSIER) it is about.' })
  @Column()
  subjectId: number;

  @Field(() => ID, { description: 'Who marked it sent.' })
  @Column()
  sentById: number;

  @Field(() => Date, { description: 'When it was marked sent.' })
  @InstantColumn()
  sentAt: Date;

  @Field(() => String, { nullable: true, description: 'contentHash of the session’s sealed archive printed on the copy sent; null when it was not sealed.' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  contentHash: string | null;

  @Field(() => String, { nullable: true, description: 'A note, e.g. how it was sent (纸质报送, 机要交换).' })
  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;
}
