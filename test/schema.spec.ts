import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLObjectType, GraphQLSchema, isObjectType, OperationTypeNode } from 'graphql';
import { buildAppSchema, printAppSchema } from '../src/app/schema';
import { POLICY } from '../src/auth/policy';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildAppSchema();
});

describe('schema.graphql', () => {
  it('equals the schema emitted from the code (run `npm run schema:emit` after changing the API)', () => {
    const committed = readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8');
    expect(printAppSchema(schema)).toBe(committed);
  });

  it('describes every object type and every field', () => {
    const undocumented: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !isObjectType(type)) continue;
      const isRoot = ['Query', 'Mutation', 'Subscription'].includes(type.name);
      if (!type.description && !isRoot) undocumented.push(type.name);
      for (const field of Object.values((type as GraphQLObjectType).getFields())) {
        if (!field.description) undocumented.push(`${type.name}.${field.name}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});

describe('POLICY', () => {
  it('has an access rule for exactly the root fields of the schema', () => {
    for (const root of ['Query', 'Mutation', 'Subscription'] as const) {
      const fields = Object.keys(schema.getRootType(root.toLowerCase() as OperationTypeNode)?.getFields() ?? {}).sort();
      expect({ root, fields: Object.keys(POLICY[root]).sort() }).toEqual({ root, fields });
    }
  });

  it('lets a screen token call no mutation', () => {
    const screenMutations = Object.entries(POLICY.Mutation).filter(([, a]) => a === 'public' ? false : a.includes('screen'));
    expect(screenMutations).toEqual([]);
  });
});

describe('public contract names (docs/README.md)', () => {
  const fixed = {
    Query: ['me', 'regions', 'cadre', 'cadres', 'themes', 'session', 'sessions'],
    Mutation: ['login', 'issueScreenToken', 'createCadre', 'proposeTheme', 'approveTheme', 'scheduleSession', 'setLineup', 'registerAttendees'],
  };

  it.each(Object.entries(fixed))('%s has the fixed operations', (root, names) => {
    const type = root === 'Query' ? schema.getQueryType()! : schema.getMutationType()!;
    expect(names.filter((n) => !type.getFields()[n])).toEqual([]);
  });

  it('keeps the argument names of the fixed operations', () => {
    const args = (type: GraphQLObjectType, field: string) => type.getFields()[field].args.map((a) => `${a.name}: ${a.type}`).sort();
    const q = schema.getQueryType()!;
    const m = schema.getMutationType()!;
    expect(args(q, 'cadres')).toEqual(['after: String', 'first: Int', 'regionId: ID']);
    expect(args(q, 'sessions')).toEqual(['after: String', 'first: Int']);
    expect(args(m, 'login')).toEqual(['password: String!', 'username: String!']);
    expect(args(m, 'setLineup')).toEqual(['entries: [LineupEntryInput!]!', 'sessionId: ID!']);
    expect(args(m, 'registerAttendees')).toEqual(['sessionId: ID!', 'userIds: [ID!]!']);
    expect(args(m, 'issueScreenToken')).toEqual(['sessionId: ID!']);
  });
});
