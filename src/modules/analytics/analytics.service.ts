import type { DataSource } from 'typeorm';
import type { Clock } from '../../common/clock';
import { BadUserInputError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { Connection, DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, toConnection } from '../../common/pagination';
import { JoinedEntity } from '../../db/joined-entity';
import { Indicator } from '../briefing/indicator.entity';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import { Session } from '../sessions/session.entity';
import type {
  CadreRanking,
  DisciplineRow,
  FulfilmentRow,
  IndicatorValue,
  RegionStanding,
  RegionSeries,
  RegionTrends,
  SessionGradeDistribution,
  TrendSession,
  VerdictDistribution,
} from './analytics.types';
import { DisciplineGrouping } from './analytics.types';
import type { Verdict } from '../audit/audit.entity';
import { rankIndicatorValues } from './indicator-ranking';

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
    const region = new JoinedEntity(this.ds, Region, 'r');
    // Every region, with or without results: its sums come from three aggregates joined on in one statement.
    const rows: Row[] = await this.checked(
      f,
      this.ds.query(
        `SELECT ${region.select()}, res.speeches AS speeches, res.score AS score, res.excellent AS excellent,
           tim.finished AS finished, tim.overran AS overran, ful.assessed AS assessed, ful.fulfilled AS fulfilled
         FROM regions r
         LEFT JOIN (SELECT sr.region_id AS region, COUNT(*) AS speeches, AVG(sr.score) AS score, SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) AS excellent
           FROM speech_results sr JOIN sessions s ON s.id = sr.session_id
           WHERE sr.published = 1${w.sql} GROUP BY sr.region_id) res ON res.region = r.id
         LEFT JOIN (SELECT sp.region_id AS region, COUNT(*) AS finished, SUM(CASE WHEN sp.overtime_ms > 0 THEN 1 ELSE 0 END) AS overran
           FROM speeches sp JOIN sessions s ON s.id = sp.session_id
           WHERE sp.ended_at IS NOT NULL${w.sql} GROUP BY sp.region_id) tim ON tim.region = r.id
         LEFT JOIN (SELECT sp.region_id AS region, COUNT(*) AS assessed, SUM(CASE WHEN c.latest_verdict = 'VERIFIED' THEN 1 ELSE 0 END) AS fulfilled
           FROM commitments c JOIN speeches sp ON sp.id = c.speech_id JOIN sessions s ON s.id = c.session_id
           WHERE c.superseded_at IS NULL AND c.latest_verdict IS NOT NULL${w.sql} GROUP BY sp.region_id) ful ON ful.region = r.id
         ORDER BY r.id`,
        [...w.params, ...w.params, ...w.params],
      ) as Promise<Row[]>,
    );
    const standings = rows.map((r) => ({
      region: region.read(r),
      rank: 0,
      score: round4(num(r.score)),
      speeches: num(r.speeches),
      excellent: num(r.excellent),
      overtimeRate: rate(num(r.overran), num(r.finished)),
      fulfilmentRate: num(r.assessed) > 0 ? rate(num(r.fulfilled), num(r.assessed)) : null,
    }));
    standings.sort((a, b) => b.score - a.score || b.excellent - a.excellent || a.region.id - b.region.id);
    standings.forEach((row, i) => {
      const prev = standings[i - 1];
      row.rank = prev && prev.score === row.score && prev.excellent === row.excellent ? prev.rank : i + 1;
    });
    return standings;
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
         ${base} GROUP BY sr.cadre_id) ranked ${cadre.joinOn('ranked.cadre')}
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
    // The regions (a handful) are read alongside: joined on, they would widen each of the many rows and the grouping.
    const region = new JoinedEntity(this.ds, Region, 'r');
    const [regions, rows] = await this.checked(
      f,
      Promise.all([
        this.ds.query(`SELECT ${region.select()} FROM regions r`) as Promise<Row[]>,
        this.ds.query(
          `SELECT sr.session_id AS session, s.number AS number, s.starts_at AS starts_at, sr.region_id AS region,
             AVG(sr.score) AS score, MIN(sr.place) AS place, SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) AS excellent
           FROM speech_results sr JOIN sessions s ON s.id = sr.session_id
           WHERE sr.published = 1 AND sr.region_id IS NOT NULL${w.sql}
           GROUP BY sr.session_id, s.number, s.starts_at, sr.region_id ORDER BY s.starts_at, sr.session_id, sr.region_id`,
          w.params,
        ) as Promise<Row[]>,
      ]),
    );
    const regionOf = new Map(regions.map((row) => region.read(row)).map((r) => [r.id, r]));
    // The axis first (the rows come session by session), then each region's values along it.
    const sessions: TrendSession[] = [];
    const at: number[] = [];
    for (const r of rows) {
      const sessionId = num(r.session);
      if (sessions.at(-1)?.id !== sessionId) sessions.push({ id: sessionId, number: num(r.number), startsAt: instantOf(r.starts_at) });
      at.push(sessions.length - 1);
    }
    const series = new Map<number, RegionSeries>();
    const empty = () => new Array<number | null>(sessions.length).fill(null);
    rows.forEach((r, i) => {
      const regionId = num(r.region);
      let line = series.get(regionId);
      if (!line) {
        line = { region: regionOf.get(regionId)!, scores: empty(), ranks: empty(), excellent: empty() };
        series.set(regionId, line);
      }
      line.scores[at[i]] = round4(num(r.score));
      line.ranks[at[i]] = num(r.place);
      line.excellent[at[i]] = num(r.excellent);
    });
    return { sessions, series: [...series.values()].sort((a, b) => a.region.id - b.region.id) };
  }

  async gradeDistributions(f: Filter, page: { first?: number; after?: string }): Promise<Connection<SessionGradeDistribution>> {
    const limit = page.first ?? DEFAULT_PAGE_SIZE;
    const before = decodeCursor('distribution', page.after);
    const w = this.where(f, 'sr.region_id');
    const base = `FROM sessions s JOIN evaluations e ON e.session_id = s.id JOIN speech_results sr ON sr.session_id = s.id WHERE sr.published = 1${w.sql}`;
    // Every session's sums with the total as a window count over them, then the page: one statement. After a cursor
    // the page is cut from the whole list, so that the total still counts it all.
    const sessions = `SELECT s.id AS session, s.number AS number, e.ballots_cast AS ballots, e.entitled_voters AS entitled,
        SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) AS excellent, SUM(CASE WHEN sr.grade = 'GOOD' THEN 1 ELSE 0 END) AS good,
        SUM(CASE WHEN sr.grade = 'AVERAGE' THEN 1 ELSE 0 END) AS average, SUM(CASE WHEN sr.grade = 'POOR' THEN 1 ELSE 0 END) AS poor,
        SUM(sr.excellent) AS ev, SUM(sr.good) AS gv, SUM(sr.average) AS av, SUM(sr.poor) AS pv, COUNT(*) OVER () AS total
      ${base} GROUP BY s.id, s.number, e.ballots_cast, e.entitled_voters`;
    const paged =
      before === null
        ? `${sessions} ORDER BY s.number DESC LIMIT ?`
        : `SELECT listed.* FROM (${sessions}) listed WHERE listed.number < ? ORDER BY listed.number DESC LIMIT ?`;
    const session = new JoinedEntity(this.ds, Session, 'js');
    const rows: Row[] = await this.checked(
      f,
      this.ds.query(session.around(paged, 'session', 'agg.number DESC'), before === null ? [...w.params, limit + 1] : [...w.params, before, limit + 1]),
    );
    // A page past the end has no row to carry the total: only then count separately.
    const total = rows.length > 0 ? num(rows[0].total) : num((await this.ds.query(`SELECT COUNT(DISTINCT s.id) AS n ${base}`, w.params))[0]?.n);
    const nodes = rows.map((r) => ({
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
    return toConnection(nodes, limit, total, before !== null, (n) => encodeCursor('distribution', n.number)) as unknown as Connection<SessionGradeDistribution>;
  }

  async discipline(f: Filter, groupBy: DisciplineGrouping): Promise<DisciplineRow[]> {
    const byRegion = groupBy === DisciplineGrouping.REGION;
    const key = byRegion ? 'sp.region_id' : 'sp.cadre_id';
    const who = byRegion ? new JoinedEntity(this.ds, Region, 'r') : new JoinedEntity(this.ds, Cadre, 'c');
    const w = this.where(f, 'sp.region_id');
    // One statement: the sums per region (or cadre), who it is, and a row per interruption reason (or one with none).
    const rows: Row[] = await this.checked(
      f,
      this.ds.query(
        `SELECT d.*, ${who.select()}, i.reason AS reason, i.cnt AS cnt
         FROM (SELECT ${key} AS k, COUNT(*) AS n, SUM(sp.allotted_seconds) AS allotted, SUM(sp.spoken_ms) AS spoken,
             SUM(CASE WHEN sp.overtime_ms > 0 THEN 1 ELSE 0 END) AS overran, SUM(sp.overtime_ms) AS overtime,
             SUM(CASE WHEN sp.status = 'CUT_OFF' THEN 1 ELSE 0 END) AS cut
           FROM speeches sp JOIN sessions s ON s.id = sp.session_id
           WHERE sp.ended_at IS NOT NULL${w.sql} GROUP BY ${key}) d
         ${who.joinOn('d.k')}
         LEFT JOIN (SELECT ${key} AS k, i.reason AS reason, COUNT(*) AS cnt
           FROM interruptions i JOIN speeches sp ON sp.id = i.speech_id JOIN sessions s ON s.id = i.session_id
           WHERE sp.ended_at IS NOT NULL${w.sql} GROUP BY ${key}, i.reason) i ON i.k = d.k
         ORDER BY d.k, i.reason`,
        [...w.params, ...w.params],
      ) as Promise<Row[]>,
    );
    const out: (DisciplineRow & { key: number })[] = [];
    for (const r of rows) {
      let row = out.at(-1);
      if (!row || row.key !== num(r.k)) {
        const n = num(r.n);
        const allottedMs = num(r.allotted) * 1000;
        const entity = who.read(r);
        row = {
          key: num(r.k),
          region: byRegion ? (entity as Region) : null,
          cadre: byRegion ? null : (entity as Cadre),
          speeches: n,
          allottedMinutes: round4(allottedMs / 60_000),
          spokenMinutes: round4(num(r.spoken) / 60_000),
          spokenRatio: rate(num(r.spoken), allottedMs),
          overtimeRate: rate(num(r.overran), n),
          meanOvertimeSeconds: n === 0 ? 0 : round4(num(r.overtime) / n / 1000),
          cutOffs: num(r.cut),
          interruptions: [],
        };
        out.push(row);
      }
      if (r.reason !== null && r.reason !== undefined) row.interruptions.push({ reason: String(r.reason), count: num(r.cnt), perSpeech: rate(num(r.cnt), row.speeches) });
    }
    return out;
  }
  async fulfilment(f: Filter): Promise<FulfilmentRow[]> {
    const w = this.where(f, 'sp.region_id');
    const region = new JoinedEntity(this.ds, Region, 'r');
    const rows: Row[] = await this.checked(
      f,
      this.ds.query(
        region.around(
          `SELECT sp.region_id AS region, COUNT(*) AS n,
             SUM(CASE WHEN c.latest_verdict IS NOT NULL THEN 1 ELSE 0 END) AS assessed,
             SUM(CASE WHEN c.latest_verdict = 'VERIFIED' THEN 1 ELSE 0 END) AS fulfilled,
             SUM(CASE WHEN c.latest_verdict = 'PARTIAL' THEN 1 ELSE 0 END) AS partial,
             SUM(CASE WHEN c.latest_verdict IN ('NOT_FULFILLED', 'FALSIFIED') THEN 1 ELSE 0 END) AS missed,
             SUM(CASE WHEN c.latest_verdict IS NULL AND c.due_at < ? THEN 1 ELSE 0 END) AS due,
             SUM(CASE WHEN c.latest_verdict = 'VERIFIED' AND c.verdict_published_at <= c.due_at THEN 1 ELSE 0 END) AS ontime
           FROM commitments c JOIN speeches sp ON sp.id = c.speech_id JOIN sessions s ON s.id = c.session_id
           WHERE c.superseded_at IS NULL${w.sql} GROUP BY sp.region_id`,
          'region',
          'agg.region',
        ),
        [sqlInstant(this.clock.now()), ...w.params],
      ) as Promise<Row[]>,
    );
    const items = await this.actionItemCounts(f);
    const out = rows.map((r) => {
      const assessed = num(r.assessed);
      const fulfilled = num(r.fulfilled);
      const where = region.read(r);
      const own = items.get(where.id);
      items.delete(where.id);
      return {
        region: where,
        actionItems: own?.total ?? 0,
        actionItemsDone: own?.done ?? 0,
        actionItemsOverdue: own?.overdue ?? 0,
        commitments: num(r.n),
        assessed,
        fulfilled,
        partial: num(r.partial),
        missed: num(r.missed),
        due: num(r.due),
        fulfilmentRate: assessed ? rate(fulfilled, assessed) : null,
        onTimeRate: fulfilled ? rate(num(r.ontime), fulfilled) : null,
      };
    });
    // Regions whose cadres own action items but made no commitment in these sessions.
    for (const own of items.values()) {
      out.push({ region: own.region, commitments: 0, assessed: 0, fulfilled: 0, partial: 0, missed: 0, due: 0, fulfilmentRate: null, onTimeRate: null, actionItems: own.total, actionItemsDone: own.done, actionItemsOverdue: own.overdue });
    }
    return out.sort((a, b) => a.region.id - b.region.id);
  }

  /** Action items per region of their owning cadre, with how many are DONE and OVERDUE (docs/followup.md). */
  private async actionItemCounts(f: Filter): Promise<Map<number, { region: Region; total: number; done: number; overdue: number }>> {
    const w = this.where(f, 'c.region_id');
    const region = new JoinedEntity(this.ds, Region, 'r');
    // DONE as followup-status.ts derives it (accepted progress at 100%); spelled out here because analytics sits
    // below the follow-up module (the room writes analytics' projections, the follow-up reads the room's reviews).
    const done = `EXISTS (SELECT 1 FROM progress_reports p JOIN progress_verifications v ON v.progress_id = p.id WHERE p.action_item_id = a.id AND v.accepted = 1 AND p.percent >= 100)`;
    const rows: Row[] = await this.ds.query(
      region.around(
        `SELECT c.region_id AS region, COUNT(*) AS total, SUM(CASE WHEN ${done} THEN 1 ELSE 0 END) AS done,
           SUM(CASE WHEN NOT ${done} AND a.due_at < ? THEN 1 ELSE 0 END) AS overdue
         FROM action_items a JOIN cadres c ON c.id = a.cadre_id JOIN sessions s ON s.id = a.session_id
         WHERE 1 = 1${w.sql} GROUP BY c.region_id`,
        'region',
        'agg.region',
      ),
      [sqlInstant(this.clock.now()), ...w.params],
    );
    return new Map(rows.map((r) => [num(r.region), { region: region.read(r), total: num(r.total), done: num(r.done), overdue: num(r.overdue) }]));
  }
  async verdicts(f: Filter, method: string | null): Promise<VerdictDistribution[]> {
    const w = this.where(f, 'a.region_id');
    const byMethod = method ? ' AND a.method = ?' : '';
    const region = new JoinedEntity(this.ds, Region, 'r');
    const rows: Row[] = await this.checked(
      f,
      this.ds.query(
        region.around(
          `SELECT a.region_id AS region,
             SUM(CASE WHEN fi.verdict = 'VERIFIED' THEN 1 ELSE 0 END) AS verified, SUM(CASE WHEN fi.verdict = 'PARTIAL' THEN 1 ELSE 0 END) AS partial,
             SUM(CASE WHEN fi.verdict = 'NOT_FULFILLED' THEN 1 ELSE 0 END) AS nf, SUM(CASE WHEN fi.verdict = 'FALSIFIED' THEN 1 ELSE 0 END) AS falsified,
             COUNT(*) AS total
           FROM findings fi JOIN audits a ON a.id = fi.audit_id JOIN sessions s ON s.id = a.session_id
           WHERE fi.published_at IS NOT NULL AND fi.superseded_at IS NULL${w.sql}${byMethod}
           GROUP BY a.region_id`,
          'region',
          'agg.region',
        ),
        method ? [...w.params, method] : w.params,
      ) as Promise<Row[]>,
    );
    return rows.map((r) => ({ region: region.read(r), verified: num(r.verified), partial: num(r.partial), notFulfilled: num(r.nf), falsified: num(r.falsified), total: num(r.total) }));
  }

  /**
   * Every region's latest current claim on a shared indicator (by as-of date, then session, then claim) in the
   * theme's sessions of the range, with its published verdict; ranked in the indicator's direction, a falsified
   * value marked instead of ranked (indicator-ranking.ts).
   */
  async indicatorComparison(input: { themeId: string; indicatorId: string; from?: Date | null; to?: Date | null }): Promise<IndicatorValue[]> {
    const f = this.filter({ themeId: input.themeId, from: input.from, to: input.to });
    const indicatorId = parseId('indicator', input.indicatorId, 'indicatorId');
    const [indicator] = await Promise.all([this.ds.getRepository(Indicator).findOneBy({ id: indicatorId }), this.assertKnown(f)]);
    if (!indicator) throw new NotFoundError('indicator', indicatorId, 'indicatorId');
    if (indicator.themeId !== f.themeId) throw new BadUserInputError('the indicator does not belong to this theme', 'indicatorId');
    const w = this.where(f);
    const region = new JoinedEntity(this.ds, Region, 'r');
    const cadre = new JoinedEntity(this.ds, Cadre, 'c');
    // A region has a handful of claims per indicator: the latest of each is picked from the ordered rows.
    const rows: Row[] = await this.ds.query(
      `SELECT cl.id AS claim, cl.session_id AS session, cl.value AS value, cl.unit AS unit, cl.as_of AS as_of, cl.latest_verdict AS verdict,
         ${region.select()}, ${cadre.select()}
       FROM claims cl JOIN speeches sp ON sp.id = cl.speech_id JOIN sessions s ON s.id = cl.session_id
       ${region.joinOn('sp.region_id')} ${cadre.joinOn('cl.cadre_id')}
       WHERE cl.indicator_id = ? AND cl.superseded_at IS NULL${w.sql}
       ORDER BY sp.region_id, cl.as_of DESC, s.starts_at DESC, cl.id DESC`,
      [indicatorId, ...w.params],
    );
    const latest = new Map<number, IndicatorValue & { regionId: number }>();
    for (const r of rows) {
      const where = region.read(r);
      if (latest.has(where.id)) continue;
      latest.set(where.id, {
        regionId: where.id,
        region: where,
        cadre: cadre.read(r),
        value: Number(r.value),
        unit: String(r.unit),
        asOf: instantOf(r.as_of),
        verdict: (r.verdict ?? null) as Verdict | null,
        rank: null,
        claimId: num(r.claim),
        sessionId: num(r.session),
      });
    }
    return rankIndicatorValues([...latest.values()], indicator.higherIsBetter);
  }
}
