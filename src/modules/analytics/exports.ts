import type { Express, Request, Response } from 'express';
import ExcelJS from 'exceljs';
import type { DataSource } from 'typeorm';
import { hasAnyRole, Principal } from '../../auth/principal';
import { principalOfRequest } from '../../auth/request-principal';
import type { TokenService } from '../../auth/tokens';
import { AppError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';
import type { AnalyticsService, Filter } from './analytics.service';

type Cell = string | number | null;

/** A table to export: its header and its rows, produced a batch at a time so a large table never sits in memory. */
interface Table {
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

interface ExportDeps {
  ds: DataSource;
  tokens: TokenService;
  analytics: AnalyticsService;
  evaluations: SessionResults;
}

const ANALYSTS = ['analyst', 'secretary', 'admin'] as const;
const GRADE_ZH: Record<string, string> = { EXCELLENT: '优秀', GOOD: '良好', AVERAGE: '一般', POOR: '较差' };

/**
 * `/exports/<table>.csv` (UTF-8 with BOM, so Excel opens Chinese correctly) and `/exports/<table>.xlsx`, for
 * analysts with a bearer token (or `?token=` for a plain browser link). Rows are streamed as they are read.
 */
export function mountExports(app: Express, deps: ExportDeps): void {
  app.get('/exports/:file', async (req: Request, res: Response) => {
    try {
      const match = /^([a-z-]+)\.(csv|xlsx)$/.exec(String(req.params.file));
      if (!match) throw new ExportError(404, 'NOT_FOUND', 'exports are /exports/<table>.csv or .xlsx');
      const [, name, format] = match;
      const principal = await principalOfRequest(deps.tokens, req);
      const table = await tableFor(name, req, principal, deps);
      await (format === 'csv' ? writeCsv(res, name, table) : writeXlsx(res, name, table));
    } catch (err) {
      if (res.headersSent) {
        res.destroy(err as Error);
        return;
      }
      const e = err instanceof ExportError ? err : err instanceof AppError ? fromAppError(err) : new ExportError(500, 'INTERNAL_SERVER_ERROR', 'export failed');
      res.status(e.status).json({ errors: [{ message: e.message, extensions: { code: e.code } }] });
    }
  });
}

class ExportError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_OF: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

function fromAppError(err: AppError): ExportError {
  return new ExportError(STATUS_OF[err.code] ?? 500, err.code, err.message);
}

function query(req: Request, name: string): string | null {
  const v = req.query[name];
  return typeof v === 'string' && v !== '' ? v : null;
}

function date(req: Request, name: string): Date | null {
  const v = query(req, name);
  if (v === null) return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new ExportError(400, 'BAD_USER_INPUT', `${name} is not a date`);
  return d;
}

/** The request's filter, checked before the first byte is sent: a bad one answers 400 or 404, not half a file. */
async function filterOf(req: Request, deps: ExportDeps): Promise<Filter> {
  const filter = deps.analytics.filter({ from: date(req, 'from'), to: date(req, 'to'), themeId: query(req, 'themeId'), regionId: query(req, 'regionId') });
  await deps.analytics.assertKnown(filter);
  return filter;
}

async function* once(rows: Cell[][]): AsyncIterable<Cell[]> {
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
      if (raw === null) throw new ExportError(400, 'BAD_USER_INPUT', 'session-results needs ?sessionId=');
      const sessionId = parseId('session', raw, 'sessionId');
      const results = await deps.evaluations.sessionResults(sessionId, principal);
      if (!(await deps.ds.getRepository(Session).existsBy({ id: sessionId })) || results === undefined) throw new ExportError(404, 'NOT_FOUND', `session ${sessionId} has no evaluation`);
      if (results === null) throw new ExportError(403, 'FORBIDDEN', 'these results are not yours to see yet');
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
    default:
      throw new ExportError(404, 'NOT_FOUND', `no export named ${name}; try region-standings, cadre-rankings or session-results`);
  }
}

function requireRoles(principal: Principal, roles: readonly string[]): void {
  if (!hasAnyRole(principal, roles as never)) throw new ExportError(403, 'FORBIDDEN', `this export needs one of: ${roles.join(', ')}`);
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
