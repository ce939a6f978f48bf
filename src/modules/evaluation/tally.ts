import { DEFAULT_TALLY, type TallySettings } from '../../config/config';
import { excellentQuota, Grade, GRADES_BEST_FIRST } from '../room/results';

export type GradeCounts = Record<Grade, number>;

/** Points per grade and the thresholds below the excellent places: the settings read once by loadConfig. */
export type TallyConfig = TallySettings;
export const DEFAULT_TALLY_CONFIG: TallyConfig = DEFAULT_TALLY;

export interface TallyInput {
  speechId: number;
  order: number;
  counts: GradeCounts;
}

export interface TallyResult {
  speechId: number;
  counts: GradeCounts;
  votes: number;
  /** Mean points, rounded to 4 decimals; 0 for a speaker nobody graded. */
  score: number;
  /** Competition ranking (1, 2, 2, 4): equal only when score, EXCELLENT votes and POOR votes are all equal. */
  rank: number;
  grade: Grade;
  /** Set when this speaker shared the rank of the last excellent place with someone outside it, so none got EXCELLENT. */
  droppedByTie: boolean;
}

export function emptyCounts(): GradeCounts {
  return { EXCELLENT: 0, GOOD: 0, AVERAGE: 0, POOR: 0 };
}

function compare(a: TallyResult, b: TallyResult): number {
  return b.score - a.score || b.counts.EXCELLENT - a.counts.EXCELLENT || a.counts.POOR - b.counts.POOR;
}

/**
 * The democratic evaluation's result, a pure function of the grade counts:
 * 1. score = mean points of the votes received (config.weights);
 * 2. rank by score, then more EXCELLENT votes, then fewer POOR votes; speakers equal on all three share a rank;
 * 3. the best ⌊N/3⌋ places are EXCELLENT — unless speakers tie across the last excellent place, in which case every
 *    one of them (inside and outside the places) is graded like the rest and marked `droppedByTie`, so there are
 *    never more than ⌊N/3⌋ EXCELLENT and equal speakers always get equal grades;
 * 4. everyone else gets GOOD, AVERAGE or POOR by config.thresholds (a dropped speaker is thus at most GOOD: one
 *    grade down for a well-scored speaker, and no windfall for a weak one).
 * Results come back in rank order, ties in line-up order.
 */
export function tally(inputs: readonly TallyInput[], config: TallyConfig = DEFAULT_TALLY_CONFIG): TallyResult[] {
  const rows: (TallyResult & { order: number })[] = inputs.map(({ speechId, order, counts }) => {
    const votes = GRADES_BEST_FIRST.reduce((n, g) => n + counts[g], 0);
    const points = GRADES_BEST_FIRST.reduce((n, g) => n + counts[g] * config.weights[g], 0);
    const score = votes === 0 ? 0 : Math.round((points / votes) * 10_000) / 10_000;
    return { speechId, order, counts: { ...counts }, votes, score, rank: 0, grade: Grade.POOR, droppedByTie: false };
  });
  rows.sort((a, b) => compare(a, b) || a.order - b.order);
  rows.forEach((row, i) => {
    row.rank = i > 0 && compare(rows[i - 1], row) === 0 ? rows[i - 1].rank : i + 1;
  });

  const places = excellentQuota(rows.length);
  const boundaryRank = places > 0 ? rows[places - 1].rank : null;
  const tieAcrossBoundary = boundaryRank !== null && places < rows.length && rows[places].rank === boundaryRank;
  for (const [i, row] of rows.entries()) {
    const tiedAtBoundary = tieAcrossBoundary && row.rank === boundaryRank;
    if (i < places && !tiedAtBoundary) {
      row.grade = Grade.EXCELLENT;
      continue;
    }
    row.droppedByTie = tiedAtBoundary;
    row.grade = row.score >= config.thresholds.good ? Grade.GOOD : row.score >= config.thresholds.average ? Grade.AVERAGE : Grade.POOR;
  }
  return rows.map(({ order: _order, ...result }) => result);
}
