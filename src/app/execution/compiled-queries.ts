import { DocumentNode, execute, ExecutionResult, GraphQLSchema } from 'graphql';
import { CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

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
