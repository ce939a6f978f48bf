import { RoomPhase, SpeechStatus } from '../sessions/session-enums';
import type { ApprovedComment, InterruptionReason, PublishedResult } from './room-events';
import type { ReviewTone } from './review.entity';
import type { TimerState } from './timer';

/** How many approved comments the room keeps in its state (the screen shows a few; the log keeps them all). */
export const ROOM_COMMENT_WINDOW = 50;

export interface SpeechProgress {
  speechId: number;
  order: number;
  cadreId: number;
  allottedMs: number;
  status: SpeechStatus;
  startedAt: number | null;
  endedAt: number | null;
  spokenMs: number | null;
  overtimeMs: number | null;
  /** Why it was withdrawn, when its status is WITHDRAWN. */
  withdrawnReason?: string | null;
}

export interface InterruptionRecord {
  seq: number;
  reason: InterruptionReason;
  note: string | null;
  at: number;
  cutOff: boolean;
}

export interface CurrentSpeech {
  speechId: number;
  timer: TimerState;
  /** Whether TIME_UP has been recorded for the current allowance (an extension re-arms it). */
  timeUp: boolean;
  interruptions: InterruptionRecord[];
}

export interface EvaluationProgress {
  status: 'OPEN' | 'CLOSED' | 'PUBLISHED';
  entitledVoters: number;
  /** Ballots needed for an ordinary close. */
  quorum: number;
  ballotsCast: number;
  /** Why it was closed below the quorum; null otherwise. */
  closeReason: string | null;
  /** Set once published. */
  results: PublishedResult[] | null;
  /** BLIND mode: the general ballot key's fingerprint, for every phone to compare its own key with; null in SIMPLE. */
  keyFingerprint: string | null;
}

/** The live room: a pure fold of its event log. */
export interface RoomState {
  sessionId: number;
  seq: number;
  phase: RoomPhase;
  speeches: SpeechProgress[];
  current: CurrentSpeech | null;
  /** Approved comments, newest first, at most ROOM_COMMENT_WINDOW. */
  comments: ApprovedComment[];
  /** Null until the evaluation opens. */
  evaluation: EvaluationProgress | null;
  /** 到会: registered attendees, and how many of them are present. */
  attendance: { expected: number; present: number };
  /** The leaders' commentary (点评), newest first. */
  reviews: RoomReview[];
  /** The 总结讲话, once recorded. */
  summary: { body: string; author: string; at: number } | null;
}

export interface RoomReview {
  reviewId: number;
  speechId: number;
  tone: `${ReviewTone}`;
  authorName: string;
  body: string;
  at: number;
}

export function initialRoomState(sessionId: number): RoomState {
  return {
    sessionId,
    seq: 0,
    phase: RoomPhase.SCHEDULED,
    speeches: [],
    current: null,
    comments: [],
    evaluation: null,
    attendance: { expected: 0, present: 0 },
    reviews: [],
    summary: null,
  };
}
