import { registerEnumType } from 'type-graphql';
import { Verdict } from './audit.entity';

export enum CommitmentStatus {
  OPEN = 'OPEN',
  DUE = 'DUE',
  FULFILLED = 'FULFILLED',
  PARTIAL = 'PARTIAL',
  MISSED = 'MISSED',
}
registerEnumType(CommitmentStatus, {
  name: 'CommitmentStatus',
  description: 'Derived, never typed in: OPEN until due, DUE once past its date; FULFILLED, PARTIAL or MISSED once a published finding says so.',
});

export enum DossierFlagKind {
  COMMENDATION_PRIORITY = 'COMMENDATION_PRIORITY',
  ACCOUNTABILITY = 'ACCOUNTABILITY',
}
registerEnumType(DossierFlagKind, {
  name: 'DossierFlagKind',
  description: 'COMMENDATION_PRIORITY (评先评优、提拔重用时予以优先考虑) or ACCOUNTABILITY (弄虚作假，追究责任).',
});

/** A published finding as the flags read it. */
export interface PublishedVerdict {
  findingId: number;
  verdict: Verdict;
  publishedAt: number;
}

const VERDICT_STATUS: Record<Verdict, CommitmentStatus> = {
  VERIFIED: CommitmentStatus.FULFILLED,
  PARTIAL: CommitmentStatus.PARTIAL,
  NOT_FULFILLED: CommitmentStatus.MISSED,
  FALSIFIED: CommitmentStatus.MISSED,
};

/** A commitment's status from its latest published verdict (projected onto the record), else from the clock. */
export function commitmentStatusOf(c: { dueAt: Date; latestVerdict: string | null }, now: number): CommitmentStatus {
  return c.latestVerdict ? VERDICT_STATUS[c.latestVerdict as Verdict] : now > c.dueAt.getTime() ? CommitmentStatus.DUE : CommitmentStatus.OPEN;
}

/** Share of assessed commitments that were fulfilled; null while none has been assessed. */
export function fulfilmentRate(statuses: readonly CommitmentStatus[]): number | null {
  const assessed = statuses.filter((s) => s === CommitmentStatus.FULFILLED || s === CommitmentStatus.PARTIAL || s === CommitmentStatus.MISSED);
  if (assessed.length === 0) return null;
  return Math.round((assessed.filter((s) => s === CommitmentStatus.FULFILLED).length / assessed.length) * 10_000) / 10_000;
}

export interface FlagFinding extends PublishedVerdict {
  subject: string;
  evidence: readonly string[];
}

export interface FlagGrade {
  sessionId: number;
  sessionNumber: number;
  grade: string;
  rank: number;
  at: number;
}

export interface Flag {
  kind: DossierFlagKind;
  reason: string;
  at: number;
  findingId: number | null;
  sessionId: number | null;
  evidence: string[];
}

const ADVERSE: readonly Verdict[] = [Verdict.PARTIAL, Verdict.NOT_FULFILLED, Verdict.FALSIFIED];
const DAY_MS = 86_400_000;

/**
 * What follows from the record (docs/audit-trail.md, dossier consequences): every published FALSIFIED finding raises ACCOUNTABILITY;
 * every published EXCELLENT result raises COMMENDATION_PRIORITY unless an adverse finding (PARTIAL, NOT_FULFILLED,
 * FALSIFIED) was published within `windowDays` before or after that session. Each flag says why and points to the
 * finding and its evidence, or to the session.
 */
export function cadreFlags(findings: readonly FlagFinding[], grades: readonly FlagGrade[], windowDays: number): Flag[] {
  const flags: Flag[] = findings
    .filter((f) => f.verdict === Verdict.FALSIFIED)
    .map((f) => ({
      kind: DossierFlagKind.ACCOUNTABILITY,
      reason: `核查认定弄虚作假（${f.subject}），视情况追究责任 — published finding ${f.findingId}`,
      at: f.publishedAt,
      findingId: f.findingId,
      sessionId: null,
      evidence: [...f.evidence],
    }));
  for (const g of grades.filter((x) => x.grade === 'EXCELLENT')) {
    const adverse = findings.find((f) => ADVERSE.includes(f.verdict) && Math.abs(f.publishedAt - g.at) <= windowDays * DAY_MS);
    if (adverse) continue;
    flags.push({
      kind: DossierFlagKind.COMMENDATION_PRIORITY,
      reason: `第${g.sessionNumber}期评议优秀（第${g.rank}名），前后${windowDays}天内无不利核查结论，评先评优、提拔重用时予以优先考虑`,
      at: g.at,
      findingId: null,
      sessionId: g.sessionId,
      evidence: [],
    });
  }
  return flags.sort((a, b) => a.at - b.at);
}
