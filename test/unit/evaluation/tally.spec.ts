import fc from 'fast-check';
import { BallotLine, checkBallot } from '../../../src/modules/evaluation/ballot';
import { excellentQuota, Grade, GRADES_BEST_FIRST } from '../../../src/modules/room/results';
import { DEFAULT_TALLY_CONFIG, emptyCounts, GradeCounts, tally, TallyConfig, TallyInput, TallyResult } from '../../../src/modules/evaluation/tally';

const { EXCELLENT, GOOD, AVERAGE, POOR } = Grade;

/** Grade counts, best first: counts(EXCELLENT, GOOD, AVERAGE, POOR). */
const counts = (e = 0, g = 0, a = 0, p = 0): GradeCounts => ({ EXCELLENT: e, GOOD: g, AVERAGE: a, POOR: p });

/** A line-up: speech `id` speaks `order`-th; the list position is the line-up order unless `order` is given. */
const lineUp = (...rows: [speechId: number, counts: GradeCounts, order?: number][]): TallyInput[] =>
  rows.map(([speechId, c, order], i) => ({ speechId, counts: c, order: order ?? i }));

/** The columns a reader checks first, in result order. */
const table = (results: TallyResult[]) => results.map(({ speechId, score, rank, grade }) => [speechId, score, rank, grade]);
const flags = (results: TallyResult[]) => results.map(({ speechId, rank, grade, droppedByTie }) => ({ speechId, rank, grade, droppedByTie }));
const excellentOf = (results: TallyResult[]) => results.filter((r) => r.grade === EXCELLENT).map((r) => r.speechId);

/** Speakers 905–909, to fill a line-up of nine below its top four: scores 3, 2.8, 2, 1.4, 1, none tied. */
const TAIL: [number, GradeCounts][] = [
  [905, counts(0, 5)],
  [906, counts(0, 4, 1)],
  [907, counts(0, 0, 5)],
  [908, counts(0, 0, 2, 3)],
  [909, counts(0, 0, 0, 5)],
];

