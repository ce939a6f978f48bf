import type { DataSource } from 'typeorm';
import { AnalyticsService, FilterInput, sqlInstant } from '../../src/modules/analytics/analytics.service';
import { DisciplineGrouping } from '../../src/modules/analytics/analytics.types';
import { isoOf, RawDb, Row } from './raw';

/** One comparable row: plain values only, the same keys on both sides. */
export type Canon = Record<string, string | number | boolean | null>;

/** Filters as GraphQL variables (ISO instants, string ids) and as SQL parameters. */
export interface CaseFilter {
  from?: string;
  to?: string;
  themeId?: string;
  regionId?: string;
}

export interface BenchCase {
  name: string;
  /** The root field, for the service-only timing. */
  field: string;
  query: string;
  variables: Record<string, unknown>;
  filter: CaseFilter;
  /** The GraphQL result as comparable rows. */
  canon(data: Record<string, any>): Canon[];
  /** The service method alone (no GraphQL, no names): shows how the time splits between SQL and the API layer. */
  service(analytics: AnalyticsService): Promise<unknown>;
  /** The same aggregation, hand-written: one statement over the driver, joins for names included. */
  raw(db: RawDb, now: Date): Promise<Canon[]>;
}

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const ratio = (part: unknown, whole: unknown) => (n(whole) === 0 ? 0 : n(part) / n(whole));

/** `AND …` on the sessions alias `s` (and a region column), like the service's filter; params in order. */
function where(f: CaseFilter, regionColumn?: string): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.from) {
    parts.push('s.starts_at >= ?');
    params.push(sqlInstant(new Date(f.from)));
  }
  if (f.to) {
    parts.push('s.starts_at < ?');
    params.push(sqlInstant(new Date(f.to)));
  }
  if (f.themeId) {
    parts.push('s.theme_id = ?');
    params.push(Number(f.themeId));
  }
  if (f.regionId && regionColumn) {
    parts.push(`${regionColumn} = ?`);
    params.push(Number(f.regionId));
  }
  return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
}

/** The filter as the resolvers hand it to the service. */
function input(f: CaseFilter): FilterInput {
  return { from: f.from ? new Date(f.from) : null, to: f.to ? new Date(f.to) : null, themeId: f.themeId ?? null, regionId: f.regionId ?? null };
}

const GRADE_SUMS = `SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) AS excellent, SUM(CASE WHEN sr.grade = 'GOOD' THEN 1 ELSE 0 END) AS good,
  SUM(CASE WHEN sr.grade = 'AVERAGE' THEN 1 ELSE 0 END) AS average, SUM(CASE WHEN sr.grade = 'POOR' THEN 1 ELSE 0 END) AS poor`;

/** GraphQL argument list for the filter keys a case uses, e.g. `(from: $from, to: $to)`. */
function argsOf(f: CaseFilter, extra: string[] = []): { decl: string; args: string } {
  const types: Record<keyof CaseFilter, string> = { from: 'DateTime', to: 'DateTime', themeId: 'ID', regionId: 'ID' };
  const keys = (Object.keys(f) as (keyof CaseFilter)[]).filter((k) => f[k] !== undefined);
  const decl = keys.map((k) => `$${k}: ${types[k]}!`).join(', ');
  const args = [...extra, ...keys.map((k) => `${k}: $${k}`)].join(', ');
  return { decl: decl ? `(${decl})` : '', args: args ? `(${args})` : '' };
}

function label(base: string, f: CaseFilter, extra = ''): string {
  const parts = [extra, f.from || f.to ? 'range' : '', f.themeId ? 'theme' : '', f.regionId ? 'region' : ''].filter(Boolean);
  return parts.length ? `${base}(${parts.join(',')})` : base;
}

