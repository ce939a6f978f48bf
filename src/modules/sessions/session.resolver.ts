import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { SessionsContext } from './sessions.context';
import { actorIdOf } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import { ForbiddenError } from '../../common/errors';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { Theme } from '../themes/theme.entity';
import { Session } from './session.entity';
import { AttendeeGroupInput, LineupEntryInput, ScheduleSeriesInput, ScheduleSessionInput } from './session.inputs';
import { SessionService } from './session.service';
import { Speech } from './speech.entity';

export const SessionConnection = ConnectionType(Session, 'A page of sessions, newest first.');

/** Who may see the list of attendees: those who run the session. */
const ATTENDEE_LIST_ROLES = ['admin', 'chair', 'secretary'];

@Resolver(() => Session)
export class SessionResolver {
  constructor(private readonly sessionsService: SessionService) {}

  @Query(() => Session, { nullable: true, description: 'One session, or null. A screen token sees only its own session.' })
  session(@Arg('id', () => ID) id: string, @Ctx() ctx: SessionsContext): Promise<Session | null> {
    return this.sessionsService.session(ctx.principal, id);
  }

  @Query(() => SessionConnection, { description: 'Sessions, newest first.' })
  sessions(@Args(() => PageArgs) args: PageArgs) {
    return this.sessionsService.sessions(args);
  }

  @Mutation(() => Session, { description: 'Schedules the next session (期) on an approved theme (secretary, admin).' })
  scheduleSession(@Arg('input', () => ScheduleSessionInput) input: ScheduleSessionInput, @Ctx() ctx: SessionsContext): Promise<Session> {
    return this.sessionsService.scheduleSession(input, actorIdOf(ctx.principal));
  }

  @Mutation(() => [Session], { description: 'Schedules a series of sessions on one theme, e.g. 每两周一次 (everyDays 14), all or none (secretary, admin).' })
  scheduleSeries(@Arg('input', () => ScheduleSeriesInput) input: ScheduleSeriesInput, @Ctx() ctx: SessionsContext): Promise<Session[]> {
    return this.sessionsService.scheduleSeries(input, actorIdOf(ctx.principal));
  }

  @Mutation(() => Session, {
    description: 'Whether the session’s speakers vote in its evaluation; off, every ballot has the same shape (secretary, admin; before the phase EVALUATION, when the list of voters freezes).',
  })
  setSpeakersVote(@Arg('sessionId', () => ID) sessionId: string, @Arg('speakersVote') speakersVote: boolean, @Ctx() ctx: SessionsContext): Promise<Session> {
    return this.sessionsService.setSpeakersVote(sessionId, speakersVote, actorIdOf(ctx.principal));
  }

  @Mutation(() => Session, { description: 'Sets the whole line-up, in speaking order, before the session starts (secretary, admin).' })
  setLineup(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('entries', () => [LineupEntryInput]) entries: LineupEntryInput[],
    @Ctx() ctx: SessionsContext,
  ): Promise<Session> {
    return this.sessionsService.setLineup(ctx.principal, sessionId, entries);
  }

  @Mutation(() => Session, { description: 'Adds entitled voters (与会干部) to a session, up to 100 per call (secretary, admin).' })
  registerAttendees(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('userIds', () => [ID]) userIds: string[],
    @Ctx() ctx: SessionsContext,
  ): Promise<Session> {
    return this.sessionsService.registerAttendees(sessionId, userIds, actorIdOf(ctx.principal));
  }

  @Mutation(() => Session, { description: 'Registers a group as attendees at once: those of an earlier session, or every holder of a role (in one region) (secretary, admin).' })
  registerAttendeeGroup(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('group', () => AttendeeGroupInput) group: AttendeeGroupInput,
    @Ctx() ctx: SessionsContext,
  ): Promise<Session> {
    return this.sessionsService.registerAttendeeGroup(sessionId, group, actorIdOf(ctx.principal));
  }

  @FieldResolver(() => Theme, { description: 'The theme of the session.' })
  async theme(@Root() session: Session, @Ctx() ctx: SessionsContext): Promise<Theme> {
    return (await ctx.loaders.theme.load(session.themeId))!;
  }

  @FieldResolver(() => [Speech], { description: 'The line-up, in speaking order.' })
  speeches(@Root() session: Session, @Ctx() ctx: SessionsContext): Promise<Speech[]> {
    return ctx.loaders.speechesBySession.load(session.id);
  }

  @FieldResolver(() => Int, { description: 'How many attendees are entitled to vote.' })
  attendeeCount(@Root() session: Session): Promise<number> {
    return this.sessionsService.attendeeCount(session.id);
  }

  @FieldResolver(() => [User], { description: 'The entitled voters (admin, chair, secretary).' })
  attendees(@Root() session: Session, @Ctx() ctx: SessionsContext): Promise<User[]> {
    if (!ctx.principal?.roles.some((r) => ATTENDEE_LIST_ROLES.includes(r))) throw new ForbiddenError('only admin, chair and secretary see the attendee list');
    return this.sessionsService.attendees(session.id);
  }
}
