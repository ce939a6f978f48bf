import WebSocket from 'ws';
import { RunningServer, startServer } from '../../src/app/server';
import { User } from '../../src/auth/user.entity';
import { ManualClock } from '../../src/common/clock';
import { createLogger } from '../../src/common/logger';
import { loadConfig } from '../../src/config/config';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/data-source';
import { seedDemoWorld } from '../../src/modules/demo/demo-seed';

interface Wire {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** One operation over graphql-transport-ws on a raw socket: the errors it ends with, from `error` or from `next`. */
async function overSocket(url: string, token: string | null, op: Wire): Promise<any[]> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  try {
    return await new Promise<any[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${op.query}`)), 5000);
      let errors: any[] = [];
      ws.on('message', (raw) => {
        const m = JSON.parse(String(raw));
        if (m.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: op }));
        else if (m.type === 'error') {
          clearTimeout(timer);
          resolve(m.payload);
        } else if (m.type === 'next') errors = m.payload.errors ?? [];
        else if (m.type === 'complete') {
          clearTimeout(timer);
          resolve(errors);
        }
      });
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} })));
    });
  } finally {
    ws.close();
  }
}

async function overHttp(url: string, token: string | null, op: Wire): Promise<any[]> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(op),
  });
  return ((await res.json()) as { errors?: any[] }).errors ?? [];
}

/** What a client reads of an error; the stack (outside production) is checked for presence, not compared. */
const readable = (errors: any[]) =>
  errors.map(({ message, path, extensions: { stacktrace, ...extensions } }) => ({ message, path, extensions, stack: Array.isArray(stacktrace) }));

/** Nine levels deep (the limit is seven): a session's speeches' session's speeches … */
const TOO_DEEP = '{ sessions(first: 1) { edges { node { speeches { session { speeches { session { speeches { id } } } } } } } } }';

describe.each<[string, Record<string, string>]>([
  ['development', {}],
  ['production', { NODE_ENV: 'production' }],
])('the same failing operation over HTTP and WebSocket [%s]', (_mode, env) => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', PORT: '0', LOG_LEVEL: 'silent', JWT_SECRET: 'x'.repeat(40), ...env });
    const ds = await createDataSource(config.database, { entities: ENTITIES }).initialize();
    const clock = new ManualClock(Date.now());
    await seedDemoWorld(ds, clock, 'leitai-demo');
    server = await startServer({ config, ds, clock, logger: createLogger('silent') });
    for (const username of ['voter01', 'admin']) tokens[username] = await server.services.tokens.signUser(await ds.getRepository(User).findOneByOrFail({ username }));
  });
  afterAll(() => server.stop());

  const cases: [string, string | null, Wire, string][] = [
    ['a syntax error', 'voter01', { query: '{ sessions(' }, 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', 'voter01', { query: '{ nope }' }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a document past the depth limit', 'voter01', { query: TOO_DEEP }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a variable of the wrong type', 'voter01', { query: 'query($s: ID!) { session(id: $s) { id } }', variables: { s: { not: 'an id' } } }, 'BAD_USER_INPUT'],
    ['a missing required variable', 'voter01', { query: 'query($s: ID!) { session(id: $s) { id } }' }, 'BAD_USER_INPUT'],
    [
      'a list variable past the limit',
      'admin',
      { query: 'mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { id } }', variables: { s: '1', e: Array.from({ length: 101 }, (_, i) => ({ cadreId: String(i + 1), allottedSeconds: 300 })) } },
      'BAD_USER_INPUT',
    ],
    ['an operation the document does not hold', 'voter01', { query: 'query A { themes { id } }', operationName: 'B' }, 'OPERATION_RESOLUTION_FAILURE'],
    ['a field without the role', 'voter01', { query: '{ users(first: 5) { totalCount } }' }, 'FORBIDDEN'],
    ['a field without a token', null, { query: '{ users(first: 5) { totalCount } }' }, 'UNAUTHENTICATED'],
    ['an id that names nothing', 'admin', { query: '{ cadreDossier(cadreId: "999999") { cadre { id } } }' }, 'NOT_FOUND'],
    ['a mutation with invalid input', 'admin', { query: 'mutation { createRegion(input: { code: "Not A Code", name: "区", nameEn: "R" }) { id } }' }, 'BAD_USER_INPUT'],
  ];

  it.each(cases)('%s', async (_name, who, op, code) => {
    const token = who ? tokens[who] : null;
    const http = readable(await overHttp(server.url, token, op));
    const socket = readable(await overSocket(server.url, token, op));
    expect(http.length).toBeGreaterThan(0);
    expect(http[0].extensions.code).toBe(code);
    expect(socket).toEqual(http);
    // The stack goes out only outside production, on both.
    expect(http.every((e) => e.stack === (env.NODE_ENV !== 'production'))).toBe(true);
  });
});
