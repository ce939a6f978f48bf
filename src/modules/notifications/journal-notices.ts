import { In, IsNull, Not, type EntityManager } from 'typeorm';
import { User } from '../../auth/user.entity';
import { Audit, AuditMethod, Finding } from '../audit/audit.entity';
import { Claim, Commitment } from '../briefing/briefing.entity';
import { ActionItem, FindingResponse, ProgressReport } from '../followup/followup.entity';
import type { JournalEntry } from '../journal/journal.entity';
import { Cadre } from '../registry/cadre.entity';
import type { NoticeDraft } from './notice-store';
import { noticeText } from './notice-text';
import { NotificationKind } from './notification.entity';

/** The journal's actions that make notices; every other entry is passed over. */
export const NOTIFYING_ACTIONS = ['assignAudit', 'publishFinding', 'reportProgress', 'respondToFinding'] as const;

/** The dedupe key of the notice to `userId` made from journal entry `seq`. */
export const journalKey = (seq: number, userId: number) => `j:${seq}:${userId}`;

/** Reads made once per batch of entries. */
class BatchReads {
  private roleHolders = new Map<string, Promise<number[]>>();

  constructor(readonly m: EntityManager) {}

  /** Every user holding `role` (roles are a simple array column, so they are matched here, not in SQL). */
  holders(role: string): Promise<number[]> {
    let found = this.roleHolders.get(role);
    if (!found) {
      found = this.m
        .getRepository(User)
        .find({ select: { id: true, roles: true } })
        .then((users) => users.filter((u) => u.roles.includes(role as never)).map((u) => u.id));
      this.roleHolders.set(role, found);
    }
    return found;
  }

  cadre(id: number): Promise<Cadre | null> {
    return this.m.getRepository(Cadre).findOneBy({ id });
  }

  async auditSubject(audit: Audit): Promise<string> {
    if (audit.commitmentId !== null) return (await this.m.getRepository(Commitment).findOneBy({ id: audit.commitmentId }))?.title ?? `承诺 ${audit.commitmentId}`;
    if (audit.claimId !== null) return (await this.m.getRepository(Claim).findOneBy({ id: audit.claimId }))?.indicator ?? `成绩 ${audit.claimId}`;
    return `核查 ${audit.id}`;
  }

  async progressSubject(report: ProgressReport): Promise<string | null> {
    if (report.commitmentId !== null) return (await this.m.getRepository(Commitment).findOneBy({ id: report.commitmentId }))?.title ?? null;
    if (report.actionItemId !== null) return (await this.m.getRepository(ActionItem).findOneBy({ id: report.actionItemId }))?.title ?? null;
    return null;
  }
}

const entityIdOf = (entry: JournalEntry) => (/^[1-9][0-9]{0,15}$/.test(entry.entityId) ? Number(entry.entityId) : null);