export function regionStandings(f: CaseFilter = {}): BenchCase {
  const a = argsOf(f);
  return {
    name: label('regionStandings', f),
    field: 'regionStandings',
    service: async (an) => an.regionStandings(an.filter(input(f))),
    query: `query RegionStandings${a.decl} { regionStandings${a.args} { rank score speeches excellent overtimeRate fulfilmentRate region { id name } } }`,
    variables: { ...f },
    filter: f,
    canon: (d) =>
      d.regionStandings.map((r: any) => ({ region: r.region.name, rank: r.rank, score: r.score, speeches: r.speeches, excellent: r.excellent, overtimeRate: r.overtimeRate, fulfilmentRate: r.fulfilmentRate })),
    async raw(db) {
      const w = where(f);
      const rows = await db.all(
        `SELECT r.id AS id, r.name AS name, COALESCE(res.speeches, 0) AS speeches, COALESCE(res.score, 0) AS score, COALESCE(res.excellent, 0) AS excellent,
           tim.finished AS finished, tim.overran AS overran, ful.assessed AS assessed, ful.fulfilled AS fulfilled,
           RANK() OVER (ORDER BY ROUND(COALESCE(res.score, 0), 4) DESC, COALESCE(res.excellent, 0) DESC) AS standing
         FROM regions r
         LEFT JOIN (SELECT sr.region_id AS region_id, COUNT(*) AS speeches, AVG(sr.score) AS score, SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) AS excellent
           FROM speech_results sr JOIN sessions s ON s.id = sr.session_id WHERE sr.published = 1${w.sql} GROUP BY sr.region_id) res ON res.region_id = r.id
         LEFT JOIN (SELECT sp.region_id AS region_id, COUNT(*) AS finished, SUM(CASE WHEN sp.overtime_ms > 0 THEN 1 ELSE 0 END) AS overran
           FROM speeches sp JOIN sessions s ON s.id = sp.session_id WHERE sp.ended_at IS NOT NULL${w.sql} GROUP BY sp.region_id) tim ON tim.region_id = r.id
         LEFT JOIN (SELECT sp.region_id AS region_id, COUNT(*) AS assessed, SUM(CASE WHEN c.latest_verdict = 'VERIFIED' THEN 1 ELSE 0 END) AS fulfilled
           FROM commitments c JOIN speeches sp ON sp.id = c.speech_id JOIN sessions s ON s.id = c.session_id
           WHERE c.superseded_at IS NULL AND c.latest_verdict IS NOT NULL${w.sql} GROUP BY sp.region_id) ful ON ful.region_id = r.id
         ORDER BY standing, r.id`,
        [...w.params, ...w.params, ...w.params],
      );
      return rows.map((r) => ({
        region: String(r.name),
        rank: n(r.standing),
        score: n(r.score),
        speeches: n(r.speeches),
        excellent: n(r.excellent),
        overtimeRate: ratio(r.overran, r.finished),
        fulfilmentRate: n(r.assessed) > 0 ? ratio(r.fulfilled, r.assessed) : null,
      }));
    },
  };
}

export function cadreRankings(f: CaseFilter = {}, first = 100): BenchCase {
  const a = argsOf(f, [`first: ${first}`]);
  return {
    name: label('cadreRankings', f, `first:${first}`),
    field: 'cadreRankings',
    service: async (an) => an.cadreRankings(await an.filter(input(f)), { first }),
    query: `query CadreRankings${a.decl} { cadreRankings${a.args} { totalCount pageInfo { hasNextPage endCursor } edges { node { rank score speeches excellent good average poor cadre { id name position } } } } }`,
    variables: { ...f },
    filter: f,
    canon: (d) => [
      { totalCount: d.cadreRankings.totalCount, hasNextPage: d.cadreRankings.pageInfo.hasNextPage },
      ...d.cadreRankings.edges.map(({ node: r }: any) => ({
        cadre: r.cadre.name,
        position: r.cadre.position,
        rank: r.rank,
        score: r.score,
        speeches: r.speeches,
        excellent: r.excellent,
        good: r.good,
        average: r.average,
        poor: r.poor,
      })),
    ],
    async raw(db) {
      const w = where(f, 'sr.region_id');
      const rows = await db.all(
        `SELECT ranked.*, c.name AS name, c.position AS position FROM (
           SELECT sr.cadre_id AS cadre, AVG(sr.score) AS score, COUNT(*) AS speeches, ${GRADE_SUMS},
             RANK() OVER (ORDER BY AVG(sr.score) DESC, SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) DESC) AS standing,
             COUNT(*) OVER () AS total
           FROM speech_results sr JOIN sessions s ON s.id = sr.session_id WHERE sr.published = 1${w.sql} GROUP BY sr.cadre_id) ranked
         JOIN cadres c ON c.id = ranked.cadre
         ORDER BY ranked.standing, ranked.cadre LIMIT ?`,
        [...w.params, first + 1],
      );
      return [
        { totalCount: rows.length ? n(rows[0].total) : 0, hasNextPage: rows.length > first },
        ...rows.slice(0, first).map((r) => ({
          cadre: String(r.name),
          position: String(r.position),
          rank: n(r.standing),
          score: n(r.score),
          speeches: n(r.speeches),
          excellent: n(r.excellent),
          good: n(r.good),
          average: n(r.average),
          poor: n(r.poor),
        })),
      ];
    },
  };
}

