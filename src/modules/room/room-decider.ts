import { AppError, BadUserInputError } from '../../common/errors';
import { Lifecycle } from '../../common/lifecycle';
import { RoomPhase, SpeechStatus } from '../sessions/session-enums';
import type { LineupEntry } from '../sessions/lineup';
import type { ApprovedComment, InterruptionReason, PublishedResult, RoomEventPayload } from './room-events';
import type { RoomState } from './room-state';
import { refuseEvaluationStep } from './evaluation-lifecycle';
import { RoomInvalidTransitionError, RoomNoSpeechRunningError } from './room.errors';
import { readTimer } from './timer';

export const MIN_EXTENSION_MS = 1_000;
export const MAX_EXTENSION_MS = 30 * 60_000;
export const MAX_NOTE_CHARS = 500;
export const MAX_SUMMARY_CHARS = 5000;

/** The phases in the only order they may follow; one step at a time. */
export const roomPhases = new Lifecycle<RoomPhase>('room', {
  [RoomPhase.SCHEDULED]: [RoomPhase.SPEECHES],
  [RoomPhase.SPEECHES]: [RoomPhase.EXCHANGE],
  [RoomPhase.EXCHANGE]: [RoomPhase.SUMMARY],
  [RoomPhase.SUMMARY]: [RoomPhase.EVALUATION],
  [RoomPhase.EVALUATION]: [RoomPhase.CLOSED],
  [RoomPhase.CLOSED]: [],
});

/** Phases in which comments are taken (questions may come in before the start) and leaders review speeches. */
const COMMENT_PHASES: readonly RoomPhase[] = [RoomPhase.SCHEDULED, RoomPhase.SPEECHES, RoomPhase.EXCHANGE, RoomPhase.SUMMARY, RoomPhase.EVALUATION];
const REVIEW_PHASES: readonly RoomPhase[] = [RoomPhase.SPEECHES, RoomPhase.EXCHANGE, RoomPhase.SUMMARY];

export type RoomCommand =
  | { type: 'SET_LINEUP'; entries: LineupEntry[] }
  | { type: 'ADVANCE_PHASE'; to: RoomPhase }
  | { type: 'START_SPEECH'; speechId?: number }
  | { type: 'PAUSE_SPEECH' }
  | { type: 'RESUME_SPEECH' }
  | { type: 'EXTEND_SPEECH'; extensionMs: number }
  | { type: 'INTERRUPT_SPEECH'; reason: InterruptionReason; note: string | null; cutOff: boolean }
  | { type: 'END_SPEECH' }
  | { type: 'RECORD_TIME_UP' }
  | { type: 'POST_COMMENT'; commentId: number; speechId: number | null; approved: ApprovedComment | null }
  | { type: 'MODERATE_COMMENT'; commentId: number; approved: ApprovedComment | null }
  | { type: 'POST_REVIEW'; reviewId: number; speechId: number; tone: string; authorName: string; body: string }
  | { type: 'RECORD_ATTENDANCE'; userIds: number[]; present: boolean; expected: number; presentCount: number }
  | { type: 'WITHDRAW_SPEECH'; speechId: number; reason: string }
  | { type: 'RECORD_SUMMARY'; body: string; author: string }
  /** `quorum`: ballots needed for an ordinary close (none when absent). */
  | { type: 'OPEN_EVALUATION'; entitledVoters: number; quorum?: number; keyFingerprint?: string }
  | { type: 'CAST_BALLOT'; ballotsCast: number }
  /** `closeReason`: why it closes below the quorum (the service refuses such a close without one). */
  | { type: 'CLOSE_EVALUATION'; ballotsCast: number; closeReason?: string | null }
  | { type: 'PUBLISH_EVALUATION'; results: PublishedResult[] };

/**
 * (state, command, now) → the events that record it, or the DomainError that refuses it. Pure: the service
 * supplies everything from the outside world (ids of rows it created, names, the time).
 */
