import type { Express, Request, Response } from 'express';
import ExcelJS from 'exceljs';
import type { DataSource } from 'typeorm';
import { hasAnyRole, Principal } from '../../auth/principal';
import { authenticateRequest } from '../../auth/http-auth';
import type { TokenService } from '../../auth/tokens';
import { HttpError, sendHttpError } from '../../common/http-error';
import { beijingDate, GRADE_ZH, INTERRUPTION_ZH, VERDICT_ZH } from '../../common/labels-zh';
import { parseId } from '../../common/ids';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';
import { AuditMethod } from '../audit/audit.entity';
import type { AnalyticsService, Filter } from './analytics.service';
import { DisciplineGrouping } from './analytics.types';

export type Cell = string | number | null;

/** A table to export: its header and its rows, produced a batch at a time so a large table never sits in memory. */
export interface Table {
  columns: string[];
  rows: AsyncIterable<Cell[]>;
}

/** A speaker's line in a session's results, as the evaluation publishes it. */
interface ResultLine {
  speechId: number;
  rank: number;
  grade: string;
  score: number;
  excellent: number;
  good: number;
  average: number;
  poor: number;
}

/** What the export needs of the evaluation (its service is one): undefined without one, null while not yours to see. */
interface SessionResults {
  sessionResults(sessionId: number, principal: Principal): Promise<readonly ResultLine[] | null | undefined>;
}

/** A table another module exports here (its own role check inside): `/exports/<name>.csv|xlsx`. */
export type ExtraTable = (req: Request, principal: Principal) => Promise<Table>;

interface ExportDeps {
  ds: DataSource;
  tokens: TokenService;
  analytics: AnalyticsService;
  evaluations: SessionResults;
  extra?: Readonly<Record<string, ExtraTable>>;
}

const ANALYSTS = ['analyst', 'secretary', 'admin'] as const;

/** Every table there is, one per chart of the analysts' page (docs/analytics.md) plus a session's results. */
export const EXPORTS = [
  'region-standings', 'cadre-rankings', 'region-trends', 'grade-distributions', 'speaking-discipline',
  'commitment-fulfilment', 'audit-verdicts', 'indicator-comparison', 'session-results',
] as const;

/**
 * `/exports/<table>.csv` (UTF-8 with BOM, so Excel opens Chinese correctly) and `/exports/<table>.xlsx`, for
 * analysts with a bearer token (or `?token=` for a plain browser link). Rows are streamed as they are read.
 */
export function mountExports(app: Express, deps: ExportDeps): void {
  app.get('/exports/:file', async (req: Request, res: Response) => {
    try {
      const match = /^([a-z-]+)\.(csv|xlsx)$/.exec(String(req.params.file));
      if (!match) throw new HttpError(404, 'NOT_FOUND', 'exports are /exports/<table>.csv or .xlsx');
      const [, name, format] = match;
      const principal = await authenticateRequest(deps.tokens, req);
      const table = await tableFor(name, req, principal, deps);
      await (format === 'csv' ? writeCsv(res, name, table) : writeXlsx(res, name, table));
    } catch (err) {
      sendHttpError(res, err, 'export');
    }
  });
}

function query(req: Request, name: string): string | null {
  const v = req.query[name];
  return typeof v === 'string' && v !== '' ? v : null;
}

function date(req: Request, name: string): Date | null {
  const v = query(req, name);
  if (v === null) return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new HttpError(400, 'BAD_USER_INPUT', `${name} is not a date`);
  return d;
}

/** The request's filter, checked before the first byte is sent: a bad one answers 400 or 404, not half a file. */
async function filterOf(req: Request, deps: ExportDeps): Promise<Filter> {
  const filter = deps.analytics.filter({ from: date(req, 'from'), to: date(req, 'to'), themeId: query(req, 'themeId'), regionId: query(req, 'regionId') });
  await deps.analytics.assertKnown(filter);
  return filter;
}

export async function* once(rows: Cell[][]): AsyncIterable<Cell[]> {
  yield* rows;
}

