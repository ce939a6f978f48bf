import { Verdict } from '../../../src/modules/audit/audit.entity';
import { cadreFlags, commitmentStatusOf, CommitmentStatus, DossierFlagKind, FlagFinding, FlagGrade, fulfilmentRate } from '../../../src/modules/audit/consequences';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10);

const finding = (over: Partial<FlagFinding> = {}): FlagFinding => ({ findingId: 1, verdict: Verdict.VERIFIED, publishedAt: T0, subject: '民宿床位', evidence: ['ab'.repeat(32)], ...over });
const grade = (over: Partial<FlagGrade> = {}): FlagGrade => ({ sessionId: 7, sessionNumber: 3, grade: 'EXCELLENT', rank: 1, at: T0, ...over });

describe('commitmentStatusOf', () => {
  const dueAt = new Date(T0);
  it('is OPEN until the due date and DUE after it, while no verdict is published', () => {
    expect(commitmentStatusOf({ dueAt, latestVerdict: null }, T0)).toBe(CommitmentStatus.OPEN);
    expect(commitmentStatusOf({ dueAt, latestVerdict: null }, T0 + 1)).toBe(CommitmentStatus.DUE);
  });
  it('follows the latest published verdict whatever the clock says', () => {
    expect(commitmentStatusOf({ dueAt, latestVerdict: 'VERIFIED' }, T0 + DAY)).toBe(CommitmentStatus.FULFILLED);
    expect(commitmentStatusOf({ dueAt, latestVerdict: 'PARTIAL' }, T0 - DAY)).toBe(CommitmentStatus.PARTIAL);
    expect(commitmentStatusOf({ dueAt, latestVerdict: 'NOT_FULFILLED' }, T0)).toBe(CommitmentStatus.MISSED);
    expect(commitmentStatusOf({ dueAt, latestVerdict: 'FALSIFIED' }, T0)).toBe(CommitmentStatus.MISSED);
  });
});

describe('fulfilmentRate', () => {
  it('is null while nothing has been assessed, open and due commitments aside', () => {
    expect(fulfilmentRate([])).toBeNull();
    expect(fulfilmentRate([CommitmentStatus.OPEN, CommitmentStatus.DUE])).toBeNull();
  });
  it('counts fulfilled among the assessed only, to four places', () => {
    expect(fulfilmentRate([CommitmentStatus.FULFILLED, CommitmentStatus.PARTIAL, CommitmentStatus.MISSED, CommitmentStatus.OPEN])).toBe(0.3333);
    expect(fulfilmentRate([CommitmentStatus.FULFILLED, CommitmentStatus.DUE])).toBe(1);
  });
});

describe('cadreFlags', () => {
  it('raises ACCOUNTABILITY for each published FALSIFIED finding, pointing to it and its evidence', () => {
    const flags = cadreFlags([finding({ findingId: 4, verdict: Verdict.FALSIFIED })], [], 180);
    expect(flags).toEqual([
      { kind: DossierFlagKind.ACCOUNTABILITY, reason: expect.stringContaining('弄虚作假'), at: T0, findingId: 4, sessionId: null, evidence: ['ab'.repeat(32)] },
    ]);
  });
  it('raises no ACCOUNTABILITY for verified, partial or unfulfilled findings', () => {
    const verdicts = [Verdict.VERIFIED, Verdict.PARTIAL, Verdict.NOT_FULFILLED];
    expect(cadreFlags(verdicts.map((verdict, i) => finding({ findingId: i, verdict })), [], 180)).toEqual([]);
  });
  it('raises COMMENDATION_PRIORITY for an EXCELLENT result with no adverse finding within the window', () => {
    const flags = cadreFlags([finding({ verdict: Verdict.VERIFIED, publishedAt: T0 + 10 * DAY })], [grade(), grade({ sessionId: 8, grade: 'GOOD' })], 180);
    expect(flags).toEqual([{ kind: DossierFlagKind.COMMENDATION_PRIORITY, reason: expect.stringContaining('第3期评议优秀（第1名）'), at: T0, findingId: null, sessionId: 7, evidence: [] }]);
  });
  it('withholds it when an adverse finding is published within the window, before or after the session', () => {
    for (const offset of [-180 * DAY, -DAY, DAY, 180 * DAY]) {
      expect(cadreFlags([finding({ verdict: Verdict.PARTIAL, publishedAt: T0 + offset })], [grade()], 180)).toEqual([]);
    }
  });
  it('grants it when the adverse finding lies outside the window', () => {
    const flags = cadreFlags([finding({ verdict: Verdict.NOT_FULFILLED, publishedAt: T0 + 181 * DAY })], [grade()], 180);
    expect(flags.map((f) => f.kind)).toEqual([DossierFlagKind.COMMENDATION_PRIORITY]);
  });
  it('lists the flags oldest first', () => {
    const flags = cadreFlags([finding({ findingId: 9, verdict: Verdict.FALSIFIED, publishedAt: T0 + 400 * DAY })], [grade({ at: T0 })], 180);
    expect(flags.map((f) => [f.kind, f.at])).toEqual([
      [DossierFlagKind.COMMENDATION_PRIORITY, T0],
      [DossierFlagKind.ACCOUNTABILITY, T0 + 400 * DAY],
    ]);
  });
});
