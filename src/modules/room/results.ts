import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

/*
 * The democratic evaluation's outcome as the room's log carries and shows it: the grades, where the evaluation
 * stands, and a speaker's result. The evaluation module computes them; the room publishes them.
 */

export enum Grade {
  EXCELLENT = 'EXCELLENT',
  GOOD = 'GOOD',
  AVERAGE = 'AVERAGE',
  POOR = 'POOR',
}
registerEnumType(Grade, { name: 'Grade', description: '优秀 EXCELLENT, 良好 GOOD, 一般 AVERAGE, 较差 POOR.' });

/** Best first; "a grade lower" is the next one in this list. */
export const GRADES_BEST_FIRST: readonly Grade[] = [Grade.EXCELLENT, Grade.GOOD, Grade.AVERAGE, Grade.POOR];

/** At most a third may be EXCELLENT: on a ballot, 3 × EXCELLENT ≤ speakers rated; in a result, ⌊N/3⌋. */
export function excellentQuota(rated: number): number {
  return Math.floor(rated / 3);
}

export enum EvaluationStatus {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
  PUBLISHED = 'PUBLISHED',
}
registerEnumType(EvaluationStatus, { name: 'EvaluationStatus', description: 'OPEN for ballots → CLOSED (results computed) → PUBLISHED.' });

@ObjectType({ simpleResolvers: true, description: 'A speaker’s result in the democratic evaluation.' })
export class EvaluationResult {
  /** Resolved to the Speech by a field resolver. */
  speechId: number;

  @Field(() => Int, { description: 'EXCELLENT votes.' })
  excellent: number;

  @Field(() => Int, { description: 'GOOD votes.' })
  good: number;

  @Field(() => Int, { description: 'AVERAGE votes.' })
  average: number;

  @Field(() => Int, { description: 'POOR votes.' })
  poor: number;

  @Field(() => Float, { description: 'Mean points of the votes received (weights: EXCELLENT 4, GOOD 3, AVERAGE 2, POOR 1 by default).' })
  score: number;

  @Field(() => Int, { description: 'Rank: by score, then more EXCELLENT, then fewer POOR; equals share a rank.' })
  rank: number;

  @Field(() => Grade, { description: 'The final grade; at most a third of the speakers are EXCELLENT.' })
  grade: Grade;

  @Field({ description: 'True when the speaker tied with others across the last EXCELLENT place, so none of them was made EXCELLENT (graded by thresholds instead, at most GOOD).' })
  droppedByTie: boolean;
}
