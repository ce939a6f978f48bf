import { rankIndicatorValues } from '../../../src/modules/analytics/indicator-ranking';

const v = (regionId: number, value: number, verdict: string | null = null) => ({ regionId, value, verdict });

describe('rankIndicatorValues', () => {
  it('ranks the larger value first when higher is better, equal values sharing a rank', () => {
    const out = rankIndicatorValues([v(1, 10), v(2, 30), v(3, 30), v(4, 5)], true);
    expect(out.map((r) => [r.regionId, r.rank])).toEqual([[2, 1], [3, 1], [1, 3], [4, 4]]);
  });

  it('ranks the smaller value first when lower is better', () => {
    expect(rankIndicatorValues([v(1, 10), v(2, 3), v(3, 7)], false).map((r) => r.regionId)).toEqual([2, 3, 1]);
  });

  it('marks a falsified value without ranking it, and does not let it take a place', () => {
    const out = rankIndicatorValues([v(1, 99, 'FALSIFIED'), v(2, 30, 'VERIFIED'), v(3, 20, 'PARTIAL'), v(4, 10, 'NOT_FULFILLED')], true);
    expect(out.map((r) => [r.regionId, r.rank, r.verdict])).toEqual([[2, 1, 'VERIFIED'], [3, 2, 'PARTIAL'], [4, 3, 'NOT_FULFILLED'], [1, null, 'FALSIFIED']]);
  });

  it('answers nothing for nothing', () => {
    expect(rankIndicatorValues([], true)).toEqual([]);
  });
});
