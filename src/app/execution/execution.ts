import { DocumentNode, execute, ExecutionResult, GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Principal } from '../../auth/principal';
import type { Logger } from '../../common/logger';
import type { AppContext } from '../context';
import { CompiledQueries, type Operation } from './compiled-queries';
import { codedExecutionErrors, formatErrors, maskUnexpected, REQUEST_CODES, withCode } from './errors';
import { guardOperation, LIMITS } from './limits';

export interface ExecutionOptions {
  schema: GraphQLSchema;
  logger: Logger;
  production: boolean;
  /** Who may introspect in production (the explorer's analysts). */
  mayIntrospect: (principal: Principal | null) => boolean;
  /** On which run of a document its query is compiled (default 2; the tests compile on the first). */
  compileOnRun?: number;
}

/** One operation to run: what the transport parsed and validated, and whose context it runs in. */
export interface Request {
  document: DocumentNode;
  operationName: string | null;
  kind: Operation['kind'];
  variables: Record<string, unknown> | undefined;
  context: AppContext;
}

/**
 * How an operation runs, whichever transport brought it: the HTTP endpoint (through Apollo) and the live socket both
 * call this. It holds the guard (list variables, introspection in production), the deadline, the run (queries
 * compiled by graphql-jit once they repeat, everything else on graphql-js), and the error format: the same failing
 * operation gets the same `errors` on both.
 */
export class Execution {
  readonly schema: GraphQLSchema;
  readonly production: boolean;
  private readonly queries: CompiledQueries;
  /** Room payloads: the same few documents run for every event, so they are compiled on their first. */
  private readonly events = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();

  constructor(private readonly o: ExecutionOptions) {
    this.schema = o.schema;
    this.production = o.production;
    this.queries = new CompiledQueries({ compileOnRun: o.compileOnRun });
  }

  /** Refuses what the parser and validation rules cannot see; null when the operation may run. */
  guard(variables: unknown, document: DocumentNode, principal: Principal | null): GraphQLError | null {
    return guardOperation(variables, document, { principal }, { production: this.o.production, mayIntrospect: (c) => this.o.mayIntrospect(c.principal as Principal | null) });
  }

  /** Runs a query or mutation under the operation deadline; variable refusals carry BAD_USER_INPUT. */
  async run(request: Request): Promise<ExecutionResult> {
    request.context.deadline = Date.now() + LIMITS.operationMs;
    const result = await this.queries.run({ schema: this.schema, document: request.document, operationName: request.operationName, kind: request.kind, variables: request.variables, context: request.context });
    if (!result.errors?.length) return result;
    // No such operation in the document (graphql-js says why): the request, not the data, is wrong.
    if (request.kind === undefined) return { ...result, errors: result.errors.map((e) => withCode(e, REQUEST_CODES.operation)) };
    return { ...result, errors: codedExecutionErrors(result.errors) };
  }

  /**
   * One room payload: the subscription's selection over a state or event, compiled by graphql-jit (once per
   * document) when it compiles, else on graphql-js. Variables are already coerced by the caller.
   */
  async runEvent(document: DocumentNode, operationName: string | null, root: unknown, variables: Record<string, unknown>, context: AppContext): Promise<ExecutionResult> {
    const compiled = this.compiledEvent(document, operationName);
    if (compiled) return compiled.query(root, context, variables);
    return execute({ schema: this.schema, document, rootValue: root, variableValues: variables, operationName, contextValue: context });
  }

  /** Errors as a client gets them over HTTP: coded, masked when unexpected, the stack outside production only. */
  format(errors: readonly unknown[]): GraphQLFormattedError[] {
    return formatErrors(errors, { production: this.o.production, logger: this.o.logger });
  }

  /** A result as JSON text, its errors formatted as `format` does. */
  serialize(result: ExecutionResult): string {
    return JSON.stringify(result.errors?.length ? { ...result, errors: this.format(result.errors) } : result);
  }

  /** Apollo's `formatError`: Apollo has coded and normalised the error; what is left is masking the unexpected. */
  readonly formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => maskUnexpected(formatted, error, this.o.logger);

  private compiledEvent(document: DocumentNode, operationName: string | null): CompiledQuery | null {
    let byName = this.events.get(document);
    if (!byName) {
      byName = new Map();
      this.events.set(document, byName);
    }
    const key = operationName ?? '';
    let compiled = byName.get(key);
    if (compiled === undefined) {
      const made = compileQuery(this.schema, document, operationName ?? undefined);
      compiled = isCompiledQuery(made) ? made : null;
      byName.set(key, compiled);
    }
    return compiled;
  }
}
