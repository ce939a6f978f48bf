import { DataSource, EntityManager, EntityTarget, FindOperator, In, IsNull, Raw } from 'typeorm';
import { NO_PASSWORD_HASH } from '../../auth/passwords';
import { actorIdOf, hasAnyRole, type Principal } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import type { Clock } from '../../common/clock';
import { inTransaction } from '../../db/transaction';
import { journalMany, type JournalRecord } from '../journal/journal';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import type { ImportAnswer, ImportMode } from './import-answer';
import { ROSTER_COLUMNS } from './roster-columns';
import { CadreFields, KnownCadre, KnownUser, planRoster, RosterPlan, RosterWorld, RowWrite, UserFields } from './roster-plan';
import type { Sheet } from './sheet';

/** Rows per INSERT and names per IN (…): a few thousand bound values, under every engine's limit. */
const CHUNK = 500;

const chunks = <T>(items: readonly T[]): T[][] => Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

const USER_COLUMNS = { id: true, username: true, displayName: true, roles: true, regionId: true, phone: true } as const;

/**
 * The roster import: reads the data a file names, plans it (roster-plan.ts) and, when asked to apply a file with no
 * error, writes the plan in one transaction — many rows per statement and one lock of the journal — re-planned
 * inside that transaction so it writes what the data holds at that moment.
 */
export class RosterImportService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async run(sheet: Sheet, mode: ImportMode, principal: Principal): Promise<ImportAnswer> {
    const options = { mayGrantAnyRole: hasAnyRole(principal, ['admin']) };
    if (mode === 'preview') return answer('preview', planRoster(sheet, await loadWorld(this.ds.manager, sheet), options), false);
    return inTransaction(this.ds, async (m) => {
      const plan = planRoster(sheet, await loadWorld(m, sheet), options);
      if (plan.errors.length) return answer('apply', plan, false);
      await this.write(m, plan.writes, actorIdOf(principal));
      return answer('apply', plan, true);
    });
  }

  private async write(m: EntityManager, writes: readonly RowWrite[], actorId: number | null): Promise<void> {
    const users = m.getRepository(User);
    const cadres = m.getRepository(Cadre);
    const fresh = writes.filter((w) => w.user.id === null);
    for (const part of chunks(fresh)) {
      await users.insert(part.map((w) => ({ ...w.user.after, passwordHash: NO_PASSWORD_HASH })));
      const ids = new Map((await users.find({ select: { id: true, username: true }, where: { username: In(part.map((w) => w.user.after.username)) } })).map((u) => [u.username.toLowerCase(), u.id]));
      for (const w of part) w.user.id = ids.get(w.user.after.username.toLowerCase())!;
    }
    const changedUsers = writes.filter((w) => w.user.before && w.user.changed);
    await updateByIds(m, User, changedUsers.map((w) => ({ id: w.user.id!, values: { ...w.user.after, roles: w.user.after.roles.join(',') } })), ['displayName', 'roles', 'regionId', 'phone']);
    const newCadres = writes.filter((w) => w.cadre.id === null);
    for (const part of chunks(newCadres)) {
      await cadres.insert(part.map((w) => ({ ...w.cadre.after, userId: w.user.id! })));
      const ids = new Map((await cadres.find({ select: { id: true, userId: true }, where: { userId: In(part.map((w) => w.user.id!)) } })).map((c) => [c.userId, c.id]));
      for (const w of part) w.cadre.id = ids.get(w.user.id!)!;
    }
    const changedCadres = writes.filter((w) => w.cadre.before && w.cadre.changed);
    await updateByIds(m, Cadre, changedCadres.map((w) => ({ id: w.cadre.id!, values: { ...w.cadre.after, userId: w.user.id! } })), ['name', 'position', 'regionId', 'userId']);
    await journalMany(m, this.clock, writes.flatMap((w) => journalRecords(w, actorId)));
  }
}

/**
 * Rows of one table changed by id, a chunk per statement — `UPDATE t SET c = CASE id WHEN ? THEN ? … END, … WHERE
 * id IN (…)`, which SQLite and MySQL both read — instead of one statement (one round trip) per row. The values are
 * as stored: a simple-array already joined.
 */
