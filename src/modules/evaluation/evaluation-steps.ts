import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Clock } from '../../common/clock';
import { writeLock } from '../../db/transaction';
import { SpeechResultRow } from '../analytics/projections.entity';
import { Cadre } from '../registry/cadre.entity';
import type { RoomCommand } from '../room/room-decider';
import type { PublishedResult } from '../room/room-events';
import type { RoomState } from '../room/room-state';
import { EvaluationStatus, Grade } from '../room/results';
import { EvaluationNotOpenError } from '../room/room.errors';
import { Attendee } from '../sessions/attendee.entity';
import { Speech } from '../sessions/speech.entity';
import { BallotLine, checkBallot } from './ballot';
import { BallotGrade, Evaluation, EvaluationVoter } from './evaluation.entity';
import { EvaluationAlreadyVotedError, EvaluationNotEntitledError } from './evaluation.errors';
import { emptyCounts, GradeCounts, tally, TallyConfig, TallyResult } from './tally';

/**
 * The evaluation's writes, each run inside the room's command transaction (after the session row is locked) and
 * returning the room command that records it. The service wraps them for GraphQL; the demo history replays them.
 */

/** Thrown when the voter's earlier attempt with the same clientId already counted: the caller returns the receipt. */
export class BallotAlreadyCounted extends Error {}

export async function openEvaluationIn(m: EntityManager, sessionId: number, clock: Clock): Promise<RoomCommand> {
  const attendees = await m.getRepository(Attendee).find({ where: { sessionId }, order: { userId: 'ASC' } });
  if (!(await m.getRepository(Evaluation).existsBy({ sessionId }))) {
    if (attendees.length) await m.getRepository(EvaluationVoter).insert(attendees.map((a) => ({ sessionId, userId: a.userId, voted: false, clientId: null })));
    await m.getRepository(Evaluation).insert({ sessionId, status: EvaluationStatus.OPEN, entitledVoters: attendees.length, ballotsCast: 0, openedAt: clock.now() });
  }
  return { type: 'OPEN_EVALUATION', entitledVoters: attendees.length };
}

/**
 * One ballot: the voter's frozen row is claimed by a conditional update (one ballot per voter, whatever the
 * concurrency), and the grades are stored loose — no voter, no grouping, random ids, no time.
 */
export async function castBallotIn(
  m: EntityManager,
  state: RoomState,
  sessionId: number,
  userId: number,
  lines: readonly BallotLine[],
  clientId: string | null,
): Promise<RoomCommand> {
  const evaluation = await m.getRepository(Evaluation).findOne({ where: { sessionId }, lock: writeLock(m) });
  if (evaluation?.status !== EvaluationStatus.OPEN) throw new EvaluationNotOpenError(evaluation?.status ?? 'not opened yet');
  const voter = await m.getRepository(EvaluationVoter).findOneBy({ sessionId, userId });
  if (!voter) throw new EvaluationNotEntitledError();
  if (voter.voted) throw clientId !== null && voter.clientId === clientId ? new BallotAlreadyCounted() : new EvaluationAlreadyVotedError();

  const refused = checkBallot(lines, await speechesToGrade(m, state, userId));
  if (refused) throw refused;

  const claimed = await m.getRepository(EvaluationVoter).update({ id: voter.id, voted: false }, { voted: true, clientId });
  if (claimed.affected !== 1) throw new EvaluationAlreadyVotedError();
  if (lines.length) await m.getRepository(BallotGrade).insert(lines.map((l) => ({ id: randomUUID(), sessionId, speechId: l.speechId, grade: l.grade })));
  await m.getRepository(Evaluation).increment({ sessionId }, 'ballotsCast', 1);
  return { type: 'CAST_BALLOT', ballotsCast: evaluation.ballotsCast + 1 };
}

