import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { QueryFailedError, type DataSource } from 'typeorm';
import { hasAnyRole, type Principal } from '../../auth/principal';
import { authenticateRequest } from '../../auth/http-auth';
import type { TokenService } from '../../auth/tokens';
import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/logger';
import { AppError, BadUserInputError, ForbiddenError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { Region } from '../registry/region.entity';
import { AttendeeImportService, type AttendeesRegistered } from './attendee-import';
import type { ImportAnswer, ImportMode } from './import-answer';
import { multipartFile } from './multipart';
import { RosterImportService } from './roster-import.service';
import { rosterTemplate } from './roster-template';
import { readSheet, type Sheet } from './sheet';

/** The largest file accepted: a roster of tens of thousands of rows fits with room to spare. */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;
/** Data rows per file; beyond it the file is refused whole rather than planned slowly. */
export const IMPORT_MAX_ROWS = 20_000;

const IMPORTERS = ['secretary', 'admin'] as const;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface ImportDeps {
  ds: DataSource;
  clock: Clock;
  tokens: TokenService;
  /** The room's recount after attendees were added (AttendanceService.recount), as registerAttendees calls it. */
  attendance: { recount: AttendeesRegistered };
  logger?: Logger;
}

const STATUS_OF: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, PAYLOAD_TOO_LARGE: 413, CONFLICT: 409, SERVICE_UNAVAILABLE: 503 };

/**
 * `POST /imports/roster`, `POST /imports/attendees?sessionId=` (`?mode=preview` by default, or `apply`) and
 * `GET /imports/roster-template.xlsx`, for the secretary and the admin, with a bearer token or `?token=`. The body
 * is the file itself (`.xlsx` or `.csv`) or a form with one file field `file`. See docs/imports.md.
 */
export function mountImports(app: Express, deps: ImportDeps): void {
  const roster = new RosterImportService(deps.ds, deps.clock);
  const attendees = new AttendeeImportService(deps.ds, deps.clock, (sessionId, actorId) => deps.attendance.recount(sessionId, actorId));
  const router = express.Router();
  // Who may import is settled before the body is read.
  const importer = async (req: Request, res: Response, next: NextFunction) => {
    res.locals.principal = requireImporter(await authenticateRequest(deps.tokens, req));
    next();
  };
  const body = express.raw({ type: () => true, limit: IMPORT_MAX_BYTES });

  router.get('/roster-template.xlsx', importer, async (_req, res) => {
    const regions = await deps.ds.getRepository(Region).find({ select: { code: true, name: true }, order: { id: 'ASC' } });
    res.status(200).set({ 'content-type': XLSX_TYPE, 'content-disposition': `attachment; filename="roster-template.xlsx"` }).send(await rosterTemplate(regions));
  });
  router.post('/roster', importer, body, async (req, res) => {
    const mode = modeOf(req);
    send(res, await roster.run(await sheetOf(req), mode, res.locals.principal as Principal));
  });
  router.post('/attendees', importer, body, async (req, res) => {
    const raw = req.query.sessionId;
    if (typeof raw !== 'string' || raw === '') throw new BadUserInputError('send ?sessionId= with the attendee list', 'sessionId');
    const sessionId = parseId('session', raw, 'sessionId');
    const mode = modeOf(req);
    send(res, await attendees.run(sessionId, await sheetOf(req), mode, res.locals.principal as Principal));
  });
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const { status, code, message } = describe(err);
    if (status >= 500) deps.logger?.error({ err, path: req.path }, 'import failed');
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  });
  app.use('/imports', router);
}

function requireImporter(principal: Principal): Principal {
  if (!hasAnyRole(principal, IMPORTERS)) throw new ForbiddenError(`imports need one of: ${IMPORTERS.join(', ')}`);
  return principal;
}

function modeOf(req: Request): ImportMode {
  const mode = req.query.mode ?? 'preview';
  if (mode !== 'preview' && mode !== 'apply') throw new BadUserInputError('mode is preview or apply', 'mode');
  return mode;
}

async function sheetOf(req: Request): Promise<Sheet> {
  let bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const type = req.headers['content-type'] ?? '';
  if (/^multipart\/form-data/i.test(type)) bytes = multipartFile(bytes, type);
  const sheet = await readSheet(bytes);
  if (sheet.rows.length > IMPORT_MAX_ROWS) throw new AppError('PAYLOAD_TOO_LARGE', `the file has ${sheet.rows.length} rows; at most ${IMPORT_MAX_ROWS} per import`);
  return sheet;
}

/**
 * The import's answer; a refused apply (a file with errors) answers 422 with the same body. Each row error also
 * carries `extensions.code`, so the body reads as the other error answers do.
 */
function send(res: Response, answer: ImportAnswer): void {
  const refused = answer.mode === 'apply' && !answer.applied;
  res.status(refused ? 422 : 200).json({ ...answer, errors: answer.errors.map((e) => ({ ...e, extensions: { code: 'BAD_USER_INPUT' } })) });
}

function describe(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof AppError) return { status: STATUS_OF[err.code] ?? (err.code.endsWith('_FROZEN') || err.code === 'ARCHIVE_SEALED' ? 409 : 400), code: err.code, message: err.message };
  if (err instanceof QueryFailedError && /ER_DUP_ENTRY|SQLITE_CONSTRAINT/.test(String((err.driverError as { code?: string })?.code))) {
    return { status: 409, code: 'CONFLICT', message: 'another change touched the same accounts meanwhile; nothing was changed: preview the file again' };
  }
  const http = err as { status?: number; type?: string };
  if (http?.status === 413) return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `the file exceeds ${IMPORT_MAX_BYTES} bytes` };
  if (http?.status && http.status < 500) return { status: http.status, code: 'BAD_REQUEST', message: 'malformed request body' };
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'the import failed; nothing was changed' };
}
