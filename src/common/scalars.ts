export { DateTimeISOResolver as DateTimeScalar, JSONResolver as JSONScalar } from 'graphql-scalars';
