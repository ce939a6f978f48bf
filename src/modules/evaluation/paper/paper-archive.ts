import { EntityManager, In } from 'typeorm';
import { User } from '../../../auth/user.entity';
import { PaperSpeechCount, PaperTally } from './paper-tally.entity';

/** The paper tally as the sealed archive keeps it: the counts, and who entered and confirmed them when. */
export interface ArchivedPaperTally {
  ballots: number;
  counts: { speechId: number; excellent: number; good: number; average: number; poor: number }[];
  enteredBy: { id: number; name: string };
  enteredAt: string;
  confirmedBy: { id: number; name: string } | null;
  confirmedAt: string | null;
}

/** A session's paper tally for its archive document, or null when none was entered. */
export async function archivedPaperTallyIn(m: EntityManager, sessionId: number): Promise<ArchivedPaperTally | null> {
  const tally = await m.getRepository(PaperTally).findOneBy({ sessionId });
  if (!tally) return null;
  const rows = await m.getRepository(PaperSpeechCount).find({ where: { sessionId }, order: { speechId: 'ASC' } });
  const ids = [tally.enteredById, ...(tally.confirmedById === null ? [] : [tally.confirmedById])];
  const names = new Map((await m.getRepository(User).find({ where: { id: In(ids) }, select: { id: true, displayName: true } })).map((u) => [u.id, u.displayName]));
  const person = (id: number) => ({ id, name: names.get(id) ?? '' });
  return {
    ballots: tally.ballots,
    counts: rows.map(({ speechId, excellent, good, average, poor }) => ({ speechId, excellent, good, average, poor })),
    enteredBy: person(tally.enteredById),
    enteredAt: tally.enteredAt.toISOString(),
    confirmedBy: tally.confirmedById === null ? null : person(tally.confirmedById),
    confirmedAt: tally.confirmedAt?.toISOString() ?? null,
  };
}
