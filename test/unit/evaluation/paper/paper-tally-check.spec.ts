import fc from 'fast-check';
import { AppError } from '../../../../src/common/errors';
import { checkPaperTally, PaperTallyBounds, PaperTallyDraft } from '../../../../src/modules/evaluation/paper/paper-tally-check';
import { withPaperCounts } from '../../../../src/modules/evaluation/paper/paper-counts';
import { emptyCounts } from '../../../../src/modules/evaluation/tally';

/** Six speeches, 101–106: at most 2 EXCELLENT per ballot. */
const LINEUP = [101, 102, 103, 104, 105, 106];
const bounds = (overrides: Partial<PaperTallyBounds> = {}): PaperTallyBounds => ({ lineup: LINEUP, entitledVoters: 40, electronicBallots: 0, ...overrides });
/** Every speech with the same counts. */
const draft = (ballots: number, each = { excellent: 0, good: 10, average: 0, poor: 0 }): PaperTallyDraft => ({
  ballots,
  counts: LINEUP.map((id) => ({ speechId: String(id), ...each })),
});

function refusal(outcome: ReturnType<typeof checkPaperTally>): AppError {
  if (!('error' in outcome)) throw new Error('expected a refusal');
  return outcome.error;
}

describe(checkPaperTally.name, () => {
  describe('a count real ballots can give', () => {
    it('accepts every speech once in any order and returns the grade counts by speech', () => {
      const d = draft(10, { excellent: 3, good: 4, average: 2, poor: 1 });
      const outcome = checkPaperTally({ ...d, counts: [...d.counts].reverse() }, bounds());
      expect(outcome).toEqual({ tally: { ballots: 10, counts: [...LINEUP].reverse().map((speechId) => ({ speechId, counts: { EXCELLENT: 3, GOOD: 4, AVERAGE: 2, POOR: 1 } })) } });
    });

    it('accepts fewer grades than ballots for a speech (a speaker’s own ballot skips their speech)', () => {
      expect('tally' in checkPaperTally(draft(10, { excellent: 0, good: 9, average: 0, poor: 0 }), bounds())).toBe(true);
    });

    it('accepts exactly ballots × ⌊N/3⌋ EXCELLENT and exactly the entitled voters with the electronic ballots', () => {
      const d = draft(10);
      d.counts.forEach((c, i) => Object.assign(c, i < 2 ? { excellent: 10, good: 0 } : {}));
      expect('tally' in checkPaperTally(d, bounds({ entitledVoters: 30, electronicBallots: 20 }))).toBe(true);
    });

    it('accepts zero ballots with zero counts', () => {
      expect('tally' in checkPaperTally(draft(0, { excellent: 0, good: 0, average: 0, poor: 0 }), bounds())).toBe(true);
    });
  });

  describe('shape (BAD_USER_INPUT with the field)', () => {
    it.each([
      ['negative ballots', (d: PaperTallyDraft) => Object.assign(d, { ballots: -1 }), 'input.ballots'],
      ['fractional ballots', (d: PaperTallyDraft) => Object.assign(d, { ballots: 2.5 }), 'input.ballots'],
      ['a negative count', (d: PaperTallyDraft) => Object.assign(d.counts[2], { poor: -1 }), 'input.counts.2.poor'],
      ['a fractional count', (d: PaperTallyDraft) => Object.assign(d.counts[1], { good: 1.5 }), 'input.counts.1.good'],
      ['an unknown speech', (d: PaperTallyDraft) => Object.assign(d.counts[4], { speechId: '999' }), 'input.counts.4.speechId'],
      ['a speech id that is no id', (d: PaperTallyDraft) => Object.assign(d.counts[0], { speechId: 'abc' }), 'input.counts.0.speechId'],
      ['a speech twice', (d: PaperTallyDraft) => Object.assign(d.counts[5], { speechId: '101' }), 'input.counts.5.speechId'],
      ['a missing speech', (d: PaperTallyDraft) => Object.assign(d, { counts: d.counts.slice(1) }), 'input.counts'],
    ])('refuses %s', (_what, mutate, field) => {
      const d = draft(10);
      mutate(d);
      expect(refusal(checkPaperTally(d, bounds())).extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    });

    it('names the missing speeches', () => {
      const d = draft(10);
      expect(refusal(checkPaperTally({ ...d, counts: d.counts.slice(0, 4) }, bounds())).message).toMatch(/missing speech 105, 106/);
    });

    it('refuses a withdrawn speech (not in the graded line-up) as unknown', () => {
      expect(refusal(checkPaperTally(draft(10), bounds({ lineup: LINEUP.slice(0, 5) }))).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.counts.5.speechId' });
    });
  });

  describe('arithmetic (PAPER_TALLY_INVALID with the rule)', () => {
    it('refuses more grades for one speech than ballots', () => {
      const d = draft(10);
      Object.assign(d.counts[3], { good: 8, poor: 3 });
      const error = refusal(checkPaperTally(d, bounds()));
      expect(error.extensions).toEqual({ code: 'PAPER_TALLY_INVALID', rule: 'SPEECH_OVER_BALLOTS', speechId: '104', graded: 11, ballots: 10 });
      expect(error.message).toBe('speech 104 has 11 grades but only 10 paper ballots were handed in');
    });

    it('refuses more electronic and paper ballots than entitled voters', () => {
      const error = refusal(checkPaperTally(draft(10), bounds({ entitledVoters: 30, electronicBallots: 21 })));
      expect(error.extensions).toEqual({ code: 'PAPER_TALLY_INVALID', rule: 'OVER_ENTITLED', electronicBallots: 21, ballots: 10, entitledVoters: 30 });
    });

    it('refuses more EXCELLENT than ballots × ⌊N/3⌋, though no speech has more grades than ballots', () => {
      const d = draft(10);
      d.counts.forEach((c, i) => Object.assign(c, i < 3 ? { excellent: 7, good: 3 } : {}));
      const error = refusal(checkPaperTally(d, bounds()));
      expect(error.extensions).toEqual({ code: 'PAPER_TALLY_INVALID', rule: 'EXCELLENT_OVER_QUOTA', excellent: 21, ballots: 10, perBallot: 2, allowed: 20 });
      expect(error.message).toMatch(/at most 2 \(a third of 6 speakers\), so at most 20/);
    });

    it('allows no EXCELLENT at all with fewer than three speeches', () => {
      const lineup = [101, 102];
      const d: PaperTallyDraft = { ballots: 5, counts: lineup.map((id) => ({ speechId: String(id), excellent: id === 101 ? 1 : 0, good: 4, average: 0, poor: 0 })) };
      expect((refusal(checkPaperTally(d, bounds({ lineup }))).extensions as { rule: string }).rule).toBe('EXCELLENT_OVER_QUOTA');
    });
  });

  it('accepts every count made of real ballots (each grading all speeches, or all but one, at most a third EXCELLENT)', () => {
    const ballot = fc.record({
      skip: fc.option(fc.integer({ min: 0, max: LINEUP.length - 1 }), { nil: undefined }),
      grades: fc.array(fc.constantFrom('EXCELLENT', 'GOOD', 'AVERAGE', 'POOR' as const), { minLength: LINEUP.length, maxLength: LINEUP.length }),
    });
    fc.assert(
      fc.property(fc.array(ballot, { maxLength: 30 }), (ballots) => {
        const totals = new Map(LINEUP.map((id) => [id, emptyCounts()]));
        for (const b of ballots) {
          const rated = b.skip === undefined ? LINEUP.length : LINEUP.length - 1;
          let excellent = 0;
          LINEUP.forEach((id, i) => {
            if (i === b.skip) return;
            const grade = b.grades[i] === 'EXCELLENT' && 3 * (excellent + 1) > rated ? 'GOOD' : b.grades[i];
            if (grade === 'EXCELLENT') excellent++;
            totals.get(id)![grade as 'EXCELLENT' | 'GOOD' | 'AVERAGE' | 'POOR']++;
          });
        }
        const d: PaperTallyDraft = {
          ballots: ballots.length,
          counts: LINEUP.map((id) => {
            const c = totals.get(id)!;
            return { speechId: String(id), excellent: c.EXCELLENT, good: c.GOOD, average: c.AVERAGE, poor: c.POOR };
          }),
        };
        return 'tally' in checkPaperTally(d, bounds());
      }),
    );
  });
});

describe(withPaperCounts.name, () => {
  it('adds the paper counts to the electronic ones per speech, leaving its inputs as they were', () => {
    const electronic = new Map([
      [1, { EXCELLENT: 1, GOOD: 2, AVERAGE: 0, POOR: 0 }],
      [2, { EXCELLENT: 0, GOOD: 1, AVERAGE: 1, POOR: 1 }],
    ]);
    const paper = { ballots: 4, counts: new Map([[2, { EXCELLENT: 1, GOOD: 1, AVERAGE: 1, POOR: 1 }], [3, { EXCELLENT: 0, GOOD: 4, AVERAGE: 0, POOR: 0 }]]) };
    expect(withPaperCounts(electronic, paper)).toEqual(
      new Map([
        [1, { EXCELLENT: 1, GOOD: 2, AVERAGE: 0, POOR: 0 }],
        [2, { EXCELLENT: 1, GOOD: 2, AVERAGE: 2, POOR: 2 }],
        [3, { EXCELLENT: 0, GOOD: 4, AVERAGE: 0, POOR: 0 }],
      ]),
    );
    expect(electronic.get(2)).toEqual({ EXCELLENT: 0, GOOD: 1, AVERAGE: 1, POOR: 1 });
  });

  it('is the electronic counts alone without a paper tally', () => {
    const electronic = new Map([[1, { EXCELLENT: 1, GOOD: 0, AVERAGE: 0, POOR: 0 }]]);
    expect(withPaperCounts(electronic, null)).toEqual(electronic);
  });
});
