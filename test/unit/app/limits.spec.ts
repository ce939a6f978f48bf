import 'reflect-metadata';
import { GraphQLSchema, parse, validate } from 'graphql';
import { ALL_RULES, LIMITS } from '../../../src/app/execution/limits';
import { buildAppSchema } from '../../../src/app/schema';

/** Pages analysts actually ask for, at the largest page size, with every field. */
const GRADE_PAGE = `{ gradeDistributions(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
  ballotsCast entitledVoters excellent good average poor excellentVotes goodVotes averageVotes poorVotes session { id number title startsAt phase } } } } }`;
const RANKING_PAGE = `{ cadreRankings(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
  rank score speeches excellent good average poor cadre { id name position region { id name } } } } } }`;

const messages = (schema: GraphQLSchema, source: string) => validate(schema, parse(source), ALL_RULES).map((e) => e.message);

describe('request limits', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildAppSchema();
  });

  it.each([
    ['a page of 100 grade distributions', GRADE_PAGE],
    ['a page of 100 cadre rankings', RANKING_PAGE],
  ])('admit %s with every field', (_name, source) => {
    expect(messages(schema, source)).toEqual([]);
  });

  it('refuses a document whose cost is over the limit, though within depth, aliases and tokens', () => {
    const wide = (alias: string) => `${alias}: gradeDistributions(first: 100) { edges { node { session { id number title startsAt phase } ballotsCast entitledVoters excellent good average poor } } }`;
    const source = `{ ${['a', 'b', 'c', 'd'].map(wide).join(' ')} }`;
    expect(parse(source, { maxTokens: LIMITS.tokens })).toBeTruthy();
    const errors = messages(schema, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`Query Cost limit of ${LIMITS.cost} exceeded`));
  });
});
