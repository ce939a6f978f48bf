import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { InstantColumn } from '../../db/columns';

export enum AuditMethod {
  OPEN_INSPECTION = 'OPEN_INSPECTION',
  UNANNOUNCED_VISIT = 'UNANNOUNCED_VISIT',
  DOCUMENT_CHECK = 'DOCUMENT_CHECK',
  FIELD_VISIT = 'FIELD_VISIT',
}
registerEnumType(AuditMethod, { name: 'AuditMethod', description: '明察 OPEN_INSPECTION, 暗访 UNANNOUNCED_VISIT, 核实档案资料 DOCUMENT_CHECK, 实地走访 FIELD_VISIT.' });

export enum AuditStatus {
  ASSIGNED = 'ASSIGNED',
  REPORTED = 'REPORTED',
  CLOSED = 'CLOSED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(AuditStatus, { name: 'AuditStatus', description: 'ASSIGNED → REPORTED (a finding submitted) → CLOSED (a finding published); or WITHDRAWN.' });

export enum Verdict {
  VERIFIED = 'VERIFIED',
  PARTIAL = 'PARTIAL',
  NOT_FULFILLED = 'NOT_FULFILLED',
  FALSIFIED = 'FALSIFIED',
}
registerEnumType(Verdict, { name: 'Verdict', description: 'VERIFIED (属实/已落实), PARTIAL, NOT_FULFILLED, FALSIFIED (弄虚作假).' });

@Entity('audits')
@Index('ix_audits_cadre', ['cadreId'])
@Index('ix_audits_auditor', ['auditorId'])
// Audits per session with their unit and method, for the verdict analytics.
@Index('ix_audits_session', ['sessionId', 'regionId', 'method'])
@ObjectType({ simpleResolvers: true, description: 'A check (核查督导) of one claim or one commitment, by an assigned auditor.' })
export class Audit {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { nullable: true, description: 'The claim checked.' })
  @Column({ type: 'int', nullable: true })
  claimId: number | null;

  @Field(() => ID, { nullable: true, description: 'The commitment checked.' })
  @Column({ type: 'int', nullable: true })
  commitmentId: number | null;

  @Field(() => ID, { description: 'The cadre whose words are checked.' })
  @Column()
  cadreId: number;

  @Field(() => ID, { description: 'Session id.' })
  @Column()
  sessionId: number;

  /** The audited cadre's unit when assigned. */
  @Index()
  @Column({ type: 'int', nullable: true })
  regionId: number | null;

  @Field(() => AuditMethod, { description: 'How it is checked.' })
  @Column({ type: 'varchar', length: 30 })
  method: AuditMethod;

  @Field(() => ID, { description: 'The assigned auditor.' })
  @Column()
  auditorId: number;

  @Field(() => Date, { description: 'When the finding is due.' })
  @InstantColumn()
  dueAt: Date;

  @Field(() => AuditStatus, { description: 'Where the audit stands.' })
  @Column({ type: 'varchar', length: 20 })
  status: AuditStatus;

  @Column()
  assignedById: number;

  @Field(() => Date, { description: 'When it was assigned.' })
  @InstantColumn()
  assignedAt: Date;

  @Field(() => String, { nullable: true, description: 'Why it was withdrawn.' })
  @Column({ type: 'varchar', length: 500, nullable: true })
  withdrawReason: string | null;
}

@Entity('findings')
@Index('ix_findings_audit', ['auditId'])
@Index('ix_findings_cadre', ['cadreId'])
// A finding's state and verdict beside its audit: the verdict analytics read nothing else of the row.
@Index('ix_findings_audit_published', ['auditId', 'supersededAt', 'publishedAt', 'verdict'])
@ObjectType({ simpleResolvers: true, description: 'An auditor’s finding. Once published it never changes; a correction is a new finding that supersedes it.' })
export class Finding {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { description: 'The audit it answers.' })
  @Column()
  auditId: number;

  @Field(() => ID, { description: 'The cadre concerned.' })
  @Column()
  cadreId: number;

  @Field(() => Verdict, { description: 'The verdict.' })
  @Column({ type: 'varchar', length: 20 })
  verdict: Verdict;

  @Field({ description: 'What was found.' })
  @Column({ type: 'text' })
  summary: string;

  @Column()
  submittedById: number;

  @Field(() => Date, { description: 'When it was submitted.' })
  @InstantColumn()
  submittedAt: Date;

  @Field(() => Date, { nullable: true, description: 'When it was published; null while a draft.' })
  @InstantColumn({ nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  publishedById: number | null;

  @Field(() => ID, { nullable: true, description: 'The published finding this one corrects.' })
  @Column({ type: 'int', nullable: true })
  supersedesId: number | null;

  @Field(() => String, { nullable: true, description: 'Why the earlier finding is corrected.' })
  @Column({ type: 'varchar', length: 1000, nullable: true })
  correctionReason: string | null;

  @Field(() => Date, { nullable: true, description: 'When a published correction replaced this finding.' })
  @InstantColumn({ nullable: true })
  supersededAt: Date | null;
}

/**
 * What an item of evidence says about itself, wherever it is attached (a finding here, a progress report in
 * followup). (Registered as a GraphQL type so that type-graphql gives its fields to both.)
 */
@ObjectType('EvidenceItem', { simpleResolvers: true, description: 'What every item of evidence carries.' })
export abstract class EvidenceItem {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'e.g. PHOTO, DOCUMENT, INTERVIEW, LEDGER.' })
  @Column({ length: 40 })
  kind: string;

  @Field({ description: 'What it shows.' })
  @Column({ length: 1000 })
  description: string;

  @Field({ description: 'SHA-256 (hex) of the file, which is kept outside this system.' })
  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  @Field(() => Date, { description: 'When it was captured.' })
  @InstantColumn()
  capturedAt: Date;

  @Field({ description: 'Where it was captured.' })
  @Column({ length: 200 })
  location: string;
}

@Entity('evidence')
@Index('ix_evidence_finding', ['findingId'])
@ObjectType({ simpleResolvers: true, description: 'An item of evidence: what it is, the SHA-256 of its file, when and where it was captured.' })
export class Evidence extends EvidenceItem {
  @Column()
  findingId: number;
}
