import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../../common/scalars';
import { RoomPhase, SpeechStatus } from '../sessions/session-enums';
import { Speech } from '../sessions/speech.entity';
import { Comment, CommentStatus } from './comment.entity';
import { Review, ReviewTone } from './review.entity';
import { EvaluationResult, EvaluationStatus, Grade } from './results';
import { InterruptionReason, type RoomEvent } from './room-events';
import type { RoomState, SpeechProgress } from './room-state';
import { readTimer } from './timer';

export { InterruptionReason };
registerEnumType(InterruptionReason, {
  name: 'InterruptionReason',
  description: 'Why the chair interrupted: EMPTY_TALK (虚话套话), OFF_TOPIC (跑题), OVERTIME (超时), OTHER.',
});

@ObjectType({ simpleResolvers: true, description: 'The speech clock, computed from instants at `serverNow`. Render `endsAt` against `serverNow`; nothing is pushed every second.' })
export class Timer {
  @Field({ description: 'False while paused.' })
  running: boolean;

  @Field(() => Int, { description: 'The allowance from the line-up, in ms.' })
  allottedMs: number;

  @Field(() => Int, { description: 'Extensions granted so far, in ms.' })
  extendedMs: number;

  @Field(() => Int, { description: 'Time spoken so far, pauses excluded.' })
  elapsedMs: number;

  @Field(() => Int, { description: 'Time left of the allowance and extensions; 0 in overtime.' })
  remainingMs: number;

  @Field(() => Int, { description: 'Time spoken beyond the allowance and extensions.' })
  overtimeMs: number;

  @Field(() => Date, { nullable: true, description: 'When the time runs out, while running; null while paused.' })
  endsAt: Date | null;
}

@ObjectType({ simpleResolvers: true, description: 'An interruption by the chair (e.g. 对讲虚话套话的直接打断).' })
export class Interruption {
  @Field(() => ID, { description: 'Identifier: the session and the seq of the event that recorded it.' })
  id: string;

  @Field(() => InterruptionReason, { description: 'Why.' })
  reason: InterruptionReason;

  @Field(() => String, { nullable: true, description: 'What the chair said, if noted.' })
  note: string | null;

  @Field(() => Date, { description: 'When.' })
  at: Date;

  @Field({ description: 'Whether it ended the speech.' })
  cutOff: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'The speech in progress.' })
export class LiveSpeech {
  @Field(() => Speech, { description: 'The speech and its speaker.' })
  speech: Speech;

  @Field(() => Timer, { description: 'Its clock.' })
  timer: Timer;

  @Field(() => [Interruption], { description: 'Interruptions so far, oldest first.' })
  interruptions: Interruption[];
}

@ObjectType({ simpleResolvers: true, description: 'The evaluation as the hall sees it: how many have voted (never who or how), and the results once published.' })
export class EvaluationProgress {
  @Field(() => EvaluationStatus, { description: 'OPEN, CLOSED or PUBLISHED.' })
  status: EvaluationStatus;

  @Field(() => Int, { description: 'Entitled voters.' })
  entitledVoters: number;

  @Field(() => Int, { description: 'Ballots needed for an ordinary close (法定人数).' })
  quorum: number;

  @Field(() => Int, { description: 'Ballots cast so far.' })
  ballotsCast: number;

  @Field(() => String, { nullable: true, description: 'Why the chair closed it below the quorum; null otherwise.' })
  closeReason: string | null;

  @Field(() => [EvaluationResult], { nullable: true, description: 'The results, in rank order, once published.' })
  results: EvaluationResult[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      'BLIND mode: hex SHA-256 of the general ballot key (as BallotKey.fingerprint), shown on the big screen so that every phone can check it was given the same key as the hall; null in SIMPLE.',
  })
  keyFingerprint: string | null;
}

@ObjectType({ simpleResolvers: true, description: '到会: registered attendees and how many are present.' })
export class AttendanceCount {
  @Field(() => Int, { description: 'Registered attendees.' })
  expected: number;

  @Field(() => Int, { description: 'Present (checked in or marked present).' })
  present: number;
}

@ObjectType({ simpleResolvers: true, description: 'The 总结讲话 of the presiding leader.' })
export class Summary {
  @Field({ description: 'What was said.' })
  body: string;

  @Field({ description: 'Who said it, as shown in the hall.' })
  author: string;

  @Field(() => Date, { description: 'When it was recorded.' })
  at: Date;
}

@ObjectType('RoomState', { simpleResolvers: true, description: 'The live room as the hall sees it, at `serverNow`.' })
export class RoomStateView {
  @Field(() => ID, { description: 'Session id.' })
  sessionId: string;

  @Field(() => Int, { description: 'Seq of the last event this state includes.' })
  seq: number;

  @Field(() => RoomPhase, { description: 'Current phase.' })
  phase: RoomPhase;

  @Field(() => Date, { description: 'The server’s clock when this state was read; correct local clocks by it.' })
  serverNow: Date;

