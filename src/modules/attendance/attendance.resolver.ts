import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { AuthContext } from '../../auth/context';
import { Session } from '../sessions/session.entity';
import { AttendanceService } from './attendance.service';
import { Attendance, AttendanceSummary, CheckInCode, Seat } from './attendance.types';

@Resolver()
export class AttendanceResolver {
  constructor(private readonly service: AttendanceService) {}

  @Query(() => CheckInCode, { description: 'The hall’s check-in code now (chair, admin, secretary, the session’s screen); it rotates every 30 s.' })
  checkInCode(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: AuthContext): Promise<CheckInCode> {
    return this.service.checkInCode(ctx.principal, sessionId);
  }

  @Mutation(() => Attendance, {
    description: 'Checks the caller in with the code the hall shows: CHECK_IN_CODE_INVALID when it is wrong or stale, FORBIDDEN when not registered. Twice is harmless.',
  })
  checkIn(@Arg('sessionId', () => ID) sessionId: string, @Arg('code') code: string, @Ctx() ctx: AuthContext): Promise<Attendance> {
    return this.service.checkIn(ctx.principal, sessionId, code);
  }

  @Mutation(() => [Attendance], { description: 'Marks registered attendees present, or absent again (chair, secretary, admin); at most 100 per call.' })
  markPresent(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('userIds', () => [ID]) userIds: string[],
    @Arg('present') present: boolean,
    @Ctx() ctx: AuthContext,
  ): Promise<Attendance[]> {
    return this.service.markPresent(ctx.principal, sessionId, userIds, present);
  }

  @Query(() => AttendanceSummary, { description: '到会: every registered attendee and whether present (chair, secretary, admin).' })
  attendance(@Arg('sessionId', () => ID) sessionId: string): Promise<AttendanceSummary> {
    return this.service.attendance(sessionId);
  }

  @Query(() => Seat, { description: 'The caller’s own place in a session: registered, present, entitled to vote, voted, their own speeches.' })
  mySeat(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: AuthContext): Promise<Seat> {
    return this.service.mySeat(ctx.principal, sessionId);
  }

  @Query(() => [Session], { description: 'The sessions the caller is registered for (for leaders, the chair, the secretary and admin also every session not closed): open ones by start, then closed ones, newest first.' })
  mySessions(@Ctx() ctx: AuthContext): Promise<Session[]> {
    return this.service.mySessions(ctx.principal);
  }
}
