import { DataSource, EntityManager, In, LessThan } from 'typeorm';
import { assertSessionVisible } from '../../auth/authorize.middleware';
import { actorIdOf } from '../../auth/principal';
import { journal } from '../journal/journal';
import type { Principal } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import type { Clock } from '../../common/clock';
import { BadUserInputError, ConflictError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { Connection, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decodeCursor, encodeCursor, toConnection } from '../../common/pagination';
import { inTransaction, writeLock } from '../../db/transaction';
import type { ThemeService } from '../themes/theme.service';
import { LineupRoom, replaceLineup } from './lineup';
import { Attendee } from './attendee.entity';
import { ATTENDEES_OPEN, RoomPhase } from './session-enums';
import { ArchiveSealedError } from './session.errors';
import { Session } from './session.entity';
import { AttendeeGroupInput, LineupEntryInput, MAX_ALLOTTED_SECONDS, ScheduleSeriesInput, ScheduleSessionInput } from './session.inputs';


export class SessionService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly themes: ThemeService,
    private readonly room: LineupRoom,
    /** Told after attendees were registered, so the room's 到会 count follows (attendance.service.ts recounts). */
    private readonly attendeesRegistered: (sessionId: number, actorId: number | null) => Promise<void> = async () => {},
  ) {}

  /** A session by id; a screen token sees only the session it was issued for. */
  async session(principal: Principal | null, rawId: string): Promise<Session | null> {
    let id: number;
    try {
      id = parseId('session', rawId, 'id');
    } catch {
      return null;
    }
    assertSessionVisible(principal, id);
    return this.ds.getRepository(Session).findOneBy({ id });
  }

  /** Sessions newest first (highest 期数 first), as the console and phones want them. */
  async sessions(args: { first?: number; after?: string }): Promise<Connection<Session>> {
    const limit = args.first ?? DEFAULT_PAGE_SIZE;
    const before = decodeCursor('session', args.after);
    const repo = this.ds.getRepository(Session);
    const [rows, total] = await Promise.all([
      repo.find({ where: before === null ? {} : { number: LessThan(before) }, order: { number: 'DESC' }, take: limit + 1 }),
      repo.count(),
    ]);
    return toConnection(rows, limit, total, before !== null, (s) => encodeCursor('session', s.number));
  }

  async scheduleSession(input: ScheduleSessionInput, actorId: number | null): Promise<Session> {
    this.assertFuture(input.startsAt, 'input.startsAt');
    return inTransaction(this.ds, async (m) => {
      const theme = await this.themes.markUsed(m, input.themeId, 'input.themeId');
      const [session] = await this.appendSessions(
        m,
        theme.id,
        [{ title: input.title.trim(), startsAt: input.startsAt, venue: input.venue.trim(), speakersVote: input.speakersVote ?? true }],
        'scheduleSession',
        actorId,
      );
      return session;
    });
  }

  /**
   * Schedules `count` sessions `everyDays` apart (每两周一次: 14) in one transaction: all of them or none. Each is
   * titled with its place in the series, “<titlePrefix>（2/3）”; its 期数 is the session's own number.
   */
  async scheduleSeries(input: ScheduleSeriesInput, actorId: number | null): Promise<Session[]> {
    this.assertFuture(input.firstStartsAt, 'input.firstStartsAt');
    const dayMs = 24 * 3600 * 1000;
    return inTransaction(this.ds, async (m) => {
      const theme = await this.themes.markUsed(m, input.themeId, 'input.themeId');
      const planned = Array.from({ length: input.count }, (_, i) => ({
        title: input.count === 1 ? input.titlePrefix.trim() : `${input.titlePrefix.trim()}（${i + 1}/${input.count}）`,
        startsAt: new Date(input.firstStartsAt.getTime() + i * input.everyDays * dayMs),
        venue: input.venue.trim(),
        speakersVote: input.speakersVote ?? true,
      }));
      return this.appendSessions(m, theme.id, planned, 'scheduleSeries', actorId);
    });
  }

  private assertFuture(at: Date, field: string): void {
    if (at.getTime() <= this.clock.now().getTime()) throw new BadUserInputError(`${field.replace(/^input\./, '')} must be in the future`, field);
  }

  /** Numbers and stores new sessions after the last one, holding the lock on the highest number so two schedulers take turns. */
  private async appendSessions(
    m: EntityManager,
    themeId: number,
    planned: readonly { title: string; startsAt: Date; venue: string; speakersVote: boolean }[],
    action: string,
    actorId: number | null,
  ): Promise<Session[]> {
    const last = await m.getRepository(Session).find({ order: { number: 'DESC' }, take: 1, lock: writeLock(m) });
    const first = (last[0]?.number ?? 0) + 1;
    const sessions: Session[] = [];
    for (const [i, p] of planned.entries()) {
      const number = first + i;
      const session = m.getRepository(Session).create({
        number,
        title: p.title,
        themeId,
        startsAt: p.startsAt,
        venue: p.venue,
        speakersVote: p.speakersVote,
        phase: RoomPhase.SCHEDULED,
      });
      await m.save(session);
      await journal(m, this.clock, { actorId, action, entity: 'Session', entityId: session.id, after: session });
      sessions.push(session);
    }
    return sessions;
  }

  /**
   * Whether the session's speakers vote in its evaluation. Off, every ballot grades every speech, so no ballot's
   * shape says whose it is (docs/blind-ballots.md). Fixed, as the list of voters is, from the phase EVALUATION on.
   */
  async setSpeakersVote(rawSessionId: string, speakersVote: boolean, actorId: number | null): Promise<Session> {
    return inTransaction(this.ds, async (m) => {
      const session = await this.lockSession(m, rawSessionId);
      if (session.sealedAt) throw new ArchiveSealedError(session.id);
      if (!ATTENDEES_OPEN.includes(session.phase)) {
        throw new ConflictError(`session ${session.id} is in phase ${session.phase}; who votes in its evaluation is fixed`);
      }
      if (session.speakersVote === speakersVote) return session;
      await m.getRepository(Session).update({ id: session.id }, { speakersVote });
      await journal(m, this.clock, { actorId, action: 'setSpeakersVote', entity: 'Session', entityId: session.id, before: { speakersVote: session.speakersVote }, after: { speakersVote } });
      return { ...session, speakersVote };
    });
  }

  /** Replaces the whole line-up. Only before the first speech: afterwards the order is part of the record. */
  async setLineup(principal: Principal | null, rawSessionId: string, entries: LineupEntryInput[]): Promise<Session> {
    if (entries.length === 0) throw new BadUserInputError('a line-up needs at least one speaker', 'entries');
    if (entries.length > MAX_PAGE_SIZE) throw new BadUserInputError(`a line-up has at most ${MAX_PAGE_SIZE} speakers`, 'entries');
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const lineup = entries.map((e, i) => ({ cadreId: parseId('cadre', e.cadreId, `entries.${i}.cadreId`), allottedSeconds: e.allottedSeconds }));
    lineup.forEach((e, i) => {
      if (!Number.isInteger(e.allottedSeconds) || e.allottedSeconds < 1 || e.allottedSeconds > MAX_ALLOTTED_SECONDS) {
        throw new BadUserInputError(`allottedSeconds must be 1–${MAX_ALLOTTED_SECONDS}, not ${e.allottedSeconds}`, `entries.${i}.allottedSeconds`);
      }
      if (lineup.findIndex((other) => other.cadreId === e.cadreId) !== i) {
        throw new BadUserInputError(`cadre ${e.cadreId} appears twice in the line-up`, `entries.${i}.cadreId`);
      }
    });
    const actorId = actorIdOf(principal);
    await this.room.execute(sessionId, actorId, async (m) => {
      const entries = await replaceLineup(m, sessionId, lineup);
      await journal(m, this.clock, { actorId, action: 'setLineup', entity: 'Session', entityId: sessionId, after: entries });
      return { type: 'SET_LINEUP', entries };
    });
    return this.ds.getRepository(Session).findOneByOrFail({ id: sessionId });
  }

  /** Adds entitled voters; registering someone twice is harmless. */
  async registerAttendees(rawSessionId: string, rawUserIds: string[], actorId: number | null): Promise<Session> {
    if (rawUserIds.length > MAX_PAGE_SIZE) throw new BadUserInputError(`at most ${MAX_PAGE_SIZE} users per call`, 'userIds');
    const userIds = [...new Set(rawUserIds.map((u, i) => parseId('user', u, `userIds.${i}`)))];
    return this.register(rawSessionId, async () => userIds, actorId);
  }

  /**
   * Registers a whole group at once: everyone of an earlier session (the usual case: the same hall a fortnight
   * later), or every holder of a role, optionally in one region. Screens are never part of a group.
   */
  async registerAttendeeGroup(rawSessionId: string, group: AttendeeGroupInput, actorId: number | null): Promise<Session> {
    const fromSession = group.fromSessionId != null;
    if (fromSession === (group.role != null)) throw new BadUserInputError('name either fromSessionId or role', 'group');
    if (fromSession && group.regionId != null) throw new BadUserInputError('regionId goes with role, not with fromSessionId', 'group.regionId');
    const fromSessionId = fromSession ? parseId('session', group.fromSessionId!, 'group.fromSessionId') : null;
    const regionId = group.regionId != null ? parseId('region', group.regionId, 'group.regionId') : null;
    const members = async (m: EntityManager): Promise<number[]> => {
      if (fromSessionId !== null) {
        if (!(await m.getRepository(Session).existsBy({ id: fromSessionId }))) throw new NotFoundError('session', fromSessionId, 'group.fromSessionId');
        return (await m.getRepository(Attendee).find({ where: { sessionId: fromSessionId }, order: { id: 'ASC' } })).map((a) => a.userId);
      }
      const users = await m.getRepository(User).find({ where: regionId === null ? {} : { regionId }, order: { id: 'ASC' } });
      return users.filter((u) => u.roles.includes(group.role as never) && !u.roles.includes('screen')).map((u) => u.id);
    };
    return this.register(rawSessionId, async (m) => {
      const userIds = await members(m);
      if (!userIds.length) throw new BadUserInputError('no one is in that group', 'group');
      return userIds;
    }, actorId);
  }

  private async register(rawSessionId: string, usersOf: (m: EntityManager) => Promise<number[]>, actorId: number | null): Promise<Session> {
    let added = false;
    const registered = await inTransaction(this.ds, async (m) => {
      const session = await this.lockSession(m, rawSessionId);
      if (session.sealedAt) throw new ArchiveSealedError(session.id);
      if (!ATTENDEES_OPEN.includes(session.phase)) {
        throw new ConflictError(`session ${session.id} is in phase ${session.phase}; the list of voters is frozen`);
      }
      const userIds = await usersOf(m);
      const users = userIds.length ? await m.getRepository(User).findBy({ id: In(userIds) }) : [];
      const known = new Set(users.map((u) => u.id));
      const unknown = userIds.find((id) => !known.has(id));
      if (unknown !== undefined) throw new NotFoundError('user', unknown, 'userIds');
      if (users.some((u) => u.roles.includes('screen'))) throw new BadUserInputError('a screen cannot attend', 'userIds');
      const already = new Set(
        (await m.getRepository(Attendee).findBy({ sessionId: session.id, userId: In(userIds) })).map((a) => a.userId),
      );
      const fresh = userIds.filter((id) => !already.has(id));
      if (fresh.length) {
        await m.getRepository(Attendee).insert(fresh.map((userId) => ({ sessionId: session.id, userId })));
        await journal(m, this.clock, { actorId, action: 'registerAttendees', entity: 'Session', entityId: session.id, after: { added: fresh } });
        added = true;
      }
      return session;
    });
    if (added) await this.attendeesRegistered(registered.id, actorId);
    return registered;
  }

  attendeeCount(sessionId: number): Promise<number> {
    return this.ds.getRepository(Attendee).countBy({ sessionId });
  }

  async attendees(sessionId: number): Promise<User[]> {
    const rows = await this.ds.getRepository(Attendee).find({ where: { sessionId }, order: { id: 'ASC' } });
    return rows.length ? this.ds.getRepository(User).find({ where: { id: In(rows.map((r) => r.userId)) }, order: { id: 'ASC' } }) : [];
  }

  private async lockSession(m: EntityManager, rawId: string): Promise<Session> {
    const id = parseId('session', rawId, 'sessionId');
    const session = await m.getRepository(Session).findOne({ where: { id }, lock: writeLock(m) });
    if (!session) throw new NotFoundError('session', id, 'sessionId');
    return session;
  }
}
