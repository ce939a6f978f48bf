import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  getNamedType,
  GraphQLArgument,
  GraphQLField,
  GraphQLInputType,
  GraphQLObjectType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
} from 'graphql';

export type RootName = 'Query' | 'Mutation' | 'Subscription';
export const ROOTS: readonly RootName[] = ['Query', 'Mutation', 'Subscription'];

/** The committed contract, parsed on its own: what outside clients see, independent of the code that emits it. */
export function committedSchema(): GraphQLSchema {
  return buildSchema(readFileSync(join(__dirname, '..', '..', 'schema.graphql'), 'utf8'));
}

export interface RootField {
  root: RootName;
  name: string;
  field: GraphQLField<unknown, unknown>;
}

/** Every root field of every root type, in schema order. */
export function rootFields(schema: GraphQLSchema): RootField[] {
  const types: Record<RootName, GraphQLObjectType | null | undefined> = {
    Query: schema.getQueryType(),
    Mutation: schema.getMutationType(),
    Subscription: schema.getSubscriptionType(),
  };
  return ROOTS.flatMap((root) => Object.values(types[root]?.getFields() ?? {}).map((field) => ({ root, name: field.name, field })));
}

/**
 * Ids of real rows to put into arguments, by argument name (`sessionId`, `claimId`, …). `id` is resolved through
 * the field (`approveTheme(id)` is a theme, `reviseClaim(id)` a claim); anything unknown gets "1".
 */
export type IdsByName = Readonly<Record<string, string>>;

const ID_OF_FIELD: Readonly<Record<string, string>> = {
  approveTheme: 'themeId',
  rejectTheme: 'themeId',
  reviseClaim: 'claimId',
  reviseCommitment: 'commitmentId',
  cadre: 'cadreId',
  session: 'sessionId',
};

/** Optional input fields worth filling because the input is invalid without them (AssignAuditInput needs one subject). */
const FILL_OPTIONAL: Readonly<Record<string, readonly string[]>> = {
  AssignAuditInput: ['claimId'],
  ReviseClaimInput: ['value'],
  ReviseCommitmentInput: ['target'],
};

/** Values that pass the inputs' validation where a generic one would not. */
const STRINGS: Readonly<Record<string, string>> = {
  username: 'matrix-user',
  password: 'matrix-password-long-enough',
  code: 'matrix-region',
  sha256: 'a'.repeat(64),
  receipt: 'not-a-receipt',
};
const INTS: Readonly<Record<string, number>> = { seconds: 30, allottedSeconds: 60, first: 5, afterSeq: 0 };
/** An instant after TEST_NOW and after the in-process server's start (for due dates and start times). */
export const FUTURE = '2099-06-01T01:00:00.000Z';
/** An instant before any clock these tests use (for as-of and capture dates, which may not be in the future). */
export const PAST = '2021-01-01T00:00:00.000Z';
const PAST_DATES = new Set(['asOf', 'capturedAt', 'from']);

export interface LiteralContext {
  ids: IdsByName;
  /** The root field whose argument this is, so `id` can be resolved. */
  field: string;
}

/** A GraphQL literal of the given input type that is syntactically valid and, where the name says enough, semantically valid. */
export function literalFor(type: GraphQLInputType, name: string, ctx: LiteralContext): string {
  if (isNonNullType(type)) return literalFor(type.ofType, name, ctx);
  if (isListType(type)) return `[${literalFor(type.ofType as GraphQLInputType, singular(name), ctx)}]`;
  if (isInputObjectType(type)) {
    const extra = FILL_OPTIONAL[type.name] ?? [];
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) || extra.includes(f.name));
    return `{ ${fields.map((f) => `${f.name}: ${literalFor(f.type, f.name, ctx)}`).join(', ')} }`;
  }
  if (isEnumType(type)) return type.getValues()[0].name;
  switch (type.name) {
    case 'ID': {
      const key = name === 'id' ? ID_OF_FIELD[ctx.field] ?? 'id' : name;
      return JSON.stringify(ctx.ids[key] ?? ctx.ids[`${key}s`] ?? '1');
    }
    case 'String':
      return JSON.stringify(STRINGS[name] ?? `matrix ${name}`);
    case 'Int':
      return String(INTS[name] ?? 1);
    case 'Float':
      return '1.5';
    case 'Boolean':
      return 'true';
    case 'DateTime':
      return JSON.stringify(PAST_DATES.has(name) ? PAST : FUTURE);
    case 'JSON':
      return '{}';
    default:
      return JSON.stringify('1');
  }
}

function singular(name: string): string {
  return name === 'userIds' ? 'userId' : name;
}

/** `__typename` for composite results (the least a selection can be), nothing for scalars and enums. */
export function minimalSelection(field: GraphQLField<unknown, unknown>): string {
  return isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
}

export function argumentList(args: readonly GraphQLArgument[], ctx: LiteralContext, all = false): string {
  const used = args.filter((a) => all || isNonNullType(a.type));
  return used.length ? `(${used.map((a) => `${a.name}: ${literalFor(a.type, a.name, ctx)}`).join(', ')})` : '';
}

/** `mutation { setLineup(sessionId: "4", entries: [{ cadreId: "2", allottedSeconds: 60 }]) { __typename } }` */
export function minimalOperation(rf: RootField, ids: IdsByName): string {
  const keyword = rf.root.toLowerCase();
  return `${keyword} { ${rf.name}${argumentList(rf.field.args, { ids, field: rf.name })}${minimalSelection(rf.field)} }`;
}
