import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { assertSessionVisible } from '../../auth/authorize.middleware';
import type { RoomContext } from './room.context';
import { requireActorId } from '../../auth/principal';
import type { Clock } from '../../common/clock';
import { parseId } from '../../common/ids';
import { RoomPhase } from '../sessions/session-enums';
import { Comment, CommentStatus } from './comment.entity';
import { CommentService } from './comment.service';
import type { RoomCommand } from './room-decider';
import type { RoomEvent } from './room-events';
import type { RoomState } from './room-state';
import { RoomService } from './room.service';
import { checkedAfterSeq, visibleSession } from './room-access';
import { InterruptionReason, roomEventView, RoomEventView, roomStateView, RoomStateView } from './room.types';
import { Review, ReviewTone } from './review.entity';


@Resolver()
export class RoomResolver {
  constructor(
    private readonly roomService: RoomService,
    private readonly commentService: CommentService,
    private readonly clock: Clock,
  ) {}

  private async run(ctx: RoomContext, rawSessionId: string, command: RoomCommand): Promise<RoomStateView> {
    const state = await this.roomService.command(parseId('session', rawSessionId, 'sessionId'), requireActorId(ctx.principal), command);
    return roomStateView(state, this.clock.now().getTime());
  }

  @Query(() => RoomStateView, { description: 'The live room now. A screen token reads only its own session.' })
  async room(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: RoomContext): Promise<RoomStateView> {
    const id = parseId('session', sessionId, 'sessionId');
    assertSessionVisible(ctx.principal, id);
    return roomStateView(await this.roomService.state(id), this.clock.now().getTime());
  }

  @Mutation(() => RoomStateView, { description: 'Moves the room to the next phase: SCHEDULED → SPEECHES → EXCHANGE → SUMMARY → EVALUATION → CLOSED (chair).' })
  advancePhase(@Arg('sessionId', () => ID) sessionId: string, @Arg('phase', () => RoomPhase) phase: RoomPhase, @Ctx() ctx: RoomContext) {
    return this.run(ctx, sessionId, { type: 'ADVANCE_PHASE', to: phase });
  }

  @Mutation(() => RoomStateView, { description: 'Starts a speech: the next in the line-up when speechId is omitted (chair).' })
  startSpeech(@Arg('sessionId', () => ID) sessionId: string, @Arg('speechId', () => ID, { nullable: true }) speechId: string | null, @Ctx() ctx: RoomContext) {
    return this.run(ctx, sessionId, { type: 'START_SPEECH', speechId: speechId == null ? undefined : parseId('speech', speechId, 'speechId') });
  }

  @Mutation(() => RoomStateView, { description: 'Pauses the running speech’s clock (chair).' })
  pauseSpeech(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: RoomContext) {
    return this.run(ctx, sessionId, { type: 'PAUSE_SPEECH' });
  }

  @Mutation(() => RoomStateView, { description: 'Resumes a paused speech (chair).' })
  resumeSpeech(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: RoomContext) {
    return this.run(ctx, sessionId, { type: 'RESUME_SPEECH' });
  }

  @Mutation(() => RoomStateView, { description: 'Gives the current speech more time: 1 second to 30 minutes (chair).' })
  extendSpeech(@Arg('sessionId', () => ID) sessionId: string, @Arg('seconds', () => Int) seconds: number, @Ctx() ctx: RoomContext) {
    return this.run(ctx, sessionId, { type: 'EXTEND_SPEECH', extensionMs: seconds * 1000 });
  }

  @Mutation(() => RoomStateView, { description: 'Interrupts the speaker with a reason (EMPTY_TALK = 虚话套话); cutOff ends the speech (chair).' })
  interruptSpeech(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('reason', () => InterruptionReason) reason: InterruptionReason,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Arg('cutOff', () => Boolean, { nullable: true }) cutOff: boolean | null,
    @Ctx() ctx: RoomContext,
  ) {
    const cleanNote = note?.trim() ? note.trim() : null;
    return this.run(ctx, sessionId, { type: 'INTERRUPT_SPEECH', reason, note: cleanNote, cutOff: cutOff ?? false });
  }