/** The notices one journal entry makes, by the mapping of docs/notifications.md. */
async function noticesFor(reads: BatchReads, entry: JournalEntry): Promise<NoticeDraft[]> {
  const id = entityIdOf(entry);
  if (id === null) return [];
  const { m } = reads;
  const to = (userIds: Iterable<number>, draft: Omit<NoticeDraft, 'userId' | 'dedupeKey'>): NoticeDraft[] =>
    [...new Set(userIds)].map((userId) => ({ ...draft, userId, dedupeKey: journalKey(entry.seq, userId) }));

  if (entry.action === 'assignAudit' && entry.entity === 'Audit') {
    const audit = await m.getRepository(Audit).findOneBy({ id });
    if (!audit) return [];
    const cadre = await reads.cadre(audit.cadreId);
    // The auditor only, and never the audited cadre, even should they hold the auditor's account.
    if (cadre?.userId === audit.auditorId) return [];
    return to([audit.auditorId], { kind: NotificationKind.AUDIT_ASSIGNED, subjectType: 'Audit', subjectId: audit.id, text: noticeText.auditAssigned(await reads.auditSubject(audit), audit.dueAt) });
  }
  if (entry.action === 'publishFinding' && entry.entity === 'Finding') {
    const finding = await m.getRepository(Finding).findOneBy({ id });
    if (!finding?.publishedAt) return [];
    const cadre = await reads.cadre(finding.cadreId);
    if (cadre?.userId == null) return [];
    return to([cadre.userId], { kind: NotificationKind.FINDING_PUBLISHED, subjectType: 'Finding', subjectId: finding.id, text: noticeText.findingPublished() });
  }
  if (entry.action === 'reportProgress' && entry.entity === 'ProgressReport') {
    const report = await m.getRepository(ProgressReport).findOneBy({ id });
    if (!report) return [];
    const owner = (await reads.cadre(report.cadreId))?.userId ?? null;
    // Whoever reported it, and the owner, do not verify their own progress.
    const auditors = (await reads.holders('auditor')).filter((u) => u !== entry.actorId && u !== report.reportedById && u !== owner);
    return to(auditors, { kind: NotificationKind.PROGRESS_TO_VERIFY, subjectType: 'ProgressReport', subjectId: report.id, text: noticeText.progressToVerify(await reads.progressSubject(report)) });
  }
  if (entry.action === 'respondToFinding' && entry.entity === 'FindingResponse') {
    const response = await m.getRepository(FindingResponse).findOneBy({ id });
    if (!response) return [];
    const cadre = await reads.cadre(response.cadreId);
    const admins = (await reads.holders('admin')).filter((u) => u !== entry.actorId && u !== response.authorId && u !== cadre?.userId);
    return to(admins, { kind: NotificationKind.RESPONSE_TO_DECIDE, subjectType: 'FindingResponse', subjectId: response.id, text: noticeText.responseToDecide(cadre?.name ?? null) });
  }
  return [];
}

/**
 * The notices a run of journal entries makes, in journal order, after the unannounced-visit rule has struck out
 * anything that would reach a cadre about a 暗访 of them before its finding is published.
 */
export async function noticesForEntries(m: EntityManager, entries: readonly JournalEntry[]): Promise<NoticeDraft[]> {
  const reads = new BatchReads(m);
  const drafts: NoticeDraft[] = [];
  for (const entry of entries) drafts.push(...(await noticesFor(reads, entry)));
  return withoutUnannouncedLeaks(m, drafts);
}

/**
 * The unannounced-visit rule (暗访): no notice about an UNANNOUNCED_VISIT audit, or about a finding of one, reaches
 * the audited cadre's account while the audit has no published finding. The mapping already never addresses them;
 * this is the last check every notice from the journal passes, whatever a future mapping does.
 */
export async function withoutUnannouncedLeaks(m: EntityManager, drafts: readonly NoticeDraft[]): Promise<NoticeDraft[]> {
  const auditIds = new Set(drafts.filter((d) => d.subjectType === 'Audit').map((d) => d.subjectId));
  const findingIds = drafts.filter((d) => d.subjectType === 'Finding').map((d) => d.subjectId);
  const findingAudit = new Map<number, number>();
  if (findingIds.length) for (const f of await m.getRepository(Finding).findBy({ id: In(findingIds) })) findingAudit.set(f.id, f.auditId);
  for (const auditId of findingAudit.values()) auditIds.add(auditId);
  if (auditIds.size === 0) return [...drafts];
  const secret = await m.getRepository(Audit).findBy({ id: In([...auditIds]), method: AuditMethod.UNANNOUNCED_VISIT });
  if (secret.length === 0) return [...drafts];
  const published = new Set(
    (await m.getRepository(Finding).find({ select: { auditId: true }, where: { auditId: In(secret.map((a) => a.id)), publishedAt: Not(IsNull()) } })).map((f) => f.auditId),
  );
  const cadres = new Map((await m.getRepository(Cadre).findBy({ id: In([...new Set(secret.map((a) => a.cadreId))]) })).map((c) => [c.id, c.userId]));
  /** The audited cadre's user of each unannounced audit still without a published finding. */
  const hiddenFrom = new Map(secret.filter((a) => !published.has(a.id)).map((a) => [a.id, cadres.get(a.cadreId) ?? null]));
  return drafts.filter((d) => {
    const auditId = d.subjectType === 'Audit' ? d.subjectId : d.subjectType === 'Finding' ? findingAudit.get(d.subjectId) : undefined;
    return auditId === undefined || !hiddenFrom.has(auditId) || hiddenFrom.get(auditId) !== d.userId;
  });
}
