import { randomUUID } from 'node:crypto';
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Principal } from '../auth/principal';
import { AppError } from '../common/errors';
import { CompiledQueries, compiledExecution } from './compiled-executor';
import type { AppContext } from './context';
import { guardOperation, LIMIT_RULES, LIMITS } from './limits';
import type { Logger } from '../common/logger';

export interface GraphqlHttpDeps {
  schema: GraphQLSchema;
  logger: Logger;
  production: boolean;
  mayIntrospect: (principal: Principal | null) => boolean;
  /** Further plugins: metrics, the HTTP drain, the landing page. */
  plugins?: ApolloServerPlugin<AppContext>[];
  /** On which run of a document its query is compiled (default 2; the tests compile on the first, to run them all compiled). */
  compileOnRun?: number;
}

/**
 * How GraphQL over HTTP executes: limits, error masking, CSRF prevention and the operation guard. Shared by the
 * server and the analytics bench, so that the bench times what the server runs.
 */
export function graphqlHttpOptions(deps: GraphqlHttpDeps): ApolloServerOptions<AppContext> {
  const { production, logger } = deps;
  const execution = compiledExecution(deps.schema, new CompiledQueries({ compileOnRun: deps.compileOnRun }));
  return {
    // Apollo parses, validates and runs the plugins. Queries run compiled (graphql-jit) and `execution.plugin` answers
    // them; the gateway takes mutations, unknown operations and results with errors (see compiled-executor.ts).
    gateway: execution.gateway,
    includeStacktraceInErrorResponses: !production,
    // Root fields are masked by the middleware; a nested field's unexpected error is masked here.
    formatError: (formatted, error) => maskNested(formatted, error, logger),
    hideSchemaDetailsFromClientErrors: production,
    validationRules: LIMIT_RULES,
    // GraphQL's own parser stops counting at the token limit: a huge document fails before it is even parsed whole.
    parseOptions: { maxTokens: LIMITS.tokens },
    csrfPrevention: true,
    // main.ts owns the signals: it stops the server, then closes the database, then exits.
    stopOnTerminationSignals: false,
    plugins: [
      // No cache hints are used; left on, Apollo would wrap every field of every row to collect them.
      ApolloServerPluginCacheControlDisabled(),
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ request, document, contextValue, operation }) {
              if (operation?.operation === 'subscription') {
                throw new GraphQLError('subscriptions are served over WebSocket at /graphql (graphql-transport-ws)', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
              }
              const refused = guardOperation(request.variables, document, contextValue, { production, mayIntrospect: (c) => deps.mayIntrospect(c.principal as Principal | null) });
              if (refused) throw refused;
              contextValue.deadline = Date.now() + LIMITS.operationMs;
            },
          };
        },
      },
      ...(deps.plugins ?? []),
      execution.plugin,
    ],
  };
}

function maskNested(formatted: GraphQLFormattedError, error: unknown, logger: Logger): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR' || original instanceof AppError) return formatted;
  const requestId = randomUUID();
  logger.error({ err: original, requestId, path: formatted.path }, 'unexpected error');
  return { ...formatted, message: `internal error (request ${requestId})`, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } };
}
