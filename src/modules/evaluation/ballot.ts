import { AppError, BadUserInputError } from '../../common/errors';
import { excellentQuota, Grade } from '../room/results';

export interface BallotLine {
  speechId: number;
  grade: Grade;
}

/** On a ballot, more EXCELLENT than a third of the speakers rated. */
export class EvaluationQuotaExceededError extends AppError {
  constructor(excellent: number, rated: number) {
    super(
      'EVALUATION_QUOTA_EXCEEDED',
      `${excellent} EXCELLENT grades for ${rated} speakers: at most ${excellentQuota(rated)} (one third) may be EXCELLENT`,
      { excellent, rated, allowed: excellentQuota(rated) },
    );
  }
}

/**
 * Checks one ballot against the line-up: every speech the voter must grade (all but their own) exactly once, no
 * other, and the one-third quota. Pure; returns the error instead of throwing so callers and tests see it plainly.
 */
export function checkBallot(lines: readonly BallotLine[], toGrade: readonly number[]): AppError | null {
  const expected = new Set(toGrade);
  const seen = new Set<number>();
  for (const [i, line] of lines.entries()) {
    if (!expected.has(line.speechId)) return new BadUserInputError(`speech ${line.speechId} is not one you grade in this session`, `grades.${i}.speechId`);
    if (seen.has(line.speechId)) return new BadUserInputError(`speech ${line.speechId} is graded twice`, `grades.${i}.speechId`);
    seen.add(line.speechId);
  }
  const missing = toGrade.filter((id) => !seen.has(id));
  if (missing.length) return new BadUserInputError(`grade every speaker: missing speech ${missing.join(', ')}`, 'grades');
  const excellent = lines.filter((l) => l.grade === Grade.EXCELLENT).length;
  if (3 * excellent > lines.length) return new EvaluationQuotaExceededError(excellent, lines.length);
  return null;
}
