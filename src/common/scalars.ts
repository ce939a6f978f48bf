import { GraphQLScalarType } from 'graphql';
import { DateTimeISOResolver, JSONResolver } from 'graphql-scalars';

/**
 * The public contract (docs/README.md) names the instant scalar `DateTime`; graphql-scalars' ISO variant serialises to a string with
 * milliseconds (the countdown depends on them), so it is reused under the contract's name.
 */
export const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeISOResolver.toConfig(),
  name: 'DateTime',
  description: 'An instant as an ISO 8601 string in UTC with milliseconds, e.g. 2021-09-23T01:00:00.000Z.',
});

export const JSONScalar = JSONResolver;
