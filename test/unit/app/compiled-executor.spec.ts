import 'reflect-metadata';
import { buildSchema, execute, GraphQLError, GraphQLObjectType, parse, print } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { ApolloServer } from '@apollo/server';
import { compiledExecution } from '../../../src/app/compiled-executor';
import { CompiledQueries, Operation } from '../../../src/app/execution/compiled-queries';
import { buildAppSchema } from '../../../src/app/schema';
import { minimalOperation, rootFields } from '../../helpers/schema-operations';

/** A schema with what the API uses: lists of objects, nullable items, enums, custom errors, arguments, a mutation. */
const schema = buildSchema(`
  enum Grade { EXCELLENT GOOD }
  type Row { id: ID! score: Float grade: Grade! tags: [Int]! failing: String }
  type Query { rows(first: Int!): [Row!]! refused: String }
  type Mutation { add(n: Int!): Int! }
`);
const fields = (type: string) => (schema.getType(type) as GraphQLObjectType).getFields();
fields('Query').rows.resolve = (_root, { first }: { first: number }) =>
  Array.from({ length: first }, (_v, i) => ({ id: i + 1, score: i % 3 === 0 ? null : i / 7, grade: i % 2 ? 'GOOD' : 'EXCELLENT', tags: [i, null, i * 2] }));
let refusals = 0;
fields('Query').refused.resolve = () => {
  refusals++;
  throw new GraphQLError('not for you', { extensions: { code: 'FORBIDDEN' } });
};
fields('Row').failing.resolve = (row: { id: number }) => (row.id === 2 ? Promise.reject(new Error('boom')) : `ok ${row.id}`);
fields('Mutation').add.resolve = (_root, { n }: { n: number }, context: { log: number[] }) => {
  context.log.push(n);
  return context.log.length;
};

const op = (source: string, variables?: Record<string, unknown>, context: object = {}): Operation => {
  const document = parse(source);
  const definition = document.definitions[0] as { operation: Operation['kind'] };
  return { schema, document, operationName: null, kind: definition.operation, variables, context };
};

/** What graphql-js itself answers, as a client sees it (JSON). */
async function reference(o: Operation) {
  return JSON.parse(JSON.stringify(await execute({ schema, document: o.document, variableValues: o.variables, contextValue: o.context })));
}

describe('compiled queries', () => {
  // Compiled on the first run, and compiled for sure: every case below is answered by a compiled query.
  const queries = new CompiledQueries({
    compileOnRun: 1,
    compile: (s, document, name) => {
      const query = compileQuery(s, document, name);
      if (!isCompiledQuery(query)) throw new Error(`not compiled: ${JSON.stringify(query)}`);
      return query;
    },
  });

  it.each([
    ['a list with nullable fields, enums and scalar lists', 'query($n: Int!) { rows(first: $n) { id score grade tags } }', { n: 5 }],
    ['a field error inside a list item, with its path', '{ rows(first: 3) { id failing } }', undefined],
    ['an error with an extension code, next to data', '{ refused rows(first: 1) { id } }', undefined],
    ['a variable of the wrong type', 'query($n: Int!) { rows(first: $n) { id } }', { n: 'three' }],
    ['a missing required variable', 'query($n: Int!) { rows(first: $n) { id } }', {}],
    ['an Int variable out of range', 'query($n: Int!) { rows(first: $n) { id } }', { n: 2147483648 }],
  ])('answers %s exactly as graphql-js does', async (_name, source, variables) => {
    const o = op(source, variables);
    const ours = JSON.parse(JSON.stringify(await queries.run(o)));
    expect(ours).toEqual(await reference(o));
    expect(ours.data !== undefined || ours.errors?.length).toBeTruthy();
  });

  it('compiles a document on its second run, once, and still reads each request’s variables', async () => {
    const compiled: string[] = [];
    const counting = new CompiledQueries({
      compile: (s, document, name) => {
        compiled.push(print(document));
        return compileQuery(s, document, name);
      },
    });
    const o = op('query($n: Int!) { rows(first: $n) { id } }');
    const rows = async (n: number) => ((await counting.run({ ...o, variables: { n } })) as { data: { rows: unknown[] } }).data.rows;
    expect(await rows(1)).toHaveLength(1);
    expect(compiled).toHaveLength(0);
    expect(await rows(2)).toHaveLength(2);
    expect(await rows(4)).toHaveLength(4);
    expect(compiled).toHaveLength(1);
    await counting.run(op('{ rows(first: 1) { grade } }'));
    expect(compiled).toHaveLength(1);
  });

  it('leaves a document without the named operation to graphql-js to refuse', async () => {
    const o = { ...op('query A { refused }'), operationName: 'B', kind: undefined };
    expect(JSON.parse(JSON.stringify(await queries.run(o)))).toEqual({ errors: [{ message: 'Unknown operation named "B".' }] });
  });

  it('runs mutations on graphql-js, one field after another', async () => {
    const context = { log: [] as number[] };
    const result = await queries.run(op('mutation { a: add(n: 1) b: add(n: 2) c: add(n: 3) }', undefined, context));
    expect(result).toEqual({ data: { a: 1, b: 2, c: 3 } });
    expect(context.log).toEqual([1, 2, 3]);
  });
});

