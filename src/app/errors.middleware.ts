import { GraphQLError } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import { AppError, ConflictError } from '../common/errors';
import type { AppContext } from './context';
import type { Logger } from '../common/logger';
import { isDatabaseUnreachable, isUniqueViolation } from '../db/errors';

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
      const field = `${info.parentType.name}.${info.fieldName}`;
      if (UNTIMED_FIELDS.has(field)) {
        logUntimed(() => logger.error({ err, field }, 'unexpected error'));
        throw new AppError('INTERNAL_SERVER_ERROR', 'internal error');
      }
      logger.error({ err, requestId: context.requestId, field }, 'unexpected error');
      throw new AppError('INTERNAL_SERVER_ERROR', `internal error (request ${context.requestId})`, { requestId: context.requestId });
    }
  };
}

/**
 * Fields whose requests leave no line in the log that could be paired with another by time or request id: an
 * anonymous ballot must not be placed beside the voter's token request (docs/blind-ballots.md). Their unexpected
 * errors are logged without request id, and only at the next full minute, so a line's time says nothing finer.
 */
const UNTIMED_FIELDS = new Set(['Mutation.castAnonymousBallot']);

function logUntimed(log: () => void): void {
  setTimeout(log, 60_000 - (Date.now() % 60_000)).unref();
}
