import { AppError } from '../../common/errors';

/** The cadre concerned answers an adverse finding within the window after it is published (申辩), not later. */
export class FollowUpResponseWindowClosedError extends AppError {
  constructor(findingId: number, closedAt: Date) {
    super('FOLLOWUP_RESPONSE_WINDOW_CLOSED', `the window to answer finding ${findingId} closed at ${closedAt.toISOString()}`, { findingId: String(findingId), closedAt: closedAt.toISOString() });
  }
}

/** A decision resting on an adverse finding waits for the cadre's answer, or for its window to close. */
export class FollowUpAwaitingResponseError extends AppError {
  constructor(findingId: number, until: Date) {
    super('FOLLOWUP_AWAITING_RESPONSE', `the cadre may still answer finding ${findingId} until ${until.toISOString()}; decide after their answer or then`, { findingId: String(findingId), until: until.toISOString() });
  }
}
