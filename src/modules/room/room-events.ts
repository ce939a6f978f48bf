import type { LineupEntry } from '../sessions/lineup';
import type { RoomPhase } from '../sessions/session-enums';
import type { Grade } from './results';

/** Why the chair interrupted a speech; the one list, registered as the GraphQL enum in room.types.ts. */
export const InterruptionReason = {
  EMPTY_TALK: 'EMPTY_TALK',
  OFF_TOPIC: 'OFF_TOPIC',
  OVERTIME: 'OVERTIME',
  OTHER: 'OTHER',
} as const;
export type InterruptionReason = (typeof InterruptionReason)[keyof typeof InterruptionReason];

/** A comment as the room shows it once approved; carried in the event so the state is the fold of the log alone. */
export interface ApprovedComment {
  commentId: number;
  body: string;
  authorName: string;
  speechId: number | null;
  postedAt: number;
}

/** A speaker's published result, as the hall sees it once the evaluation is published. */
export interface PublishedResult {
  speechId: number;
  rank: number;
  /** One of the grades of evaluation/grades.ts, as the string the log stores. */
  grade: `${Grade}`;
  score: number;
  excellent: number;
  good: number;
  average: number;
  poor: number;
  droppedByTie: boolean;
}

/**
 * Every change of a live room, as stored in the log. Payloads carry what the reducer needs and nothing that must
 * stay private (a pending comment's text is not in the log's public payload).
 */
export type RoomEventPayload =
  | { type: 'LINEUP_SET'; entries: LineupEntry[] }
  | { type: 'PHASE_CHANGED'; from: RoomPhase; to: RoomPhase }
  | { type: 'SPEECH_STARTED'; speechId: number; allottedMs: number }
  | { type: 'SPEECH_PAUSED'; speechId: number }
  | { type: 'SPEECH_RESUMED'; speechId: number }
  | { type: 'SPEECH_EXTENDED'; speechId: number; extensionMs: number }
  | { type: 'SPEECH_INTERRUPTED'; speechId: number; reason: InterruptionReason; note: string | null; cutOff: boolean }
  | { type: 'TIME_UP'; speechId: number }
  | { type: 'SPEECH_ENDED'; speechId: number; spokenMs: number; overtimeMs: number; cutOff: boolean }
  | { type: 'COMMENT_POSTED'; commentId: number; speechId: number | null }
  | ({ type: 'COMMENT_APPROVED' } & ApprovedComment)
  | { type: 'COMMENT_REJECTED'; commentId: number }
  | { type: 'REVIEW_POSTED'; reviewId: number; speechId: number; tone: string; authorName: string; body: string }
  /** Who came or left (by the check-in code or marked by the chair), and the counts after it; an empty list only recounts. */
  | { type: 'ATTENDANCE_CHANGED'; userIds: number[]; present: boolean; expected: number; presentCount: number }
  | { type: 'SPEECH_WITHDRAWN'; speechId: number; reason: string }
  /** The 总结讲话; a later one replaces it. */
  | { type: 'SUMMARY_RECORDED'; body: string; author: string }
  /** `quorum`: ballots needed for an ordinary close (absent in logs written before there was one: none). */
  | { type: 'EVALUATION_OPENED'; entitledVoters: number; quorum?: number; keyFingerprint?: string }
  /** Only the count: who voted is not in the log, and how never is anywhere. */
  | { type: 'BALLOT_CAST'; ballotsCast: number }
  /** `closeReason`: why the chair closed it below the quorum (set only then). */
  | { type: 'EVALUATION_CLOSED'; ballotsCast: number; closeReason?: string | null }
  | { type: 'EVALUATION_PUBLISHED'; results: PublishedResult[] };

/** An event as it sits in the log: its place (seq), its instant (ms since epoch) and who caused it. */
export type RoomEvent = RoomEventPayload & { seq: number; at: number; actorId: number | null };