async function tableFor(name: string, req: Request, principal: Principal, deps: ExportDeps): Promise<Table> {
  switch (name) {
    case 'region-standings': {
      requireRoles(principal, ANALYSTS);
      const rows = await deps.analytics.regionStandings(await filterOf(req, deps));
      return {
        columns: ['名次 rank', '县市区 region', '得分 score', '发言 speeches', '优秀 excellent', '超时率 overtime rate', '承诺兑现率 fulfilment rate'],
        rows: once(rows.map((r) => [r.rank, r.region.name, r.score, r.speeches, r.excellent, r.overtimeRate, r.fulfilmentRate])),
      };
    }
    case 'cadre-rankings': {
      requireRoles(principal, ANALYSTS);
      const filter = await filterOf(req, deps);
      return { columns: ['名次 rank', '姓名 name', '职务 position', '县市区 region', '得分 score', '发言 speeches', '优秀', '良好', '一般', '较差'], rows: rankingRows(deps, filter) };
    }
    case 'session-results': {
      const raw = query(req, 'sessionId');
      if (raw === null) throw new HttpError(400, 'BAD_USER_INPUT', 'session-results needs ?sessionId=');
      const sessionId = parseId('session', raw, 'sessionId');
      const results = await deps.evaluations.sessionResults(sessionId, principal);
      if (!(await deps.ds.getRepository(Session).existsBy({ id: sessionId })) || results === undefined) throw new HttpError(404, 'NOT_FOUND', `session ${sessionId} has no evaluation`);
      if (results === null) throw new HttpError(403, 'FORBIDDEN', 'these results are not yours to see yet');
      const speeches = await deps.ds.getRepository(Speech).findBy({ sessionId });
      const cadres = new Map((await deps.ds.getRepository(Cadre).find()).map((c) => [c.id, c]));
      const regions = new Map((await deps.ds.getRepository(Region).find()).map((r) => [r.id, r.name]));
      const speechOf = new Map(speeches.map((s) => [s.id, s]));
      return {
        columns: ['名次 rank', '姓名 name', '职务 position', '县市区 region', '等次 grade', '得分 score', '优秀', '良好', '一般', '较差'],
        rows: once(
          results.map((r) => {
            const cadre = cadres.get(speechOf.get(r.speechId)!.cadreId)!;
            return [r.rank, cadre.name, cadre.position, regions.get(speechOf.get(r.speechId)!.regionId ?? cadre.regionId) ?? '', GRADE_ZH[r.grade], r.score, r.excellent, r.good, r.average, r.poor];
          }),
        ),
      };
    }
    case 'region-trends': {
      requireRoles(principal, ANALYSTS);
      const trends = await deps.analytics.regionTrends(await filterOf(req, deps));
      return {
        columns: ['县市区 region', '期数 session', '日期 date', '得分 score', '最好名次 best place', '优秀 excellent'],
        rows: once(trends.series.flatMap((line) => trends.sessions.flatMap((session, i) =>
          line.scores[i] === null ? [] : [[line.region.name, session.number, beijingDate(session.startsAt), line.scores[i], line.ranks[i], line.excellent[i]]]))),
      };
    }
    case 'grade-distributions': {
      requireRoles(principal, ANALYSTS);
      const filter = await filterOf(req, deps);
      return {
        columns: ['期数 session', '日期 date', '实到投票 ballots', '应投票 entitled', '优秀', '良好', '一般', '较差', '优秀票', '良好票', '一般票', '较差票'],
        rows: distributionRows(deps, filter),
      };
    }
    case 'speaking-discipline': {
      requireRoles(principal, ANALYSTS);
      const rows = await deps.analytics.discipline(await filterOf(req, deps), DisciplineGrouping.REGION);
      const reasons = Object.keys(INTERRUPTION_ZH);
      return {
        columns: ['县市区 region', '发言 speeches', '限时分钟 allotted min', '实际分钟 spoken min', '用时比 spoken ratio', '超时率 overtime rate', '平均超时秒 mean overtime s', '被叫停 cut off', ...reasons.map((r) => `打断·${INTERRUPTION_ZH[r]} ${r}`)],
        rows: once(rows.map((r) => [r.region?.name ?? '', r.speeches, r.allottedMinutes, r.spokenMinutes, r.spokenRatio, r.overtimeRate, r.meanOvertimeSeconds, r.cutOffs,
          ...reasons.map((reason) => r.interruptions.find((i) => i.reason === reason)?.count ?? 0)])),
      };
    }
    case 'commitment-fulfilment': {
      requireRoles(principal, ANALYSTS);
      const rows = await deps.analytics.fulfilment(await filterOf(req, deps));
      return {
        columns: ['县市区 region', '承诺 commitments', '已核查 assessed', '已兑现 fulfilled', '部分兑现 partial', '未兑现 missed', '到期未核查 due', '兑现率 fulfilment rate', '按期率 on-time rate'],
        rows: once(rows.map((r) => [r.region.name, r.commitments, r.assessed, r.fulfilled, r.partial, r.missed, r.due, r.fulfilmentRate, r.onTimeRate])),
      };
    }
    case 'audit-verdicts': {
      requireRoles(principal, ANALYSTS);
      const method = query(req, 'method');
      if (method !== null && !(Object.values(AuditMethod) as string[]).includes(method)) throw new HttpError(400, 'BAD_USER_INPUT', `method must be one of ${Object.values(AuditMethod).join(', ')}`);
      const rows = await deps.analytics.verdicts(await filterOf(req, deps), method);
      return {
        columns: ['县市区 region', '属实 verified', '部分属实 partial', '未落实 not fulfilled', '弄虚作假 falsified', '合计 total'],
        rows: once(rows.map((r) => [r.region.name, r.verified, r.partial, r.notFulfilled, r.falsified, r.total])),
      };
    }
    case 'indicator-comparison': {
      requireRoles(principal, ANALYSTS);
      const themeId = query(req, 'themeId');
      const indicatorId = query(req, 'indicatorId');
      if (themeId === null || indicatorId === null) throw new HttpError(400, 'BAD_USER_INPUT', 'indicator-comparison needs ?themeId= and ?indicatorId=');
      const rows = await deps.analytics.indicatorComparison({ themeId, indicatorId, from: date(req, 'from'), to: date(req, 'to') });
      return {
        columns: ['名次 rank', '县市区 region', '姓名 name', '职务 position', '数值 value', '单位 unit', '截至 as of', '核查结论 verdict'],
        rows: once(rows.map((r) => [r.rank, r.region.name, r.cadre.name, r.cadre.position, r.value, r.unit, beijingDate(r.asOf), r.verdict ? VERDICT_ZH[r.verdict] : '未核查'])),
      };
    }
    default: {
      const extra = deps.extra?.[name];
      if (extra) return extra(req, principal);
      throw new HttpError(404, 'NOT_FOUND', `no export named ${name}; try one of ${[...EXPORTS, ...Object.keys(deps.extra ?? {})].join(', ')}`);
    }
  }
}