export function regionTrends(f: CaseFilter = {}): BenchCase {
  const a = argsOf(f);
  return {
    name: label('regionTrends', f),
    field: 'regionTrends',
    service: async (an) => an.regionTrends(an.filter(input(f))),
    query: `query RegionTrends${a.decl} { regionTrends${a.args} { sessions { id number startsAt } series { region { id name } scores ranks excellent } } }`,
    variables: { ...f },
    filter: f,
    // The chart's shape (an axis of sessions, a series per region) back to rows: one per region and session with a result.
    canon: (d) =>
      d.regionTrends.series.flatMap((line: any) =>
        d.regionTrends.sessions.flatMap((s: any, i: number) =>
          line.scores[i] === null ? [] : [{ region: line.region.name, session: s.number, startsAt: s.startsAt, score: line.scores[i], rank: line.ranks[i], excellent: line.excellent[i] }],
        ),
      ),
    async raw(db) {
      const w = where(f, 'sr.region_id');
      const rows = await db.all(
        `SELECT r.name AS name, s.number AS number, s.starts_at AS starts_at, AVG(sr.score) AS score, MIN(sr.place) AS place,
           SUM(CASE WHEN sr.grade = 'EXCELLENT' THEN 1 ELSE 0 END) AS excellent
         FROM speech_results sr JOIN sessions s ON s.id = sr.session_id JOIN regions r ON r.id = sr.region_id
         WHERE sr.published = 1${w.sql}
         GROUP BY sr.region_id, r.name, sr.session_id, s.number, s.starts_at ORDER BY sr.region_id, s.starts_at`,
        w.params,
      );
      return rows.map((r) => ({ region: String(r.name), session: n(r.number), startsAt: isoOf(r.starts_at), score: n(r.score), rank: n(r.place), excellent: n(r.excellent) }));
    },
  };
}

export function gradeDistributions(f: CaseFilter = {}, first = 100): BenchCase {
  const a = argsOf(f, [`first: ${first}`]);
  return {
    name: label('gradeDistributions', f, `first:${first}`),
    field: 'gradeDistributions',
    service: async (an) => an.gradeDistributions(await an.filter({ ...input(f), regionId: null }), { first }),
    query: `query GradeDistributions${a.decl} { gradeDistributions${a.args} { totalCount pageInfo { hasNextPage endCursor } edges { node {
      ballotsCast entitledVoters excellent good average poor excellentVotes goodVotes averageVotes poorVotes session { id number startsAt } } } } }`,
    variables: { ...f },
    filter: f,
    canon: (d) => [
      { totalCount: d.gradeDistributions.totalCount, hasNextPage: d.gradeDistributions.pageInfo.hasNextPage },
      ...d.gradeDistributions.edges.map(({ node: r }: any) => ({
        session: r.session.number,
        startsAt: r.session.startsAt,
        ballotsCast: r.ballotsCast,
        entitledVoters: r.entitledVoters,
        excellent: r.excellent,
        good: r.good,
        average: r.average,
        poor: r.poor,
        excellentVotes: r.excellentVotes,
        goodVotes: r.goodVotes,
        averageVotes: r.averageVotes,
        poorVotes: r.poorVotes,
      })),
    ],
    async raw(db) {
      const w = where(f);
      const rows = await db.all(
        `SELECT s.number AS number, s.starts_at AS starts_at, e.ballots_cast AS ballots, e.entitled_voters AS entitled, ${GRADE_SUMS},
           SUM(sr.excellent) AS ev, SUM(sr.good) AS gv, SUM(sr.average) AS av, SUM(sr.poor) AS pv, COUNT(*) OVER () AS total
         FROM sessions s JOIN evaluations e ON e.session_id = s.id JOIN speech_results sr ON sr.session_id = s.id
         WHERE sr.published = 1${w.sql}
         GROUP BY s.id, s.number, s.starts_at, e.ballots_cast, e.entitled_voters ORDER BY s.number DESC LIMIT ?`,
        [...w.params, first + 1],
      );
      return [
        { totalCount: rows.length ? n(rows[0].total) : 0, hasNextPage: rows.length > first },
        ...rows.slice(0, first).map((r) => ({
          session: n(r.number),
          startsAt: isoOf(r.starts_at),
          ballotsCast: n(r.ballots),
          entitledVoters: n(r.entitled),
          excellent: n(r.excellent),
          good: n(r.good),
          average: n(r.average),
          poor: n(r.poor),
          excellentVotes: n(r.ev),
          goodVotes: n(r.gv),
          averageVotes: n(r.av),
          poorVotes: n(r.pv),
        })),
      ];
    },
  };
}