describe('compiled queries in Apollo', () => {
  const runs: Operation['kind'][] = [];
  class Counting extends CompiledQueries {
    override run(o: Operation) {
      runs.push(o.kind);
      return super.run(o);
    }
  }
  const counting = new Counting({ compileOnRun: 1 });
  const execution = compiledExecution(schema, (r) => counting.run({ ...r, schema }));
  const apollo = new ApolloServer({ gateway: execution.gateway, plugins: [execution.plugin] });
  const send = async (query: string, variables?: Record<string, unknown>, operationName?: string) => {
    const res = await apollo.executeOperation({ query, variables, operationName }, { contextValue: { log: [] } as never });
    return { status: res.http.status, body: JSON.parse(JSON.stringify(res.body.kind === 'single' ? res.body.singleResult : null)) };
  };
  beforeAll(() => apollo.start());
  afterAll(() => apollo.stop());
  beforeEach(() => {
    runs.length = 0;
    refusals = 0;
  });

  it('answers a query once, compiled', async () => {
    expect(await send('{ rows(first: 2) { id grade } }')).toEqual({ status: undefined, body: { data: { rows: [{ id: '1', grade: 'EXCELLENT' }, { id: '2', grade: 'GOOD' }] } } });
    expect(runs).toEqual(['query']);
  });

  it('runs a query with an error once, and Apollo formats the error as usual', async () => {
    const { body } = await send('{ refused rows(first: 1) { id } }');
    expect(body.data).toEqual({ refused: null, rows: [{ id: '1' }] });
    expect(body.errors).toEqual([expect.objectContaining({ message: 'not for you', path: ['refused'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
    expect(refusals).toBe(1);
    expect(runs).toEqual(['query']);
  });

  it('answers variables of the wrong type with 400 and BAD_USER_INPUT, as Apollo does', async () => {
    const { status, body } = await send('query($n: Int!) { rows(first: $n) { id } }', { n: 'three' });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('leaves mutations and unknown operations to the gateway, on graphql-js', async () => {
    expect((await send('mutation { add(n: 5) }')).body).toEqual({ data: { add: 1 } });
    expect((await send('query A { refused }', undefined, 'B')).body.errors[0].message).toBe('Unknown operation named "B".');
    expect(runs).toEqual(['mutation', undefined]);
  });
});

describe('the API’s queries', () => {
  it('all compile (none falls back to graphql-js for want of compiling)', async () => {
    const schema = await buildAppSchema();
    const queries = rootFields(schema).filter((rf) => rf.root === 'Query');
    expect(queries.length).toBeGreaterThan(20);
    const refused = queries
      .map((rf) => ({ name: rf.name, compiled: compileQuery(schema, parse(minimalOperation(rf, {}))) }))
      .filter(({ compiled }) => !isCompiledQuery(compiled))
      .map(({ name, compiled }) => `${name}: ${JSON.stringify(compiled)}`);
    expect(refused).toEqual([]);
  });
});