/** Every speech of the line-up except the voter's own. */
export async function speechesToGrade(m: EntityManager, state: RoomState, userId: number): Promise<number[]> {
  const own = new Set((await m.getRepository(Cadre).findBy({ userId })).map((c) => c.id));
  return state.speeches.filter((s) => !own.has(s.cadreId)).map((s) => s.speechId);
}

/** Closes the ballot box and computes the results once, from the grade counts alone. */
export async function closeEvaluationIn(m: EntityManager, state: RoomState, sessionId: number, clock: Clock, config: TallyConfig): Promise<RoomCommand> {
  const evaluation = await m.getRepository(Evaluation).findOne({ where: { sessionId }, lock: writeLock(m) });
  if (evaluation?.status !== EvaluationStatus.OPEN) throw new EvaluationNotOpenError(evaluation?.status ?? 'not opened yet');
  const counts = await gradeCounts(m, sessionId);
  const results = tally(state.speeches.map((s) => ({ speechId: s.speechId, order: s.order, counts: counts.get(s.speechId) ?? emptyCounts() })), config);
  await m.getRepository(Evaluation).update({ sessionId }, { status: EvaluationStatus.CLOSED, closedAt: clock.now(), resultsJson: JSON.stringify(results) });
  const speeches = new Map((await m.getRepository(Speech).findBy({ sessionId })).map((s) => [s.id, s]));
  if (results.length) {
    await m.getRepository(SpeechResultRow).insert(
      results.map((r) => ({
        speechId: r.speechId,
        sessionId,
        cadreId: speeches.get(r.speechId)!.cadreId,
        regionId: speeches.get(r.speechId)!.regionId,
        grade: r.grade,
        place: r.rank,
        score: r.score,
        excellent: r.counts.EXCELLENT,
        good: r.counts.GOOD,
        average: r.counts.AVERAGE,
        poor: r.counts.POOR,
        published: false,
      })),
    );
  }
  return { type: 'CLOSE_EVALUATION', ballotsCast: evaluation.ballotsCast };
}

/** Publishes closed results; the room's decider refuses it unless the evaluation is CLOSED. */
export async function publishEvaluationIn(m: EntityManager, sessionId: number, clock: Clock): Promise<RoomCommand> {
  const evaluation = await m.getRepository(Evaluation).findOne({ where: { sessionId }, lock: writeLock(m) });
  const results = evaluation?.resultsJson ? (JSON.parse(evaluation.resultsJson) as TallyResult[]) : [];
  if (evaluation?.status === EvaluationStatus.CLOSED) {
    await m.getRepository(Evaluation).update({ sessionId }, { status: EvaluationStatus.PUBLISHED, publishedAt: clock.now() });
    await m.getRepository(SpeechResultRow).update({ sessionId }, { published: true });
  }
  return { type: 'PUBLISH_EVALUATION', results: results.map(publishedResult) };
}

export function publishedResult(r: TallyResult): PublishedResult {
  return { speechId: r.speechId, excellent: r.counts.EXCELLENT, good: r.counts.GOOD, average: r.counts.AVERAGE, poor: r.counts.POOR, score: r.score, rank: r.rank, grade: r.grade, droppedByTie: r.droppedByTie };
}

async function gradeCounts(m: EntityManager, sessionId: number): Promise<Map<number, GradeCounts>> {
  const rows: { speechId: number; grade: Grade; n: string | number }[] = await m
    .getRepository(BallotGrade)
    .createQueryBuilder('g')
    .select('g.speechId', 'speechId')
    .addSelect('g.grade', 'grade')
    .addSelect('COUNT(*)', 'n')
    .where('g.sessionId = :sessionId', { sessionId })
    .groupBy('g.speechId')
    .addGroupBy('g.grade')
    .getRawMany();
  const counts = new Map<number, GradeCounts>();
  for (const row of rows) {
    const c = counts.get(Number(row.speechId)) ?? emptyCounts();
    c[row.grade] = Number(row.n);
    counts.set(Number(row.speechId), c);
  }
  return counts;
}