  @Mutation(() => RoomStateView, { description: 'Ends the current speech, recording the time spoken and the overtime (chair).' })
  endSpeech(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: RoomContext) {
    return this.run(ctx, sessionId, { type: 'END_SPEECH' });
  }

  @Mutation(() => Comment, { description: 'Sends a question or remark (1–500 characters); PENDING until approved, except from leaders and the chair. A retry with the same clientId returns the same comment.' })
  postComment(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('body', () => String) body: string,
    @Arg('speechId', () => ID, { nullable: true }) speechId: string | null,
    @Arg('clientId', () => String, { nullable: true }) clientId: string | null,
    @Ctx() ctx: RoomContext,
  ): Promise<Comment> {
    return this.commentService.postComment(ctx.principal, sessionId, body, speechId, clientId);
  }

  @Mutation(() => Comment, { description: 'Approves a comment for the screen, or rejects (hides) it (chair).' })
  moderateComment(@Arg('commentId', () => ID) commentId: string, @Arg('approve', () => Boolean) approve: boolean, @Ctx() ctx: RoomContext): Promise<Comment> {
    return this.commentService.moderateComment(ctx.principal, commentId, approve);
  }

  @Query(() => [Comment], { description: 'A session’s comments, newest first (at most 200), optionally of one status: the moderation queue (chair).' })
  comments(@Arg('sessionId', () => ID) sessionId: string, @Arg('status', () => CommentStatus, { nullable: true }) status: CommentStatus | null): Promise<Comment[]> {
    return this.commentService.comments(sessionId, status ?? undefined);
  }

  @Query(() => [Comment], { description: 'The caller’s own comments in a session, newest first, with their moderation status (at most 200).' })
  myComments(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: RoomContext): Promise<Comment[]> {
    return this.commentService.myComments(ctx.principal, sessionId);
  }

  @Mutation(() => Review, { description: 'A city leader’s commentary (点评) on a speech that has started, with its tone.' })
  postReview(
    @Arg('speechId', () => ID) speechId: string,
    @Arg('tone', () => ReviewTone) tone: ReviewTone,
    @Arg('body', () => String) body: string,
    @Ctx() ctx: RoomContext,
  ): Promise<Review> {
    return this.commentService.postReview(ctx.principal, speechId, tone, body);
  }

  @Query(() => [Review], { description: 'The leaders’ commentary in a session, in the order given.' })
  reviews(@Arg('sessionId', () => ID) sessionId: string): Promise<Review[]> {
    return this.commentService.reviews(sessionId);
  }

  @Subscription(() => RoomStateView, {
    description: 'The live room: a full snapshot first, then the new state after every change. A screen token subscribes only to its own session.',
    subscribe: ({ args, context }) => context.feed.states(visibleSession(context, 'roomState', args.sessionId)),
  })
  roomState(@Root() state: RoomState, @Arg('sessionId', () => ID) _sessionId: string): RoomStateView {
    return roomStateView(state, this.clock.now().getTime());
  }

  @Subscription(() => RoomEventView, {
    description: 'Every event with seq > afterSeq from the log, then live ones, without gaps or duplicates; resume after a reconnect with the last seq seen. Without afterSeq: live events only.',
    subscribe: ({ args, context }) => {
      const afterSeq = checkedAfterSeq(args.afterSeq);
      return context.feed.events(visibleSession(context, 'roomEvents', args.sessionId), afterSeq);
    },
  })
  roomEvents(
    @Root() event: RoomEvent & { sessionId?: number },
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('afterSeq', () => Int, { nullable: true }) _afterSeq: number | null,
  ): RoomEventView {
    return roomEventView(Number(sessionId), event);
  }
}
