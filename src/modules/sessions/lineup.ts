import { EntityManager, In } from 'typeorm';
import { NotFoundError } from '../../common/errors';
import { Cadre } from '../registry/cadre.entity';
import { Speech } from './speech.entity';

/** One speaker of a line-up, as the room's LINEUP_SET event carries it. */
export interface LineupEntry {
  speechId: number;
  order: number;
  cadreId: number;
  allottedMs: number;
}

/**
 * What the sessions need of the room: a line-up is set as a room command, its rows written by `prepare` inside
 * the room's transaction (the room refuses it once the session has started). The room's service is one.
 */
export interface LineupRoom {
  execute(sessionId: number, actorId: number | null, prepare: (m: EntityManager) => Promise<{ type: 'SET_LINEUP'; entries: LineupEntry[] }>): Promise<unknown>;
}

/**
 * Replaces a session's speech rows with a new line-up (cadre ids in speaking order) and returns the entries for
 * the room's LINEUP_SET event. Runs inside the room command, which refuses it once the session has started.
 */
export async function replaceLineup(
  m: EntityManager,
  sessionId: number,
  entries: readonly { cadreId: number; allottedSeconds: number }[],
): Promise<LineupEntry[]> {
  const cadreIds = entries.map((e) => e.cadreId);
  const regionOf = new Map((await m.getRepository(Cadre).findBy({ id: In(cadreIds) })).map((c) => [c.id, c.regionId]));
  const missing = cadreIds.findIndex((id) => !regionOf.has(id));
  if (missing >= 0) throw new NotFoundError('cadre', cadreIds[missing], `entries.${missing}.cadreId`);
  await m.getRepository(Speech).delete({ sessionId });
  await m.getRepository(Speech).insert(
    entries.map((e, i) => ({ sessionId, order: i + 1, cadreId: e.cadreId, regionId: regionOf.get(e.cadreId)!, allottedSeconds: e.allottedSeconds })),
  );
  const rows = await m.getRepository(Speech).find({ where: { sessionId }, order: { order: 'ASC' } });
  return rows.map((s) => ({ speechId: s.id, order: s.order, cadreId: s.cadreId, allottedMs: s.allottedSeconds * 1000 }));
}
