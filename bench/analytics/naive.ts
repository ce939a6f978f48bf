import { DataSource, IsNull, Not } from 'typeorm';
import { SpeechResultRow } from '../../src/modules/analytics/projections.entity';
import { Commitment } from '../../src/modules/briefing/briefing.entity';
import { Cadre } from '../../src/modules/registry/cadre.entity';
import { Region } from '../../src/modules/registry/region.entity';
import { Session } from '../../src/modules/sessions/session.entity';
import { Speech } from '../../src/modules/sessions/speech.entity';
import type { Canon, CaseFilter } from './cases';

/**
 * The naive baseline: what the analytics would cost without SQL aggregation — load the rows through TypeORM
 * repositories (entities hydrated) and aggregate in JavaScript. Same answers as the real query (checked), so the
 * difference in time is what aggregating in the database buys.
 */
export type NaiveQuery = (ds: DataSource, f: CaseFilter) => Promise<Canon[]>;

function sessionFilter(sessions: Session[], f: CaseFilter): Set<number> {
  const from = f.from ? new Date(f.from).getTime() : -Infinity;
  const to = f.to ? new Date(f.to).getTime() : Infinity;
  const theme = f.themeId ? Number(f.themeId) : null;
  return new Set(sessions.filter((s) => s.startsAt.getTime() >= from && s.startsAt.getTime() < to && (theme === null || s.themeId === theme)).map((s) => s.id));
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

export const naiveRegionStandings: NaiveQuery = async (ds, f) => {
  const [regions, sessions, results, speeches, commitments] = await Promise.all([
    ds.getRepository(Region).find({ order: { id: 'ASC' } }),
    ds.getRepository(Session).find(),
    ds.getRepository(SpeechResultRow).findBy({ published: true }),
    ds.getRepository(Speech).findBy({ endedAt: Not(IsNull()) }),
    ds.getRepository(Commitment).findBy({ supersededAt: IsNull(), latestVerdict: Not(IsNull()) }),
  ]);
  const keep = sessionFilter(sessions, f);
  const regionOfSpeech = new Map(speeches.map((s) => [s.id, s.regionId]));
  const rows = regions.map((region) => {
    const mine = results.filter((r) => r.regionId === region.id && keep.has(r.sessionId));
    const spoken = speeches.filter((s) => s.regionId === region.id && keep.has(s.sessionId));
    const promised = commitments.filter((c) => regionOfSpeech.get(c.speechId) === region.id && keep.has(c.sessionId));
    const score = mine.length ? round4(mine.reduce((t, r) => t + r.score, 0) / mine.length) : 0;
    return {
      id: region.id,
      region: region.name,
      rank: 0,
      score,
      speeches: mine.length,
      excellent: mine.filter((r) => r.grade === 'EXCELLENT').length,
      overtimeRate: spoken.length ? spoken.filter((s) => (s.overtimeMs ?? 0) > 0).length / spoken.length : 0,
      fulfilmentRate: promised.length ? promised.filter((c) => c.latestVerdict === 'VERIFIED').length / promised.length : null,
    };
  });
  rows.sort((a, b) => b.score - a.score || b.excellent - a.excellent || a.id - b.id);
  rows.forEach((row, i) => {
    row.rank = i > 0 && rows[i - 1].score === row.score && rows[i - 1].excellent === row.excellent ? rows[i - 1].rank : i + 1;
  });
  return rows.map(({ id: _id, ...rest }) => rest);
};

export const naiveCadreRankings: NaiveQuery = async (ds, f) => {
  const [cadres, sessions, results] = await Promise.all([
    ds.getRepository(Cadre).find(),
    ds.getRepository(Session).find(),
    ds.getRepository(SpeechResultRow).findBy({ published: true }),
  ]);
  const keep = sessionFilter(sessions, f);
  const region = f.regionId ? Number(f.regionId) : null;
  const byCadre = new Map<number, SpeechResultRow[]>();
  for (const r of results) {
    if (!keep.has(r.sessionId) || (region !== null && r.regionId !== region)) continue;
    const list = byCadre.get(r.cadreId) ?? [];
    list.push(r);
    byCadre.set(r.cadreId, list);
  }
  const cadreById = new Map(cadres.map((c) => [c.id, c]));
  const count = (list: SpeechResultRow[], grade: string) => list.filter((r) => r.grade === grade).length;
  const rows = [...byCadre].map(([cadreId, list]) => ({
    cadreId,
    score: list.reduce((t, r) => t + r.score, 0) / list.length,
    speeches: list.length,
    excellent: count(list, 'EXCELLENT'),
    good: count(list, 'GOOD'),
    average: count(list, 'AVERAGE'),
    poor: count(list, 'POOR'),
  }));
  rows.sort((a, b) => b.score - a.score || b.excellent - a.excellent || a.cadreId - b.cadreId);
  const ranks: number[] = [];
  rows.forEach((row, i) => ranks.push(i > 0 && rows[i - 1].score === row.score && rows[i - 1].excellent === row.excellent ? ranks[i - 1] : i + 1));
  return [
    { totalCount: rows.length, hasNextPage: rows.length > 100 },
    ...rows.slice(0, 100).map((r, i) => ({
      cadre: cadreById.get(r.cadreId)!.name,
      position: cadreById.get(r.cadreId)!.position,
      rank: ranks[i],
      score: r.score,
      speeches: r.speeches,
      excellent: r.excellent,
      good: r.good,
      average: r.average,
      poor: r.poor,
    })),
  ];
};

/** Which cases get a naive baseline (by case name). */
export const NAIVE: Record<string, NaiveQuery> = {
  regionStandings: naiveRegionStandings,
  'regionStandings(range)': naiveRegionStandings,
  'cadreRankings(first:100)': naiveCadreRankings,
};
