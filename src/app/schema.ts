import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { validateOrReject, ValidationError, ValidatorOptions } from 'class-validator';
import { ArgumentValidationError, ContainerType, buildSchema } from 'type-graphql';
import { authorize } from '../auth/authorize.middleware';
import { DateTimeScalar } from '../common/scalars';
import { maskErrors } from './errors.middleware';
import { RESOLVERS } from './resolvers';
import type { Logger } from '../common/logger';

const NO_TOPICS = {
  publish(): never {
    throw new Error('topic-based subscriptions are not used: subscriptions read the room feed');
  },
  subscribe(): never {
    throw new Error('topic-based subscriptions are not used: subscriptions read the room feed');
  },
};

/** As type-graphql validates arguments by default (missing optional fields pass, plain objects are let through). */
const VALIDATION: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };
const validated = (value: unknown) => value !== null && typeof value === 'object';

/**
 * type-graphql's own argument check, with class-validator imported once: left to itself, type-graphql imports it
 * anew (module resolution and all) for every argument of every request.
 */
async function validateArgument(value: unknown): Promise<void> {
  try {
    if (Array.isArray(value)) await Promise.all(value.filter(validated).map((item: object) => validateOrReject(item, VALIDATION)));
    else if (validated(value)) await validateOrReject(value as object, VALIDATION);
  } catch (err) {
    throw new ArgumentValidationError(err as ValidationError[]);
  }
}

export interface SchemaDeps {
  container?: ContainerType;
  logger?: Logger;
}

/**
 * The schema as the server runs it; with no dependencies, the same shape for printing and contract tests.
 * The middlewares (access table, error masking, deadline) guard the root fields; object types are declared with
 * `simpleResolvers`, so nested fields — thousands in an analyst's table — resolve without the middleware stack.
 * Data-dependent checks on nested fields (attendee lists, results, audits) are made by their resolvers.
 */
export function buildAppSchema(deps: SchemaDeps = {}): Promise<GraphQLSchema> {
  const middlewares = deps.logger ? [maskErrors(deps.logger), authorize] : [authorize];
  return buildSchema({
    resolvers: [...RESOLVERS] as [Function, ...Function[]],
    container: deps.container,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    // Subscriptions bring their own `subscribe` (the room feed); type-graphql insists on a pubSub all the same.
    pubSub: NO_TOPICS,
    validateFn: validateArgument,
    globalMiddlewares: middlewares,
  });
}

/** The SDL committed as `schema.graphql`: sorted, so the file changes only when the API does. */
export function printAppSchema(schema: GraphQLSchema): string {
  return `# Generated from the code by \`npm run schema:emit\`; do not edit by hand.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}
