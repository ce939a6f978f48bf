import { createHash } from 'node:crypto';
import { DocumentNode, FieldNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, validate } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { REQUEST_CODES, withCode } from '../execution/errors';
import { ALL_RULES, parseLimited } from '../execution/limits';

export interface Validated {
  document: DocumentNode;
  errors: readonly GraphQLError[];
}

/**
 * Parse + validate once per distinct document: a crowd joining with the same subscription costs one of each. The
 * rules and the error codes are the HTTP endpoint's.
 */
export class DocumentCache {
  private readonly entries = new Map<string, Validated>();
  private newest: Validated | null = null;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly max = 500,
  ) {}

  get(query: string): Validated {
    const hit = this.entries.get(query);
    if (hit) {
      // Least recently used goes first; a crowd repeating the newest document needs no reordering.
      if (hit !== this.newest) {
        this.entries.delete(query);
        this.entries.set(query, hit);
        this.newest = hit;
      }
      return hit;
    }
    let entry: Validated;
    try {
      const document = parseLimited(query);
      const errors = validate(this.schema, document, ALL_RULES).map((e) => withCode(e, REQUEST_CODES.validation));
      entry = { document, errors };
    } catch (err) {
      const error = err instanceof GraphQLError ? err : new GraphQLError(String(err));
      entry = { document: { kind: 'Document', definitions: [] } as unknown as DocumentNode, errors: [withCode(error, REQUEST_CODES.parse)] };
    }
    this.entries.set(query, entry);
    this.newest = entry;
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}

const documentKeys = new WeakMap<DocumentNode, string>();
export function documentKey(document: DocumentNode): string {
  let key = documentKeys.get(document);
  if (!key) {
    key = createHash('sha1').update(JSON.stringify(document.loc?.source.body ?? document)).digest('base64url');
    documentKeys.set(document, key);
  }
  return key;
}

export function rootField(operation: OperationDefinitionNode): FieldNode | null {
  const first = operation.selectionSet.selections[0];
  return first?.kind === 'Field' ? first : null;
}

/** The room subscriptions' two arguments, coerced by graphql-js from literals, variables and defaults. */
export function roomArgs(schema: GraphQLSchema, field: FieldNode, variables: Record<string, unknown>): { sessionId: string; afterSeq: number | null } {
  const definition = schema.getSubscriptionType()!.getFields()[field.name.value];
  const args = getArgumentValues(definition, field, variables);
  const afterSeq = args.afterSeq;
  return { sessionId: String(args.sessionId ?? ''), afterSeq: afterSeq === null || afterSeq === undefined ? null : Number(afterSeq) };
}
