import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError } from 'graphql';
import { compiledExecution } from './compiled-executor';
import type { AppContext } from './context';
import { Execution, type ExecutionOptions } from './execution/execution';
import { LIMIT_RULES, LIMITS } from './execution/limits';

export interface GraphqlHttpDeps extends ExecutionOptions {
  /** The execution the live socket shares; made from the options when absent (the analytics bench, the tests). */
  execution?: Execution;
  /** Further plugins: metrics, the HTTP drain, the landing page. */
  plugins?: ApolloServerPlugin<AppContext>[];
}

/**
 * GraphQL over HTTP: Apollo parses (with the token limit), validates (with the limit rules) and runs the plugins;
 * the shared execution (src/app/execution/) guards, runs and masks, as it does for the live socket. Shared by the
 * server and the analytics bench, so that the bench times what the server runs.
 */
export function graphqlHttpOptions(deps: GraphqlHttpDeps): ApolloServerOptions<AppContext> {
  const execution = deps.execution ?? new Execution(deps);
  const apolloExecution = compiledExecution(execution.schema, (request) => execution.run(request));
  return {
    // Queries run compiled (graphql-jit) and `apolloExecution.plugin` answers them; the gateway takes mutations,
    // unknown operations and results with errors (see compiled-executor.ts).
    gateway: apolloExecution.gateway,
    includeStacktraceInErrorResponses: !execution.production,
    // Root fields are masked by the middleware; a nested field's unexpected error is masked here.
    formatError: execution.formatError,
    hideSchemaDetailsFromClientErrors: execution.production,
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
              const refused = execution.guard(request.variables, document, contextValue.principal);
              if (refused) throw refused;
            },
          };
        },
      },
      ...(deps.plugins ?? []),
      apolloExecution.plugin,
    ],
  };
}