async function updateByIds(m: EntityManager, entity: EntityTarget<unknown>, rows: readonly { id: number; values: Record<string, unknown> }[], properties: readonly string[]): Promise<void> {
  const meta = m.connection.getMetadata(entity);
  const quote = (name: string) => m.connection.driver.escape(name);
  const id = quote(meta.primaryColumns[0].databaseName);
  for (const part of chunks(rows)) {
    const params: unknown[] = [];
    const sets = properties.map((property) => {
      const column = meta.findColumnWithPropertyName(property)!;
      const cases = part.map((row) => {
        params.push(row.id, row.values[property] ?? null);
        return 'WHEN ? THEN ?';
      });
      return `${quote(column.databaseName)} = CASE ${id} ${cases.join(' ')} END`;
    });
    params.push(...part.map((row) => row.id));
    await m.query(`UPDATE ${quote(meta.tableName)} SET ${sets.join(', ')} WHERE ${id} IN (${part.map(() => '?').join(', ')})`, params);
  }
}

/**
 * The journal's record of one row: the account and the cadre, each with what it was and what it became, in the
 * same shape (the columns an import writes), so a digest changes only when a value did.
 */
export function journalRecords(w: RowWrite, actorId: number | null): JournalRecord[] {
  const out: JournalRecord[] = [];
  const userOf = (u: KnownUser | UserFields, id: number) => ({ id, username: u.username, displayName: u.displayName, roles: u.roles, regionId: u.regionId, phone: u.phone ?? null });
  const cadreOf = (c: KnownCadre | CadreFields, id: number, userId: number | null) => ({ id, name: c.name, position: c.position, regionId: c.regionId, userId });
  const userId = w.user.id!;
  if (w.user.changed) out.push({ actorId, action: 'importRoster', entity: 'User', entityId: userId, before: w.user.before ? userOf(w.user.before, userId) : undefined, after: userOf(w.user.after, userId) });
  const cadreId = w.cadre.id!;
  if (w.cadre.changed) {
    const before = w.cadre.before ? cadreOf(w.cadre.before, cadreId, w.cadre.before.userId) : undefined;
    out.push({ actorId, action: 'importRoster', entity: 'Cadre', entityId: cadreId, before, after: cadreOf(w.cadre.after, cadreId, userId) });
  }
  return out;
}

export function answer(mode: ImportMode, plan: RosterPlan | Omit<RosterPlan, 'writes'>, applied: boolean): ImportAnswer {
  const { rows, created, updated, unchanged, errors, items } = plan;
  return { mode, applied, rows, created, updated, unchanged, errors, items };
}

/**
 * Usernames matching any of `names` without regard to case: MySQL's collation already compares so (and keeps its
 * index); SQLite's does not, so there both sides are lowered.
 */
export function usernameIn(m: EntityManager, names: readonly string[]): FindOperator<string> {
  if (m.connection.options.type === 'mysql') return In(names);
  return Raw((column) => `LOWER(${column}) IN (:...names)`, { names: names.map((n) => n.toLowerCase()) });
}

/** The users a file names (by its 账号 column), their cadres, every cadre without an account, and the regions. */
export async function loadWorld(m: EntityManager, sheet: Sheet): Promise<RosterWorld> {
  const at = sheet.header.cells.indexOf(ROSTER_COLUMNS.username);
  const names = at < 0 ? [] : [...new Set(sheet.rows.map((r) => (r.cells[at] ?? '').trim()).filter(Boolean))];
  const users: KnownUser[] = [];
  for (const part of chunks(names)) users.push(...(await m.getRepository(User).find({ select: USER_COLUMNS, where: { username: usernameIn(m, part) } })));
  const cadres: KnownCadre[] = [];
  for (const part of chunks(users.map((u) => u.id))) cadres.push(...(await m.getRepository(Cadre).findBy({ userId: In(part) })));
  return {
    regions: await m.getRepository(Region).find({ select: { id: true, code: true, name: true } }),
    usersByName: new Map(users.map((u) => [u.username.toLowerCase(), { ...u, phone: u.phone ?? null }])),
    cadresByUserId: new Map(cadres.map((c) => [c.userId!, c])),
    unlinkedCadres: await m.getRepository(Cadre).findBy({ userId: IsNull() }),
  };
}
