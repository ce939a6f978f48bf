import { DataSource } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import type { Clock } from '../../common/clock';
import { checkClientId } from '../../common/validation';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { RateLimiter, RateRule, RateStore } from '../../common/rate-limiter';
import { isUniqueViolation } from '../../db/errors';
import { Cadre } from '../registry/cadre.entity';
import { Attendee } from '../sessions/attendee.entity';
import { Speech } from '../sessions/speech.entity';
import { Comment, CommentStatus } from './comment.entity';
import type { ApprovedComment } from './room-events';
import type { RoomService } from './room.service';
import { Review, ReviewTone } from './review.entity';

const MAX_COMMENT_CHARS = 500;
const MAX_REVIEW_CHARS = 2000;
/** Leaders and the chair speak with authority in the hall; their comments need no moderation. */
const TRUSTED_ROLES = ['leader', 'chair', 'admin'];
/** Per user: one comment per 3 seconds and ten per minute (COMMENT_RATE_LIMIT's default). */
export const DEFAULT_COMMENT_RATE_LIMITS: readonly RateRule[] = [{ limit: 1, windowMs: 3_000 }, { limit: 10, windowMs: 60_000 }];

function text(value: string, max: number, field: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new BadUserInputError(`${field} must not be empty`, field);
  if ([...trimmed].length > max) throw new BadUserInputError(`${field} has at most ${max} characters`, field);
  return trimmed;
}

function approvedView(c: Comment): ApprovedComment {
  return { commentId: c.id, body: c.body, authorName: c.authorName, speechId: c.speechId, postedAt: c.postedAt.getTime() };
}

/** Attendees' comments with moderation, and leaders' commentary; both go through the room's log. */
export class CommentService {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly room: RoomService,
    rates: RateStore,
    rateLimits: readonly RateRule[] = DEFAULT_COMMENT_RATE_LIMITS,
  ) {
    this.limiter = new RateLimiter('comments', rateLimits, rates);
  }

  async postComment(principal: Principal | null, rawSessionId: string, body: string, rawSpeechId?: string | null, clientId?: string | null): Promise<Comment> {
    if (principal?.kind !== 'user') throw new ForbiddenError('sign in as an attendee to comment');
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const cleanBody = text(body, MAX_COMMENT_CHARS, 'body');
    checkClientId(clientId);
    const speechId = rawSpeechId == null ? null : parseId('speech', rawSpeechId, 'speechId');
    const retry = clientId ? await this.byClientId(principal.userId, clientId, sessionId) : null;
    if (retry) return retry;

    const trusted = principal.roles.some((r) => TRUSTED_ROLES.includes(r));
    if (!trusted && !(await this.ds.getRepository(Attendee).existsBy({ sessionId, userId: principal.userId }))) {
      throw new ForbiddenError('only the attendees of this session can comment');
    }
    await this.limiter.take(`user:${principal.userId}`);
    const author = await this.ds.getRepository(User).findOneByOrFail({ id: principal.userId });
    let saved: Comment | null = null;
    try {
      await this.room.execute(sessionId, principal.userId, async (m) => {
        saved = await m.save(Comment, m.create(Comment, {
          sessionId,
          speechId,
          authorId: principal.userId,
          authorName: author.displayName,
          body: cleanBody,
          status: trusted ? CommentStatus.APPROVED : CommentStatus.PENDING,
          clientId: clientId ?? null,
          postedAt: this.clock.now(),
        }));
        return { type: 'POST_COMMENT', commentId: saved.id, speechId, approved: trusted ? approvedView(saved) : null };
      });
    } catch (err) {
      // Two retries with one clientId raced: the first one stored it, so this one returns it.
      if (clientId && isUniqueViolation(err)) return (await this.byClientId(principal.userId, clientId, sessionId))!;
      throw err;
    }
    return saved!;
  }

  /** Approves or rejects a comment. Deciding the same way twice changes nothing and records nothing. */
  async moderateComment(principal: Principal | null, rawCommentId: string, approve: boolean): Promise<Comment> {
    if (principal?.kind !== 'user') throw new ForbiddenError();
    const commentId = parseId('comment', rawCommentId, 'commentId');
    const comment = await this.ds.getRepository(Comment).findOneBy({ id: commentId });
    if (!comment) throw new NotFoundError('comment', commentId, 'commentId');
    if (comment.speechId !== null) {
      const speech = await this.ds.getRepository(Speech).findOneByOrFail({ id: comment.speechId });
      const speaker = await this.ds.getRepository(Cadre).findOneBy({ id: speech.cadreId });
      if (speaker?.userId === principal.userId) throw new ForbiddenError('a speaker does not moderate comments about their own speech');
    }
    const target = approve ? CommentStatus.APPROVED : CommentStatus.REJECTED;
    if (comment.status === target) return comment;
    await this.room.execute(comment.sessionId, principal.userId, async () => ({
      type: 'MODERATE_COMMENT',
      commentId,
      approved: approve ? approvedView(comment) : null,
    }));
    return this.ds.getRepository(Comment).findOneByOrFail({ id: commentId });
  }

  /** The moderation queue and history of a session, newest first. */
  comments(rawSessionId: string, status?: CommentStatus): Promise<Comment[]> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    return this.ds.getRepository(Comment).find({ where: { sessionId, ...(status ? { status } : {}) }, order: { id: 'DESC' }, take: 200 });
  }

  /** The caller's own comments in a session, newest first, whatever their status (at most 200). */
  myComments(principal: Principal | null, rawSessionId: string): Promise<Comment[]> {
    if (principal?.kind !== 'user') throw new ForbiddenError();
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    return this.ds.getRepository(Comment).find({ where: { sessionId, authorId: principal.userId }, order: { id: 'DESC' }, take: 200 });
  }

  async postReview(principal: Principal | null, rawSpeechId: string, tone: ReviewTone, body: string): Promise<Review> {
    if (principal?.kind !== 'user') throw new ForbiddenError();
    const speechId = parseId('speech', rawSpeechId, 'speechId');
    const cleanBody = text(body, MAX_REVIEW_CHARS, 'body');
    const speech = await this.ds.getRepository(Speech).findOneBy({ id: speechId });
    if (!speech) throw new NotFoundError('speech', speechId, 'speechId');
    const author = await this.ds.getRepository(User).findOneByOrFail({ id: principal.userId });
    let saved: Review | null = null;
    await this.room.execute(speech.sessionId, principal.userId, async (m) => {
      saved = await m.save(Review, m.create(Review, { sessionId: speech.sessionId, speechId, authorId: author.id, authorName: author.displayName, tone, body: cleanBody, at: this.clock.now() }));
      return { type: 'POST_REVIEW', reviewId: saved.id, speechId, tone, authorName: author.displayName, body: cleanBody };
    });
    return saved!;
  }

  reviews(rawSessionId: string): Promise<Review[]> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    return this.ds.getRepository(Review).find({ where: { sessionId }, order: { id: 'ASC' } });
  }

  private async byClientId(authorId: number, clientId: string, sessionId: number): Promise<Comment | null> {
    const existing = await this.ds.getRepository(Comment).findOneBy({ authorId, clientId });
    if (existing && existing.sessionId !== sessionId) throw new BadUserInputError('this clientId was used for a comment in another session', 'clientId');
    return existing;
  }
}
