import { DataSource, EntityManager, In, IsNull, Not } from 'typeorm';
import { hasAnyRole, Principal, requireActorId } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import type { Clock } from '../../common/clock';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { inTransaction, writeLock } from '../../db/transaction';
import { Claim, Commitment } from '../briefing/briefing.entity';
import { journal } from '../journal/journal';
import { Cadre } from '../registry/cadre.entity';
import { Audit, AuditMethod, AuditStatus, Evidence, Finding } from './audit.entity';
import { AuditConflictOfInterestError, AuditFindingPublishedError, AuditWithdrawnError } from './audit.errors';
import type { AssignAuditInput, FindingInput } from './audit.inputs';

/** Audits (核查督导) and their findings. Every write is journaled in the same transaction. */
export class AuditService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async assignAudit(principal: Principal | null, input: AssignAuditInput): Promise<Audit> {
    const actorId = requireActorId(principal);
    const hasClaim = input.claimId != null;
    if (hasClaim === (input.commitmentId != null)) throw new BadUserInputError('give exactly one of claimId and commitmentId', 'input');
    if (input.dueAt.getTime() <= this.clock.now().getTime()) throw new BadUserInputError('the due date must be in the future', 'input.dueAt');
    const auditorId = parseId('user', input.auditorId, 'input.auditorId');
    return inTransaction(this.ds, async (m) => {
      const subject = hasClaim
        ? await m.getRepository(Claim).findOneBy({ id: parseId('claim', input.claimId!, 'input.claimId') })
        : await m.getRepository(Commitment).findOneBy({ id: parseId('commitment', input.commitmentId!, 'input.commitmentId') });
      if (!subject) throw new NotFoundError(hasClaim ? 'claim' : 'commitment', String(input.claimId ?? input.commitmentId), hasClaim ? 'input.claimId' : 'input.commitmentId');
      if (subject.supersededAt) throw new ConflictError(`this version was revised; audit the current one`, hasClaim ? 'input.claimId' : 'input.commitmentId');
      const auditor = await m.getRepository(User).findOneBy({ id: auditorId });
      if (!auditor) throw new NotFoundError('user', auditorId, 'input.auditorId');
      if (!auditor.roles.includes('auditor')) throw new BadUserInputError(`user ${auditorId} is not an auditor`, 'input.auditorId');
      const cadre = await m.getRepository(Cadre).findOneByOrFail({ id: subject.cadreId });
      if (cadre.userId === auditor.id) throw new AuditConflictOfInterestError('an auditor never audits themself');
      if (auditor.regionId !== null && auditor.regionId === cadre.regionId) throw new AuditConflictOfInterestError('the auditor belongs to the audited cadre’s own unit');
      const audit = await m.save(Audit, m.create(Audit, {
        claimId: hasClaim ? subject.id : null,
        commitmentId: hasClaim ? null : subject.id,
        cadreId: cadre.id,
        sessionId: subject.sessionId,
        regionId: cadre.regionId,
        method: input.method,
        auditorId,
        dueAt: input.dueAt,
        status: AuditStatus.ASSIGNED,
        assignedById: actorId,
        assignedAt: this.clock.now(),
        withdrawReason: null,
      }));
      await journal(m, this.clock, { actorId, action: 'assignAudit', entity: 'Audit', entityId: audit.id, after: audit });
      return audit;
    });
  }

  async withdrawAudit(principal: Principal | null, rawId: string, reason: string): Promise<Audit> {
    const actorId = requireActorId(principal);
    const why = reason.trim();
    if (why.length === 0 || [...why].length > 500) throw new BadUserInputError('reason must be 1–500 characters', 'reason');
    return inTransaction(this.ds, async (m) => {
      const audit = await lockAudit(m, rawId);
      if (audit.status === AuditStatus.WITHDRAWN) throw new ConflictError(`audit ${audit.id} is already withdrawn`);
      if (audit.status === AuditStatus.CLOSED) throw new ConflictError(`audit ${audit.id} is closed by a published finding`);
      const before = { ...audit };
      audit.status = AuditStatus.WITHDRAWN;
      audit.withdrawReason = why;
      await m.save(audit);
      await journal(m, this.clock, { actorId, action: 'withdrawAudit', entity: 'Audit', entityId: audit.id, before, after: audit });
      return audit;
    });
  }

  /**
   * The assigned auditor reports. A draft is replaced until published; a published finding is corrected only by a
   * new finding that gives a reason and supersedes it once published.
   */
  async submitFinding(principal: Principal | null, rawAuditId: string, input: FindingInput): Promise<Finding> {
    const actorId = requireActorId(principal);
    const now = this.clock.now();
    (input.evidence ?? []).forEach((e, i) => {
      if (e.capturedAt.getTime() > now.getTime()) throw new BadUserInputError('evidence cannot be captured in the future', `input.evidence.${i}.capturedAt`);
    });
    return inTransaction(this.ds, async (m) => {
      const audit = await lockAudit(m, rawAuditId);
      if (audit.status === AuditStatus.WITHDRAWN) throw new AuditWithdrawnError(audit.id);
      if (audit.auditorId !== actorId) throw new ForbiddenError('only the assigned auditor submits a finding');
      const latest = await m.getRepository(Finding).findOne({ where: { auditId: audit.id, supersededAt: IsNull() }, order: { id: 'DESC' } });
      const fields = { verdict: input.verdict, summary: input.summary.trim(), submittedById: actorId, submittedAt: now };
      let finding: Finding;
      if (latest && latest.publishedAt === null) {
        const before = { ...latest };
        if (latest.supersedesId !== null && !input.correctionReason?.trim()) throw new BadUserInputError('a correction needs a correctionReason', 'input.correctionReason');
        finding = await m.save(Object.assign(latest, fields, { correctionReason: latest.supersedesId !== null ? input.correctionReason!.trim() : null }));
        await m.getRepository(Evidence).delete({ findingId: finding.id });
        await journal(m, this.clock, { actorId, action: 'submitFinding', entity: 'Finding', entityId: finding.id, before, after: finding });
      } else {
        if (latest && !input.correctionReason?.trim()) throw new AuditFindingPublishedError(latest.id);
        finding = await m.save(Finding, m.create(Finding, {
          ...fields,
          auditId: audit.id,
          cadreId: audit.cadreId,
          publishedAt: null,
          publishedById: null,
          supersedesId: latest?.id ?? null,
          correctionReason: latest ? input.correctionReason!.trim() : null,
          supersededAt: null,
        }));
        await journal(m, this.clock, { actorId, action: 'submitFinding', entity: 'Finding', entityId: finding.id, after: finding });
      }
      const evidence = (input.evidence ?? []).map((e) => ({ findingId: finding.id, kind: e.kind.trim(), description: e.description.trim(), sha256: e.sha256.toLowerCase(), capturedAt: e.capturedAt, location: e.location.trim() }));
      if (evidence.length) await m.getRepository(Evidence).insert(evidence);
      if (audit.status === AuditStatus.ASSIGNED) {
        await m.getRepository(Audit).update({ id: audit.id }, { status: AuditStatus.REPORTED });
        await journal(m, this.clock, { actorId, action: 'reportAudit', entity: 'Audit', entityId: audit.id, before: audit, after: { ...audit, status: AuditStatus.REPORTED } });
      }
      return finding;
    });
  }

  /** Four eyes: an admin who did not write it publishes it; then it never changes. */
  async publishFinding(principal: Principal | null, rawId: string): Promise<Finding> {
    const actorId = requireActorId(principal);
    const id = parseId('finding', rawId, 'findingId');
    return inTransaction(this.ds, async (m) => {
      const finding = await m.getRepository(Finding).findOne({ where: { id }, lock: writeLock(m) });
      if (!finding) throw new NotFoundError('finding', id, 'findingId');
      if (finding.publishedAt) throw new ConflictError(`finding ${id} is already published`);
      if (finding.supersededAt) throw new ConflictError(`finding ${id} was replaced by a later draft`);
      if (finding.submittedById === actorId) throw new ForbiddenError('a finding is published by someone other than its author');
      const audit = await lockAudit(m, String(finding.auditId));
      if (audit.status === AuditStatus.WITHDRAWN) throw new AuditWithdrawnError(audit.id);
      const before = { ...finding };
      const now = this.clock.now();
      finding.publishedAt = now;
      finding.publishedById = actorId;
      await m.save(finding);
      if (finding.supersedesId !== null) await m.getRepository(Finding).update({ id: finding.supersedesId }, { supersededAt: now });
      await journal(m, this.clock, { actorId, action: 'publishFinding', entity: 'Finding', entityId: finding.id, before, after: finding });
      await m.getRepository(Audit).update({ id: audit.id }, { status: AuditStatus.CLOSED });
      await journal(m, this.clock, { actorId, action: 'closeAudit', entity: 'Audit', entityId: audit.id, before: audit, after: { ...audit, status: AuditStatus.CLOSED } });
      // The verdict is projected onto the record it judges (and carried into its later versions), with its own entry.
      const entity = audit.claimId !== null ? Claim : Commitment;
      const subject = await currentVersion(m, entity, audit.claimId ?? audit.commitmentId!);
      const judged = { ...subject, latestVerdict: finding.verdict, verdictPublishedAt: now };
      await m.getRepository(entity).update({ id: subject.id }, { latestVerdict: finding.verdict, verdictPublishedAt: now });
      await journal(m, this.clock, { actorId, action: 'recordVerdict', entity: entity.name, entityId: subject.id, before: subject, after: judged });
      return finding;
    });
  }

  /**
   * Audits visible to the caller: admins see all, auditors their own assignments, and a cadre never sees an
   * unannounced visit (暗访) of their own before its finding is published.
   */
  async audits(principal: Principal | null, filter: { cadreId?: number; status?: AuditStatus }): Promise<Audit[]> {
    const where: Record<string, unknown> = {};
    if (filter.cadreId !== undefined) where.cadreId = filter.cadreId;
    if (filter.status !== undefined) where.status = filter.status;
    if (!hasAnyRole(principal, ['admin', 'secretary'])) where.auditorId = principal?.kind === 'user' ? principal.userId : -1;
    return this.ds.getRepository(Audit).find({ where, order: { id: 'ASC' } });
  }

  /** Hides a cadre's own unannounced visits from them until a finding is published. */
  async visibleTo(principal: Principal | null, audits: Audit[]): Promise<Audit[]> {
    if (principal?.kind !== 'user' || hasAnyRole(principal, ['admin', 'secretary', 'auditor'])) return audits;
    const own = new Set((await this.ds.getRepository(Cadre).findBy({ userId: principal.userId })).map((c) => c.id));
    const hidden = audits.filter((a) => a.method === AuditMethod.UNANNOUNCED_VISIT && own.has(a.cadreId) && a.status !== AuditStatus.CLOSED);
    return audits.filter((a) => !hidden.includes(a));
  }

  /** The current published findings (corrections applied) about some cadres. */
  publishedFindings(cadreIds: number[]): Promise<Finding[]> {
    if (cadreIds.length === 0) return Promise.resolve([]);
    return this.ds.getRepository(Finding).find({ where: { cadreId: In(cadreIds), publishedAt: Not(IsNull()), supersededAt: IsNull() }, order: { publishedAt: 'ASC' } });
  }
}

/** The current version of a briefing record, following revisions forward from the version that was audited. */
async function currentVersion(m: EntityManager, entity: typeof Claim | typeof Commitment, id: number): Promise<Claim | Commitment> {
  let row: Claim | Commitment = await m.getRepository(entity).findOneByOrFail({ id });
  while (row.supersededAt) row = await m.getRepository(entity).findOneByOrFail({ supersedesId: row.id });
  return row;
}


async function lockAudit(m: EntityManager, rawId: string): Promise<Audit> {
  const id = parseId('audit', rawId, 'auditId');
  const audit = await m.getRepository(Audit).findOne({ where: { id }, lock: writeLock(m) });
  if (!audit) throw new NotFoundError('audit', id, 'auditId');
  return audit;
}