export function decideRoom(state: RoomState, command: RoomCommand, now: number): RoomEventPayload[] | AppError {
  const invalid = (message: string) => new RoomInvalidTransitionError(message, state.phase);
  const speechOf = (speechId: number) => state.speeches.find((s) => s.speechId === speechId);

  switch (command.type) {
    case 'SET_LINEUP':
      if (state.phase !== RoomPhase.SCHEDULED) return invalid('the line-up can change only before the session starts');
      return [{ type: 'LINEUP_SET', entries: command.entries }];

    case 'ADVANCE_PHASE': {
      if (!roomPhases.can(state.phase, command.to)) {
        const next = Object.values(RoomPhase).filter((p) => roomPhases.can(state.phase, p));
        return invalid(next.length ? `the next phase is ${next.join(' or ')}, not ${command.to}` : `the session is closed; it cannot move to ${command.to}`);
      }
      if (state.current) return invalid('end the current speech before leaving the speeches');
      if (state.evaluation?.status === 'OPEN') return invalid('close the evaluation before closing the session');
      if (command.to === RoomPhase.SPEECHES && state.speeches.length === 0) return invalid('set a line-up before the speeches start');
      return [{ type: 'PHASE_CHANGED', from: state.phase, to: command.to }];
    }

    case 'START_SPEECH': {
      if (state.phase !== RoomPhase.SPEECHES) return invalid('speeches can start only in phase SPEECHES');
      if (state.current) return invalid(`speech ${state.current.speechId} is still running; end it first`);
      const speech =
        command.speechId === undefined ? state.speeches.find((s) => s.status === SpeechStatus.UPCOMING) : speechOf(command.speechId);
      if (!speech) {
        return command.speechId === undefined
          ? invalid('everyone in the line-up has spoken')
          : new BadUserInputError(`speech ${command.speechId} is not in this session's line-up`, 'speechId');
      }
      if (speech.status === SpeechStatus.WITHDRAWN) return invalid(`speech ${speech.speechId} was withdrawn: ${speech.withdrawnReason ?? ''}`);
      if (speech.status !== SpeechStatus.UPCOMING) return invalid(`speech ${speech.speechId} has already been given (${speech.status})`);
      return [{ type: 'SPEECH_STARTED', speechId: speech.speechId, allottedMs: speech.allottedMs }];
    }

    case 'PAUSE_SPEECH': {
      const current = state.current;
      if (!current) return new RoomNoSpeechRunningError(state.phase);
      if (current.timer.pausedAt !== null) return invalid(`speech ${current.speechId} is already paused`);
      return [{ type: 'SPEECH_PAUSED', speechId: current.speechId }];
    }

    case 'RESUME_SPEECH': {
      const current = state.current;
      if (!current) return new RoomNoSpeechRunningError(state.phase);
      if (current.timer.pausedAt === null) return invalid(`speech ${current.speechId} is not paused`);
      return [{ type: 'SPEECH_RESUMED', speechId: current.speechId }];
    }

    case 'EXTEND_SPEECH': {
      const ms = command.extensionMs;
      if (!Number.isInteger(ms) || ms < MIN_EXTENSION_MS || ms > MAX_EXTENSION_MS) {
        return new BadUserInputError(`an extension must be 1 second to 30 minutes, not ${ms / 1000} s`, 'seconds');
      }
      if (!state.current) return new RoomNoSpeechRunningError(state.phase);
      return [{ type: 'SPEECH_EXTENDED', speechId: state.current.speechId, extensionMs: ms }];
    }

    case 'INTERRUPT_SPEECH': {
      if (command.note !== null && [...command.note].length > MAX_NOTE_CHARS) {
        return new BadUserInputError(`a note has at most ${MAX_NOTE_CHARS} characters`, 'note');
      }
      const current = state.current;
      if (!current) return new RoomNoSpeechRunningError(state.phase);
      const interrupted: RoomEventPayload = { type: 'SPEECH_INTERRUPTED', speechId: current.speechId, reason: command.reason, note: command.note, cutOff: command.cutOff };
      return command.cutOff ? [interrupted, ended(state, now, true)] : [interrupted];
    }

    case 'END_SPEECH':
      if (!state.current) return new RoomNoSpeechRunningError(state.phase);
      return [ended(state, now, false)];

    case 'RECORD_TIME_UP': {
      const current = state.current;
      if (!current || current.timeUp) return [];
      const reading = readTimer(current.timer, now);
      return reading.running && reading.remainingMs === 0 ? [{ type: 'TIME_UP', speechId: current.speechId }] : [];
    }

    case 'POST_COMMENT': {
      if (!COMMENT_PHASES.includes(state.phase)) return invalid('comments are closed');
      if (command.speechId !== null && !speechOf(command.speechId)) {
        return new BadUserInputError(`speech ${command.speechId} is not in this session's line-up`, 'speechId');
      }
      const posted: RoomEventPayload = { type: 'COMMENT_POSTED', commentId: command.commentId, speechId: command.speechId };
      return command.approved ? [posted, { type: 'COMMENT_APPROVED', ...command.approved }] : [posted];
    }

    case 'MODERATE_COMMENT':
      if (state.phase === RoomPhase.CLOSED) return invalid('the room is closed; its comments are part of the record');
      return command.approved ? [{ type: 'COMMENT_APPROVED', ...command.approved }] : [{ type: 'COMMENT_REJECTED', commentId: command.commentId }];

    case 'POST_REVIEW': {
      if (!REVIEW_PHASES.includes(state.phase)) return invalid('commentary is given during the speeches, the exchange and the summary');
      const speech = speechOf(command.speechId);
      if (!speech) return new BadUserInputError(`speech ${command.speechId} is not in this session's line-up`, 'speechId');
      if (speech.status === SpeechStatus.UPCOMING) return invalid(`speech ${speech.speechId} has not started yet`);
      const { reviewId, speechId, tone, authorName, body } = command;
      return [{ type: 'REVIEW_POSTED', reviewId, speechId, tone, authorName, body }];
    }

    case 'RECORD_ATTENDANCE': {
      if (state.phase === RoomPhase.CLOSED) return invalid('the session is closed; its attendance is part of the record');
      const { userIds, present, expected, presentCount } = command;
      if (userIds.length === 0 && expected === state.attendance.expected && presentCount === state.attendance.present) return [];
      return [{ type: 'ATTENDANCE_CHANGED', userIds, present, expected, presentCount }];
    }

    case 'WITHDRAW_SPEECH': {
      const reason = command.reason.trim();
      if (!reason || [...reason].length > MAX_NOTE_CHARS) return new BadUserInputError(`give a reason of 1 to ${MAX_NOTE_CHARS} characters`, 'reason');
      if (state.phase === RoomPhase.CLOSED || state.evaluation) return invalid('the line-up is final once the evaluation opens');
      const speech = speechOf(command.speechId);
      if (!speech) return new BadUserInputError(`speech ${command.speechId} is not in this session's line-up`, 'speechId');
      if (speech.status === SpeechStatus.WITHDRAWN) return invalid(`speech ${speech.speechId} is already withdrawn`);
      if (speech.status !== SpeechStatus.UPCOMING) return invalid(`speech ${speech.speechId} has started (${speech.status}); only a speech not yet given can be withdrawn`);
      return [{ type: 'SPEECH_WITHDRAWN', speechId: speech.speechId, reason }];
    }

    case 'RECORD_SUMMARY': {
      const body = command.body.trim();
      if (!body || [...body].length > MAX_SUMMARY_CHARS) return new BadUserInputError(`a summary has 1 to ${MAX_SUMMARY_CHARS} characters`, 'body');
      if (state.phase !== RoomPhase.SUMMARY) return invalid('the summary (总结讲话) is recorded in phase SUMMARY');
      return [{ type: 'SUMMARY_RECORDED', body, author: command.author }];
    }

    case 'OPEN_EVALUATION':
      if (state.phase !== RoomPhase.EVALUATION) return invalid('the evaluation opens in phase EVALUATION');
      return (
        refuseEvaluationStep(state.evaluation?.status, 'open') ?? [
          {
            type: 'EVALUATION_OPENED',
            entitledVoters: command.entitledVoters,
            quorum: command.quorum ?? 0,
            ...(command.keyFingerprint ? { keyFingerprint: command.keyFingerprint } : {}),
          },
        ]
      );

    case 'CAST_BALLOT': {
      const refused = refuseEvaluationStep(state.evaluation?.status, 'ballot');
      if (refused) return refused;
      // The count read from the ballot box; another instance may have recorded it (or more) already.
      if (command.ballotsCast <= (state.evaluation?.ballotsCast ?? 0)) return [];
      return [{ type: 'BALLOT_CAST', ballotsCast: command.ballotsCast }];
    }

    case 'CLOSE_EVALUATION':
      return (
        refuseEvaluationStep(state.evaluation?.status, 'close') ?? [
          { type: 'EVALUATION_CLOSED', ballotsCast: command.ballotsCast, ...(command.closeReason ? { closeReason: command.closeReason } : {}) },
        ]
      );

    case 'PUBLISH_EVALUATION':
      return refuseEvaluationStep(state.evaluation?.status, 'publish') ?? [{ type: 'EVALUATION_PUBLISHED', results: command.results }];
  }
}

function ended(state: RoomState, now: number, cutOff: boolean): RoomEventPayload {
  const current = state.current!;
  const reading = readTimer(current.timer, now);
  return { type: 'SPEECH_ENDED', speechId: current.speechId, spokenMs: reading.elapsedMs, overtimeMs: reading.overtimeMs, cutOff };
}
