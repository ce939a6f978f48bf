import { AppError, BadUserInputError } from '../../../common/errors';
import { excellentQuota, GRADES_BEST_FIRST } from '../../room/results';
import type { GradeCounts } from '../tally';
import { PaperTallyInvalidError } from './paper-tally.errors';

/** The hand count as it arrives: ids as strings, numbers unchecked. */
export interface PaperTallyDraft {
  ballots: number;
  counts: readonly { speechId: string; excellent: number; good: number; average: number; poor: number }[];
}

/** A hand count that passed every check, ids parsed, in the order given. */
export interface CheckedPaperTally {
  ballots: number;
  counts: { speechId: number; counts: GradeCounts }[];
}

/** What the count is checked against: the speeches graded (line-up order) and the ballot box at this moment. */
export interface PaperTallyBounds {
  lineup: readonly number[];
  entitledVoters: number;
  electronicBallots: number;
}

const COUNT_FIELDS = ['excellent', 'good', 'average', 'poor'] as const;
const ID_PATTERN = /^[1-9][0-9]{0,15}$/;

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

/**
 * Checks a hand count of paper ballots; pure, and returns the error rather than throwing it. First its shape
 * (BAD_USER_INPUT with the field): non-negative integers, every graded speech of the line-up exactly once and no
 * other. Then its arithmetic (PAPER_TALLY_INVALID with the rule): per speech at most `ballots` grades (a speaker's
 * own ballot skips their speech, so fewer is possible); the electronic and paper ballots together at most the
 * entitled voters; and at most ⌊N/3⌋ EXCELLENT per ballot, so at most `ballots × ⌊N/3⌋` EXCELLENT in all (N the
 * speeches graded — the same one-third rule checkBallot applies to one ballot).
 */
export function checkPaperTally(draft: PaperTallyDraft, bounds: PaperTallyBounds): { tally: CheckedPaperTally } | { error: AppError } {
  const refuse = (error: AppError) => ({ error });
  if (!isCount(draft.ballots)) return refuse(new BadUserInputError('the number of paper ballots must be 0 or more', 'input.ballots'));
  const expected = new Set(bounds.lineup);
  const seen = new Set<number>();
  const counts: CheckedPaperTally['counts'] = [];
  for (const [i, line] of draft.counts.entries()) {
    const field = `input.counts.${i}`;
    const speechId = ID_PATTERN.test(line.speechId) ? Number(line.speechId) : NaN;
    if (!expected.has(speechId)) return refuse(new BadUserInputError(`speech ${line.speechId} is not graded in this session's evaluation`, `${field}.speechId`));
    if (seen.has(speechId)) return refuse(new BadUserInputError(`speech ${speechId} is counted twice`, `${field}.speechId`));
    seen.add(speechId);
    for (const key of COUNT_FIELDS) {
      if (!isCount(line[key])) return refuse(new BadUserInputError(`${key} for speech ${speechId} must be 0 or more`, `${field}.${key}`));
    }
    counts.push({ speechId, counts: { EXCELLENT: line.excellent, GOOD: line.good, AVERAGE: line.average, POOR: line.poor } });
  }
  const missing = bounds.lineup.filter((id) => !seen.has(id));
  if (missing.length) return refuse(new BadUserInputError(`give the counts of every graded speech: missing speech ${missing.join(', ')}`, 'input.counts'));

  const { ballots } = draft;
  for (const line of counts) {
    const graded = GRADES_BEST_FIRST.reduce((n, g) => n + line.counts[g], 0);
    if (graded > ballots) {
      return refuse(
        new PaperTallyInvalidError('SPEECH_OVER_BALLOTS', `speech ${line.speechId} has ${graded} grades but only ${ballots} paper ballots were handed in`, {
          speechId: String(line.speechId),
          graded,
          ballots,
        }),
      );
    }
  }
  if (bounds.electronicBallots + ballots > bounds.entitledVoters) {
    return refuse(
      new PaperTallyInvalidError(
        'OVER_ENTITLED',
        `${bounds.electronicBallots} ballots cast on phones and ${ballots} on paper make more than the ${bounds.entitledVoters} entitled voters`,
        { electronicBallots: bounds.electronicBallots, ballots, entitledVoters: bounds.entitledVoters },
      ),
    );
  }
  const perBallot = excellentQuota(bounds.lineup.length);
  const excellent = counts.reduce((n, line) => n + line.counts.EXCELLENT, 0);
  if (excellent > ballots * perBallot) {
    return refuse(
      new PaperTallyInvalidError(
        'EXCELLENT_OVER_QUOTA',
        `${excellent} EXCELLENT grades on ${ballots} paper ballots: each ballot may give at most ${perBallot} (a third of ${bounds.lineup.length} speakers), so at most ${ballots * perBallot}`,
        { excellent, ballots, perBallot, allowed: ballots * perBallot },
      ),
    );
  }
  return { tally: { ballots, counts } };
}
