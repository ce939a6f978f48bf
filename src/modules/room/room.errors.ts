import { AppError } from '../../common/errors';
import type { RoomPhase } from '../sessions/session-enums';

/** A command that the room's current phase or speech state does not allow; says what the phase is. */
export class RoomInvalidTransitionError extends AppError {
  constructor(message: string, phase: RoomPhase) {
    super('ROOM_INVALID_TRANSITION', `${message} (the room is in phase ${phase})`, { phase });
  }
}

/** A speech command while nobody is speaking. */
export class RoomNoSpeechRunningError extends AppError {
  constructor(phase: RoomPhase) {
    super('ROOM_NO_SPEECH_RUNNING', `no speech is running (the room is in phase ${phase})`, { phase });
  }
}

export class EvaluationNotOpenError extends AppError {
  constructor(status: string) {
    super('EVALUATION_NOT_OPEN', `the evaluation is not open for ballots (it is ${status})`, { status });
  }
}
