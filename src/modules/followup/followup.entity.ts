import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { InstantColumn } from '../../db/columns';
import { EvidenceItem } from '../audit/audit.entity';

/*
 * What follows the meeting (docs/followup.md): a leader's directive tracked as an action item (督办事项), progress
 * reported and verified, the cadre's answer to an adverse finding (申辩), and the decision taken. Rows are only ever
 * added: a status is derived from them, never stored.
 */

export enum ActionItemStatus {
  OPEN = 'OPEN',
  DONE = 'DONE',
  OVERDUE = 'OVERDUE',
}
registerEnumType(ActionItemStatus, {
  name: 'ActionItemStatus',
  description: 'Derived, never typed in: DONE once accepted progress reaches 100%; OVERDUE past its due date until then; OPEN otherwise.',
});

export enum ProgressStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
}
registerEnumType(ProgressStatus, { name: 'ProgressStatus', description: 'PENDING until an auditor verifies it; ACCEPTED progress counts, REJECTED moves nothing.' });

export enum DecisionKind {
  COMMENDATION = 'COMMENDATION',
  ACCOUNTABILITY = 'ACCOUNTABILITY',
  NO_ACTION = 'NO_ACTION',
}
registerEnumType(DecisionKind, { name: 'DecisionKind', description: 'COMMENDATION (评先评优), ACCOUNTABILITY (追究责任) or NO_ACTION (不予处理).' });

@Entity('action_items')
@Index('ix_action_items_cadre', ['cadreId', 'dueAt'])
@Index('ix_action_items_review', ['reviewId'])
@ObjectType({ simpleResolvers: true, description: 'A leader’s directive tracked to its end (督办事项): who owns it and by when.' })
export class ActionItem {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { description: 'The DIRECTIVE review it comes from.' })
  @Column()
  reviewId: number;

  @Field(() => ID, { description: 'The session the directive was given in.' })
  @Column()
  sessionId: number;

  @Field(() => ID, { description: 'The owning cadre.' })
  @Column()
  cadreId: number;

  @Field({ description: 'What is to be done, 1–200 characters.' })
  @Column({ length: 200 })
  title: string;

  @Field(() => Date, { description: 'When it is due.' })
  @InstantColumn()
  dueAt: Date;

  @Field(() => ID, { description: 'Who created it (the secretary).' })
  @Column()
  createdById: number;

  @Field(() => Date, { description: 'When it was created.' })
  @InstantColumn()
  createdAt: Date;
}

@Entity('progress_reports')
@Index('ix_progress_commitment', ['commitmentId'])
@Index('ix_progress_action_item', ['actionItemId'])
@ObjectType({ simpleResolvers: true, description: 'Progress reported by the owning cadre on a commitment or an action item; a new row each time.' })
export class ProgressReport {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { nullable: true, description: 'The commitment reported on.' })
  @Column({ type: 'int', nullable: true })
  commitmentId: number | null;

  @Field(() => ID, { nullable: true, description: 'The action item reported on.' })
  @Column({ type: 'int', nullable: true })
  actionItemId: number | null;

  @Field(() => ID, { description: 'The owning cadre.' })
  @Column()
  cadreId: number;

  @Field(() => ID, { description: 'Who reported it.' })
  @Column()
  reportedById: number;

  @Field({ description: 'What was done, 1–2000 characters.' })
  @Column({ type: 'text' })
  note: string;

  @Field(() => Int, { description: 'How far along, 0–100.' })
  @Column()
  percent: number;

  @Field(() => Date, { description: 'When it was reported.' })
  @InstantColumn()
  reportedAt: Date;
}

@Entity('progress_evidence')
@Index('ix_progress_evidence_report', ['progressId'])
@ObjectType({ simpleResolvers: true, description: 'An item of evidence of progress: the SHA-256 of its file, computed in the browser; the file stays with the cadre.' })
export class ProgressEvidence extends EvidenceItem {
  @Column()
  progressId: number;
}

@Entity('progress_verifications')
@ObjectType({ simpleResolvers: true, description: 'An auditor’s acceptance or rejection of a progress report; once per report.' })
export class ProgressVerification {
  @Field(() => ID, { description: 'The progress report verified.' })
  @Column({ primary: true })
  progressId: number;

  @Field({ description: 'Whether it is accepted; only accepted progress counts.' })
  @Column()
  accepted: boolean;

  @Field(() => String, { nullable: true, description: 'Why, up to 1000 characters.' })
  @Column({ type: 'varchar', length: 1000, nullable: true })
  note: string | null;

  @Field(() => ID, { description: 'The auditor.' })
  @Column()
  verifiedById: number;

  @Field(() => Date, { description: 'When.' })
  @InstantColumn()
  verifiedAt: Date;
}

@Entity('finding_responses')
@Index('uq_finding_responses_finding', ['findingId'], { unique: true })
@ObjectType({ simpleResolvers: true, description: 'The answer of the cadre concerned to a published adverse finding (申辩); one per finding.' })
export class FindingResponse {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { description: 'The finding answered.' })
  @Column()
  findingId: number;

  @Field(() => ID, { description: 'The cadre concerned.' })
  @Column()
  cadreId: number;

  @Field(() => ID, { description: 'Who wrote it.' })
  @Column()
  authorId: number;

  @Field({ description: 'The answer, 1–5000 characters.' })
  @Column({ type: 'text' })
  body: string;

  @Field(() => Date, { description: 'When it was given.' })
  @InstantColumn()
  respondedAt: Date;
}

@Entity('decisions')
@Index('ix_decisions_cadre', ['cadreId'])
@ObjectType({ simpleResolvers: true, description: 'A decision taken about a cadre (an admin’s act): its kind, its reason and what it rests on.' })
export class Decision {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { description: 'The cadre concerned.' })
  @Column()
  cadreId: number;

  @Field(() => DecisionKind, { description: 'What was decided.' })
  @Column({ type: 'varchar', length: 20 })
  kind: DecisionKind;

  @Field({ description: 'Why, 1–2000 characters.' })
  @Column({ type: 'text' })
  reason: string;

  @Field(() => ID, { nullable: true, description: 'The finding it rests on.' })
  @Column({ type: 'int', nullable: true })
  findingId: number | null;

  @Field(() => ID, { nullable: true, description: 'The session (its evaluation) it rests on.' })
  @Column({ type: 'int', nullable: true })
  sessionId: number | null;

  @Field(() => ID, { description: 'The admin who recorded it.' })
  @Column()
  decidedById: number;

  @Field(() => Date, { description: 'When.' })
  @InstantColumn()
  decidedAt: Date;
}
