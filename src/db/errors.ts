import { QueryFailedError } from 'typeorm';

/** MySQL's and SQLite's words for "that unique key is taken". */
export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const code = (err.driverError as { code?: string } | undefined)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

/** The database could not be reached (down, restarting, out of connections): the caller should retry shortly. */
export function isDatabaseUnreachable(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string }; message?: string } | null;
  const code = e?.code ?? e?.driverError?.code;
  return (code !== undefined && UNREACHABLE.has(code)) || /connect ECONNREFUSED|Connection lost|Pool is closed|connection is in closed state/.test(e?.message ?? '');
}