export function speakingDiscipline(groupBy: 'REGION' | 'CADRE', f: CaseFilter = {}): BenchCase {
  const a = argsOf(f, [`groupBy: ${groupBy}`]);
  const who = groupBy === 'REGION' ? 'region { id name }' : 'cadre { id name position }';
  return {
    name: label('speakingDiscipline', f, groupBy),
    field: 'speakingDiscipline',
    service: async (an) => an.discipline(await an.filter(input(f)), DisciplineGrouping[groupBy]),
    query: `query SpeakingDiscipline${a.decl} { speakingDiscipline${a.args} {
      speeches allottedMinutes spokenMinutes spokenRatio overtimeRate meanOvertimeSeconds cutOffs interruptions { reason count perSpeech } ${who} } }`,
    variables: { ...f },
    filter: f,
    canon: (d) =>
      d.speakingDiscipline.map((r: any) => ({
        who: groupBy === 'REGION' ? r.region.name : `${r.cadre.name} ${r.cadre.position}`,
        speeches: r.speeches,
        allottedMinutes: r.allottedMinutes,
        spokenMinutes: r.spokenMinutes,
        spokenRatio: r.spokenRatio,
        overtimeRate: r.overtimeRate,
        meanOvertimeSeconds: r.meanOvertimeSeconds,
        cutOffs: r.cutOffs,
        interruptions: r.interruptions.map((i: any) => `${i.reason}:${i.count}:${i.perSpeech}`).join(' '),
      })),
    async raw(db) {
      const key = groupBy === 'REGION' ? 'sp.region_id' : 'sp.cadre_id';
      const names = groupBy === 'REGION' ? 'JOIN regions who ON who.id = d.k' : 'JOIN cadres who ON who.id = d.k';
      const whoName = groupBy === 'REGION' ? 'who.name AS name' : "who.name AS name, who.position AS position";
      const w = where(f, 'sp.region_id');
      const rows = await db.all(
        `SELECT d.k AS k, ${whoName}, d.n AS n, d.allotted AS allotted, d.spoken AS spoken, d.overran AS overran, d.overtime AS overtime, d.cut AS cut,
           i.reason AS reason, i.cnt AS cnt
         FROM (SELECT ${key} AS k, COUNT(*) AS n, SUM(sp.allotted_seconds) AS allotted, SUM(sp.spoken_ms) AS spoken,
             SUM(CASE WHEN sp.overtime_ms > 0 THEN 1 ELSE 0 END) AS overran, SUM(sp.overtime_ms) AS overtime,
             SUM(CASE WHEN sp.status = 'CUT_OFF' THEN 1 ELSE 0 END) AS cut
           FROM speeches sp JOIN sessions s ON s.id = sp.session_id WHERE sp.ended_at IS NOT NULL${w.sql} GROUP BY ${key}) d
         ${names}
         LEFT JOIN (SELECT ${key} AS k, i.reason AS reason, COUNT(*) AS cnt
           FROM interruptions i JOIN speeches sp ON sp.id = i.speech_id JOIN sessions s ON s.id = i.session_id
           WHERE sp.ended_at IS NOT NULL${w.sql} GROUP BY ${key}, i.reason) i ON i.k = d.k
         ORDER BY d.k, i.reason`,
        [...w.params, ...w.params],
      );
      const out: (Canon & { k: number })[] = [];
      for (const r of rows) {
        let row = out[out.length - 1];
        if (!row || row.k !== n(r.k)) {
          const count = n(r.n);
          const allottedMs = n(r.allotted) * 1000;
          row = {
            k: n(r.k),
            who: groupBy === 'REGION' ? String(r.name) : `${r.name} ${r.position}`,
            speeches: count,
            allottedMinutes: allottedMs / 60_000,
            spokenMinutes: n(r.spoken) / 60_000,
            spokenRatio: allottedMs === 0 ? 0 : n(r.spoken) / allottedMs,
            overtimeRate: ratio(r.overran, count),
            meanOvertimeSeconds: count === 0 ? 0 : n(r.overtime) / count / 1000,
            cutOffs: n(r.cut),
            interruptions: '',
          };
          out.push(row);
        }
        if (r.reason !== null && r.reason !== undefined) {
          const per = Math.round(ratio(r.cnt, row.speeches) * 10_000) / 10_000;
          row.interruptions = `${row.interruptions ? `${row.interruptions} ` : ''}${r.reason}:${n(r.cnt)}:${per}`;
        }
      }
      return out.map(({ k: _k, ...rest }) => rest);
    },
  };
}

