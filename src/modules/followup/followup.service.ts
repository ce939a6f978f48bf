import { DataSource, EntityManager } from 'typeorm';
import { hasAnyRole, Principal, requireActorId } from '../../auth/principal';
import type { Role } from '../../auth/roles';
import type { Clock } from '../../common/clock';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { Connection, DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, toConnection } from '../../common/pagination';
import { inTransaction, writeLock } from '../../db/transaction';
import { Finding } from '../audit/audit.entity';
import { AuditConflictOfInterestError } from '../audit/audit.errors';
import { User } from '../../auth/user.entity';
import { Commitment } from '../briefing/briefing.entity';
import { journal } from '../journal/journal';
import { Cadre } from '../registry/cadre.entity';
import { Review, ReviewTone } from '../room/review.entity';
import { Speech } from '../sessions/speech.entity';
import { FollowUpAwaitingResponseError, FollowUpResponseWindowClosedError } from './followup.errors';
import { ActionItem, ActionItemStatus, Decision, FindingResponse, ProgressEvidence, ProgressReport, ProgressStatus, ProgressVerification } from './followup.entity';
import type { ActionItemInput, ActionItemsArgs, DecisionInput, ProgressInput, ProgressReportsArgs } from './followup.inputs';
import { actionItemDoneSql, isAdverse, responseWindowEnd } from './followup-status';

/** Who reads every action item and progress report; a cadre reads their own. */
const FOLLOW_UP_READERS: readonly Role[] = ['admin', 'secretary', 'auditor', 'analyst', 'chair', 'leader'];

const DONE = actionItemDoneSql('a');

export interface FollowUpOptions {
  /** Days after an adverse finding is published during which the cadre concerned may answer it. */
  responseWindowDays: number;
}

/**
 * What follows the meeting (docs/followup.md): action items from leaders' directives, progress and its
 * verification, the cadre's answer to an adverse finding and the decision taken. Every write adds rows and is
 * journalled in the same transaction; statuses are derived (followup-status.ts).
 */
