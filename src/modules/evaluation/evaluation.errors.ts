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

/** A ballot token, its signature or a blinded message that is not what the blind-ballot protocol expects. */
export class BallotTokenInvalidError extends AppError {
  constructor(reason: string) {
    super('BALLOT_TOKEN_INVALID', `the ballot token is not valid: ${reason}`);
  }
}

/** A ballot token that has already carried a ballot: each token is spent once. */
export class BallotTokenSpentError extends AppError {
  constructor() {
    super('BALLOT_TOKEN_SPENT', 'this ballot token has already been used to cast a ballot');
  }
}
