import { DataSource, EntityManager } from 'typeorm';
import { hasAnyRole, requireActorId, type Principal } from '../../../auth/principal';
import type { Role } from '../../../auth/roles';
import type { Clock } from '../../../common/clock';
import { NotFoundError } from '../../../common/errors';
import { parseId } from '../../../common/ids';
import { inTransaction, writeLock } from '../../../db/transaction';
import { journal } from '../../journal/journal';
import { refuseEvaluationStep } from '../../room/evaluation-lifecycle';
import { loadRoomState } from '../../room/room-log';
import { Speech } from '../../sessions/speech.entity';
import { Evaluation } from '../evaluation.entity';
import { countBallotsIn, gradedSpeeches } from '../evaluation-steps';
import { checkPaperTally, type PaperTallyDraft } from './paper-tally-check';
import { PaperSpeechCount, PaperTally } from './paper-tally.entity';
import { PaperTallyConfirmedError, PaperTallySamePersonError } from './paper-tally.errors';

/** Who sees the paper tally: those who enter it, confirm it, or read closed results. */
const PAPER_TALLY_READERS: readonly Role[] = ['chair', 'admin', 'secretary'];

/**
 * The paper ballots (纸质票, docs/paper-ballots.md): the desk enters each speaker's hand-counted grades, a second
 * person confirms them, and the close (closeEvaluationIn, through paperCountsIn) adds the confirmed counts to the
 * electronic ones. Each write locks the evaluation row first, as the close does, so an entry or a confirmation
 * either commits before the close counts or finds the evaluation closed; each is journalled in its transaction.
 */
export class PaperTallyService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Enters (or, before confirmation, replaces) the hand count while the evaluation is OPEN. A refused count
   * (BAD_USER_INPUT, PAPER_TALLY_INVALID, PAPER_TALLY_CONFIRMED, EVALUATION_NOT_OPEN) changes nothing.
   */
  async enter(principal: Principal | null, rawSessionId: string, input: PaperTallyDraft): Promise<PaperTally> {
    const actorId = requireActorId(principal);
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    return inTransaction(this.ds, async (m) => {
      const evaluation = await openEvaluation(m, sessionId);
      const previous = await m.getRepository(PaperTally).findOne({ where: { sessionId }, lock: writeLock(m) });
      if (previous?.confirmedAt) throw new PaperTallyConfirmedError(previous.confirmedAt);
      const checked = await check(m, evaluation, input);
      const previousCounts = previous ? await countRows(m, sessionId) : [];
      const entry = { ballots: checked.ballots, enteredById: actorId, enteredAt: this.clock.now(), confirmedById: null, confirmedAt: null };
      const tally = m.getRepository(PaperTally).create({ sessionId, ...entry });
      const counts = checked.counts.map(({ speechId, counts: c }) => ({ sessionId, speechId, excellent: c.EXCELLENT, good: c.GOOD, average: c.AVERAGE, poor: c.POOR }));
      if (previous) {
        await m.getRepository(PaperSpeechCount).delete({ sessionId });
        await m.getRepository(PaperTally).update({ sessionId }, entry);
      } else {
        await m.getRepository(PaperTally).insert(tally);
      }
      if (counts.length) await m.getRepository(PaperSpeechCount).insert(counts);
      await journal(m, this.clock, {
        actorId,
        action: 'enterPaperTally',
        entity: 'PaperTally',
        entityId: sessionId,
        before: previous ? { ...previous, counts: previousCounts } : undefined,
        after: { ...tally, counts },
      });
      return tally;
    });
  }

  /**
   * Confirms the entered count, by someone other than who entered it (PAPER_TALLY_SAME_PERSON), while the
   * evaluation is OPEN. The count is checked again against the ballot box as it is now (phones may have voted
   * since). From then on it is fixed.
   */
  async confirm(principal: Principal | null, rawSessionId: string): Promise<PaperTally> {
    const actorId = requireActorId(principal);
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    return inTransaction(this.ds, async (m) => {
      const evaluation = await openEvaluation(m, sessionId);
      const tally = await m.getRepository(PaperTally).findOne({ where: { sessionId }, lock: writeLock(m) });
      if (!tally) throw new NotFoundError('paper tally of session', sessionId, 'sessionId');
      if (tally.confirmedAt) throw new PaperTallyConfirmedError(tally.confirmedAt);
      if (tally.enteredById === actorId) throw new PaperTallySamePersonError();
      const counts = await countRows(m, sessionId);
      await check(m, evaluation, { ballots: tally.ballots, counts: counts.map((c) => ({ ...c, speechId: String(c.speechId) })) });
      const confirmed = { confirmedById: actorId, confirmedAt: this.clock.now() };
      await m.getRepository(PaperTally).update({ sessionId }, confirmed);
      Object.assign(tally, confirmed);
      await journal(m, this.clock, { actorId, action: 'confirmPaperTally', entity: 'PaperTally', entityId: sessionId, before: { ...tally, confirmedById: null, confirmedAt: null }, after: { ...tally, counts } });
      return tally;
    });
  }

  /** The paper tally of an evaluation for chair, admin and secretary; null for everyone else, or when none was entered. */
  async of(evaluation: Pick<Evaluation, 'sessionId'>, principal: Principal | null): Promise<PaperTally | null> {
    if (principal?.kind !== 'user' || !hasAnyRole(principal, PAPER_TALLY_READERS)) return null;
    return this.ds.getRepository(PaperTally).findOneBy({ sessionId: evaluation.sessionId });
  }

  /** A paper tally's counts in line-up order. */
  counts(tally: Pick<PaperTally, 'sessionId'>): Promise<PaperSpeechCount[]> {
    return countRows(this.ds.manager, tally.sessionId);
  }
}

/** The evaluation row, locked as the close locks it; refused (EVALUATION_NOT_OPEN) unless ballots are still taken. */
async function openEvaluation(m: EntityManager, sessionId: number): Promise<Evaluation> {
  const evaluation = await m.getRepository(Evaluation).findOne({ where: { sessionId }, lock: writeLock(m) });
  const refused = refuseEvaluationStep(evaluation?.status, 'ballot');
  if (refused) throw refused;
  return evaluation!;
}

/** checkPaperTally against the line-up and the ballot box as they stand in this transaction; throws its refusal. */
async function check(m: EntityManager, evaluation: Evaluation, draft: PaperTallyDraft) {
  const lineup = gradedSpeeches(await loadRoomState(m, evaluation.sessionId)).map((s) => s.speechId);
  const electronicBallots = await countBallotsIn(m, evaluation.sessionId, true);
  const outcome = checkPaperTally(draft, { lineup, entitledVoters: evaluation.entitledVoters, electronicBallots });
  if ('error' in outcome) throw outcome.error;
  return outcome.tally;
}

/** The per-speech rows of a session's paper tally, in line-up order. */
async function countRows(m: EntityManager, sessionId: number): Promise<PaperSpeechCount[]> {
  const rows = await m.getRepository(PaperSpeechCount).find({ where: { sessionId } });
  const order = new Map((await m.getRepository(Speech).find({ where: { sessionId }, select: { id: true, order: true } })).map((s) => [s.id, s.order]));
  return rows.sort((a, b) => (order.get(a.speechId) ?? 0) - (order.get(b.speechId) ?? 0) || a.speechId - b.speechId);
}
