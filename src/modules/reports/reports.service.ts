import { DataSource, In } from 'typeorm';
import { hasAnyRole, type Principal } from '../../auth/principal';
import type { Role } from '../../auth/roles';
import type { Clock } from '../../common/clock';
import { ForbiddenError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { Archive } from '../archive/archive.entity';
import type { CadreDossier } from '../dossier/dossier.types';
import { Evaluation } from '../evaluation/evaluation.entity';
import { DEFAULT_TALLY_CONFIG, type TallyConfig } from '../evaluation/tally';
import { actionItemProgress } from '../followup/action-item-progress';
import { FindingResponse, type ActionItem } from '../followup/followup.entity';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import { readRoomEvents } from '../room/room-log';
import { SpeechStatus } from '../sessions/session-enums';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';
import { Theme } from '../themes/theme.entity';
import { dossierReport } from './dossier-report';
import { evaluationReport, type ReportSession, type ReportSpeaker, type ResultLine } from './evaluation-report';
import { minutesReport } from './minutes-report';
import { renderPdf } from './pdf-renderer';
import type { ReportDocument, ReportSeal } from './report-document';

/** What the reports need of the evaluation (its service is one): undefined without one, null while not yours to see. */
export interface SessionResults {
  sessionResults(sessionId: number, principal: Principal): Promise<readonly ResultLine[] | null | undefined>;
}

/** What the dossier report needs of the dossiers (their service is one); it applies its own access rule too. */
export interface Dossiers {
  dossier(principal: Principal | null, rawCadreId: string): Promise<CadreDossier>;
}

export interface ReportServiceDeps {
  ds: DataSource;
  clock: Clock;
  evaluations: SessionResults;
  dossiers: Dossiers;
  /** The tally's settings, so the report states the weights and thresholds the results were computed with. */
  tally?: TallyConfig;
}

/** Who prints a session's reports; a cadre's dossier is the organisation department's, and the analysts' who open it from their charts. */
const SESSION_REPORT_READERS: readonly Role[] = ['secretary', 'admin', 'chair'];
const DOSSIER_REPORT_READERS: readonly Role[] = ['secretary', 'admin', 'analyst'];

/**
 * Reads what a report says from the services and the rows, and hands it to the pure builders; `*Pdf` renders it.
 * Access: secretary, admin (and the chair for a session's reports, the analyst for a dossier), FORBIDDEN to everyone else; results follow
 * the evaluation's own rule for what these roles may see (`sessionResults`).
 */
export class ReportService {
  private readonly tally: TallyConfig;

  constructor(private readonly deps: ReportServiceDeps) {
    this.tally = deps.tally ?? DEFAULT_TALLY_CONFIG;
  }

  async evaluation(principal: Principal, rawSessionId: string): Promise<ReportDocument> {
    requireRole(principal, SESSION_REPORT_READERS, 'the evaluation report');
    const { ds } = this.deps;
    const session = await this.session(rawSessionId);
    const results = await this.deps.evaluations.sessionResults(session.id, principal);
    if (results === undefined) throw new NotFoundError('evaluation of session', session.id, 'sessionId');
    if (results === null) throw new ForbiddenError('the evaluation is still open: its results are nobody’s yet');
    const evaluation = await ds.getRepository(Evaluation).findOneByOrFail({ sessionId: session.id });
    const speakers = await this.speakers(session.id);
    const speeches = await ds.getRepository(Speech).find({ where: { sessionId: session.id, status: SpeechStatus.WITHDRAWN }, order: { order: 'ASC' } });
    return evaluationReport({
      session: await this.reportSession(session),
      speakers,
      withdrawn: speeches.map((s) => ({ ...speakers.get(s.id)!, reason: s.withdrawnReason ?? '' })),
      evaluation,
      results,
      tally: this.tally,
      seal: (await this.seals([session])).get(session.id) ?? null,
    });
  }

  async minutes(principal: Principal, rawSessionId: string): Promise<ReportDocument> {
    requireRole(principal, SESSION_REPORT_READERS, 'the minutes');
    const session = await this.session(rawSessionId);
    return minutesReport({
      sessionId: session.id,
      session: await this.reportSession(session),
      speakers: await this.speakers(session.id),
      events: await readRoomEvents(this.deps.ds, session.id, 0),
      seal: (await this.seals([session])).get(session.id) ?? null,
    });
  }

  async dossier(principal: Principal, rawCadreId: string): Promise<ReportDocument> {
    requireRole(principal, DOSSIER_REPORT_READERS, 'a cadre’s dossier report');
    const dossier = await this.deps.dossiers.dossier(principal, rawCadreId);
    const { ds } = this.deps;
    const sessionIds = [...new Set([...dossier.speeches.map((s) => s.sessionId), ...dossier.grades.map((g) => g.session.id), ...dossier.claims.map((c) => c.sessionId), ...dossier.commitments.map((c) => c.sessionId)])];
    const sessions = sessionIds.length ? await ds.getRepository(Session).findBy({ id: In(sessionIds) }) : [];
    const region = await ds.getRepository(Region).findOneBy({ id: dossier.cadre.regionId });
    const now = this.deps.clock.now();
    return dossierReport({
      dossier,
      region: region?.name ?? '',
      sessions: new Map(sessions.map((s) => [s.id, s])),
      seals: await this.seals(sessions),
      now,
      responses: await this.responses(dossier.findings.map((f) => f.id)),
      actionItems: await this.actionItems(dossier.actionItems, now),
    });
  }

  private async responses(findingIds: number[]): Promise<Map<number, FindingResponse>> {
    const rows = findingIds.length ? await this.deps.ds.getRepository(FindingResponse).findBy({ findingId: In(findingIds) }) : [];
    return new Map(rows.map((r) => [r.findingId, r]));
  }

  /** Each action item with its status and progress derived from its verified reports, as the API derives them. */
  private async actionItems(items: ActionItem[], now: Date): Promise<{ title: string; dueAt: Date; status: string; progress: number }[]> {
    const derived = await actionItemProgress(this.deps.ds, items, now);
    return items.map((item) => ({ title: item.title, dueAt: item.dueAt, ...derived.get(item.id)! }));
  }

  evaluationPdf(principal: Principal, rawSessionId: string): Promise<Buffer> {
    return this.evaluation(principal, rawSessionId).then((r) => this.render(r));
  }

  minutesPdf(principal: Principal, rawSessionId: string): Promise<Buffer> {
    return this.minutes(principal, rawSessionId).then((r) => this.render(r));
  }

  dossierPdf(principal: Principal, rawCadreId: string): Promise<Buffer> {
    return this.dossier(principal, rawCadreId).then((r) => this.render(r));
  }

  /** The PDF of a report, stamped with the injected clock's time. */
  render(report: ReportDocument): Promise<Buffer> {
    return renderPdf(report, { generatedAt: this.deps.clock.now() });
  }

  private async session(rawSessionId: string): Promise<Session> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const session = await this.deps.ds.getRepository(Session).findOneBy({ id: sessionId });
    if (!session) throw new NotFoundError('session', sessionId, 'sessionId');
    return session;
  }

  private async reportSession(session: Session): Promise<ReportSession> {
    const theme = await this.deps.ds.getRepository(Theme).findOne({ where: { id: session.themeId }, select: { id: true, title: true } });
    return { number: session.number, title: session.title, theme: theme?.title ?? '', startsAt: session.startsAt, venue: session.venue };
  }

  /** The line-up by speech id, each speaker with the unit the speech was given for. */
  private async speakers(sessionId: number): Promise<Map<number, ReportSpeaker>> {
    const { ds } = this.deps;
    const speeches = await ds.getRepository(Speech).find({ where: { sessionId }, order: { order: 'ASC' } });
    const cadreIds = [...new Set(speeches.map((s) => s.cadreId))];
    const cadres = new Map((cadreIds.length ? await ds.getRepository(Cadre).findBy({ id: In(cadreIds) }) : []).map((c) => [c.id, c]));
    const regions = new Map((await ds.getRepository(Region).find()).map((r) => [r.id, r.name]));
    return new Map(
      speeches.map((s) => {
        const cadre = cadres.get(s.cadreId);
        return [s.id, { order: s.order, name: cadre?.name ?? '', position: cadre?.position ?? '', region: regions.get(s.regionId ?? cadre?.regionId ?? 0) ?? '' }];
      }),
    );
  }

  /** The latest archive of each sealed session among `sessions`, by session id. */
  private async seals(sessions: readonly Session[]): Promise<Map<number, ReportSeal>> {
    const sealed = sessions.filter((s) => s.sealedAt);
    if (!sealed.length) return new Map();
    const number = new Map(sealed.map((s) => [s.id, s.number]));
    const archives = await this.deps.ds.getRepository(Archive).find({
      where: { sessionId: In(sealed.map((s) => s.id)) },
      select: { id: true, sessionId: true, sequence: true, version: true, sealedAt: true, contentHash: true },
      order: { version: 'ASC' },
    });
    // Ascending versions: the latest of each session is the one left in the map.
    return new Map(archives.map((a) => [a.sessionId, { label: `第${number.get(a.sessionId)}期`, contentHash: a.contentHash, sequence: a.sequence, sealedAt: a.sealedAt }]));
  }
}

function requireRole(principal: Principal, roles: readonly Role[], what: string): void {
  if (!hasAnyRole(principal, roles)) throw new ForbiddenError(`${what} is for: ${roles.join(', ')}`);
}
