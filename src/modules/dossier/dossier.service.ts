import { DataSource, In } from 'typeorm';
import { hasAnyRole, Principal } from '../../auth/principal';
import type { Clock } from '../../common/clock';
import { ForbiddenError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { Audit, Evidence } from '../audit/audit.entity';
import type { AuditService } from '../audit/audit.service';
import { cadreFlags, commitmentStatusOf, fulfilmentRate } from '../audit/consequences';
import { Claim, Commitment } from '../briefing/briefing.entity';
import type { BriefingService } from '../briefing/briefing.service';
import { Evaluation } from '../evaluation/evaluation.entity';
import { EvaluationStatus } from '../room/results';
import type { TallyResult } from '../evaluation/tally';
import { ActionItem, Decision } from '../followup/followup.entity';
import { Cadre } from '../registry/cadre.entity';
import { Review } from '../room/review.entity';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';
import type { CadreDossier, DossierGrade } from './dossier.types';

/** Who reads any cadre's dossier; a speaker reads only their own. */
const DOSSIER_READERS = ['admin', 'secretary', 'analyst', 'auditor', 'chair', 'leader'] as const;

/** Assembles a cadre's record from what the sessions, evaluations and audits stored; nothing is typed in twice. */
export class DossierService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly briefings: BriefingService,
    private readonly audits: AuditService,
    private readonly commendationWindowDays: number,
  ) {}

  /** The dossier of the caller's own cadre (the first, should an account hold two), or null. */
  async own(principal: Principal | null): Promise<CadreDossier | null> {
    if (principal?.kind !== 'user') return null;
    const cadre = await this.ds.getRepository(Cadre).findOne({ where: { userId: principal.userId }, order: { id: 'ASC' } });
    return cadre ? this.dossier(principal, String(cadre.id)) : null;
  }

  async dossier(principal: Principal | null, rawCadreId: string): Promise<CadreDossier> {
    const cadreId = parseId('cadre', rawCadreId, 'cadreId');
    const cadre = await this.ds.getRepository(Cadre).findOneBy({ id: cadreId });
    if (!cadre) throw new NotFoundError('cadre', cadreId, 'cadreId');
    const ownDossier = principal?.kind === 'user' && cadre.userId === principal.userId;
    if (!hasAnyRole(principal, DOSSIER_READERS) && !ownDossier) throw new ForbiddenError('a cadre’s dossier is for the organisation department, the leaders, auditors and the cadre themself');

    const speeches = await this.ds.getRepository(Speech).find({ where: { cadreId } });
    const sessionIds = [...new Set(speeches.map((s) => s.sessionId))];
    const sessions = sessionIds.length ? await this.ds.getRepository(Session).findBy({ id: In(sessionIds) }) : [];
    const sessionOf = new Map(sessions.map((s) => [s.id, s]));
    speeches.sort((a, b) => sessionOf.get(a.sessionId)!.startsAt.getTime() - sessionOf.get(b.sessionId)!.startsAt.getTime());

    const grades = await this.grades(speeches, sessionOf);
    const reviews = speeches.length ? await this.ds.getRepository(Review).find({ where: { speechId: In(speeches.map((s) => s.id)) }, order: { id: 'ASC' } }) : [];
    const { claims, commitments } = await this.briefings.currentOfCadres([cadreId]);
    const findings = await this.audits.publishedFindings([cadreId]);
    const [actionItems, decisions] = await Promise.all([
      this.ds.getRepository(ActionItem).find({ where: { cadreId }, order: { dueAt: 'ASC', id: 'ASC' } }),
      this.ds.getRepository(Decision).find({ where: { cadreId }, order: { decidedAt: 'ASC', id: 'ASC' } }),
    ]);
    const audits = findings.length ? await this.ds.getRepository(Audit).findBy({ id: In(findings.map((f) => f.auditId)) }) : [];
    const auditOf = new Map(audits.map((a) => [a.id, a]));
    const evidence = findings.length ? await this.ds.getRepository(Evidence).findBy({ findingId: In(findings.map((f) => f.id)) }) : [];

    const now = this.clock.now().getTime();
    const statuses = commitments.map((c) => commitmentStatusOf(c, now));
    // Findings may concern an earlier version of a record: name the version that was audited.
    const auditedClaims = await this.ds.getRepository(Claim).findBy({ id: In(audits.flatMap((a) => (a.claimId ? [a.claimId] : []))) });
    const auditedCommitments = await this.ds.getRepository(Commitment).findBy({ id: In(audits.flatMap((a) => (a.commitmentId ? [a.commitmentId] : []))) });
    const subjectOf = (auditId: number) => {
      const a = auditOf.get(auditId);
      const claim = auditedClaims.find((c) => c.id === a?.claimId);
      const commitment = auditedCommitments.find((c) => c.id === a?.commitmentId);
      return claim ? `${claim.indicator} ${claim.value}${claim.unit}` : commitment ? `${commitment.title}：${commitment.target}` : `audit ${auditId}`;
    };
    const flags = cadreFlags(
      findings.map((f) => ({
        findingId: f.id,
        verdict: f.verdict,
        publishedAt: f.publishedAt!.getTime(),
        subject: subjectOf(f.auditId),
        evidence: evidence.filter((e) => e.findingId === f.id).map((e) => e.sha256),
      })),
      grades.filter((g) => g.published).map((g) => ({ sessionId: g.session.id, sessionNumber: g.session.number, grade: g.grade, rank: g.rank, at: g.session.startsAt.getTime() })),
      this.commendationWindowDays,
    );
    return {
      cadre,
      speeches,
      grades,
      reviews,
      claims,
      commitments,
      findings,
      actionItems,
      decisions,
      fulfilmentRate: fulfilmentRate(statuses),
      flags: flags.map((f) => ({ kind: f.kind, reason: f.reason, at: new Date(f.at), findingId: f.findingId === null ? null : String(f.findingId), sessionId: f.sessionId === null ? null : String(f.sessionId), evidence: f.evidence })),
    };
  }

  private async grades(speeches: Speech[], sessionOf: Map<number, Session>): Promise<DossierGrade[]> {
    const sessionIds = [...sessionOf.keys()];
    const evaluations = sessionIds.length
      ? await this.ds.getRepository(Evaluation).findBy({ sessionId: In(sessionIds), status: In([EvaluationStatus.CLOSED, EvaluationStatus.PUBLISHED]) })
      : [];
    const evaluationOf = new Map(evaluations.map((e) => [e.sessionId, e]));
    const grades: DossierGrade[] = [];
    for (const speech of speeches) {
      const evaluation = evaluationOf.get(speech.sessionId);
      const result = evaluation?.resultsJson ? (JSON.parse(evaluation.resultsJson) as TallyResult[]).find((r) => r.speechId === speech.id) : undefined;
      if (evaluation && result) {
        grades.push({ session: sessionOf.get(speech.sessionId)!, grade: result.grade, rank: result.rank, score: result.score, published: evaluation.status === EvaluationStatus.PUBLISHED });
      }
    }
    return grades;
  }
}
