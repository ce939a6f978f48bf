import { In, type EntityManager } from 'typeorm';
import { writeLock } from '../../db/transaction';
import { Notification, NotificationCursor, type NotificationKind } from './notification.entity';

/** A notice before it is stored. */
export interface NoticeDraft {
  userId: number;
  kind: NotificationKind;
  subjectType: string;
  subjectId: number;
  text: string;
  dedupeKey: string;
}

/** Dedupe keys looked up per statement, well under every engine's variable limit. */
const KEY_CHUNK = 400;

/**
 * Locks (creating if missing) a producer's cursor row for the rest of the transaction: on MySQL/MariaDB a second
 * instance waits here until the first commits, then reads what it left; SQLite's transactions already take turns.
 */
export async function lockCursor(m: EntityManager, name: string): Promise<NotificationCursor> {
  const cursors = m.getRepository(NotificationCursor);
  let row = await cursors.findOne({ where: { name }, lock: writeLock(m) });
  if (!row) {
    await cursors.createQueryBuilder().insert().values({ name, seq: 0, ranAt: null }).orIgnore().execute();
    row = await cursors.findOneOrFail({ where: { name }, lock: writeLock(m) });
  }
  return row;
}

/**
 * Stores the drafts whose dedupe key is not stored yet and returns exactly those rows. Called with the producer's
 * cursor locked, so no other run of the same producer inserts meanwhile; the unique index on the key is what makes
 * a notice once-only regardless (INSERT … IGNORE: a key already there is skipped, never doubled).
 */
export async function insertNotices(m: EntityManager, drafts: readonly NoticeDraft[], at: Date): Promise<Notification[]> {
  const unique = [...new Map(drafts.map((d) => [d.dedupeKey, d])).values()];
  if (unique.length === 0) return [];
  const repo = m.getRepository(Notification);
  const existing = new Set<string>();
  for (let i = 0; i < unique.length; i += KEY_CHUNK) {
    const keys = unique.slice(i, i + KEY_CHUNK).map((d) => d.dedupeKey);
    for (const row of await repo.find({ select: { dedupeKey: true }, where: { dedupeKey: In(keys) } })) existing.add(row.dedupeKey);
  }
  const fresh = unique.filter((d) => !existing.has(d.dedupeKey));
  if (fresh.length === 0) return [];
  const rows = fresh.map((d) => repo.create({ ...d, text: clip(d.text, 300), createdAt: at, readAt: null }));
  for (let i = 0; i < rows.length; i += 100) await repo.createQueryBuilder().insert().values(rows.slice(i, i + 100)).orIgnore().execute();
  const inserted: Notification[] = [];
  for (let i = 0; i < fresh.length; i += KEY_CHUNK) {
    inserted.push(...(await repo.find({ where: { dedupeKey: In(fresh.slice(i, i + KEY_CHUNK).map((d) => d.dedupeKey)) } })));
  }
  return inserted.sort((a, b) => a.id - b.id);
}

/** At most `max` characters (code points), with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
