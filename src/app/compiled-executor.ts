import { ApolloServerOptionsWithGateway, ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { DocumentNode, execute, ExecutionResult, GraphQLSchema, printSchema } from 'graphql';
import { CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { AppContext } from './context';

type Gateway = ApolloServerOptionsWithGateway<AppContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;
export type Compile = (schema: GraphQLSchema, document: DocumentNode, operationName?: string) => CompiledQuery | ExecutionResult;

/** The operation a request runs: its document (as Apollo parsed and validated it) and the variables. */
export interface Operation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | null;
  /** Undefined when the document names no such operation: graphql-js then says so. */
  kind: 'query' | 'mutation' | 'subscription' | undefined;
  variables: Record<string, unknown> | undefined;
  context: object;
}

/**
 * Runs queries compiled to JavaScript by graphql-jit, and completing a page of a hundred rows then takes a fraction of
 * graphql-js's time. A document is compiled on its second run (compiling costs about as much as validating): one
 * that comes once — a typo, a fuzzer, someone trying documents — runs on graphql-js and costs no compilation.
 * Mutations (serial, written once) run on graphql-js, and so does anything graphql-jit will not compile or refuses
 * before running. Compiled queries are kept per document object, which the server caches per distinct query text,
 * so they go when it evicts the document.
 */
export class CompiledQueries {
  /** Per document and operation name: how many times it ran uncompiled, or what compiling it gave. */
  private readonly seen = new WeakMap<DocumentNode, Map<string, number | CompiledQuery | ExecutionResult>>();

  private readonly compileFn: Compile;
  private readonly compileOnRun: number;

  constructor(options: { compileOnRun?: number; compile?: Compile } = {}) {
    this.compileFn = options.compile ?? compileQuery;
    this.compileOnRun = options.compileOnRun ?? 2;
  }

  async run(op: Operation): Promise<ExecutionResult> {
    if (op.kind !== 'query') return interpreted(op);
    const query = this.compiled(op);
    if (!query || !isCompiledQuery(query)) return interpreted(op);
    const result = await query.query(undefined, op.context, op.variables ?? {});
    // Refused before it ran (variables of the wrong type): graphql-js words the refusal the way clients know it.
    return result.data === undefined ? interpreted(op) : result;
  }

  /** The compiled query, or null while the document has not run often enough to be worth compiling. */
  private compiled(op: Operation): CompiledQuery | ExecutionResult | null {
    let byName = this.seen.get(op.document);
    if (!byName) {
      byName = new Map();
      this.seen.set(op.document, byName);
    }
    const key = op.operationName ?? '';
    const entry = byName.get(key) ?? 0;
    if (typeof entry !== 'number') return entry;
    if (entry + 1 < this.compileOnRun) {
      byName.set(key, entry + 1);
      return null;
    }
    const query = this.compileFn(op.schema, op.document, op.operationName ?? undefined);
    byName.set(key, query);
    return query;
  }
}

/** The operation on graphql-js itself. */
function interpreted(op: Operation): Promise<ExecutionResult> | ExecutionResult {
  return execute({ schema: op.schema, document: op.document, operationName: op.operationName, variableValues: op.variables, contextValue: op.context });
}

/**
 * Hands Apollo the compiled queries. Apollo takes another executor only in the shape of a gateway, and its gateway
 * adapter builds, for every request, an object literal with getters: V8 gives each such object a hidden class of its
 * own, in the old generation, which keeps the request's whole graph alive through young collections — collections
 * then copy it and take about three times as long, and that shows at the p99. So a query is answered by a plugin
 * (`responseForOperation`) when it ran without errors; the gateway runs the rest: mutations, documents without the
 * named operation, and the queries with errors, whose result the plugin leaves for it rather than running them twice,
 * so that Apollo formats and masks every error as before. Apollo still parses, validates, caches the documents and
 * runs the other plugins.
 */
export function compiledExecution(schema: GraphQLSchema, queries = new CompiledQueries()): { gateway: Gateway; plugin: ApolloServerPlugin<AppContext> } {
  /** Results with errors, per request context, waiting for the gateway to hand them to Apollo. */
  const withErrors = new WeakMap<object, ExecutionResult>();
  const run = (document: DocumentNode, request: { operationName?: string | null; variables?: Record<string, unknown> }, kind: Operation['kind'], context: object) =>
    // The name the client asked for (the resolved one is null when there is no such operation).
    queries.run({ schema, document, operationName: request.operationName ?? null, kind, variables: request.variables, context });

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
    return run(request.document, request.request, (request.operation as typeof request.operation | undefined)?.operation, request.context);
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
