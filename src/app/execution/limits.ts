import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { DocumentNode, GraphQLError, Kind, parse, ValidationContext, ValidationRule, specifiedRules } from 'graphql';

/** The request limits, the same over HTTP and over WebSocket. */
export const LIMITS = Object.freeze({
  depth: 7,
  aliases: 15,
  directives: 10,
  tokens: 1000,
  // graphql-armor's cost: 1 per scalar, 2 per object, ×1.5 per level. The widest page an analyst asks for (100 grade
  // distributions with every field) costs about 7,400; a document of a thousand tokens can reach ~17,000.
  cost: 10_000,
  listItems: 100,
  bodyBytes: 100 * 1024,
  operationMs: 5000,
});

/** Fields that must appear at most once in a document: each is a password check or a ballot. */
const ONCE_PER_DOCUMENT = new Set(['login', 'castBallot']);

/** At most one `login` or `castBallot` per document, however aliased: no brute force or ballot stuffing in one request. */
export const oncePerDocumentRule: ValidationRule = (context: ValidationContext) => {
  const seen = new Map<string, number>();
  return {
    Field(node) {
      const name = node.name.value;
      if (!ONCE_PER_DOCUMENT.has(name) || context.getParentType()?.name !== 'Mutation') return;
      const count = (seen.get(name) ?? 0) + 1;
      seen.set(name, count);
      if (count === 2) context.reportError(new GraphQLError(`${name} may appear once per request`, { nodes: [node] }));
    },
  };
};

/** List literals in a document hold at most LIMITS.listItems items (list variables are checked with the variables). */
export const listLengthRule: ValidationRule = (context: ValidationContext) => ({
  ListValue(node) {
    if (node.values.length > LIMITS.listItems) {
      context.reportError(new GraphQLError(`a list argument holds at most ${LIMITS.listItems} items`, { nodes: [node] }));
    }
  },
});

/** graphql-armor throws by default; reported as validation errors instead, they answer 400 like any other. */
const REPORT = {
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

/** The maintained rule set (graphql-armor) plus ours, appended to GraphQL's own rules. */
export const LIMIT_RULES: ValidationRule[] = [
  maxDepthRule({ n: LIMITS.depth, ...REPORT }) as unknown as ValidationRule,
  maxAliasesRule({ n: LIMITS.aliases, ...REPORT }) as unknown as ValidationRule,
  maxDirectivesRule({ n: LIMITS.directives, ...REPORT }) as unknown as ValidationRule,
  costLimitRule({ maxCost: LIMITS.cost, ...REPORT }) as unknown as ValidationRule,
  oncePerDocumentRule,
  listLengthRule,
];

export const ALL_RULES: readonly ValidationRule[] = [...specifiedRules, ...LIMIT_RULES];

/** Parses with GraphQL's own token limit: a document of more than LIMITS.tokens tokens is refused. */
export function parseLimited(source: string): DocumentNode {
  return parse(source, { maxTokens: LIMITS.tokens });
}

/** Refuses variables holding a list longer than LIMITS.listItems, anywhere inside them. */
export function checkVariables(variables: unknown): GraphQLError | null {
  const walk = (v: unknown, depth: number): boolean => {
    if (depth > 20) return false;
    if (Array.isArray(v)) return v.length <= LIMITS.listItems && v.every((x) => walk(x, depth + 1));
    if (v && typeof v === 'object') return Object.values(v).every((x) => walk(x, depth + 1));
    return true;
  };
  return walk(variables, 0) ? null : new GraphQLError(`a list variable holds at most ${LIMITS.listItems} items`, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Documents already looked at: the servers keep a parsed document per distinct query and hand out the same object. */
const introspecting = new WeakMap<DocumentNode, boolean>();

/** Whether a document asks about the schema itself (introspection). */
export function isIntrospection(document: DocumentNode): boolean {
  let found = introspecting.get(document);
  if (found === undefined) {
    found = asksAboutSchema(document);
    introspecting.set(document, found);
  }
  return found;
}

function asksAboutSchema(document: DocumentNode): boolean {
  let found = false;
  const visit = (node: any): void => {
    if (found || !node || typeof node !== 'object') return;
    if (node.kind === Kind.FIELD && (node.name.value === '__schema' || node.name.value === '__type')) {
      found = true;
      return;
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object' && 'kind' in value) visit(value);
    }
  };
  document.definitions.forEach(visit);
  return found;
}

/** What a request may do before and while it runs; the same checks the WebSocket server makes. */
export interface RequestGuardOptions {
  production: boolean;
  /** Whether this principal may introspect in production (the explorer's analysts). */
  mayIntrospect: (context: { principal: { roles: readonly string[] } | null }) => boolean;
}

function refused(message: string, code: string, status: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

/** Checks one operation's variables and document against the limits the parser and rules do not see; null when it may run. */
export function guardOperation(
  variables: unknown,
  document: DocumentNode,
  context: { principal: { roles: readonly string[] } | null },
  options: RequestGuardOptions,
): GraphQLError | null {
  const listError = checkVariables(variables);
  if (listError) return refused(listError.message, 'BAD_USER_INPUT', 400);
  if (options.production && isIntrospection(document) && !options.mayIntrospect(context)) {
    return refused('introspection is off in production (signed-in analysts may use /explorer)', 'FORBIDDEN', 403);
  }
  return null;
}
