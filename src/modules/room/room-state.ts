import { RoomPhase, SpeechStatus } from '../sessions/session-enums';
import type { ApprovedComment, InterruptionReason, PublishedResult } from './room-events';
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
  ballotsCast: number;
  /** Set once published. */
  results: PublishedResult[] | null;
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
}

export function initialRoomState(sessionId: number): RoomState {
  return { sessionId, seq: 0, phase: RoomPhase.SCHEDULED, speeches: [], current: null, comments: [], evaluation: null };
}
