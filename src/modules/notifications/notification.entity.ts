import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { InstantColumn } from '../../db/columns';

/** What a notice is about; each kind has one source (docs/notifications.md). */
export enum NotificationKind {
  AUDIT_ASSIGNED = 'AUDIT_ASSIGNED',
  FINDING_PUBLISHED = 'FINDING_PUBLISHED',
  DUE_SOON = 'DUE_SOON',
  OVERDUE = 'OVERDUE',
  PROGRESS_TO_VERIFY = 'PROGRESS_TO_VERIFY',
  RESPONSE_TO_DECIDE = 'RESPONSE_TO_DECIDE',
}
registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  description:
    'AUDIT_ASSIGNED (新的核查任务, to the auditor), FINDING_PUBLISHED (核查结论已公布, to the cadre concerned), DUE_SOON and OVERDUE (a commitment or action item, to its owner), PROGRESS_TO_VERIFY (进度报告待核实, to auditors), RESPONSE_TO_DECIDE (申辩待决定, to admins).',
});

/**
 * One notice to one person. Rows are produced by the notifier (from the audit trail) and by the due-date job, each
 * under a dedupe key unique over the table, so the same notice is never stored twice whichever instance makes it.
 * Only `readAt` ever changes.
 */
@Entity('notifications')
@Index('uq_notifications_dedupe', ['dedupeKey'], { unique: true })
@Index('ix_notifications_user', ['userId', 'id'])
@Index('ix_notifications_user_unread', ['userId', 'readAt'])
@ObjectType({ simpleResolvers: true, description: 'A notice to the caller (站内通知): what happened, about which record, and whether it was read.' })
export class Notification {
  @Field(() => ID, { description: 'Stable identifier; newer notices have larger ones.' })
  @PrimaryGeneratedColumn()
  id: number;

  /** Whose notice it is. */
  @Column()
  userId: number;

  @Field(() => NotificationKind, { description: 'What it is about.' })
  @Column({ type: 'varchar', length: 30 })
  kind: NotificationKind;

  @Field({ description: 'The kind of record it is about: Audit, Finding, Commitment, ActionItem, ProgressReport or FindingResponse.' })
  @Column({ type: 'varchar', length: 40 })
  subjectType: string;

  @Field(() => ID, { description: 'The record it is about.' })
  @Column()
  subjectId: number;

  @Field({ description: 'What to tell the person, in Chinese, e.g. 承诺「打造民宿床位」将于 12月20日 到期.' })
  @Column({ type: 'varchar', length: 300 })
  text: string;

  /** `j:<seq>:<userId>` for a notice from journal entry <seq>; `due-soon:commitment:<id>:<userId>` and the like from the due-date job. */
  @Column({ type: 'varchar', length: 120 })
  dedupeKey: string;

  @Field(() => Date, { description: 'When it was produced.' })
  @InstantColumn()
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When the person marked it read; null while unread.' })
  @InstantColumn({ nullable: true })
  readAt: Date | null;
}

/**
 * Where a producer of notices stands, one row per producer, shared by every instance: `journal` holds the last
 * journal seq handled; `due-dates` when the due-date job last ran. A producer locks its row for the length of a run,
 * so instances take turns instead of doing the same work at once.
 */
@Entity('notification_cursors')
export class NotificationCursor {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  name: string;

  @Column()
  seq: number;

  @InstantColumn({ nullable: true })
  ranAt: Date | null;
}
