import { DataSource, EntityManager, In } from 'typeorm';
import { actorIdOf, type Principal } from '../../auth/principal';
import type { Role } from '../../auth/roles';
import { User } from '../../auth/user.entity';
import type { Clock } from '../../common/clock';
import { ConflictError, NotFoundError } from '../../common/errors';
import { inTransaction, writeLock } from '../../db/transaction';
import { journal } from '../journal/journal';
import { Attendee } from '../sessions/attendee.entity';
import { ATTENDEES_OPEN } from '../sessions/session-enums';
import { ArchiveSealedError } from '../sessions/session.errors';
import { Session } from '../sessions/session.entity';
import type { ImportAnswer, ImportError, ImportItem, ImportMode } from './import-answer';
import { ATTENDEE_COLUMN } from './roster-columns';
import { usernameIn } from './roster-import.service';
import type { Sheet } from './sheet';

const CHUNK = 500;

/** The session's list of attendees is frozen (its evaluation has opened): the whole file is refused. */
export class AttendeesFrozenError extends ConflictError {
  constructor(sessionId: number, phase: string) {
    super(`session ${sessionId} is in phase ${phase}; the list of voters is frozen and no attendee can be added`);
    this.extensions.code = 'IMPORT_ATTENDEES_FROZEN';
  }
}

export interface AttendeePlan {
  rows: number;
  errors: ImportError[];
  items: ImportItem[];
  /** The users to register, in the file's order. */
  fresh: number[];
}

/**
 * Which users a file of 账号 would register: an unknown 账号 or a screen is an error at its row; someone already
 * registered, or named twice, is unchanged — registering twice is harmless, as registerAttendees has it.
 */
export function planAttendees(sheet: Sheet, users: ReadonlyMap<string, { id: number; username: string; roles: readonly Role[] }>, registered: ReadonlySet<number>): AttendeePlan {
  const plan: AttendeePlan = { rows: sheet.rows.length, errors: [], items: [], fresh: [] };
  const at = sheet.header.cells.indexOf(ATTENDEE_COLUMN);
  if (at < 0) {
    plan.errors.push({ row: 1, column: ATTENDEE_COLUMN, message: `the header row has no column ${ATTENDEE_COLUMN}` });
    return plan;
  }
  const seen = new Map<number, number>();
  for (const line of sheet.rows) {
    const name = (line.cells[at] ?? '').trim();
    const fail = (message: string) => plan.errors.push({ row: line.row, column: ATTENDEE_COLUMN, message });
    if (name === '') {
      fail(`${ATTENDEE_COLUMN} is empty`);
      continue;
    }
    const user = users.get(name.toLowerCase());
    if (!user) {
      fail(`no account is called ${name}`);
      continue;
    }
    if (user.roles.includes('screen')) {
      fail(`${name} is a screen; a screen cannot attend`);
      continue;
    }
    const twice = seen.get(user.id);
    if (twice !== undefined || registered.has(user.id)) {
      plan.items.push({ row: line.row, username: user.username, action: 'unchanged', changes: twice !== undefined ? [{ column: ATTENDEE_COLUMN, from: null, to: `also on row ${twice}` }] : [] });
      continue;
    }
    seen.set(user.id, line.row);
    plan.fresh.push(user.id);
    plan.items.push({ row: line.row, username: user.username, action: 'create', changes: [{ column: ATTENDEE_COLUMN, from: null, to: user.username }] });
  }
  return plan;
}

/** What the import asks of the room once attendees were added: recount 到会 (AttendanceService.recount). */
export type AttendeesRegistered = (sessionId: number, actorId: number | null) => Promise<void>;

/** Registers the accounts of a file as a session's attendees, in one transaction under the session's row lock. */
export class AttendeeImportService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly attendeesRegistered: AttendeesRegistered,
  ) {}

  async run(sessionId: number, sheet: Sheet, mode: ImportMode, principal: Principal): Promise<ImportAnswer> {
    const actorId = actorIdOf(principal);
    if (mode === 'preview') {
      const session = await this.openSession(this.ds.manager, sessionId, false);
      return toAnswer('preview', await this.plan(this.ds.manager, session.id, sheet), false);
    }
    const result = await inTransaction(this.ds, async (m) => {
      const session = await this.openSession(m, sessionId, true);
      const plan = await this.plan(m, session.id, sheet);
      if (plan.errors.length || plan.fresh.length === 0) return toAnswer('apply', plan, plan.errors.length === 0);
      for (let i = 0; i < plan.fresh.length; i += CHUNK) await m.getRepository(Attendee).insert(plan.fresh.slice(i, i + CHUNK).map((userId) => ({ sessionId: session.id, userId })));
      await journal(m, this.clock, { actorId, action: 'registerAttendees', entity: 'Session', entityId: session.id, after: { added: plan.fresh } });
      return toAnswer('apply', plan, true);
    });
    if (result.applied && result.created > 0) await this.attendeesRegistered(sessionId, actorId);
    return result;
  }

  private async openSession(m: EntityManager, id: number, lock: boolean): Promise<Session> {
    const session = await m.getRepository(Session).findOne({ where: { id }, lock: lock ? writeLock(m) : undefined });
    if (!session) throw new NotFoundError('session', id, 'sessionId');
    if (session.sealedAt) throw new ArchiveSealedError(session.id);
    if (!ATTENDEES_OPEN.includes(session.phase)) throw new AttendeesFrozenError(session.id, session.phase);
    return session;
  }

  private async plan(m: EntityManager, sessionId: number, sheet: Sheet): Promise<AttendeePlan> {
    const at = sheet.header.cells.indexOf(ATTENDEE_COLUMN);
    const names = at < 0 ? [] : [...new Set(sheet.rows.map((r) => (r.cells[at] ?? '').trim()).filter(Boolean))];
    const users: Pick<User, 'id' | 'username' | 'roles'>[] = [];
    for (let i = 0; i < names.length; i += CHUNK) users.push(...(await m.getRepository(User).find({ select: { id: true, username: true, roles: true }, where: { username: usernameIn(m, names.slice(i, i + CHUNK)) } })));
    const registered = new Set<number>();
    const ids = users.map((u) => u.id);
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const a of await m.getRepository(Attendee).find({ select: { userId: true }, where: { sessionId, userId: In(ids.slice(i, i + CHUNK)) } })) registered.add(a.userId);
    }
    return planAttendees(sheet, new Map(users.map((u) => [u.username.toLowerCase(), u])), registered);
  }
}

function toAnswer(mode: ImportMode, plan: AttendeePlan, applied: boolean): ImportAnswer {
  const created = plan.fresh.length;
  return { mode, applied, rows: plan.rows, created, updated: 0, unchanged: plan.items.length - created, errors: plan.errors, items: plan.items };
}
