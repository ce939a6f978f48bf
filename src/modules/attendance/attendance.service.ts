import { createHmac } from 'node:crypto';
import { DataSource, In, IsNull, Not } from 'typeorm';
import { assertSessionVisible } from '../../auth/authorize.middleware';
import { hasAnyRole, requireActorId, type Principal } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import type { Clock } from '../../common/clock';
import { AppError, BadUserInputError, ForbiddenError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { MAX_PAGE_SIZE } from '../../common/pagination';
import { RateLimiter, type RateStore } from '../../common/rate-limiter';
import type { Logger } from '../../common/logger';
import { inTransaction } from '../../db/transaction';
import { BallotBatcher, DEFAULT_BALLOT_BATCHING } from '../evaluation/ballot-batcher';
import { EvaluationVoter } from '../evaluation/evaluation.entity';
import { RoomInvalidTransitionError } from '../room/room.errors';
import { Cadre } from '../registry/cadre.entity';
import type { RoomService } from '../room/room.service';
import { Attendee } from '../sessions/attendee.entity';
import { RoomPhase } from '../sessions/session-enums';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';
import { markAttendanceIn, recordAttendanceIn } from './attendance-steps';
import type { Attendance, AttendanceSummary, CheckInCode, Seat } from './attendance.types';
import { acceptsCheckInCode, checkInCodeAt } from './check-in-code';

export class CheckInCodeInvalidError extends AppError {
  constructor() {
    super('CHECK_IN_CODE_INVALID', 'this check-in code is wrong or no longer valid: type the code the hall shows now');
  }
}

/**
 * Who is in the hall: the rotating check-in code, checking in with it, the chair or secretary marking people
 * present, and each person's own seat. Presence changes run as room commands, so the log records who came and the
 * room's state carries 到会 N / M.
 */
export class AttendanceService {
  private readonly codeKey: Buffer;
  private readonly checkInAttempts: RateLimiter;
  /** Check-ins committed but not yet named in the room's log, per session. */
  private readonly pending = new Map<number, Set<number>>();
  /** Turns a hall checking in at once into few room commands (the ballot box's batcher: evaluation/ballot-batcher.ts). */
  private readonly batcher: BallotBatcher;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly room: RoomService,
    secret: string,
    rates: RateStore,
    private readonly publicUrl = '',
    logger?: Logger,
  ) {
    this.codeKey = createHmac('sha256', secret).update('leitai check-in codes').digest();
    // Six digits, two codes accepted at a time: ten tries a minute leave a guesser about one chance in fifty thousand a minute.
    this.checkInAttempts = new RateLimiter('check-in attempts', [{ limit: 10, windowMs: 60_000 }], rates);
    this.batcher = new BallotBatcher((sessionId) => this.recordCheckIns(sessionId), {
      ...DEFAULT_BALLOT_BATCHING,
      onError: (err, sessionId) => logger?.warn({ err, sessionId }, 'recording check-ins in the room failed; retried'),
    });
  }

  async checkInCode(principal: Principal | null, rawSessionId: string): Promise<CheckInCode> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    assertSessionVisible(principal, sessionId);
    await this.existingSession(sessionId);
    const reading = checkInCodeAt(this.codeKey, sessionId, this.clock.now().getTime());
    return {
      code: reading.code,
      rotatesAt: new Date(reading.rotatesAt),
      expiresAt: new Date(reading.expiresAt),
      url: `${this.publicUrl}/hall?session=${sessionId}&code=${reading.code}`,
    };
  }

  /** A registered attendee checks in with the code the hall shows; checking in twice is harmless. */
  async checkIn(principal: Principal | null, rawSessionId: string, rawCode: string): Promise<Attendance> {
    const userId = requireActorId(principal);
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const code = rawCode.replace(/\s+/g, '');
    const attendee = await this.ds.getRepository(Attendee).findOneBy({ sessionId, userId });
    if (!attendee) {
      await this.existingSession(sessionId);
      throw new ForbiddenError(`you are not registered for session ${sessionId}; ask the secretary`);
    }
    if (attendee.checkedInAt) return this.entry(attendee);
    await this.checkInAttempts.take(`user:${userId}`);
    if (!acceptsCheckInCode(this.codeKey, sessionId, code, this.clock.now().getTime())) throw new CheckInCodeInvalidError();
    const room = this.room.hub.cached(sessionId) ?? (await this.room.state(sessionId));
    if (room.phase === RoomPhase.CLOSED) throw new RoomInvalidTransitionError('the session is closed; its attendance is part of the record', room.phase);
    // The row in a short transaction of its own; the room records the check-ins of a short window in one command.
    await inTransaction(this.ds, (m) => m.getRepository(Attendee).update({ id: attendee.id, checkedInAt: IsNull() }, { checkedInAt: this.clock.now() }));
    this.arrived(sessionId).add(userId);
    await this.batcher.committed(sessionId);
    return this.entry(await this.ds.getRepository(Attendee).findOneByOrFail({ id: attendee.id }));
  }

  /** Records at shutdown the check-ins still waiting for their batch. */
  close(): Promise<void> {
    return this.batcher.close();
  }

  private arrived(sessionId: number): Set<number> {
    let set = this.pending.get(sessionId);
    if (!set) this.pending.set(sessionId, (set = new Set()));
    return set;
  }

  /** One room command naming the check-ins committed since the last one, with the exact counts. */
  private async recordCheckIns(sessionId: number): Promise<void> {
    const userIds = [...this.arrived(sessionId)];
    this.pending.delete(sessionId);
    try {
      await this.room.execute(sessionId, null, (m) => recordAttendanceIn(m, sessionId, userIds, true));
    } catch (err) {
      if (err instanceof RoomInvalidTransitionError) return;
      for (const id of userIds) this.arrived(sessionId).add(id);
      throw err;
    }
  }

  /** The chair or secretary marks registered attendees present (or absent again). */
  async markPresent(principal: Principal | null, rawSessionId: string, rawUserIds: string[], present: boolean): Promise<Attendance[]> {
    const actorId = requireActorId(principal);
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    if (rawUserIds.length === 0 || rawUserIds.length > MAX_PAGE_SIZE) throw new BadUserInputError(`give 1 to ${MAX_PAGE_SIZE} users`, 'userIds');
    const userIds = [...new Set(rawUserIds.map((u, i) => parseId('user', u, `userIds.${i}`)))];
    await this.existingSession(sessionId);
    const registered = new Set((await this.ds.getRepository(Attendee).findBy({ sessionId, userId: In(userIds) })).map((a) => a.userId));
    const stranger = userIds.find((id) => !registered.has(id));
    if (stranger !== undefined) throw new BadUserInputError(`user ${stranger} is not registered for session ${sessionId}`, 'userIds');
    await this.room.execute(sessionId, actorId, (m) => markAttendanceIn(m, sessionId, userIds, present, this.clock.now()));
    const rows = await this.ds.getRepository(Attendee).find({ where: { sessionId, userId: In(userIds) }, order: { userId: 'ASC' } });
    return this.entries(rows);
  }

  /** Records the new count of registered attendees in the room (after registering some). */
  async recount(sessionId: number, actorId: number | null): Promise<void> {
    await this.room.execute(sessionId, actorId, (m) => markAttendanceIn(m, sessionId, [], true, this.clock.now()));
  }

  async attendance(rawSessionId: string): Promise<AttendanceSummary> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    await this.existingSession(sessionId);
    const entries = await this.entries(await this.ds.getRepository(Attendee).findBy({ sessionId }));
    entries.sort((a, b) => Number(b.present) - Number(a.present) || a.user.displayName.localeCompare(b.user.displayName, 'zh-CN'));
    return { expected: entries.length, present: entries.filter((e) => e.present).length, entries };
  }

  /** The caller's own place in a session. */
  async mySeat(principal: Principal | null, rawSessionId: string): Promise<Seat> {
    const userId = requireActorId(principal);
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    await this.existingSession(sessionId);
    const [attendee, voter, cadres] = await Promise.all([
      this.ds.getRepository(Attendee).findOneBy({ sessionId, userId }),
      this.ds.getRepository(EvaluationVoter).findOneBy({ sessionId, userId }),
      this.ds.getRepository(Cadre).findBy({ userId }),
    ]);
    const own = cadres.length ? await this.ds.getRepository(Speech).find({ where: { sessionId, cadreId: In(cadres.map((c) => c.id)) }, order: { order: 'ASC' } }) : [];
    return {
      sessionId: String(sessionId),
      registered: !!attendee,
      present: !!attendee?.checkedInAt,
      checkedInAt: attendee?.checkedInAt ?? null,
      entitled: !!voter,
      voted: !!voter?.voted,
      tokenIssued: !!voter?.tokenIssued,
      ownSpeechIds: own.map((s) => String(s.id)),
    };
  }

  /**
   * The sessions the caller is registered for — and, for those who lead the meeting without attending it (leaders,
   * the chair, the secretary, admin), every session not closed: open ones first, by start; closed ones after,
   * newest first.
   */
  async mySessions(principal: Principal | null): Promise<Session[]> {
    const userId = requireActorId(principal);
    const ids = (await this.ds.getRepository(Attendee).findBy({ userId })).map((a) => a.sessionId);
    const leads = hasAnyRole(principal, ['leader', 'chair', 'secretary', 'admin']);
    if (!ids.length && !leads) return [];
    const sessions = await this.ds.getRepository(Session).find({
      where: leads ? [{ id: In(ids) }, { phase: Not(RoomPhase.CLOSED) }] : { id: In(ids) },
      order: { startsAt: 'ASC' },
    });
    const open = sessions.filter((s) => s.phase !== RoomPhase.CLOSED);
    const closed = sessions.filter((s) => s.phase === RoomPhase.CLOSED).reverse();
    return [...open, ...closed];
  }

  private async existingSession(sessionId: number): Promise<void> {
    if (!(await this.ds.getRepository(Session).existsBy({ id: sessionId }))) throw new NotFoundError('session', sessionId, 'sessionId');
  }

  private async entry(attendee: Attendee): Promise<Attendance> {
    return (await this.entries([attendee]))[0];
  }

  private async entries(rows: readonly Attendee[]): Promise<Attendance[]> {
    const users = rows.length ? new Map((await this.ds.getRepository(User).findBy({ id: In(rows.map((r) => r.userId)) })).map((u) => [u.id, u])) : new Map<number, User>();
    return rows.map((r) => ({ sessionId: String(r.sessionId), user: users.get(r.userId)!, present: r.checkedInAt !== null, checkedInAt: r.checkedInAt }));
  }
}
