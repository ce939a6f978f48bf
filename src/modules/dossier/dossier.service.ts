import { DataSource, In } from 'typeorm';
import { NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { Evaluation, EvaluationStatus } from '../evaluation/evaluation.entity';
import type { TallyResult } from '../evaluation/tally';
import { Cadre } from '../registry/cadre.entity';
import { Review } from '../room/review.entity';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';
import type { CadreDossier, DossierGrade } from './dossier.types';

/** Assembles a cadre's record from what the sessions stored; nothing in it is typed in twice. */
export class DossierService {
  constructor(private readonly ds: DataSource) {}

  async dossier(rawCadreId: string): Promise<CadreDossier> {
    const cadreId = parseId('cadre', rawCadreId, 'cadreId');
    const cadre = await this.ds.getRepository(Cadre).findOneBy({ id: cadreId });
    if (!cadre) throw new NotFoundError('cadre', cadreId, 'cadreId');
    const speeches = await this.ds.getRepository(Speech).find({ where: { cadreId } });
    const sessionIds = [...new Set(speeches.map((s) => s.sessionId))];
    const sessions = sessionIds.length ? await this.ds.getRepository(Session).findBy({ id: In(sessionIds) }) : [];
    const byId = new Map(sessions.map((s) => [s.id, s]));
    speeches.sort((a, b) => byId.get(a.sessionId)!.startsAt.getTime() - byId.get(b.sessionId)!.startsAt.getTime());

    const evaluations = sessionIds.length
      ? await this.ds.getRepository(Evaluation).findBy({ sessionId: In(sessionIds), status: In([EvaluationStatus.CLOSED, EvaluationStatus.PUBLISHED]) })
      : [];
    const evaluationOf = new Map(evaluations.map((e) => [e.sessionId, e]));
    const grades: DossierGrade[] = [];
    for (const speech of speeches) {
      const evaluation = evaluationOf.get(speech.sessionId);
      const result = evaluation?.resultsJson ? (JSON.parse(evaluation.resultsJson) as TallyResult[]).find((r) => r.speechId === speech.id) : undefined;
      if (evaluation && result) {
        grades.push({ session: byId.get(speech.sessionId)!, grade: result.grade, rank: result.rank, score: result.score, published: evaluation.status === EvaluationStatus.PUBLISHED });
      }
    }
    const reviews = speeches.length ? await this.ds.getRepository(Review).find({ where: { speechId: In(speeches.map((s) => s.id)) }, order: { id: 'ASC' } }) : [];
    return { cadre, speeches, grades, reviews };
  }
}
