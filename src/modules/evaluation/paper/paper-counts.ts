import type { EntityManager } from 'typeorm';
import { writeLock } from '../../../db/transaction';
import { GRADES_BEST_FIRST } from '../../room/results';
import { emptyCounts, type GradeCounts } from '../tally';
import { PaperSpeechCount, PaperTally } from './paper-tally.entity';
import { PaperTallyUnconfirmedError } from './paper-tally.errors';

/** The confirmed paper ballots of a session, as the close counts them. */
export interface PaperCounts {
  ballots: number;
  counts: Map<number, GradeCounts>;
}

export function toGradeCounts(row: Pick<PaperSpeechCount, 'excellent' | 'good' | 'average' | 'poor'>): GradeCounts {
  return { EXCELLENT: row.excellent, GOOD: row.good, AVERAGE: row.average, POOR: row.poor };
}

/**
 * For the close, inside its transaction (after it has locked the evaluation row, which entering and confirming
 * lock too): the confirmed paper counts, or null when no paper tally was entered. An entered tally that nobody
 * has confirmed refuses the close (PAPER_TALLY_UNCONFIRMED). Locked reads, so a confirmation committed while the
 * close waited for its lock is seen (the close's snapshot on MySQL may predate it).
 */
export async function paperCountsIn(m: EntityManager, sessionId: number): Promise<PaperCounts | null> {
  const tally = await m.getRepository(PaperTally).findOne({ where: { sessionId }, lock: writeLock(m) });
  if (!tally) return null;
  if (tally.confirmedAt === null) throw new PaperTallyUnconfirmedError();
  const rows = await m.getRepository(PaperSpeechCount).find({ where: { sessionId }, lock: writeLock(m) });
  return { ballots: tally.ballots, counts: new Map(rows.map((r) => [r.speechId, toGradeCounts(r)])) };
}

/** The electronic counts per speech plus the paper ones (a new map; the inputs are left as they are). */
export function withPaperCounts(electronic: ReadonlyMap<number, GradeCounts>, paper: PaperCounts | null): Map<number, GradeCounts> {
  const sum = new Map([...electronic].map(([id, c]) => [id, { ...c }]));
  for (const [speechId, c] of paper?.counts ?? []) {
    const total = sum.get(speechId) ?? emptyCounts();
    for (const g of GRADES_BEST_FIRST) total[g] += c[g];
    sum.set(speechId, total);
  }
  return sum;
}