export function requireRoles(principal: Principal, roles: readonly string[]): void {
  if (!hasAnyRole(principal, roles as never)) throw new HttpError(403, 'FORBIDDEN', `this export needs one of: ${roles.join(', ')}`);
}

/** Pages through the sessions' grade distributions a hundred at a time, newest first. */
async function* distributionRows(deps: ExportDeps, filter: Filter): AsyncIterable<Cell[]> {
  let after: string | undefined;
  for (;;) {
    const page = await deps.analytics.gradeDistributions(filter, { first: 100, after });
    for (const { node: d } of page.edges) {
      yield [d.session.number, beijingDate(d.session.startsAt), d.ballotsCast, d.entitledVoters, d.excellent, d.good, d.average, d.poor, d.excellentVotes, d.goodVotes, d.averageVotes, d.poorVotes];
    }
    if (!page.pageInfo.hasNextPage) return;
    after = page.pageInfo.endCursor ?? undefined;
  }
}

/** Pages through the rankings a hundred at a time. */
async function* rankingRows(deps: ExportDeps, filter: Filter): AsyncIterable<Cell[]> {
  let after: string | undefined;
  const regions = new Map((await deps.ds.getRepository(Region).find()).map((r) => [r.id, r.name]));
  for (;;) {
    const page = await deps.analytics.cadreRankings(filter, { first: 100, after });
    for (const { node } of page.edges) {
      yield [node.rank, node.cadre.name, node.cadre.position, regions.get(node.cadre.regionId) ?? '', node.score, node.speeches, node.excellent, node.good, node.average, node.poor];
    }
    if (!page.pageInfo.hasNextPage) return;
    after = page.pageInfo.endCursor ?? undefined;
  }
}

function csvCell(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function writeCsv(res: Response, name: string, table: Table): Promise<void> {
  res.status(200).set({ 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` });
  res.write('\uFEFF' + table.columns.map(csvCell).join(',') + '\r\n');
  for await (const row of table.rows) {
    if (!res.write(row.map(csvCell).join(',') + '\r\n')) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

async function writeXlsx(res: Response, name: string, table: Table): Promise<void> {
  res.status(200).set({
    'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'content-disposition': `attachment; filename="${name}.xlsx"`,
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useSharedStrings: false, useStyles: true });
  const sheet = workbook.addWorksheet(name);
  sheet.columns = table.columns.map((header) => ({ header, width: Math.max(12, header.length + 4) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  for await (const row of table.rows) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
}
