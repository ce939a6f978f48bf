import type { DataSource } from 'typeorm';
import type { Clock } from '../../common/clock';
import { BadUserInputError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { Connection, DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, toConnection } from '../../common/pagination';
import { JoinedEntity } from '../../db/joined-entity';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import { Session } from '../sessions/session.entity';
import type {
  CadreRanking,
  DisciplineRow,
  FulfilmentRow,
  RegionStanding,
  RegionSeries,
  RegionTrends,
  SessionGradeDistribution,
  TrendSession,
  VerdictDistribution,
} from './analytics.types';
import { DisciplineGrouping } from './analytics.types';

export interface FilterInput {
  from?: Date | null;
  to?: Date | null;
  themeId?: string | null;
  regionId?: string | null;
}

/** A validated filter, ready to become SQL. */
export interface Filter {
  from: Date | null;
  to: Date | null;
  themeId: number | null;
  regionId: number | null;
}

type Row = Record<string, unknown>;

/** Instants as both engines store them (UTC, milliseconds), so comparisons work on either. */
export function sqlInstant(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** A DATETIME of a raw row: mysql2 reads a Date (UTC), SQLite the stored UTC text. */
function instantOf(v: unknown): Date {
  return v instanceof Date ? v : new Date(`${String(v).replace(' ', 'T')}Z`);
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const rate = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000);
const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

/**
 * The analysts' history (数据表里做分析), all computed with indexed SQL over the projections the live room, the
 * evaluation and the audits keep: speeches, speech_results, interruptions, commitments, findings. Only published
 * evaluation results and published findings count.
 */
export class AnalyticsService {
  private readonly knownThemes = new Set<number>();
  private readonly knownRegions = new Set<number>();

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Checks a filter's shape: a range that ends before it starts, or an id that is not one, is refused. */
  filter(input: FilterInput): Filter {
    const from = input.from ?? null;
    const to = input.to ?? null;
    if (from && to && to.getTime() < from.getTime()) throw new BadUserInputError('`to` is before `from`', 'to');
    const themeId = input.themeId == null ? null : parseId('theme', input.themeId, 'themeId');
    const regionId = input.regionId == null ? null : parseId('region', input.regionId, 'regionId');
    return { from, to, themeId, regionId };
  }

  /**
   * Refuses a filter naming a theme or region that does not exist. Neither is ever deleted (no operation removes
   * one; foreign keys restrict it), so an id once found stays valid: only ids not yet seen cost a statement.
   */
  async assertKnown(f: Filter): Promise<void> {
    const themeId = f.themeId !== null && !this.knownThemes.has(f.themeId) ? f.themeId : null;
    const regionId = f.regionId !== null && !this.knownRegions.has(f.regionId) ? f.regionId : null;
    if (themeId === null && regionId === null) return;
    const [found] = await this.ds.query(`SELECT (SELECT COUNT(*) FROM themes WHERE id = ?) AS theme, (SELECT COUNT(*) FROM regions WHERE id = ?) AS region`, [themeId ?? 0, regionId ?? 0]);
    if (themeId !== null && num(found?.theme) === 0) throw new NotFoundError('theme', themeId, 'themeId');
    if (regionId !== null && num(found?.region) === 0) throw new NotFoundError('region', regionId, 'regionId');
    if (themeId !== null) this.knownThemes.add(themeId);
    if (regionId !== null) this.knownRegions.add(regionId);
  }

  /** A report's statements with the filter's check, concurrently: the check costs no extra round trip of latency. */
  private async checked<T>(f: Filter, work: Promise<T>): Promise<T> {
    const [, result] = await Promise.all([this.assertKnown(f), work]);
    return result;
  }

  /** Every region by id: a handful of rows, read alongside a report so that its rows carry their region. */
  private async regionsById(): Promise<Map<number, Region>> {
    return new Map((await this.ds.getRepository(Region).find()).map((r) => [r.id, r]));
  }

  /** `AND …` conditions on the sessions alias `s` (and a region column), with their parameters. */
  private where(f: Filter, regionColumn?: string): { sql: string; params: unknown[] } {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (f.from) {
      parts.push('s.starts_at >= ?');
      params.push(sqlInstant(f.from));
    }
    if (f.to) {
      parts.push('s.starts_at < ?');
      params.push(sqlInstant(f.to));
    }
    if (f.themeId !== null) {
      parts.push('s.theme_id = ?');
      params.push(f.themeId);
    }
    if (f.regionId !== null && regionColumn) {
      parts.push(`${regionColumn} = ?`);
      params.push(f.regionId);
    }
    return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
  }

  async regionStandings(f: Filter): Promise<RegionStanding[]> {
    const w = this.where(f);
    const [regions, results, timing, fulfilment] = await this.checked(f, Promise.all([
      this.ds.getRepository(Region).find({ order: { id: 'ASC' } }),
      this.ds.query(
        `SELECT sr.region_id AS region, COUNT(*) AS speeches, AVG(sr.score) AS score, SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) AS excellent
         FROM speech_results sr JOIN sessions s ON s.id = sr.session_id
         WHERE sr.published = 1${w.sql} GROUP BY sr.region_id`,
        w.params,
      ),
      this.ds.query(
        `SELECT sp.region_id AS region, COUNT(*) AS finished, SUM(CASE WHEN sp.overtime_ms > 0 THEN 1 ELSE 0 END) AS overran
         FROM speeches sp JOIN sessions s ON s.id = sp.session_id
         WHERE sp.ended_at IS NOT NULL${w.sql} GROUP BY sp.region_id`,
        w.params,
      ),
      this.ds.query(
        `SELECT sp.region_id AS region, COUNT(*) AS assessed, SUM(CASE WHEN c.latest_verdict = 'VERIFIED' THEN 1 ELSE 0 END) AS fulfilled
         FROM commitments c JOIN speeches sp ON sp.id = c.speech_id JOIN sessions s ON s.id = c.session_id
         WHERE c.superseded_at IS NULL AND c.latest_verdict IS NOT NULL${w.sql} GROUP BY sp.region_id`,
        w.params,
      ),
    ]));
    const byRegion = (rows: Row[]) => new Map(rows.map((r) => [num(r.region), r]));
    const res = byRegion(results);
    const tim = byRegion(timing);
    const ful = byRegion(fulfilment);
    const rows = regions.map((region) => {
      const r = res.get(region.id);
      const t = tim.get(region.id);
      const fu = ful.get(region.id);
      return {
        regionId: region.id,
        region,
        rank: 0,
        score: round4(num(r?.score)),
        speeches: num(r?.speeches),
        excellent: num(r?.excellent),
        overtimeRate: rate(num(t?.overran), num(t?.finished)),
        fulfilmentRate: fu ? rate(num(fu.fulfilled), num(fu.assessed)) : null,
      };
    });
    rows.sort((a, b) => b.score - a.score || b.excellent - a.excellent || a.regionId - b.regionId);
    rows.forEach((row, i) => {
      row.rank = i > 0 && rows[i - 1].score === row.score && rows[i - 1].excellent === row.excellent ? rows[i - 1].rank : i + 1;
    });
    return rows;
  }

  async cadreRankings(f: Filter, page: { first?: number; after?: string }): Promise<Connection<CadreRanking>> {
    const limit = page.first ?? DEFAULT_PAGE_SIZE;
    const offset = decodeCursor('ranking', page.after) ?? 0;
    const w = this.where(f, 'sr.region_id');
    const base = `FROM speech_results sr JOIN sessions s ON s.id = sr.session_id WHERE sr.published = 1${w.sql}`;
    // The total rides along as a window count over the groups, so a page is one statement, not two.
    const cadre = new JoinedEntity(this.ds, Cadre, 'c');
    const rows: Row[] = await this.checked(f, this.ds.query(
      `SELECT ranked.*, ${cadre.select()} FROM (
         SELECT sr.cadre_id AS cadre, AVG(sr.score) AS score, COUNT(*) AS speeches,
           SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) AS excellent, SUM(CASE WHEN sr.grade = 'GOOD' THEN 1 ELSE 0 END) AS good,
           SUM(CASE WHEN sr.grade = 'AVERAGE' THEN 1 ELSE 0 END) AS average, SUM(CASE WHEN sr.grade = 'POOR' THEN 1 ELSE 0 END) AS poor,
           RANK() OVER (ORDER BY AVG(sr.score) DESC, SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) DESC) AS standing,
           COUNT(*) OVER () AS total
         ${base} GROUP BY sr.cadre_id) ranked JOIN cadres c ON c.id = ranked.cadre
       ORDER BY standing, cadre LIMIT ? OFFSET ?`,
      [...w.params, limit + 1, offset],
    ));
    // A page past the end has no row to carry the total: only then count separately.
    const total = rows.length > 0 ? num(rows[0].total) : offset === 0 ? 0 : num((await this.ds.query(`SELECT COUNT(DISTINCT sr.cadre_id) AS n ${base}`, w.params))[0]?.n);
    const nodes = rows.map((r, i) => ({
      cadre: cadre.read(r),
      position: offset + i + 1,
      rank: num(r.standing),
      score: round4(num(r.score)),
      speeches: num(r.speeches),
      excellent: num(r.excellent),
      good: num(r.good),
      average: num(r.average),
      poor: num(r.poor),
    })) as unknown as (CadreRanking & { position: number })[];
    return toConnection(nodes, limit, total, offset > 0, (n) => encodeCursor('ranking', n.position)) as Connection<CadreRanking>;
  }

  async regionTrends(f: Filter): Promise<RegionTrends> {
    const w = this.where(f, 'sr.region_id');
    const [regions, rows] = await this.checked(
      f,
      Promise.all([
        this.regionsById(),
        this.ds.query(
          `SELECT sr.session_id AS session, s.number AS number, s.title AS title, s.starts_at AS starts_at, sr.region_id AS region,
             AVG(sr.score) AS score, MIN(sr.place) AS place, SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) AS excellent
           FROM speech_results sr JOIN sessions s ON s.id = sr.session_id
           WHERE sr.published = 1 AND sr.region_id IS NOT NULL${w.sql}
           GROUP BY sr.session_id, s.number, s.title, s.starts_at, sr.region_id ORDER BY s.starts_at, sr.session_id, sr.region_id`,
          w.params,
        ) as Promise<Row[]>,
      ]),
    );
    const sessions: TrendSession[] = [];
    const series = new Map<number, RegionSeries>();
    for (const r of rows) {
      const sessionId = num(r.session);
      if (sessions.at(-1)?.id !== sessionId) sessions.push({ id: sessionId, number: num(r.number), title: String(r.title), startsAt: instantOf(r.starts_at) });
      const regionId = num(r.region);
      let line = series.get(regionId);
      if (!line) {
        line = { region: regions.get(regionId)!, scores: [], ranks: [], excellent: [] };
        series.set(regionId, line);
      }
      const at = sessions.length - 1;
      line.scores[at] = round4(num(r.score));
      line.ranks[at] = num(r.place);
      line.excellent[at] = num(r.excellent);
    }
    // Arrays with holes → explicit nulls, all as long as the axis.
    const aligned = (values: (number | null)[]) => Array.from({ length: sessions.length }, (_, i) => values[i] ?? null);
    return {
      sessions,
      series: [...series.entries()]
        .sort(([a], [b]) => a - b)
        .map(([, line]) => ({ region: line.region, scores: aligned(line.scores), ranks: aligned(line.ranks), excellent: aligned(line.excellent) })),
    };
  }

  async gradeDistributions(f: Filter, page: { first?: number; after?: string }): Promise<Connection<SessionGradeDistribution>> {
    const limit = page.first ?? DEFAULT_PAGE_SIZE;
    const before = decodeCursor('distribution', page.after);
    const w = this.where(f);
    const cursor = before === null ? '' : ' AND s.number < ?';
    const params = before === null ? w.params : [...w.params, before];
    const session = new JoinedEntity(this.ds, Session, 's');
    const [rows, total] = await this.checked(f, Promise.all([
      this.ds.query(
        `SELECT ${session.select()}, s.number AS number, e.ballots_cast AS ballots, e.entitled_voters AS entitled,
           SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) AS excellent, SUM(CASE WHEN sr.grade = 'GOOD' THEN 1 ELSE 0 END) AS good,
           SUM(CASE WHEN sr.grade = 'AVERAGE' THEN 1 ELSE 0 END) AS average, SUM(CASE WHEN sr.grade = 'POOR' THEN 1 ELSE 0 END) AS poor,
           SUM(sr.excellent) AS ev, SUM(sr.good) AS gv, SUM(sr.average) AS av, SUM(sr.poor) AS pv
         FROM sessions s JOIN evaluations e ON e.session_id = s.id JOIN speech_results sr ON sr.session_id = s.id
         WHERE sr.published = 1${w.sql}${cursor}
         GROUP BY ${session.groupBy()}, e.ballots_cast, e.entitled_voters ORDER BY s.number DESC LIMIT ?`,
        [...params, limit + 1],
      ),
      this.ds.query(`SELECT COUNT(*) AS n FROM sessions s JOIN evaluations e ON e.session_id = s.id WHERE e.status = 'PUBLISHED'${w.sql}`, w.params),
    ]));
    const nodes = (rows as Row[]).map((r) => ({
      session: session.read(r),
      number: num(r.number),
      ballotsCast: num(r.ballots),
      entitledVoters: num(r.entitled),
      excellent: num(r.excellent),
      good: num(r.good),
      average: num(r.average),
      poor: num(r.poor),
      excellentVotes: num(r.ev),
      goodVotes: num(r.gv),
      averageVotes: num(r.av),
      poorVotes: num(r.pv),
    }));
    return toConnection(nodes, limit, num(total[0]?.n), before !== null, (n) => encodeCursor('distribution', n.number)) as unknown as Connection<SessionGradeDistribution>;
  }

  async discipline(f: Filter, groupBy: DisciplineGrouping): Promise<DisciplineRow[]> {
    const byRegion = groupBy === DisciplineGrouping.REGION;
    const key = byRegion ? 'sp.region_id' : 'sp.cadre_id';
    const w = this.where(f, 'sp.region_id');
    // Grouped by cadre, the cadres come with the sums; grouped by region, the regions are read alongside.
    const cadre = new JoinedEntity(this.ds, Cadre, 'c');
    const [regions, speeches, interruptions] = await this.checked(f, Promise.all([
      byRegion ? this.regionsById() : null,
      this.ds.query(
        `SELECT ${key} AS k, COUNT(*) AS n, SUM(sp.allotted_seconds) AS allotted, SUM(sp.spoken_ms) AS spoken,
           SUM(CASE WHEN sp.overtime_ms > 0 THEN 1 ELSE 0 END) AS overran, SUM(sp.overtime_ms) AS overtime,
           SUM(CASE WHEN sp.status = 'CUT_OFF' THEN 1 ELSE 0 END) AS cut${byRegion ? '' : `, ${cadre.select()}`}
         FROM speeches sp JOIN sessions s ON s.id = sp.session_id${byRegion ? '' : ' JOIN cadres c ON c.id = sp.cadre_id'}
         WHERE sp.ended_at IS NOT NULL${w.sql} GROUP BY ${key}${byRegion ? '' : `, ${cadre.groupBy()}`}`,
        w.params,
      ),
      this.ds.query(
        `SELECT ${key} AS k, i.reason AS reason, COUNT(*) AS n
         FROM interruptions i JOIN speeches sp ON sp.id = i.speech_id JOIN sessions s ON s.id = i.session_id
         WHERE sp.ended_at IS NOT NULL${w.sql} GROUP BY ${key}, i.reason`,
        w.params,
      ),
    ]));
    const rows = (speeches as Row[]).map((r) => {
      const n = num(r.n);
      const allottedMs = num(r.allotted) * 1000;
      return {
        regionId: byRegion ? num(r.k) : null,
        region: regions?.get(num(r.k)) ?? null,
        cadreId: byRegion ? null : num(r.k),
        cadre: byRegion ? null : cadre.read(r),
        speeches: n,
        allottedMinutes: round4(allottedMs / 60_000),
        spokenMinutes: round4(num(r.spoken) / 60_000),
        spokenRatio: rate(num(r.spoken), allottedMs),
        overtimeRate: rate(num(r.overran), n),
        meanOvertimeSeconds: n === 0 ? 0 : round4(num(r.overtime) / n / 1000),
        cutOffs: num(r.cut),
        interruptions: (interruptions as Row[])
          .filter((i) => num(i.k) === num(r.k))
          .map((i) => ({ reason: String(i.reason), count: num(i.n), perSpeech: rate(num(i.n), n) }))
          .sort((a, b) => a.reason.localeCompare(b.reason)),
      };
    });
    return rows.sort((a, b) => (a.regionId ?? a.cadreId ?? 0) - (b.regionId ?? b.cadreId ?? 0)) as DisciplineRow[];
  }

  async fulfilment(f: Filter): Promise<FulfilmentRow[]> {
    const w = this.where(f, 'sp.region_id');
    const [regions, rows] = await this.checked(f, Promise.all([
      this.regionsById(),
      this.ds.query(
      `SELECT sp.region_id AS region, COUNT(*) AS n,
         SUM(CASE WHEN c.latest_verdict IS NOT NULL THEN 1 ELSE 0 END) AS assessed,
         SUM(CASE WHEN c.latest_verdict = 'VERIFIED' THEN 1 ELSE 0 END) AS fulfilled,
         SUM(CASE WHEN c.latest_verdict = 'PARTIAL' THEN 1 ELSE 0 END) AS partial,
         SUM(CASE WHEN c.latest_verdict IN ('NOT_FULFILLED', 'FALSIFIED') THEN 1 ELSE 0 END) AS missed,
         SUM(CASE WHEN c.latest_verdict IS NULL AND c.due_at < ? THEN 1 ELSE 0 END) AS due,
         SUM(CASE WHEN c.latest_verdict = 'VERIFIED' AND c.verdict_published_at <= c.due_at THEN 1 ELSE 0 END) AS ontime
       FROM commitments c JOIN speeches sp ON sp.id = c.speech_id JOIN sessions s ON s.id = c.session_id
       WHERE c.superseded_at IS NULL${w.sql} GROUP BY sp.region_id ORDER BY sp.region_id`,
      [sqlInstant(this.clock.now()), ...w.params],
    ) as Promise<Row[]>,
    ]));
    return rows.map((r) => {
      const assessed = num(r.assessed);
      const fulfilled = num(r.fulfilled);
      return {
        regionId: num(r.region),
        region: regions.get(num(r.region))!,
        commitments: num(r.n),
        assessed,
        fulfilled,
        partial: num(r.partial),
        missed: num(r.missed),
        due: num(r.due),
        fulfilmentRate: assessed ? rate(fulfilled, assessed) : null,
        onTimeRate: fulfilled ? rate(num(r.ontime), fulfilled) : null,
      };
    }) as FulfilmentRow[];
  }

  async verdicts(f: Filter, method: string | null): Promise<VerdictDistribution[]> {
    const w = this.where(f, 'a.region_id');
    const byMethod = method ? ' AND a.method = ?' : '';
    const [regions, rows] = await this.checked(f, Promise.all([
      this.regionsById(),
      this.ds.query(
      `SELECT a.region_id AS region,
         SUM(CASE WHEN fi.verdict = 'VERIFIED' THEN 1 ELSE 0 END) AS verified, SUM(CASE WHEN fi.verdict = 'PARTIAL' THEN 1 ELSE 0 END) AS partial,
         SUM(CASE WHEN fi.verdict = 'NOT_FULFILLED' THEN 1 ELSE 0 END) AS nf, SUM(CASE WHEN fi.verdict = 'FALSIFIED' THEN 1 ELSE 0 END) AS falsified,
         COUNT(*) AS total
       FROM findings fi JOIN audits a ON a.id = fi.audit_id JOIN sessions s ON s.id = a.session_id
       WHERE fi.published_at IS NOT NULL AND fi.superseded_at IS NULL${w.sql}${byMethod}
       GROUP BY a.region_id ORDER BY a.region_id`,
      method ? [...w.params, method] : w.params,
    ) as Promise<Row[]>,
    ]));
    return rows.map((r) => ({ regionId: num(r.region), region: regions.get(num(r.region))!, verified: num(r.verified), partial: num(r.partial), notFulfilled: num(r.nf), falsified: num(r.falsified), total: num(r.total) })) as VerdictDistribution[];
  }
}
