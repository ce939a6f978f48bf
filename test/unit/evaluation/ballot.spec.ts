import fc from 'fast-check';
import { AppError, BadUserInputError } from '../../../src/common/errors';
import { BallotLine, checkBallot, EvaluationQuotaExceededError } from '../../../src/modules/evaluation/ballot';
import { excellentQuota, Grade, GRADES_BEST_FIRST } from '../../../src/modules/room/results';

const { EXCELLENT, GOOD, AVERAGE, POOR } = Grade;

/** Speech ids 101, 102, … for a line-up of n. */
const speeches = (n: number): number[] => Array.from({ length: n }, (_, i) => 101 + i);

/** One line per speech, in order, the first `excellent` of them EXCELLENT and the rest GOOD. */
const ballotWith = (toGrade: readonly number[], excellent: number): BallotLine[] =>
  toGrade.map((speechId, i) => ({ speechId, grade: i < excellent ? EXCELLENT : GOOD }));

function expectBadInput(refused: AppError | null, field: string): AppError {
  expect(refused).toBeInstanceOf(BadUserInputError);
  expect(refused!.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
  return refused!;
}

describe(checkBallot.name, () => {
  describe('a valid ballot', () => {
    it('accepts one grade for each of the speeches to grade, in any order, with one EXCELLENT of four', () => {
      const toGrade = [101, 102, 103, 104];
      const lines: BallotLine[] = [
        { speechId: 103, grade: AVERAGE },
        { speechId: 101, grade: EXCELLENT },
        { speechId: 104, grade: POOR },
        { speechId: 102, grade: GOOD },
      ];

      expect(checkBallot(lines, toGrade)).toBeNull();
    });

    it('accepts a ballot without any EXCELLENT', () => {
      expect(checkBallot(speeches(5).map((speechId) => ({ speechId, grade: POOR })), speeches(5))).toBeNull();
    });

    it('accepts an empty ballot when there is nothing to grade (the only speaker is the voter)', () => {
      expect(checkBallot([], [])).toBeNull();
    });
  });

  describe('the one-third quota', () => {
    const quotaCases = Array.from({ length: 12 }, (_, i) => ({ n: i + 1, allowed: Math.floor((i + 1) / 3), over: Math.floor((i + 1) / 3) + 1 }));

    it.each(quotaCases)('accepts $allowed EXCELLENT of $n speakers rated', ({ n, allowed }) => {
      expect(excellentQuota(n)).toBe(allowed);
      expect(checkBallot(ballotWith(speeches(n), allowed), speeches(n))).toBeNull();
    });

    it.each(quotaCases)('refuses $over EXCELLENT of $n speakers rated with EVALUATION_QUOTA_EXCEEDED and the numbers', ({ n, allowed, over }) => {
      const refused = checkBallot(ballotWith(speeches(n), over), speeches(n));

      expect(refused).toBeInstanceOf(EvaluationQuotaExceededError);
      expect(refused!.extensions).toEqual({ code: 'EVALUATION_QUOTA_EXCEEDED', excellent: over, rated: n, allowed });
      expect(refused!.message).toBe(`${over} EXCELLENT grades for ${n} speakers: at most ${allowed} (one third) may be EXCELLENT`);
    });

    it('refuses a ballot with four EXCELLENT of ten', () => {
      const refused = checkBallot(ballotWith(speeches(10), 4), speeches(10));

      expect(refused?.extensions).toEqual({ code: 'EVALUATION_QUOTA_EXCEEDED', excellent: 4, rated: 10, allowed: 3 });
    });

    it('counts the EXCELLENT grades wherever they stand on the ballot', () => {
      const lines = ballotWith(speeches(6), 0);
      lines[1].grade = EXCELLENT;
      lines[3].grade = EXCELLENT;
      lines[5].grade = EXCELLENT;

      expect(checkBallot(lines, speeches(6))?.extensions).toMatchObject({ code: 'EVALUATION_QUOTA_EXCEEDED', excellent: 3, rated: 6, allowed: 2 });
    });

    it('counts the speakers rated, not the line-up: a voter who speaks in a line-up of nine may give only two EXCELLENT', () => {
      const lineUp = speeches(9);
      const toGrade = lineUp.filter((id) => id !== 105); // 105 is the voter's own speech

      expect(checkBallot(ballotWith(toGrade, 2), toGrade)).toBeNull();
      expect(checkBallot(ballotWith(toGrade, 3), toGrade)?.extensions).toEqual({ code: 'EVALUATION_QUOTA_EXCEEDED', excellent: 3, rated: 8, allowed: 2 });
    });
  });

  describe('the speeches on the ballot', () => {
    it("refuses a grade for the voter's own speech, naming the field of that line", () => {
      const toGrade = [101, 102, 104]; // 103 is the voter's own
      const lines: BallotLine[] = [
        { speechId: 101, grade: GOOD },
        { speechId: 102, grade: GOOD },
        { speechId: 103, grade: EXCELLENT },
        { speechId: 104, grade: AVERAGE },
      ];

      const refused = expectBadInput(checkBallot(lines, toGrade), 'grades.2.speechId');
      expect(refused.message).toContain('103');
    });

    it('refuses a speech from outside the session, naming the field of that line', () => {
      const lines: BallotLine[] = [{ speechId: 999, grade: GOOD }, ...ballotWith(speeches(3), 0)];

      const refused = expectBadInput(checkBallot(lines, speeches(3)), 'grades.0.speechId');
      expect(refused.message).toContain('999');
    });

    it('refuses a speech graded twice, naming the field of the repeat', () => {
      const lines: BallotLine[] = [
        { speechId: 101, grade: GOOD },
        { speechId: 102, grade: AVERAGE },
        { speechId: 101, grade: POOR },
        { speechId: 103, grade: GOOD },
      ];

      const refused = expectBadInput(checkBallot(lines, speeches(3)), 'grades.2.speechId');
      expect(refused.message).toBe('speech 101 is graded twice');
    });

    it('refuses a ballot that leaves a speech out, naming the missing speech', () => {
      const lines: BallotLine[] = [
        { speechId: 101, grade: GOOD },
        { speechId: 103, grade: GOOD },
      ];

      const refused = expectBadInput(checkBallot(lines, speeches(3)), 'grades');
      expect(refused.message).toBe('grade every speaker: missing speech 102');
    });

    it('names every missing speech', () => {
      const refused = expectBadInput(checkBallot([{ speechId: 102, grade: POOR }], speeches(4)), 'grades');

      expect(refused.message).toBe('grade every speaker: missing speech 101, 103, 104');
    });

    it('refuses an empty ballot when there are speeches to grade', () => {
      const refused = expectBadInput(checkBallot([], [101]), 'grades');

      expect(refused.message).toContain('101');
    });

    it('reports a wrong speech before the quota', () => {
      const lines: BallotLine[] = [
        { speechId: 101, grade: EXCELLENT },
        { speechId: 101, grade: EXCELLENT },
      ];

      expectBadInput(checkBallot(lines, [101, 102]), 'grades.1.speechId');
    });
  });

  describe('any ballot', () => {
    const grade = fc.constantFrom(...GRADES_BEST_FIRST);
    const line = (ids: fc.Arbitrary<number>): fc.Arbitrary<BallotLine> => fc.record({ speechId: ids, grade });

    /** The speeches to grade (distinct, 0 to 12 of them, from 1..20) and a ballot that is sometimes right, often not. */
    const ballotCase = fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { maxLength: 12 }).chain((toGrade) => {
      const anySpeech = fc.integer({ min: 1, max: 24 });
      const complete = fc
        .shuffledSubarray(toGrade, { minLength: toGrade.length, maxLength: toGrade.length })
        .chain((ids) => fc.array(grade, { minLength: ids.length, maxLength: ids.length }).map((gs) => ids.map((speechId, i): BallotLine => ({ speechId, grade: gs[i] }))));
      const lines = fc.oneof(
        { weight: 4, arbitrary: complete },
        // a complete ballot, then a line dropped, repeated or added
        {
          weight: 3,
          arbitrary: fc.tuple(complete, fc.nat(), fc.constantFrom('drop', 'repeat', 'add'), line(anySpeech)).map(([ls, at, how, extra]) => {
            const copy = [...ls];
            if (how === 'drop' && copy.length) copy.splice(at % copy.length, 1);
            else if (how === 'repeat' && copy.length) copy.splice(at % (copy.length + 1), 0, { ...copy[at % copy.length], grade: extra.grade });
            else copy.splice(at % (copy.length + 1), 0, extra);
            return copy;
          }),
        },
        { weight: 1, arbitrary: fc.array(line(anySpeech), { maxLength: 14 }) },
      );
      return fc.tuple(fc.constant(toGrade), lines);
    });

    it('accepts exactly the ballots that grade each speech to grade once, no other, with 3 × EXCELLENT ≤ speeches rated', () => {
      const seen = { accepted: 0, badInput: 0, quota: 0 };
      fc.assert(
        fc.property(ballotCase, ([toGrade, lines]) => {
          const ids = lines.map((l) => l.speechId);
          const noRepeats = new Set(ids).size === ids.length;
          const sameSpeeches = new Set(ids).size === toGrade.length && ids.every((id) => toGrade.includes(id));
          const withinQuota = 3 * lines.filter((l) => l.grade === EXCELLENT).length <= lines.length;

          const refused = checkBallot(lines, toGrade);

          if (!(sameSpeeches && noRepeats)) {
            expect(refused?.extensions.code).toBe('BAD_USER_INPUT');
            seen.badInput++;
          } else if (!withinQuota) {
            expect(refused).toBeInstanceOf(EvaluationQuotaExceededError);
            seen.quota++;
          } else {
            expect(refused).toBeNull();
            seen.accepted++;
          }
        }),
        { numRuns: 1000 },
      );
      // the generator reaches all three outcomes, so the property above is not vacuous
      expect(seen.accepted).toBeGreaterThan(50);
      expect(seen.badInput).toBeGreaterThan(50);
      expect(seen.quota).toBeGreaterThan(50);
    });
  });
});
