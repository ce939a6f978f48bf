import { registerEnumType } from 'type-graphql';

/** The phases of a session's live room, in the only order they may follow. */
export enum RoomPhase {
  SCHEDULED = 'SCHEDULED',
  SPEECHES = 'SPEECHES',
  EXCHANGE = 'EXCHANGE',
  SUMMARY = 'SUMMARY',
  EVALUATION = 'EVALUATION',
  CLOSED = 'CLOSED',
}
registerEnumType(RoomPhase, {
  name: 'RoomPhase',
  description: 'SCHEDULED → SPEECHES (交流发言) → EXCHANGE (互动交流) → SUMMARY (总结讲话) → EVALUATION (民主评议) → CLOSED.',
});

/** Attendees may be added until the evaluation freezes the list of entitled voters. */
export const ATTENDEES_OPEN: readonly RoomPhase[] = [RoomPhase.SCHEDULED, RoomPhase.SPEECHES, RoomPhase.EXCHANGE, RoomPhase.SUMMARY];

export enum SpeechStatus {
  UPCOMING = 'UPCOMING',
  SPEAKING = 'SPEAKING',
  PAUSED = 'PAUSED',
  FINISHED = 'FINISHED',
  CUT_OFF = 'CUT_OFF',
  /** Taken out before it started (缺席 / 取消): never started, never graded, outside the one-third base. */
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(SpeechStatus, {
  name: 'SpeechStatus',
  description: 'UPCOMING in the line-up → SPEAKING ⇄ PAUSED → FINISHED, or CUT_OFF when the chair ends it with an interruption; WITHDRAWN when taken out before it started.',
});
