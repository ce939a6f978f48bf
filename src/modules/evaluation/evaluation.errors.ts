import { AppError } from '../../common/errors';

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
