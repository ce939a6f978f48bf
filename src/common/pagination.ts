import { ArgsType, ClassType, Field, Int, ObjectType } from 'type-graphql';
import { Max, Min } from 'class-validator';
import { BadUserInputError } from './errors';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ObjectType({ simpleResolvers: true, description: 'Relay page information.' })
export class PageInfo {
  @Field({ description: 'Whether another page follows this one.' })
  hasNextPage: boolean;

  @Field({ description: 'Whether a page precedes this one.' })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge of this page.' })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; pass it as `after` for the next page.' })
  endCursor: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number;

  @Field(() => String, { nullable: true, description: 'An `endCursor` from the previous page.' })
  after?: string;
}

export interface Edge<T> {
  node: T;
  cursor: string;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds the `XEdge` and `XConnection` object types for a node type, in the Relay shape the public contract fixes (docs/README.md). */
export function ConnectionType<T extends object>(node: ClassType<T>, description: string) {
  @ObjectType(`${node.name}Edge`, { simpleResolvers: true, description: `An edge to a ${node.name}.` })
  class EdgeType {
    @Field(() => node, { description: 'The item.' })
    node: T;

    @Field({ description: 'Opaque cursor of this item.' })
    cursor: string;
  }

  @ObjectType(`${node.name}Connection`, { simpleResolvers: true, description })
  class ConnectionClass {
    @Field(() => [EdgeType], { description: 'The items of this page, in order.' })
    edges: Edge<T>[];

    @Field(() => PageInfo, { description: 'Where this page stands.' })
    pageInfo: PageInfo;

    @Field(() => Int, { description: 'How many items match, over all pages.' })
    totalCount: number;
  }
  return ConnectionClass;
}

/** Cursors are opaque to clients but carry the sort key (a numeric id) so a page never skips or repeats a row. */
export function encodeCursor(kind: string, key: number): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string | undefined | null): number | null {
  if (cursor === undefined || cursor === null) return null;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const [prefix, key] = decoded.split(':');
  const n = /^(0|[1-9][0-9]{0,15})$/.test(key ?? '') ? Number(key) : NaN;
  if (prefix !== kind || !Number.isSafeInteger(n)) throw new BadUserInputError(`after: not a ${kind} cursor`, 'after');
  return n;
}

/** Turns rows fetched with `limit + 1` into a page: the extra row only tells whether a next page exists. */
export function toConnection<T>(
  rows: T[],
  limit: number,
  totalCount: number,
  hadCursor: boolean,
  cursorOf: (row: T) => string,
): Connection<T> {
  const page = rows.slice(0, limit);
  const edges = page.map((node) => ({ node, cursor: cursorOf(node) }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
