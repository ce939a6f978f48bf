import { SpeechStatus } from '../sessions/session-enums';
import type { RoomEvent } from './room-events';
import { CurrentSpeech, ROOM_COMMENT_WINDOW, RoomReview, RoomState, SpeechProgress } from './room-state';
import { extendTimer, pauseTimer, resumeTimer, startTimer } from './timer';

function updateSpeech(state: RoomState, speechId: number, patch: Partial<SpeechProgress>): SpeechProgress[] {
  return state.speeches.map((s) => (s.speechId === speechId ? { ...s, ...patch } : s));
}

function withCurrent(state: RoomState, patch: (c: CurrentSpeech) => CurrentSpeech): CurrentSpeech | null {
  return state.current ? patch(state.current) : null;
}

/**
 * (state, event) → state. Pure and total: it trusts the log (the decider checked every event before it was
 * written), so replaying the log always rebuilds the same room.
 */
export function reduceRoom(state: RoomState, event: RoomEvent): RoomState {
  const next: RoomState = { ...state, seq: event.seq };
  switch (event.type) {
    case 'LINEUP_SET':
      return {
        ...next,
        speeches: [...event.entries].sort((a, b) => a.order - b.order).map((e) => ({
          ...e,
          status: SpeechStatus.UPCOMING,
          startedAt: null,
          endedAt: null,
          spokenMs: null,
          overtimeMs: null,
        })),
      };
    case 'PHASE_CHANGED':
      return { ...next, phase: event.to };
    case 'SPEECH_STARTED':
      return {
        ...next,
        speeches: updateSpeech(state, event.speechId, { status: SpeechStatus.SPEAKING, startedAt: event.at }),
        current: { speechId: event.speechId, timer: startTimer(event.at, event.allottedMs), timeUp: false, interruptions: [] },
      };
    case 'SPEECH_PAUSED':
      return {
        ...next,
        speeches: updateSpeech(state, event.speechId, { status: SpeechStatus.PAUSED }),
        current: withCurrent(state, (c) => ({ ...c, timer: pauseTimer(c.timer, event.at) })),
      };
    case 'SPEECH_RESUMED':
      return {
        ...next,
        speeches: updateSpeech(state, event.speechId, { status: SpeechStatus.SPEAKING }),
        current: withCurrent(state, (c) => ({ ...c, timer: resumeTimer(c.timer, event.at) })),
      };
    case 'SPEECH_EXTENDED':
      return { ...next, current: withCurrent(state, (c) => ({ ...c, timer: extendTimer(c.timer, event.extensionMs), timeUp: false })) };
    case 'TIME_UP':
      return { ...next, current: withCurrent(state, (c) => ({ ...c, timeUp: true })) };
    case 'SPEECH_INTERRUPTED':
      return {
        ...next,
        current: withCurrent(state, (c) => ({
          ...c,
          interruptions: [...c.interruptions, { seq: event.seq, reason: event.reason, note: event.note, at: event.at, cutOff: event.cutOff }],
        })),
      };
    case 'SPEECH_ENDED':
      return {
        ...next,
        speeches: updateSpeech(state, event.speechId, {
          status: event.cutOff ? SpeechStatus.CUT_OFF : SpeechStatus.FINISHED,
          endedAt: event.at,
          spokenMs: event.spokenMs,
          overtimeMs: event.overtimeMs,
        }),
        current: null,
      };
    case 'COMMENT_APPROVED': {
      const { commentId, body, authorName, speechId, postedAt } = event;
      const others = state.comments.filter((c) => c.commentId !== commentId);
      const comments = [{ commentId, body, authorName, speechId, postedAt }, ...others].sort((a, b) => b.postedAt - a.postedAt || b.commentId - a.commentId);
      return { ...next, comments: comments.slice(0, ROOM_COMMENT_WINDOW) };
    }
    case 'COMMENT_REJECTED':
      return { ...next, comments: state.comments.filter((c) => c.commentId !== event.commentId) };
    case 'ATTENDANCE_CHANGED':
      return { ...next, attendance: { expected: event.expected, present: event.presentCount } };
    case 'SPEECH_WITHDRAWN':
      return { ...next, speeches: updateSpeech(state, event.speechId, { status: SpeechStatus.WITHDRAWN, withdrawnReason: event.reason }) };
    case 'REVIEW_POSTED': {
      const { reviewId, speechId, tone, authorName, body } = event;
      return { ...next, reviews: [{ reviewId, speechId, tone: tone as RoomReview['tone'], authorName, body, at: event.at }, ...state.reviews] };
    }
    case 'SUMMARY_RECORDED':
      return { ...next, summary: { body: event.body, author: event.author, at: event.at } };
    case 'EVALUATION_OPENED':
      return {
        ...next,
        evaluation: {
          status: 'OPEN',
          entitledVoters: event.entitledVoters,
          quorum: event.quorum ?? 0,
          ballotsCast: 0,
          closeReason: null,
          results: null,
          keyFingerprint: event.keyFingerprint ?? null,
        },
      };
    case 'BALLOT_CAST':
      return { ...next, evaluation: state.evaluation && { ...state.evaluation, ballotsCast: event.ballotsCast } };
    case 'EVALUATION_CLOSED':
      return {
        ...next,
        evaluation: state.evaluation && { ...state.evaluation, status: 'CLOSED', ballotsCast: event.ballotsCast, closeReason: event.closeReason ?? null },
      };
    case 'EVALUATION_PUBLISHED':
      return { ...next, evaluation: state.evaluation && { ...state.evaluation, status: 'PUBLISHED', results: event.results } };
    case 'COMMENT_POSTED':
      return next;
  }
}

export function foldRoom(initial: RoomState, events: readonly RoomEvent[]): RoomState {
  return events.reduce(reduceRoom, initial);
}
