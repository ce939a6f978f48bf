import { randomUUID } from 'node:crypto';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError, Kind } from 'graphql';
import { AppError } from '../../common/errors';
import type { Logger } from '../../common/logger';

/**
 * The codes a refused operation carries before any resolver runs. They are Apollo's (a client of the HTTP endpoint
 * sees them first), and the live socket uses the same, so one failing operation reads the same on either transport.
 */
export const REQUEST_CODES = Object.freeze({
  parse: 'GRAPHQL_PARSE_FAILED',
  validation: 'GRAPHQL_VALIDATION_FAILED',
  variables: 'BAD_USER_INPUT',
  operation: 'OPERATION_RESOLUTION_FAILURE',
});

/** An error that failed a phase of the request, with that phase's code unless it has a code of its own. */
export function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code },
  });
}

/** graphql-js's refusal of a variable's value (as Apollo recognises it): the client's input is wrong. */
export function isVariableRefusal(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : null;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const name = `Variable "$${node.variable.name.value}"`;
  return [' has invalid value', ' got invalid value ', ' of required type ', ' of non-null type '].some((tail) => error.message.startsWith(name + tail));
}

/** An execution's errors with the request codes added where graphql-js gives none. */
export function codedExecutionErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((e) => (isVariableRefusal(e) ? withCode(e, REQUEST_CODES.variables) : e));
}

/**
 * An unexpected error below the root field (the resolvers' middleware masks root fields) is masked here: the
 * client gets the request id, the log gets the cause.
 */
export function maskUnexpected(formatted: GraphQLFormattedError, error: unknown, logger: Logger): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR' || original instanceof AppError) return formatted;
  const requestId = randomUUID();
  logger.error({ err: original, requestId, path: formatted.path }, 'unexpected error');
  return { ...formatted, message: `internal error (request ${requestId})`, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } };
}

/**
 * Formats errors as the HTTP endpoint does (Apollo's normalisation, then `maskUnexpected`): a code on every error
 * (INTERNAL_SERVER_ERROR when none), the transport's `http` hints removed, the stack only outside production.
 */
export function formatErrors(errors: readonly unknown[], options: { production: boolean; logger: Logger }): GraphQLFormattedError[] {
  return errors.map((raw) => {
    const error = raw instanceof GraphQLError ? raw : new GraphQLError(raw instanceof Error ? raw.message : String(raw), { originalError: raw instanceof Error ? raw : undefined });
    const { http: _transport, ...extensions } = { ...error.extensions, code: error.extensions?.code ?? 'INTERNAL_SERVER_ERROR' } as Record<string, unknown>;
    if (!options.production) extensions.stacktrace = error.stack?.split('\n');
    return maskUnexpected({ ...error.toJSON(), extensions }, error, options.logger);
  });
}
