import { ApolloServerOptionsWithGateway, ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { DocumentNode, ExecutionResult, GraphQLSchema, printSchema } from 'graphql';
import type { AppContext } from './context';
import type { Request } from './execution/execution';

type Gateway = ApolloServerOptionsWithGateway<AppContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;
/**
 * Hands Apollo the shared execution (src/app/execution/), whose queries run compiled. Apollo takes another executor only in the shape of a gateway, and its gateway
 * adapter builds, for every request, an object literal with getters: V8 gives each such object a hidden class of its
 * own, in the old generation, which keeps the request's whole graph alive through young collections — collections
 * then copy it and take about three times as long, and that shows at the p99. So a query is answered by a plugin
 * (`responseForOperation`) when it ran without errors; the gateway runs the rest: mutations, documents without the
 * named operation, and the queries with errors, whose result the plugin leaves for it rather than running them twice,
 * so that Apollo formats and masks every error as before. Apollo still parses, validates, caches the documents and
 * runs the other plugins.
 */
export function compiledExecution(schema: GraphQLSchema, execute: (request: Request) => Promise<ExecutionResult>): { gateway: Gateway; plugin: ApolloServerPlugin<AppContext> } {
  /** Results with errors, per request context, waiting for the gateway to hand them to Apollo. */
  const withErrors = new WeakMap<object, ExecutionResult>();
  const run = (document: DocumentNode, request: { operationName?: string | null; variables?: Record<string, unknown> }, kind: Request['kind'], context: AppContext) =>
    // The name the client asked for (the resolved one is null when there is no such operation).
    execute({ document, operationName: request.operationName ?? null, kind, variables: request.variables, context });

  const plugin: ApolloServerPlugin<AppContext> = {
    async requestDidStart() {
      return {
        async responseForOperation({ document, operation, request, contextValue }) {
          if (operation?.operation !== 'query') return null;
          const result = await run(document, request, 'query', contextValue);
          if (result.errors?.length) {
            withErrors.set(contextValue, result);
            return null;
          }
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: result } };
        },
      };
    },
  };

  const executor: Executor = async (request) => {
    const settled = withErrors.get(request.context);
    if (settled) {
      withErrors.delete(request.context);
      return settled;
    }
    // Apollo hands over a document even when it found no operation in it, for the executor to refuse.
    return run(request.document, request.request, (request.operation as typeof request.operation | undefined)?.operation, request.context as AppContext);
  };
  const gateway: Gateway = {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
  return { gateway, plugin };
}
