import { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../common/clock';
import { writeLock } from '../../db/transaction';
import { canonicalJson, sha256Hex } from '../../common/canonical';
import { JournalEntry, JournalHead } from './journal.entity';

export interface JournalRecord {
  actorId: number | null;
  action: string;
  entity: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
}

const digest = (value: unknown) => (value === undefined || value === null ? null : sha256Hex(canonicalJson(toPlain(value))));

/** Dates as ISO strings and nothing else that JSON would lose, so digests are stable across engines. */
function toPlain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

export function entryHash(e: Pick<JournalEntry, 'seq' | 'at' | 'actorId' | 'action' | 'entity' | 'entityId' | 'beforeDigest' | 'afterDigest' | 'previousHash'>): string {
  return sha256Hex(
    canonicalJson({
      seq: e.seq,
      at: e.at.toISOString(),
      actorId: e.actorId,
      action: e.action,
      entity: e.entity,
      entityId: e.entityId,
      beforeDigest: e.beforeDigest,
      afterDigest: e.afterDigest,
      previousHash: e.previousHash,
    }),
  );
}

/**
 * Appends to the audit trail inside the caller's transaction, so the record and its trail commit together or not
 * at all. The head row is locked first: appends on one database take turns.
 */
export async function journal(m: EntityManager, clock: Clock, record: JournalRecord): Promise<JournalEntry> {
  const heads = m.getRepository(JournalHead);
  let head = await heads.findOne({ where: { id: 1 }, lock: writeLock(m) });
  if (!head) {
    await heads.createQueryBuilder().insert().values({ id: 1, seq: 0, hash: null }).orIgnore().execute();
    head = await heads.findOneOrFail({ where: { id: 1 }, lock: writeLock(m) });
  }
  const entry = m.getRepository(JournalEntry).create({
    seq: head.seq + 1,
    at: clock.now(),
    actorId: record.actorId,
    action: record.action,
    entity: record.entity,
    entityId: String(record.entityId),
    beforeDigest: digest(record.before),
    afterDigest: digest(record.after),
    previousHash: head.hash,
  });
  entry.hash = entryHash(entry);
  await m.getRepository(JournalEntry).insert(entry);
  await heads.update({ id: 1 }, { seq: entry.seq, hash: entry.hash });
  return entry;
}

/** Entries inserted per statement by journalMany: ten columns each, well under SQLite's variable limit. */
const JOURNAL_CHUNK = 500;

/**
 * Appends many records at once in the caller's transaction — one lock of the head, the chain computed in memory,
 * inserts of many rows each — for bulk changes (a roster import) that would otherwise take three statements per
 * entry. The entries are the ones `journal` would have appended one by one.
 */
export async function journalMany(m: EntityManager, clock: Clock, records: readonly JournalRecord[]): Promise<void> {
  if (records.length === 0) return;
  const heads = m.getRepository(JournalHead);
  let head = await heads.findOne({ where: { id: 1 }, lock: writeLock(m) });
  if (!head) {
    await heads.createQueryBuilder().insert().values({ id: 1, seq: 0, hash: null }).orIgnore().execute();
    head = await heads.findOneOrFail({ where: { id: 1 }, lock: writeLock(m) });
  }
  const at = clock.now();
  let seq = head.seq;
  let previousHash = head.hash;
  const entries = records.map((record) => {
    const entry = m.getRepository(JournalEntry).create({
      seq: ++seq,
      at,
      actorId: record.actorId,
      action: record.action,
      entity: record.entity,
      entityId: String(record.entityId),
      beforeDigest: digest(record.before),
      afterDigest: digest(record.after),
      previousHash,
    });
    entry.hash = entryHash(entry);
    previousHash = entry.hash;
    return entry;
  });
  for (let i = 0; i < entries.length; i += JOURNAL_CHUNK) await m.getRepository(JournalEntry).insert(entries.slice(i, i + JOURNAL_CHUNK));
  await heads.update({ id: 1 }, { seq, hash: previousHash });
}

/**
 * Re-verifies every entry's hash and link, and that the last entry is the one the head points to (so removing the
 * newest entries is caught too); names the seq of the first broken one.
 */
export async function verifyJournal(ds: DataSource): Promise<{ valid: boolean; length: number; brokenAt: number | null }> {
  const entries = await ds.getRepository(JournalEntry).find({ order: { seq: 'ASC' } });
  let previous: string | null = null;
  for (const [i, e] of entries.entries()) {
    if (e.seq !== i + 1 || e.previousHash !== previous || entryHash(e) !== e.hash) return { valid: false, length: entries.length, brokenAt: e.seq };
    previous = e.hash;
  }
  const head = await ds.getRepository(JournalHead).findOneBy({ id: 1 });
  const headSeq = head?.seq ?? 0;
  if (headSeq !== entries.length || (head?.hash ?? null) !== previous) return { valid: false, length: entries.length, brokenAt: Math.min(headSeq, entries.length + 1) };
  return { valid: true, length: entries.length, brokenAt: null };
}
