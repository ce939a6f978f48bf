import { registerEnumType } from 'type-graphql';

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
