import { AppError } from '../../common/errors';

export class EvaluationNotOpenError extends AppError {
  constructor(status: string) {
    super('EVALUATION_NOT_OPEN', `the evaluation is not open for ballots (it is ${status})`, { status });
  }
}

export class EvaluationAlreadyVotedError extends AppError {
  constructor() {
    super('EVALUATION_ALREADY_VOTED', 'you have already cast your ballot in this session');
  }
}

export class EvaluationNotEntitledError extends AppError {
  constructor() {
    super('EVALUATION_NOT_ENTITLED', 'you were not an attendee of this session when its evaluation opened');
  }
}
