/**
 * The indicator comparison's order (docs/indicators.md): regions ranked by their latest value in the indicator's
 * direction, equal values sharing a rank; a value an audit found falsified is kept and marked, never ranked.
 * Pure, so the rule is tested on its own.
 */
export interface ComparedValue {
  regionId: number;
  value: number;
  verdict: string | null;
}

export type Ranked<T> = T & { rank: number | null };

export function rankIndicatorValues<T extends ComparedValue>(values: readonly T[], higherIsBetter: boolean): Ranked<T>[] {
  const better = (a: T, b: T) => (higherIsBetter ? b.value - a.value : a.value - b.value) || a.regionId - b.regionId;
  const ranked = values.filter((v) => v.verdict !== 'FALSIFIED').sort(better);
  const marked = values.filter((v) => v.verdict === 'FALSIFIED').sort((a, b) => a.regionId - b.regionId);
  const out: Ranked<T>[] = [];
  ranked.forEach((v, i) => {
    const prev = out[i - 1];
    out.push({ ...v, rank: prev && ranked[i - 1].value === v.value ? prev.rank : i + 1 });
  });
  return [...out, ...marked.map((v) => ({ ...v, rank: null }))];
}
