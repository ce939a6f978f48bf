import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../common/clock';
import { BadUserInputError, ConflictError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { inTransaction } from '../../db/transaction';
import { Archive } from '../archive/archive.entity';
import { Evaluation } from '../evaluation/evaluation.entity';
import { journal } from '../journal/journal';
import { Cadre } from '../registry/cadre.entity';
import { EvaluationStatus } from '../room/results';
import { RoomPhase } from '../sessions/session-enums';
import { Session } from '../sessions/session.entity';
import { ReportKind, ReportSubmission } from './report-submission.entity';

export const MAX_SUBMISSION_NOTE_CHARS = 500;

/** 报送: the desk records that a report went to the city's party secretary; who and when stay in the journal. */
export class ReportSubmissionService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Records a report as sent. Only a finished report can go: the results once published, the minutes once the
   * session is closed. The sealed archive's hash is kept with the row, so the paper copy can be matched to it.
   */
  async markSent(kind: ReportKind, rawSubjectId: string, note: string | null | undefined, actorId: number): Promise<ReportSubmission> {
    const text = note?.trim() || null;
    if (text !== null && [...text].length > MAX_SUBMISSION_NOTE_CHARS) throw new BadUserInputError(`note must be at most ${MAX_SUBMISSION_NOTE_CHARS} characters`, 'note');
    const subjectId = parseId(kind === ReportKind.DOSSIER ? 'cadre' : 'session', rawSubjectId, 'subjectId');
    return inTransaction(this.ds, async (m) => {
      const contentHash = await this.assertReady(m, kind, subjectId);
      const row = m.getRepository(ReportSubmission).create({ kind, subjectId, sentById: actorId, sentAt: this.clock.now(), contentHash, note: text });
      await m.getRepository(ReportSubmission).insert(row);
      await journal(m, this.clock, { actorId, action: 'markReportSent', entity: 'ReportSubmission', entityId: row.id, after: row });
      return row;
    });
  }

  /** Every time a report was marked sent, oldest first. */
  submissions(kind: ReportKind, rawSubjectId: string): Promise<ReportSubmission[]> {
    const subjectId = parseId(kind === ReportKind.DOSSIER ? 'cadre' : 'session', rawSubjectId, 'subjectId');
    return this.ds.getRepository(ReportSubmission).find({ where: { kind, subjectId }, order: { id: 'ASC' } });
  }

  /** The latest archive hash of the subject's session (null when not sealed), after checking the report is final. */
  private async assertReady(m: EntityManager, kind: ReportKind, subjectId: number): Promise<string | null> {
    if (kind === ReportKind.DOSSIER) {
      if (!(await m.getRepository(Cadre).existsBy({ id: subjectId }))) throw new NotFoundError('cadre', subjectId, 'subjectId');
      return null;
    }
    const session = await m.getRepository(Session).findOneBy({ id: subjectId });
    if (!session) throw new NotFoundError('session', subjectId, 'subjectId');
    if (kind === ReportKind.EVALUATION) {
      const evaluation = await m.getRepository(Evaluation).findOneBy({ sessionId: subjectId });
      if (evaluation?.status !== EvaluationStatus.PUBLISHED) throw new ConflictError(`the results of session ${subjectId} are not published yet`);
    } else if (session.phase !== RoomPhase.CLOSED) {
      throw new ConflictError(`session ${subjectId} is not closed yet; its minutes are not final`);
    }
    const [archive] = await m.getRepository(Archive).find({ where: { sessionId: subjectId }, order: { version: 'DESC' }, take: 1 });
    return archive?.contentHash ?? null;
  }
}