  @Field(() => LiveSpeech, { nullable: true, description: 'The speech in progress; null between speeches.' })
  current: LiveSpeech | null;

  @Field(() => [Speech], { description: 'The line-up still to speak, in order.' })
  upcoming: Speech[];

  @Field(() => [Speech], { description: 'The whole line-up in order, with each speech’s progress.' })
  speeches: Speech[];

  @Field(() => [Comment], { description: 'The latest approved comments, newest first.' })
  comments: Comment[];

  @Field(() => EvaluationProgress, { nullable: true, description: 'The democratic evaluation, once opened.' })
  evaluation: EvaluationProgress | null;

  @Field(() => AttendanceCount, { description: '到会 present / expected.' })
  attendance: AttendanceCount;

  @Field(() => [Review], { description: 'The leaders’ commentary (点评), newest first.' })
  reviews: Review[];

  @Field(() => Summary, { nullable: true, description: 'The 总结讲话, once recorded.' })
  summary: Summary | null;
}

@ObjectType('RoomEvent', { simpleResolvers: true, description: 'One entry of the room’s event log.' })
export class RoomEventView {
  @Field(() => Int, { description: 'Place in the session’s log, from 1, without gaps.' })
  seq: number;

  @Field({ description: 'e.g. SPEECH_STARTED, SPEECH_INTERRUPTED, TIME_UP, COMMENT_APPROVED.' })
  type: string;

  @Field(() => Date, { description: 'When it happened (server clock).' })
  at: Date;

  @Field(() => ID, { description: 'Session id.' })
  sessionId: string;

  @Field(() => JSONScalar, { nullable: true, description: 'The event’s details.' })
  data: Record<string, unknown>;
}

export function speechView(sessionId: number, s: SpeechProgress): Speech {
  return Object.assign(new Speech(), {
    id: s.speechId,
    sessionId,
    order: s.order,
    cadreId: s.cadreId,
    allottedSeconds: Math.round(s.allottedMs / 1000),
    status: s.status,
    startedAt: s.startedAt === null ? null : new Date(s.startedAt),
    endedAt: s.endedAt === null ? null : new Date(s.endedAt),
    spokenMs: s.spokenMs,
    overtimeMs: s.overtimeMs,
    withdrawnReason: s.withdrawnReason ?? null,
  });
}

/** The GraphQL view of a pure room state, read at `now`. */
export function roomStateView(state: RoomState, now: number): RoomStateView {
  const speeches = state.speeches.map((s) => speechView(state.sessionId, s));
  const current = state.current;
  let live: LiveSpeech | null = null;
  if (current) {
    const reading = readTimer(current.timer, now);
    live = {
      speech: speeches.find((s) => s.id === current.speechId)!,
      timer: { ...reading, endsAt: reading.endsAt === null ? null : new Date(reading.endsAt) },
      interruptions: current.interruptions.map((i) => ({
        id: `${state.sessionId}:${i.seq}`,
        reason: i.reason as InterruptionReason,
        note: i.note,
        at: new Date(i.at),
        cutOff: i.cutOff,
      })),
    };
  }
  return {
    sessionId: String(state.sessionId),
    seq: state.seq,
    phase: state.phase,
    serverNow: new Date(now),
    current: live,
    upcoming: speeches.filter((s) => s.status === SpeechStatus.UPCOMING),
    speeches,
    evaluation: state.evaluation && {
      status: state.evaluation.status as EvaluationStatus,
      entitledVoters: state.evaluation.entitledVoters,
      quorum: state.evaluation.quorum,
      ballotsCast: state.evaluation.ballotsCast,
      closeReason: state.evaluation.closeReason,
      results: state.evaluation.results && state.evaluation.results.map((r) => ({ ...r, grade: r.grade as Grade })),
      // States folded before the fingerprint existed have none.
      keyFingerprint: state.evaluation.keyFingerprint ?? null,
    },
    comments: state.comments.map((c) =>
      Object.assign(new Comment(), {
        id: c.commentId,
        sessionId: state.sessionId,
        speechId: c.speechId,
        authorName: c.authorName,
        body: c.body,
        status: CommentStatus.APPROVED,
        postedAt: new Date(c.postedAt),
        moderatedAt: null,
      }),
    ),
    attendance: { ...state.attendance },
    reviews: state.reviews.map((r) =>
      Object.assign(new Review(), {
        id: r.reviewId,
        sessionId: state.sessionId,
        speechId: r.speechId,
        authorName: r.authorName,
        tone: r.tone as ReviewTone,
        body: r.body,
        at: new Date(r.at),
      }),
    ),
    summary: state.summary && { body: state.summary.body, author: state.summary.author, at: new Date(state.summary.at) },
  };
}

export function roomEventView(sessionId: number, e: RoomEvent): RoomEventView {
  const { seq, at, type, actorId: _actor, ...data } = e;
  return { seq, type, at: new Date(at), sessionId: String(sessionId), data };
}
