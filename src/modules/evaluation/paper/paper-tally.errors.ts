import { AppError } from '../../../common/errors';

/** Which arithmetic rule a paper tally breaks: numbers that no set of real ballots could give. */
export type PaperTallyRule = 'SPEECH_OVER_BALLOTS' | 'OVER_ENTITLED' | 'EXCELLENT_OVER_QUOTA';

/** Counts that cannot come from real paper ballots (docs/paper-ballots.md); `rule` says which check failed. */
export class PaperTallyInvalidError extends AppError {
  constructor(rule: PaperTallyRule, message: string, details: Record<string, unknown> = {}) {
    super('PAPER_TALLY_INVALID', message, { rule, ...details });
  }
}

/** The person who entered the counts cannot also confirm them. */
export class PaperTallySamePersonError extends AppError {
  constructor() {
    super('PAPER_TALLY_SAME_PERSON', 'the paper tally must be confirmed by someone other than the person who entered it');
  }
}

/** A confirmed paper tally is fixed: it cannot be entered again. */
export class PaperTallyConfirmedError extends AppError {
  constructor(confirmedAt: Date) {
    super('PAPER_TALLY_CONFIRMED', `the paper tally was confirmed at ${confirmedAt.toISOString()} and can no longer be changed`, { confirmedAt: confirmedAt.toISOString() });
  }
}

/** The close waits for a second person to confirm the paper tally that was entered. */
export class PaperTallyUnconfirmedError extends AppError {
  constructor() {
    super('PAPER_TALLY_UNCONFIRMED', 'a paper tally has been entered but not confirmed: have an admin or the chair confirm it (confirmPaperTally) before closing');
  }
}
