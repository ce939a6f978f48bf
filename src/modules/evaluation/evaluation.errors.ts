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

/** A ballot operation of the other mode: each evaluation takes ballots one way, fixed when it opened (BALLOT_MODE). */
export class BallotModeMismatchError extends AppError {
  constructor(ballotMode: string) {
    const how = ballotMode === 'BLIND' ? 'with ballotKey, issueBallotToken and castAnonymousBallot' : 'with castBallot';
    super('BALLOT_MODE_MISMATCH', `this evaluation takes ${ballotMode} ballots: cast ${how}`, { ballotMode });
  }
}

/** A voter who already took their ballot token asks for another (with a different blinded message). */
export class BallotTokenAlreadyIssuedError extends AppError {
  constructor() {
    super('BALLOT_TOKEN_ALREADY_ISSUED', 'you have already taken your ballot token in this session; cast with the one you have');
  }
}

/** castAnonymousBallot sent with an Authorization: a ballot that names its voter is refused, not stored. */
export class BallotNotAnonymousError extends AppError {
  constructor() {
    super('BALLOT_NOT_ANONYMOUS', 'send castAnonymousBallot without an Authorization header: an anonymous ballot must not name its voter');
  }
}