describe(tally.name, () => {
  describe('a session of ten speakers with distinct scores', () => {
    // line-up order 101..110; the scores put them in quite another order
    const inputs = lineUp(
      [101, counts(3, 3)], //          3.5
      [102, counts(0, 0, 0, 6)], //    1
      [103, counts(5, 1)], //          23/6 = 3.8333
      [104, counts(0, 3, 3)], //       2.5, exactly the GOOD threshold
      [105, counts(6)], //             4
      [106, counts(0, 0, 3, 3)], //    1.5, exactly the AVERAGE threshold
      [107, counts(1, 5)], //          19/6 = 3.1667
      [108, counts(0, 2, 3)], //       2.4, just under GOOD
      [109, counts(4, 2)], //          22/6 = 3.6667
      [110, counts(0, 0, 2, 4)], //    8/6 = 1.3333, under AVERAGE
    );

    it('makes the top three EXCELLENT and grades the others by the thresholds, in rank order', () => {
      expect(table(tally(inputs))).toEqual([
        [105, 4, 1, EXCELLENT],
        [103, 3.8333, 2, EXCELLENT],
        [109, 3.6667, 3, EXCELLENT],
        [101, 3.5, 4, GOOD],
        [107, 3.1667, 5, GOOD],
        [104, 2.5, 6, GOOD],
        [108, 2.4, 7, AVERAGE],
        [106, 1.5, 8, AVERAGE],
        [110, 1.3333, 9, POOR],
        [102, 1, 10, POOR],
      ]);
    });

    it('reports the counts and the number of votes, and drops nobody by a tie', () => {
      const results = tally(inputs);

      expect(results.find((r) => r.speechId === 108)).toEqual({
        speechId: 108,
        counts: counts(0, 2, 3),
        votes: 5,
        score: 2.4,
        rank: 7,
        grade: AVERAGE,
        droppedByTie: false,
      });
      expect(results.every((r) => !r.droppedByTie)).toBe(true);
    });

    it('uses DEFAULT_TALLY_CONFIG when no config is given', () => {
      expect(tally(inputs)).toEqual(tally(inputs, DEFAULT_TALLY_CONFIG));
    });
  });

  describe('score', () => {
    it.each([
      { votes: '1 EXCELLENT, 2 GOOD', mean: '10/3', c: counts(1, 2), score: 3.3333 },
      { votes: '2 EXCELLENT, 1 GOOD', mean: '11/3', c: counts(2, 1), score: 3.6667 },
      { votes: '1 EXCELLENT, 6 GOOD', mean: '22/7', c: counts(1, 6), score: 3.1429 },
      { votes: 'one of each grade', mean: '10/4', c: counts(1, 1, 1, 1), score: 2.5 },
      { votes: '1 AVERAGE, 2 POOR', mean: '4/3', c: counts(0, 0, 1, 2), score: 1.3333 },
    ])('is $score for $votes (the mean $mean rounded to 4 decimals)', ({ c, score }) => {
      const [result] = tally(lineUp([1, c]));

      expect(result.score).toBe(score);
      expect(result.votes).toBe(c.EXCELLENT + c.GOOD + c.AVERAGE + c.POOR);
    });

    it('is 0 for a speaker nobody graded, who ranks last and is POOR', () => {
      const results = tally(lineUp([202, emptyCounts()], [201, counts(0, 2)], [203, counts(0, 0, 1, 1)], [204, counts(0, 0, 0, 2)]));

      expect(results.at(-1)).toEqual({ speechId: 202, counts: emptyCounts(), votes: 0, score: 0, rank: 4, grade: POOR, droppedByTie: false });
      expect(table(results).map(([id]) => id)).toEqual([201, 203, 204, 202]);
    });

    it('returns its own copy of the counts and leaves the inputs alone', () => {
      const inputs = lineUp([1, counts(1, 2)], [2, counts(0, 1)]);
      const results = tally(inputs);
      results[0].counts.EXCELLENT = 99;

      expect(inputs[0].counts).toEqual(counts(1, 2));
      expect(inputs.map((i) => i.speechId)).toEqual([1, 2]);
    });
  });

  describe('ranking', () => {
    it('ranks equal scores by more EXCELLENT votes, whatever the line-up order', () => {
      // both score 3: 2 GOOD against 1 EXCELLENT + 1 AVERAGE
      const results = tally(lineUp([301, counts(0, 2)], [302, counts(1, 0, 1)]));

      expect(table(results)).toEqual([
        [302, 3, 1, GOOD],
        [301, 3, 2, GOOD],
      ]);
    });

    it('ranks equal scores and EXCELLENT votes by fewer POOR votes', () => {
      // both score 2.5 with one EXCELLENT: 401 has a POOR vote, 402 has none
      const results = tally(lineUp([401, counts(1, 1, 1, 1)], [402, counts(1, 0, 3, 0)]));

      expect(table(results)).toEqual([
        [402, 2.5, 1, GOOD],
        [401, 2.5, 2, GOOD],
      ]);
    });

    it('ranks by score before EXCELLENT votes', () => {
      // 501 has more EXCELLENT votes but a lower score
      const results = tally(lineUp([501, counts(2, 0, 0, 2)], [502, counts(0, 4)]));

      expect(table(results)).toEqual([
        [502, 3, 1, GOOD],
        [501, 2.5, 2, GOOD],
      ]);
    });

    it('gives speakers equal in score, EXCELLENT and POOR votes one rank (1, 2, 2, 4), listed in line-up order', () => {
      // 503 and 502 differ in GOOD and AVERAGE votes only: both score 3 with one EXCELLENT and no POOR
      const results = tally(lineUp([504, counts(0, 0, 2)], [503, counts(1, 1, 1)], [501, counts(3)], [502, counts(1, 0, 1)]));

      expect(table(results)).toEqual([
        [501, 4, 1, EXCELLENT],
        [503, 3, 2, GOOD],
        [502, 3, 2, GOOD],
        [504, 2, 4, AVERAGE],
      ]);
    });

    it('lists tied speakers by their order field, not by their position in the input', () => {
      const results = tally([
        { speechId: 1, order: 7, counts: counts(0, 1) },
        { speechId: 2, order: 3, counts: counts(0, 1) },
        { speechId: 3, order: 5, counts: counts(0, 1) },
      ]);

      expect(results.map((r) => [r.speechId, r.rank])).toEqual([
        [2, 1],
        [3, 1],
        [1, 1],
      ]);
    });
  });

  describe('the excellent places', () => {
    it.each([
      { n: 0, places: 0 },
      { n: 1, places: 0 },
      { n: 2, places: 0 },
      { n: 3, places: 1 },
      { n: 5, places: 1 },
      { n: 6, places: 2 },
      { n: 11, places: 3 },
      { n: 12, places: 4 },
    ])('are $places for $n speakers with distinct scores', ({ n, places }) => {
      // speaker i has i EXCELLENT votes and 10 - i GOOD: strictly better with each i
      const results = tally(Array.from({ length: n }, (_, i) => ({ speechId: i + 1, order: i, counts: counts(i, 10 - i) })));

      expect(excellentOf(results)).toEqual(Array.from({ length: places }, (_, i) => n - i));
    });

    it('gives no EXCELLENT to two speakers, however well graded: they are graded by the thresholds', () => {
      const results = tally(lineUp([1, counts(9)], [2, counts(0, 0, 0, 9)]));

      expect(flags(results)).toEqual([
        { speechId: 1, rank: 1, grade: GOOD, droppedByTie: false },
        { speechId: 2, rank: 2, grade: POOR, droppedByTie: false },
      ]);
    });

    it('gives a single speaker GOOD at best', () => {
      expect(flags(tally(lineUp([1, counts(9)])))).toEqual([{ speechId: 1, rank: 1, grade: GOOD, droppedByTie: false }]);
    });

    it('returns nothing for an empty line-up', () => {
      expect(tally([])).toEqual([]);
    });

    it('makes the best places EXCELLENT even when the whole line-up was graded badly', () => {
      const results = tally(lineUp([1, counts(0, 0, 1, 2)], [2, counts(0, 0, 0, 3)], [3, counts(0, 0, 0, 4)]));

      expect(table(results)).toEqual([
        [1, 1.3333, 1, EXCELLENT],
        [2, 1, 2, POOR],
        [3, 1, 3, POOR],
      ]);
    });
  });

  describe('a tie at the boundary of the excellent places (nine speakers, three places)', () => {
    const PLACES_3_AND_4_TIED = lineUp([901, counts(5)], [902, counts(4, 1)], [904, counts(3, 2)], [903, counts(3, 2)], ...TAIL);
    const PLACES_2_TO_4_TIED = lineUp([901, counts(5)], [902, counts(3, 2)], [903, counts(3, 2)], [904, counts(3, 2)], ...TAIL);
    const ALL_TIED = lineUp(...Array.from({ length: 9 }, (_, i): [number, GradeCounts] => [901 + i, counts(2, 4)]));

    it('drops places 3 and 4 to GOOD when they tie, leaving two EXCELLENT', () => {
      const results = tally(PLACES_3_AND_4_TIED);

      expect(table(results).slice(0, 5)).toEqual([
        [901, 4, 1, EXCELLENT],
        [902, 3.8, 2, EXCELLENT],
        [904, 3.6, 3, GOOD],
        [903, 3.6, 3, GOOD],
        [905, 3, 5, GOOD],
      ]);
      expect(excellentOf(results)).toEqual([901, 902]);
    });

    it('drops places 2, 3 and 4 to GOOD when they tie, leaving one EXCELLENT', () => {
      const results = tally(PLACES_2_TO_4_TIED);

      expect(table(results).slice(0, 5)).toEqual([
        [901, 4, 1, EXCELLENT],
        [902, 3.6, 2, GOOD],
        [903, 3.6, 2, GOOD],
        [904, 3.6, 2, GOOD],
        [905, 3, 5, GOOD],
      ]);
      expect(excellentOf(results)).toEqual([901]);
    });

    it('makes nobody EXCELLENT when all nine tie', () => {
      const results = tally(ALL_TIED);

      expect(excellentOf(results)).toEqual([]);
      expect(results.map((r) => [r.rank, r.grade])).toEqual(Array(9).fill([1, GOOD]));
    });

    it.each([
      { name: 'places 3 and 4', inputs: PLACES_3_AND_4_TIED, dropped: [904, 903] },
      { name: 'places 2 to 4', inputs: PLACES_2_TO_4_TIED, dropped: [902, 903, 904] },
      { name: 'all nine places', inputs: ALL_TIED, dropped: ALL_TIED.map((i) => i.speechId) },
    ])('marks every speaker tied across the boundary droppedByTie, and nobody else ($name)', ({ inputs, dropped }) => {
      const results = tally(inputs);

      expect(results.filter((r) => r.droppedByTie).map((r) => r.speechId)).toEqual(dropped);
    });

    it('gives nine speakers tied on a middling score the same grade by the thresholds, whatever their line-up order', () => {
      // all score 2: a tie across the last excellent place leaves no one EXCELLENT and grants no one a windfall GOOD
      const results = tally(lineUp(...Array.from({ length: 9 }, (_, i): [number, GradeCounts] => [901 + i, counts(0, 0, 4)])));

      expect(results.map(({ grade, droppedByTie }) => ({ grade, droppedByTie }))).toEqual(Array(9).fill({ grade: AVERAGE, droppedByTie: true }));
    });

    it('treats alike three speakers nobody graded (a ballot box closed empty): one rank, one grade, no EXCELLENT', () => {
      const results = tally(lineUp([1, emptyCounts()], [2, emptyCounts()], [3, emptyCounts()]));

      expect(results.map((r) => r.rank)).toEqual([1, 1, 1]);
      expect(excellentOf(results)).toEqual([]);
      expect(new Set(results.map((r) => `${r.grade}/${r.droppedByTie}`)).size).toBe(1);
    });

    it('keeps all three EXCELLENT when the tie stays inside the places (1 and 2 tied, 3 alone)', () => {
      const results = tally(lineUp([901, counts(5)], [902, counts(5)], [903, counts(3, 2)], [904, counts(2, 3)], ...TAIL));

      expect(flags(results).slice(0, 4)).toEqual([
        { speechId: 901, rank: 1, grade: EXCELLENT, droppedByTie: false },
        { speechId: 902, rank: 1, grade: EXCELLENT, droppedByTie: false },
        { speechId: 903, rank: 3, grade: EXCELLENT, droppedByTie: false },
        { speechId: 904, rank: 4, grade: GOOD, droppedByTie: false },
      ]);
    });

    it('keeps all three EXCELLENT when places 2 and 3 tie and place 4 is below them', () => {
      const results = tally(lineUp([901, counts(5)], [902, counts(4, 1)], [903, counts(4, 1)], [904, counts(3, 2)], ...TAIL));

      expect(excellentOf(results)).toEqual([901, 902, 903]);
      expect(results.some((r) => r.droppedByTie)).toBe(false);
    });

    it('keeps all three EXCELLENT when the tie is below the places (4 and 5 tied)', () => {
      const results = tally(lineUp([901, counts(5)], [902, counts(4, 1)], [903, counts(3, 2)], [904, counts(2, 3)], [910, counts(2, 3)], ...TAIL.slice(1)));

      expect(excellentOf(results)).toEqual([901, 902, 903]);
      expect(results.filter((r) => r.rank === 4).map((r) => [r.speechId, r.grade, r.droppedByTie])).toEqual([
        [904, GOOD, false],
        [910, GOOD, false],
      ]);
    });
  });

  describe('a custom config', () => {
    it('scores and ranks by the configured weights', () => {
      // 801: 1 EXCELLENT + 2 POOR; 802: 3 AVERAGE. Both 2 by default (801 first, by its EXCELLENT vote);
      // when POOR is worth 0, 801 falls to 4/3
      const inputs = lineUp([801, counts(1, 0, 0, 2)], [802, counts(0, 0, 3)]);
      const harsh: TallyConfig = { ...DEFAULT_TALLY_CONFIG, weights: { EXCELLENT: 4, GOOD: 3, AVERAGE: 2, POOR: 0 } };

      expect(table(tally(inputs))).toEqual([
        [801, 2, 1, AVERAGE],
        [802, 2, 2, AVERAGE],
      ]);
      expect(table(tally(inputs, harsh))).toEqual([
        [802, 2, 1, AVERAGE],
        [801, 1.3333, 2, POOR],
      ]);
    });

    it('grades by the configured thresholds', () => {
      const inputs = lineUp([1, counts(1, 1)], [2, counts(0, 2)], [3, counts(0, 1, 1)]); // 3.5, 3, 2.5
      const strict: TallyConfig = { ...DEFAULT_TALLY_CONFIG, thresholds: { good: 3.5, average: 3 } };

      // one excellent place of three goes to 1 either way
      expect(table(tally(inputs))).toEqual([
        [1, 3.5, 1, EXCELLENT],
        [2, 3, 2, GOOD],
        [3, 2.5, 3, GOOD],
      ]);
      expect(table(tally(inputs, strict))).toEqual([
        [1, 3.5, 1, EXCELLENT],
        [2, 3, 2, AVERAGE],
        [3, 2.5, 3, POOR],
      ]);
    });

    it('scores on the configured scale, e.g. 100 / 75 / 50 / 0 points', () => {
      const percent: TallyConfig = { weights: { EXCELLENT: 100, GOOD: 75, AVERAGE: 50, POOR: 0 }, thresholds: { good: 62.5, average: 37.5 } };

      expect(table(tally(lineUp([1, counts(0, 1, 1)], [2, counts(0, 0, 1, 2)]), percent))).toEqual([
        [1, 62.5, 1, GOOD],
        [2, 16.6667, 2, POOR],
      ]);
    });
  });

  describe('invariants', () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    const anyCounts = (max: number): fc.Arbitrary<GradeCounts> =>
      fc.tuple(fc.nat(max), fc.nat(max), fc.nat(max), fc.nat(max)).map(([e, g, a, p]) => counts(e, g, a, p));

    /** Default or random config: weights falling strictly from EXCELLENT to POOR, GOOD threshold above AVERAGE (as config.ts demands). */
    const anyConfig: fc.Arbitrary<TallyConfig> = fc.oneof(
      fc.constant(DEFAULT_TALLY_CONFIG),
      fc
        .tuple(
          fc.uniqueArray(fc.integer({ min: -5, max: 10 }), { minLength: 4, maxLength: 4 }),
          fc.uniqueArray(fc.integer({ min: -10, max: 20 }), { minLength: 2, maxLength: 2 }),
        )
        .map(([w, t]): TallyConfig => {
          const [e, g, a, p] = [...w].sort((x, y) => y - x);
          const [good, average] = [...t].sort((x, y) => y - x).map((x) => x / 2);
          return { weights: { EXCELLENT: e, GOOD: g, AVERAGE: a, POOR: p }, thresholds: { good, average } };
        }),
    );

    /**
     * 0–30 speakers with distinct ids and a shuffled line-up order (by a random sort key). Counts are either drawn
     * per speaker (small or large) or picked from a pool of one to three, so that ties — at the boundary too — are
     * common. Built from flat arrays so that fast-check shrinks a failure to a short line-up.
     */
    type Speaker = { counts: GradeCounts; sortKey: number };
    const perSpeaker = fc.array(fc.record({ counts: fc.oneof(anyCounts(3), anyCounts(40)), sortKey: fc.nat() }), { maxLength: 30 });
    const fromPool = fc
      .tuple(fc.array(anyCounts(3), { minLength: 1, maxLength: 3 }), fc.array(fc.record({ pick: fc.nat(2), sortKey: fc.nat() }), { maxLength: 30 }))
      .map(([pool, picks]) => picks.map(({ pick, sortKey }): Speaker => ({ counts: { ...pool[pick % pool.length] }, sortKey })));
    const anyLineUp: fc.Arbitrary<TallyInput[]> = fc.oneof(perSpeaker, fromPool).map((speakers) => {
      const lineUpOrder = range(speakers.length).sort((a, b) => speakers[a].sortKey - speakers[b].sortKey || a - b);
      return speakers.map(({ counts: c }, i) => ({ speechId: 1000 + 7 * i, order: lineUpOrder.indexOf(i), counts: c }));
    });

    const anyTally = fc.tuple(anyLineUp, anyConfig);

    /** a is strictly better than b: higher score, then more EXCELLENT votes, then fewer POOR votes. */
    const better = (a: TallyResult, b: TallyResult) =>
      a.score > b.score || (a.score === b.score && (a.counts.EXCELLENT > b.counts.EXCELLENT || (a.counts.EXCELLENT === b.counts.EXCELLENT && a.counts.POOR < b.counts.POOR)));
    const fullyEqual = (a: TallyResult, b: TallyResult) => !better(a, b) && !better(b, a);
    const byThresholds = (score: number, config: TallyConfig) =>
      score >= config.thresholds.good ? GOOD : score >= config.thresholds.average ? AVERAGE : POOR;

    /** The boundary: the rank of the last excellent place, and whether the next speaker shares it. */
    function boundary(results: TallyResult[]) {
      const places = excellentQuota(results.length);
      const rank = places > 0 ? results[places - 1].rank : null;
      return { places, rank, tie: rank !== null && places < results.length && results[places].rank === rank };
    }

    const check = (assertion: (inputs: TallyInput[], results: TallyResult[], config: TallyConfig) => void) =>
      fc.assert(
        fc.property(anyTally, ([inputs, config]) => assertion(inputs, tally(inputs, config), config)),
        { numRuns: 500 },
      );

    it('never designates more than ⌊N/3⌋ speakers EXCELLENT', () => {
      check((inputs, results) => {
        expect(results.filter((r) => r.grade === EXCELLENT).length).toBeLessThanOrEqual(Math.floor(inputs.length / 3));
      });
    });

    it('designates exactly ⌊N/3⌋ EXCELLENT without a tie across the boundary, and with one only those ranked above it', () => {
      check((_inputs, results) => {
        const { places, rank, tie } = boundary(results);
        const excellent = results.filter((r) => r.grade === EXCELLENT);

        expect(excellent.length).toBe(tie ? rank! - 1 : places);
      });
    });

    it('returns a permutation of the input speech ids', () => {
      check((inputs, results) => {
        expect(results.map((r) => r.speechId).sort((a, b) => a - b)).toEqual(inputs.map((i) => i.speechId).sort((a, b) => a - b));
      });
    });

    it("keeps each speaker's counts and counts their votes", () => {
      check((inputs, results) => {
        const byId = new Map(results.map((r) => [r.speechId, r]));
        for (const input of inputs) {
          const result = byId.get(input.speechId)!;
          expect(result.counts).toEqual(input.counts);
          expect(result.votes).toBe(GRADES_BEST_FIRST.reduce((n, g) => n + input.counts[g], 0));
        }
      });
    });

    it('scores each speaker by the mean points of their votes, rounded to 4 decimals (0 without votes)', () => {
      check((_inputs, results, config) => {
        for (const r of results) {
          const points = GRADES_BEST_FIRST.reduce((n, g) => n + r.counts[g] * config.weights[g], 0);
          expect(r.score).toBe(r.votes === 0 ? 0 : Math.round((points / r.votes) * 10_000) / 10_000);
        }
      });
    });

    it('never ranks a strictly higher score worse, and ranks never improve down the results', () => {
      check((_inputs, results) => {
        const inverted = results.flatMap((a) => results.filter((b) => a.score > b.score && a.rank >= b.rank).map((b) => [a, b]));
        expect(inverted).toEqual([]);
        results.forEach((r, i) => i > 0 && expect(r.rank).toBeGreaterThanOrEqual(results[i - 1].rank));
      });
    });

    it('ranks competition-style: 1 + the number of speakers strictly better, equal exactly for fully equal speakers', () => {
      check((_inputs, results) => {
        expect(results.map((r) => r.rank)).toEqual(results.map((r) => 1 + results.filter((o) => better(o, r)).length));
        const mismatched = results.flatMap((a) => results.filter((b) => (a.rank === b.rank) !== fullyEqual(a, b)).map((b) => [a, b]));
        expect(mismatched).toEqual([]);
        if (results.length) expect(results[0].rank).toBe(1);
      });
    });

    it('lists speakers who share a rank in line-up order', () => {
      check((inputs, results) => {
        const order = new Map(inputs.map((i) => [i.speechId, i.order]));
        results.forEach((r, i) => {
          if (i > 0 && results[i - 1].rank === r.rank) expect(order.get(r.speechId)!).toBeGreaterThan(order.get(results[i - 1].speechId)!);
        });
      });
    });

    it('ranks every EXCELLENT speaker better than every other', () => {
      check((_inputs, results) => {
        const excellent = results.filter((r) => r.grade === EXCELLENT).map((r) => r.rank);
        const others = results.filter((r) => r.grade !== EXCELLENT).map((r) => r.rank);
        if (excellent.length && others.length) expect(Math.max(...excellent)).toBeLessThan(Math.min(...others));
      });
    });

    it('marks droppedByTie only speakers at the boundary rank, when a tie crosses it, graded by the thresholds and at most GOOD', () => {
      check((_inputs, results, config) => {
        const { rank, tie } = boundary(results);
        for (const r of results.filter((x) => x.droppedByTie)) {
          expect(tie).toBe(true);
          expect(r.grade).toBe(byThresholds(r.score, config));
          expect(r.grade).not.toBe(EXCELLENT);
          expect(r.rank).toBe(rank);
        }
      });
    });

    it('grades every speaker neither EXCELLENT nor dropped by the thresholds', () => {
      check((_inputs, results, config) => {
        for (const r of results.filter((x) => x.grade !== EXCELLENT && !x.droppedByTie)) expect(r.grade).toBe(byThresholds(r.score, config));
      });
    });

    it('gives fully equal speakers the same grade and the same droppedByTie, whatever their line-up order', () => {
      check((_inputs, results) => {
        const treatedApart = results.flatMap((a) =>
          results.filter((b) => fullyEqual(a, b) && (a.grade !== b.grade || a.droppedByTie !== b.droppedByTie)).map((b) => [a, b]),
        );
        expect(treatedApart).toEqual([]);
      });
    });
  });

  describe('whole ballots, cast and counted', () => {
    interface Voter {
      /** Index of the voter's own speech in the line-up, which they do not grade; null for a voter who does not speak. */
      own: number | null;
      /** What they would like to give each speaker (EXCELLENT often, so the quota bites). */
      wishes: Grade[];
    }

    const wish = fc.oneof({ weight: 3, arbitrary: fc.constant(EXCELLENT) }, { weight: 3, arbitrary: fc.constantFrom(GOOD, AVERAGE, POOR) });
    const anySession = fc.integer({ min: 0, max: 15 }).chain((n) =>
      fc.record({
        speechIds: fc.constant(Array.from({ length: n }, (_, i) => 1001 + i)),
        voters: fc.array(
          fc.record({
            own: n > 0 ? fc.option(fc.nat(n - 1), { nil: null }) : fc.constant(null),
            wishes: fc.array(wish, { minLength: n, maxLength: n }),
          }),
          { maxLength: 40 },
        ),
      }),
    );

    /** The voter's ballot: every speech but their own, EXCELLENT beyond a third turned GOOD. */
    function ballotOf(voter: Voter, speechIds: number[]): { toGrade: number[]; lines: BallotLine[] } {
      const toGrade = speechIds.filter((_, i) => i !== voter.own);
      let excellentLeft = excellentQuota(toGrade.length);
      const lines = toGrade.map((speechId): BallotLine => {
        let grade = voter.wishes[speechIds.indexOf(speechId)];
        if (grade === EXCELLENT && excellentLeft-- <= 0) grade = GOOD;
        return { speechId, grade };
      });
      return { toGrade, lines };
    }

    it('counts add up to the ballots cast: each speaker has one vote from every ballot that graded them', () => {
      fc.assert(
        fc.property(anySession, ({ speechIds, voters }) => {
          const ballots = voters.map((v) => ballotOf(v, speechIds));
          const totals = new Map(speechIds.map((id) => [id, emptyCounts()]));
          for (const { toGrade, lines } of ballots) {
            expect(checkBallot(lines, toGrade)).toBeNull();
            for (const line of lines) totals.get(line.speechId)![line.grade]++;
          }

          const results = tally(speechIds.map((speechId, order) => ({ speechId, order, counts: totals.get(speechId)! })));

          expect(results).toHaveLength(speechIds.length);
          for (const r of results) {
            const graded = ballots.filter((b) => b.toGrade.includes(r.speechId)).length;
            expect(GRADES_BEST_FIRST.reduce((n, g) => n + r.counts[g], 0)).toBe(graded);
            expect(r.votes).toBe(graded);
            expect(r.votes).toBe(ballots.length - voters.filter((v) => v.own !== null && speechIds[v.own] === r.speechId).length);
          }
          const excellentVotes = results.reduce((n, r) => n + r.counts.EXCELLENT, 0);
          expect(3 * excellentVotes).toBeLessThanOrEqual(ballots.reduce((n, b) => n + b.lines.length, 0));
          expect(results.filter((r) => r.grade === EXCELLENT).length).toBeLessThanOrEqual(excellentQuota(speechIds.length));
        }),
        { numRuns: 300 },
      );
    });
  });
});
