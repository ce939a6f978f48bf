import { AppError } from '../../../common/errors';
import { BallotTokenSpentError } from '../evaluation.errors';
import { tokenHash } from './ballot-token';

/**
 * The spent rule: a token carries one ballot. The real guard is the database's unique index on the token hash (two
 * casts racing with one token: one insert wins); this pure form states the rule for the tests and the docs.
 */
export function spentVerdict(spentHashes: ReadonlySet<string>, tokenB64url: string): 'SPENT' | 'OK' {
  return spentHashes.has(tokenHash(tokenB64url)) ? 'SPENT' : 'OK';
}

/** The rule as an error, in the style of `checkBallot`: BALLOT_TOKEN_SPENT, or null when the token is fresh. */
export function checkUnspent(spentHashes: ReadonlySet<string>, tokenB64url: string): AppError | null {
  return spentVerdict(spentHashes, tokenB64url) === 'SPENT' ? new BallotTokenSpentError() : null;
}