export function commitmentFulfilment(f: CaseFilter = {}): BenchCase {
  const a = argsOf(f);
  return {
    name: label('commitmentFulfilment', f),
    field: 'commitmentFulfilment',
    service: async (an) => an.fulfilment(an.filter(input(f))),
    query: `query CommitmentFulfilment${a.decl} { commitmentFulfilment${a.args} { commitments assessed fulfilled partial missed due fulfilmentRate onTimeRate region { id name } } }`,
    variables: { ...f },
    filter: f,
    canon: (d) =>
      d.commitmentFulfilment.map((r: any) => ({
        region: r.region.name,
        commitments: r.commitments,
        assessed: r.assessed,
        fulfilled: r.fulfilled,
        partial: r.partial,
        missed: r.missed,
        due: r.due,
        fulfilmentRate: r.fulfilmentRate,
        onTimeRate: r.onTimeRate,
      })),
    async raw(db, now) {
      const w = where(f, 'sp.region_id');
      const rows = await db.all(
        `SELECT r.name AS name, x.* FROM (
           SELECT sp.region_id AS region, COUNT(*) AS n,
             SUM(CASE WHEN c.latest_verdict IS NOT NULL THEN 1 ELSE 0 END) AS assessed,
             SUM(CASE WHEN c.latest_verdict = 'VERIFIED' THEN 1 ELSE 0 END) AS fulfilled,
             SUM(CASE WHEN c.latest_verdict = 'PARTIAL' THEN 1 ELSE 0 END) AS partial,
             SUM(CASE WHEN c.latest_verdict IN ('NOT_FULFILLED', 'FALSIFIED') THEN 1 ELSE 0 END) AS missed,
             SUM(CASE WHEN c.latest_verdict IS NULL AND c.due_at < ? THEN 1 ELSE 0 END) AS due,
             SUM(CASE WHEN c.latest_verdict = 'VERIFIED' AND c.verdict_published_at <= c.due_at THEN 1 ELSE 0 END) AS ontime
           FROM commitments c JOIN speeches sp ON sp.id = c.speech_id JOIN sessions s ON s.id = c.session_id
           WHERE c.superseded_at IS NULL${w.sql} GROUP BY sp.region_id) x
         JOIN regions r ON r.id = x.region ORDER BY x.region`,
        [sqlInstant(now), ...w.params],
      );
      return rows.map((r) => ({
        region: String(r.name),
        commitments: n(r.n),
        assessed: n(r.assessed),
        fulfilled: n(r.fulfilled),
        partial: n(r.partial),
        missed: n(r.missed),
        due: n(r.due),
        fulfilmentRate: n(r.assessed) ? ratio(r.fulfilled, r.assessed) : null,
        onTimeRate: n(r.fulfilled) ? ratio(r.ontime, r.fulfilled) : null,
      }));
    },
  };
}

