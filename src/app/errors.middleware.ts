import { GraphQLError } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import { QueryFailedError } from 'typeorm';
import { AppError, ConflictError } from '../common/errors';
import type { AppContext } from './context';
import type { Logger } from './logger';

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

/**
 * Lets deliberate errors through and masks everything else as INTERNAL_SERVER_ERROR with the request id, logging
 * the real cause under that id. Runs for HTTP and WebSocket alike, since both execute through the schema.
 */
export function maskErrors(logger: Logger): MiddlewareFn<AppContext> {
  return async ({ context, info }, next) => {
    if (context.deadline !== undefined && Date.now() > context.deadline) {
      throw new AppError('TIMEOUT', `the operation ran out of time (request ${context.requestId})`, { requestId: context.requestId });
    }
    try {
      return await next();
    } catch (err) {
      if (err instanceof AppError || (err instanceof GraphQLError && err.extensions?.code)) throw err;
      if (isUniqueViolation(err)) throw new ConflictError('this was changed concurrently or already exists; reload and try again');
      if (isDatabaseUnreachable(err)) {
        logger.warn({ err, requestId: context.requestId }, 'database unreachable');
        throw new AppError('SERVICE_UNAVAILABLE', 'the database is unreachable; try again shortly', { requestId: context.requestId });
      }
      logger.error({ err, requestId: context.requestId, field: `${info.parentType.name}.${info.fieldName}` }, 'unexpected error');
      throw new AppError('INTERNAL_SERVER_ERROR', `internal error (request ${context.requestId})`, { requestId: context.requestId });
    }
  };
}
