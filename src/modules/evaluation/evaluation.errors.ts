import { AppError } from '../../common/errors';

export class EvaluationAlreadyVotedError extends AppError {
  constructor() {
    super('EVALUATION_ALREADY_VOTED', 'you have already cast your ballot in this session');
  }
}

export class EvaluationNotEntitledError extends AppError {
  constructor() {
    super('EVALUATION_NOT_ENTITLED', 'you were not present at this session when its evaluation opened');
  }
}

/** Fewer ballots than the quorum: the close needs `force` and a reason. */
export class EvaluationQuorumNotMetError extends AppError {
  constructor(ballotsCast: number, quorum: number) {
    super('EVALUATION_QUORUM_NOT_MET', `${ballotsCast} ballots cast, the quorum is ${quorum}: close with force and a reason, or wait for more ballots`, {
      ballotsCast,
      quorum,
    });
  }
}