export class FollowUpService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly options: FollowUpOptions,
  ) {}

  get responseWindowDays(): number {
    return this.options.responseWindowDays;
  }

  async createActionItem(principal: Principal | null, input: ActionItemInput): Promise<ActionItem> {
    const actorId = requireActorId(principal);
    if (input.dueAt.getTime() <= this.clock.now().getTime()) throw new BadUserInputError('the due date must be in the future', 'input.dueAt');
    const reviewId = parseId('review', input.reviewId, 'input.reviewId');
    const cadreId = parseId('cadre', input.ownerCadreId, 'input.ownerCadreId');
    return inTransaction(this.ds, async (m) => {
      const review = await m.getRepository(Review).findOneBy({ id: reviewId });
      if (!review) throw new NotFoundError('review', reviewId, 'input.reviewId');
      if (review.tone !== ReviewTone.DIRECTIVE) throw new BadUserInputError(`review ${reviewId} is a ${review.tone}, not a DIRECTIVE`, 'input.reviewId');
      if (!(await m.getRepository(Cadre).existsBy({ id: cadreId }))) throw new NotFoundError('cadre', cadreId, 'input.ownerCadreId');
      const item = await m.save(ActionItem, m.create(ActionItem, {
        reviewId,
        sessionId: review.sessionId,
        cadreId,
        title: input.title.trim(),
        dueAt: input.dueAt,
        createdById: actorId,
        createdAt: this.clock.now(),
      }));
      await journal(m, this.clock, { actorId, action: 'createActionItem', entity: 'ActionItem', entityId: item.id, after: item });
      return item;
    });
  }

  /** Action items by due date; a cadre without a reader's role sees only their own. */
  async actionItems(principal: Principal | null, args: ActionItemsArgs): Promise<Connection<ActionItem>> {
    const limit = args.first ?? DEFAULT_PAGE_SIZE;
    const offset = decodeCursor('action-item', args.after) ?? 0;
    const q = this.ds.getRepository(ActionItem).createQueryBuilder('a');
    if (args.cadreId != null) q.andWhere('a.cadreId = :cadreId', { cadreId: parseId('cadre', args.cadreId, 'cadreId') });
    const own = await this.ownCadres(principal);
    if (own !== null) q.andWhere(own.length ? 'a.cadreId IN (:...own)' : '1 = 0', { own });
    const now = this.clock.now();
    if (args.status === ActionItemStatus.DONE) q.andWhere(DONE);
    if (args.status === ActionItemStatus.OPEN) q.andWhere(`NOT ${DONE}`).andWhere('a.dueAt >= :now', { now });
    if (args.status === ActionItemStatus.OVERDUE) q.andWhere(`NOT ${DONE}`).andWhere('a.dueAt < :now', { now });
    const [rows, total] = await q.orderBy('a.dueAt', 'ASC').addOrderBy('a.id', 'ASC').skip(offset).take(limit + 1).getManyAndCount();
    const positioned = rows.map((row, i) => Object.assign(row, { position: offset + i + 1 }));
    return toConnection(positioned, limit, total, offset > 0, (row) => encodeCursor('action-item', row.position));
  }

  async reportProgress(principal: Principal | null, input: ProgressInput): Promise<ProgressReport> {
    const actorId = requireActorId(principal);
    const onCommitment = input.commitmentId != null;
    if (onCommitment === (input.actionItemId != null)) throw new BadUserInputError('give exactly one of commitmentId and actionItemId', 'input');
    const now = this.clock.now();
    (input.evidence ?? []).forEach((e, i) => {
      if (e.capturedAt.getTime() > now.getTime()) throw new BadUserInputError('evidence cannot be captured in the future', `input.evidence.${i}.capturedAt`);
    });
    return inTransaction(this.ds, async (m) => {
      const subject = onCommitment ? await this.commitmentToReport(m, input.commitmentId!) : await this.actionItemToReport(m, input.actionItemId!);
      const cadreId = subject.cadreId;
      const cadre = await m.getRepository(Cadre).findOneByOrFail({ id: cadreId });
      if (cadre.userId !== actorId) throw new ForbiddenError('only the cadre who owns it reports progress');
      const report = await m.save(ProgressReport, m.create(ProgressReport, {
        commitmentId: onCommitment ? subject.id : null,
        actionItemId: onCommitment ? null : subject.id,
        cadreId,
        reportedById: actorId,
        note: input.note.trim(),
        percent: input.percent,
        reportedAt: now,
      }));
      const evidence = (input.evidence ?? []).map((e) => ({ progressId: report.id, kind: e.kind.trim(), description: e.description.trim(), sha256: e.sha256.toLowerCase(), capturedAt: e.capturedAt, location: e.location.trim() }));
      if (evidence.length) await m.getRepository(ProgressEvidence).insert(evidence);
      await journal(m, this.clock, { actorId, action: 'reportProgress', entity: 'ProgressReport', entityId: report.id, after: { ...report, evidence } });
      return report;
    });
  }

  private async commitmentToReport(m: EntityManager, rawId: string): Promise<Commitment> {
    const id = parseId('commitment', rawId, 'input.commitmentId');
    const commitment = await m.getRepository(Commitment).findOneBy({ id });
    if (!commitment) throw new NotFoundError('commitment', id, 'input.commitmentId');
    if (commitment.supersededAt) throw new ConflictError('this version was revised; report on the current one', 'input.commitmentId');
    return commitment;
  }

  private async actionItemToReport(m: EntityManager, rawId: string): Promise<ActionItem> {
    const id = parseId('action item', rawId, 'input.actionItemId');
    const item = await m.getRepository(ActionItem).findOneBy({ id });
    if (!item) throw new NotFoundError('action item', id, 'input.actionItemId');
    return item;
  }

  /**
   * An auditor accepts or rejects a report, once; a rejection says why. The reporter never verifies their own, nor
   * an auditor from the cadre's own unit (the separation of duties that assignAudit keeps too).
   */
  async verifyProgress(principal: Principal | null, rawId: string, accepted: boolean, note: string | null | undefined): Promise<ProgressReport> {
    const actorId = requireActorId(principal);
    const id = parseId('progress report', rawId, 'progressId');
    const why = note?.trim() || null;
    if (why !== null && [...why].length > 1000) throw new BadUserInputError('note must be at most 1000 characters', 'note');
    if (!accepted && why === null) throw new BadUserInputError('a rejection needs a note saying why', 'note');
    return inTransaction(this.ds, async (m) => {
      const report = await m.getRepository(ProgressReport).findOne({ where: { id }, lock: writeLock(m) });
      if (!report) throw new NotFoundError('progress report', id, 'progressId');
      if (report.reportedById === actorId) throw new ForbiddenError('nobody verifies their own progress report');
      const [auditor, cadre] = await Promise.all([m.getRepository(User).findOneByOrFail({ id: actorId }), m.getRepository(Cadre).findOneByOrFail({ id: report.cadreId })]);
      if (auditor.regionId !== null && auditor.regionId === cadre.regionId) throw new AuditConflictOfInterestError('the auditor belongs to the reporting cadre’s own unit');
      if (await m.getRepository(ProgressVerification).existsBy({ progressId: id })) throw new ConflictError(`progress report ${id} is already verified`, 'progressId');
      const verification = m.create(ProgressVerification, { progressId: id, accepted, note: why, verifiedById: actorId, verifiedAt: this.clock.now() });
      await m.getRepository(ProgressVerification).insert(verification);
      await journal(m, this.clock, { actorId, action: 'verifyProgress', entity: 'ProgressVerification', entityId: id, after: verification });
      return report;
    });
  }

  /** Progress reports, newest first; a cadre without a reader's role sees only their own. */
  async progressReports(principal: Principal | null, args: ProgressReportsArgs): Promise<Connection<ProgressReport>> {
    const limit = args.first ?? DEFAULT_PAGE_SIZE;
    const before = decodeCursor('progress', args.after);
    const q = this.ds.getRepository(ProgressReport).createQueryBuilder('p').leftJoin(ProgressVerification, 'v', 'v.progressId = p.id');
    if (args.commitmentId != null) q.andWhere('p.commitmentId = :c', { c: parseId('commitment', args.commitmentId, 'commitmentId') });
    if (args.actionItemId != null) q.andWhere('p.actionItemId = :a', { a: parseId('action item', args.actionItemId, 'actionItemId') });
    if (args.status === ProgressStatus.PENDING) q.andWhere('v.progressId IS NULL');
    if (args.status === ProgressStatus.ACCEPTED) q.andWhere('v.accepted = :yes', { yes: true });
    if (args.status === ProgressStatus.REJECTED) q.andWhere('v.accepted = :no', { no: false });
    const own = await this.ownCadres(principal);
    if (own !== null) q.andWhere(own.length ? 'p.cadreId IN (:...own)' : '1 = 0', { own });
    const total = await q.clone().getCount();
    if (before !== null) q.andWhere('p.id < :before', { before });
    const rows = await q.orderBy('p.id', 'DESC').take(limit + 1).getMany();
    return toConnection(rows, limit, total, before !== null, (row) => encodeCursor('progress', row.id));
  }

  /** The cadre concerned answers a published adverse finding, once, within the window (申辩). */
  async respondToFinding(principal: Principal | null, rawFindingId: string, body: string): Promise<FindingResponse> {
    const actorId = requireActorId(principal);
    const id = parseId('finding', rawFindingId, 'findingId');
    const text = body.trim();
    if (text.length === 0 || [...text].length > 5000) throw new BadUserInputError('body must be 1–5000 characters', 'body');
    return inTransaction(this.ds, async (m) => {
      const finding = await m.getRepository(Finding).findOneBy({ id });
      if (!finding || finding.publishedAt === null) throw new NotFoundError('finding', id, 'findingId');
      const cadre = await m.getRepository(Cadre).findOneByOrFail({ id: finding.cadreId });
      if (cadre.userId !== actorId) throw new ForbiddenError('only the cadre concerned answers a finding');
      if (!isAdverse(finding.verdict)) throw new BadUserInputError('a VERIFIED finding needs no answer', 'findingId');
      const closesAt = responseWindowEnd(finding.publishedAt, this.options.responseWindowDays);
      if (this.clock.now().getTime() > closesAt.getTime()) throw new FollowUpResponseWindowClosedError(id, closesAt);
      if (await m.getRepository(FindingResponse).existsBy({ findingId: id })) throw new ConflictError(`finding ${id} is already answered`, 'findingId');
      const response = await m.save(FindingResponse, m.create(FindingResponse, { findingId: id, cadreId: cadre.id, authorId: actorId, body: text, respondedAt: this.clock.now() }));
      await journal(m, this.clock, { actorId, action: 'respondToFinding', entity: 'FindingResponse', entityId: response.id, after: response });
      return response;
    });
  }

  /**
   * An admin records the decision taken about a cadre, with a reason and what it rests on: a published finding
   * about them (once they have answered it, or their window has closed) and/or a session they spoke in.
   */
  async recordDecision(principal: Principal | null, input: DecisionInput): Promise<Decision> {
    const actorId = requireActorId(principal);
    const cadreId = parseId('cadre', input.cadreId, 'input.cadreId');
    if (input.findingId == null && input.sessionId == null) throw new BadUserInputError('a decision rests on a finding, a session or both', 'input');
    const findingId = input.findingId == null ? null : parseId('finding', input.findingId, 'input.findingId');
    const sessionId = input.sessionId == null ? null : parseId('session', input.sessionId, 'input.sessionId');
    return inTransaction(this.ds, async (m) => {
      if (!(await m.getRepository(Cadre).existsBy({ id: cadreId }))) throw new NotFoundError('cadre', cadreId, 'input.cadreId');
      if (findingId !== null) await this.assertDecidable(m, findingId, cadreId);
      if (sessionId !== null && !(await m.getRepository(Speech).existsBy({ sessionId, cadreId }))) {
        throw new BadUserInputError(`cadre ${cadreId} did not speak in session ${sessionId}`, 'input.sessionId');
      }
      const decision = await m.save(Decision, m.create(Decision, { cadreId, kind: input.kind, reason: input.reason.trim(), findingId, sessionId, decidedById: actorId, decidedAt: this.clock.now() }));
      await journal(m, this.clock, { actorId, action: 'recordDecision', entity: 'Decision', entityId: decision.id, after: decision });
      return decision;
    });
  }

  private async assertDecidable(m: EntityManager, findingId: number, cadreId: number): Promise<void> {
    const finding = await m.getRepository(Finding).findOneBy({ id: findingId });
    if (!finding || finding.publishedAt === null) throw new NotFoundError('finding', findingId, 'input.findingId');
    if (finding.cadreId !== cadreId) throw new BadUserInputError(`finding ${findingId} is about another cadre`, 'input.findingId');
    if (!isAdverse(finding.verdict) || (await m.getRepository(FindingResponse).existsBy({ findingId }))) return;
    const until = responseWindowEnd(finding.publishedAt, this.options.responseWindowDays);
    if (this.clock.now().getTime() <= until.getTime()) throw new FollowUpAwaitingResponseError(findingId, until);
  }

  /** null for a reader of everything; otherwise the ids of the caller's own cadres. */
  private async ownCadres(principal: Principal | null): Promise<number[] | null> {
    if (hasAnyRole(principal, FOLLOW_UP_READERS)) return null;
    if (principal?.kind !== 'user') return [];
    return (await this.ds.getRepository(Cadre).findBy({ userId: principal.userId })).map((c) => c.id);
  }
}