export function auditVerdicts(f: CaseFilter = {}): BenchCase {
  const a = argsOf(f);
  return {
    name: label('auditVerdicts', f),
    field: 'auditVerdicts',
    service: async (an) => an.verdicts(await an.filter(input(f)), null),
    query: `query AuditVerdicts${a.decl} { auditVerdicts${a.args} { verified partial notFulfilled falsified total region { id name } } }`,
    variables: { ...f },
    filter: f,
    canon: (d) => d.auditVerdicts.map((r: any) => ({ region: r.region.name, verified: r.verified, partial: r.partial, notFulfilled: r.notFulfilled, falsified: r.falsified, total: r.total })),
    async raw(db) {
      const w = where(f, 'a.region_id');
      const rows = await db.all(
        `SELECT r.name AS name, x.* FROM (
           SELECT a.region_id AS region,
             SUM(CASE WHEN fi.verdict = 'VERIFIED' THEN 1 ELSE 0 END) AS verified, SUM(CASE WHEN fi.verdict = 'PARTIAL' THEN 1 ELSE 0 END) AS partial,
             SUM(CASE WHEN fi.verdict = 'NOT_FULFILLED' THEN 1 ELSE 0 END) AS nf, SUM(CASE WHEN fi.verdict = 'FALSIFIED' THEN 1 ELSE 0 END) AS falsified,
             COUNT(*) AS total
           FROM findings fi JOIN audits a ON a.id = fi.audit_id JOIN sessions s ON s.id = a.session_id
           WHERE fi.published_at IS NOT NULL AND fi.superseded_at IS NULL${w.sql} GROUP BY a.region_id) x
         JOIN regions r ON r.id = x.region ORDER BY x.region`,
        w.params,
      );
      return rows.map((r) => ({ region: String(r.name), verified: n(r.verified), partial: n(r.partial), notFulfilled: n(r.nf), falsified: n(r.falsified), total: n(r.total) }));
    },
  };
}

/**
 * The filters the cases use, taken from the generated history so they select something on any profile: a range
 * over the middle of the history (about 40 % of it), the first theme, the first region.
 */
export async function benchFilters(ds: DataSource): Promise<{ range: CaseFilter; theme: CaseFilter; region: CaseFilter }> {
  const sessions: Row[] = await ds.query(`SELECT starts_at AS at FROM sessions WHERE phase = 'CLOSED' ORDER BY starts_at`);
  const at = (q: number) => isoOf(sessions[Math.min(sessions.length - 1, Math.floor(sessions.length * q))].at);
  const theme: Row[] = await ds.query('SELECT MIN(id) AS id FROM themes');
  const region: Row[] = await ds.query('SELECT MIN(id) AS id FROM regions');
  return { range: { from: at(0.4), to: at(0.8) }, theme: { themeId: String(theme[0].id) }, region: { regionId: String(region[0].id) } };
}

/** Every analytics query of the schema, and the filtered variants that use other indexes and plans. */
export async function allCases(ds: DataSource): Promise<BenchCase[]> {
  const { range, theme, region } = await benchFilters(ds);
  return [
    regionStandings(),
    regionStandings(range),
    cadreRankings(),
    cadreRankings(theme),
    regionTrends(),
    regionTrends({ ...region, from: range.from }),
    gradeDistributions(),
    gradeDistributions(range),
    speakingDiscipline('REGION'),
    speakingDiscipline('CADRE'),
    speakingDiscipline('REGION', theme),
    commitmentFulfilment(),
    commitmentFulfilment(theme),
    auditVerdicts(),
    auditVerdicts(range),
  ];
}

/**
 * Compares the two sides row by row. Numbers may differ by the service's rounding to 4 decimals; anything else is
 * a difference. Returns the first few differences (empty: equal).
 */
export function differences(ours: Canon[], raw: Canon[], limit = 5): string[] {
  const out: string[] = [];
  if (ours.length !== raw.length) out.push(`row count: ours ${ours.length}, raw ${raw.length}`);
  for (let i = 0; i < Math.min(ours.length, raw.length) && out.length < limit; i++) {
    const keys = new Set([...Object.keys(ours[i]), ...Object.keys(raw[i])]);
    for (const k of keys) {
      const a = ours[i][k];
      const b = raw[i][k];
      const same = typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-4 + 1e-9 * Math.max(Math.abs(a), Math.abs(b)) : a === b;
      if (!same) out.push(`row ${i} ${k}: ours ${JSON.stringify(a)}, raw ${JSON.stringify(b)}`);
    }
  }
  return out.slice(0, limit);
}
