import WebSocket from 'ws';
import { createLogger } from '../../src/common/logger';
import { RunningServer, startServer } from '../../src/app/server';
import { createFirstAdmin } from '../../src/auth/first-admin';
import { User } from '../../src/auth/user.entity';
import { ManualClock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/config';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/data-source';
import { seedDemoWorld } from '../../src/modules/demo/demo-seed';
import { postGraphQL, startServerProcess, subscribe, wsClient } from '../helpers/server-process';

/** A server in this process on SQLite in memory, with the demo world. */
async function serve(env: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', PORT: '0', LOG_LEVEL: 'silent', JWT_SECRET: 'h'.repeat(40), ...env });
  const ds = await createDataSource(config.database, { entities: ENTITIES }).initialize();
  const clock = new ManualClock(Date.now());
  await seedDemoWorld(ds, clock, 'leitai-demo');
  return startServer({ config, ds, clock, logger: createLogger('silent') });
}

const tokenOf = async (server: RunningServer, username: string) =>
  server.services.tokens.signUser(await server.services.ds.getRepository(User).findOneByOrFail({ username }));

/** Opens a raw socket speaking graphql-transport-ws and collects what the server sends and how it closes. */
function rawSocket(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
  const messages: any[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  ws.on('message', (m) => messages.push(JSON.parse(String(m))));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  /** Sends connection_init and waits for the ack (or for the socket to close). */
  const init = async (payload?: Record<string, unknown>) => {
    ws.send(JSON.stringify({ type: 'connection_init', ...(payload ? { payload } : {}) }));
    let open = true;
    void closed.then(() => (open = false));
    for (let i = 0; i < 150 && open && !messages.some((m) => m.type === 'connection_ack'); i++) await new Promise((r) => setTimeout(r, 20));
  };
  return { ws, messages, closed, opened, init };
}

describe('request limits, the same over HTTP and WebSocket', () => {
  let server: RunningServer;
  let admin: string;
  beforeAll(async () => {
    server = await serve();
    admin = await tokenOf(server, 'admin');
  });
  afterAll(() => server.stop());

  const deep = `{ sessions { edges { node { speeches { session { speeches { session { speeches { id } } } } } } } } }`;
  const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
  const twoLogins = `mutation { a: login(username: "x", password: "y") { token } b: login(username: "x", password: "z") { token } }`;
  const manyTokens = `{ ${Array.from({ length: 1100 }, () => '__typename').join(' ')} }`;

  it.each([
    ['depth over 7', deep, /depth/i],
    ['more than 15 aliases', aliases, /aliases/i],
    ['two logins in one document', twoLogins, /login may appear once/],
    ['more than 1,000 tokens', manyTokens, /token/i],
    ['a list literal of 101 items', `mutation { registerAttendees(sessionId: "1", userIds: [${Array.from({ length: 101 }, (_, i) => `"${i + 1}"`).join(',')}]) { id } }`, /at most 100 items/],
  ])('refuses %s over HTTP and over WebSocket', async (_what, query, message) => {
    const http = await postGraphQL(server.url, query, {}, admin);
    expect(http.body.errors?.[0]?.message).toMatch(message);
    expect(http.body.data ?? null).toBeNull();
    const client = wsClient(server.url, admin);
    try {
      const sub = subscribe(client, query);
      await expect(sub.next(2000)).rejects.toThrow(message);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a list variable of 101 items', async () => {
    const res = await postGraphQL(server.url, `mutation($u: [ID!]!) { registerAttendees(sessionId: "1", userIds: $u) { id } }`, { u: Array.from({ length: 101 }, (_, i) => String(i + 1)) }, admin);
    expect(res.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('answers a body over 100 kB with 413 and batched requests with 400', async () => {
    const big = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ me { id } }`, variables: { pad: 'x'.repeat(110 * 1024) } }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const batch = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]) });
    expect(batch.status).toBe(400);
  });

  it('exposes Prometheus metrics', async () => {
    await postGraphQL(server.url, `{ regions { id } }`, {}, admin);
    const text = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    for (const name of ['leitai_graphql_requests_total', 'leitai_graphql_errors_total', 'leitai_ws_sockets', 'leitai_ws_subscriptions', 'leitai_fanout_executions', 'leitai_nodejs_eventloop_lag_seconds']) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/leitai_graphql_requests_total\{type="query"\} [1-9]/);
  });
});

describe('sign-in limits', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve();
  });
  afterAll(() => server.stop());
  const login = (u: string, p: string) => postGraphQL(server.url, `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u, p });

  it('slows one address after 5 failures on one account, even with the right password, and not other addresses', async () => {
    for (let i = 0; i < 5; i++) expect((await login('voter05', 'wrong-password')).body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    const refused = (await login('voter05', 'leitai-demo')).body.errors![0];
    expect(refused.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect(refused.message).toMatch(/personal sign-in link/);
    const elsewhere = await server.services.accounts.login('voter05', 'leitai-demo', { ip: '10.0.0.77', requestId: null });
    expect(elsewhere.user.username).toBe('voter05');
    (server.services.clock as ManualClock).advance(31_000);
    expect((await login('voter05', 'leitai-demo')).body.errors).toBeUndefined();
  });

  it('never locks an account: after 100 failures from ten addresses the owner gets in, and unlockAccount clears every count', async () => {
    const clock = server.services.clock as ManualClock;
    for (let i = 0; i < 100; i++) {
      if (i % 20 === 0) clock.advance(31_000);
      await server.services.accounts.login('voter06', 'wrong-password', { ip: `10.0.1.${i % 10}`, requestId: null }).catch(() => undefined);
    }
    clock.advance(31_000);
    expect((await login('voter06', 'leitai-demo')).body.errors).toBeUndefined();
    for (let i = 0; i < 3; i++) await server.services.accounts.login('voter06', 'wrong-password', { ip: '10.0.1.3', requestId: null }).catch(() => undefined);
    await expect(server.services.accounts.login('voter06', 'leitai-demo', { ip: '10.0.1.3', requestId: null })).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    const admin = await tokenOf(server, 'admin');
    expect((await postGraphQL(server.url, `mutation { unlockAccount(username: "voter06") }`, {}, admin)).body.data.unlockAccount).toBe(true);
    expect((await server.services.accounts.login('voter06', 'leitai-demo', { ip: '10.0.1.3', requestId: null })).user.username).toBe('voter06');
  }, 180_000);
});

describe('WebSocket guards', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve({ ALLOWED_ORIGINS: 'https://hall.example.org' });
  });
  afterAll(() => server.stop());

  it('closes a socket that does not send connection_init within 3 s with 4408', async () => {
    const s = rawSocket(server.url);
    await s.opened;
    expect((await s.closed).code).toBe(4408);
  });

  it('refuses a frame over 64 KiB', async () => {
    const s = rawSocket(server.url);
    await s.opened;
    s.ws.send('x'.repeat(65 * 1024));
    expect((await s.closed).code).toBe(1009);
  });

  it('refuses a browser Origin that is not allowed, and accepts an allowed one', async () => {
    const bad = rawSocket(server.url, { origin: 'https://evil.example.com' });
    await bad.opened;
    expect((await bad.closed).code).toBe(4403);
    const good = rawSocket(server.url, { origin: 'https://hall.example.org' });
    await good.opened;
    good.ws.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise((r) => setTimeout(r, 200));
    expect(good.messages).toEqual([{ type: 'connection_ack' }]);
    good.ws.close();
  });

  it('closes a socket whose token is refused at connection_init with 4403, without an ack', async () => {
    const clock = server.services.clock as ManualClock;
    const expired = await tokenOf(server, 'leader1');
    clock.advance(13 * 3600_000);
    for (const [authorization, reason] of [
      ['Bearer not-a-token', 'Forbidden: invalid token'],
      [`Bearer ${expired}`, 'Forbidden: token expired: sign in again'],
      ['Basic YWRtaW46eA==', 'Forbidden: malformed Authorization: expected "Bearer <token>"'],
    ]) {
      const s = rawSocket(server.url);
      await s.opened;
      await s.init({ authorization });
      expect(await s.closed).toEqual({ code: 4403, reason });
      expect(s.messages).toEqual([]);
    }
  });

  it('hands a graphql-ws client the refusal as its error: the close event, code 4403 and the reason', async () => {
    const client = wsClient(server.url, 'not-a-token');
    const error = await new Promise<any>((resolve, reject) =>
      client.subscribe({ query: `subscription { roomState(sessionId: "4") { seq } }` }, { next: () => reject(new Error('a result')), error: resolve, complete: () => reject(new Error('completed')) }),
    );
    expect({ code: error.code, reason: error.reason }).toEqual({ code: 4403, reason: 'Forbidden: invalid token' });
    await client.dispose();
  });

  it('acknowledges a socket with no token as anonymous: public fields answer, the rest UNAUTHENTICATED', async () => {
    const s = rawSocket(server.url);
    await s.opened;
    await s.init();
    expect(s.messages).toEqual([{ type: 'connection_ack' }]);
    s.ws.send(JSON.stringify({ id: 'room', type: 'subscribe', payload: { query: 'subscription { roomState(sessionId: "4") { seq } }' } }));
    s.ws.send(JSON.stringify({ id: 'login', type: 'subscribe', payload: { query: 'mutation { login(username: "voter03", password: "leitai-demo") { token } }' } }));
    for (let i = 0; i < 100 && s.messages.filter((m) => m.type === 'complete').length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const next = (id: string) => s.messages.find((m) => m.id === id && m.type === 'next')?.payload;
    expect(next('room').errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(next('login')).toEqual({ data: { login: { token: expect.any(String) } } });
    s.ws.close();
  });

  it('allows at most 20 operations per socket and 5 sockets per user', async () => {
    const token = await tokenOf(server, 'chair');
    const s = rawSocket(server.url);
    await s.opened;
    s.ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    for (let i = 0; i < 50 && !s.messages.some((m) => m.type === 'connection_ack'); i++) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 21; i++) s.ws.send(JSON.stringify({ id: `s${i}`, type: 'subscribe', payload: { query: 'subscription { roomState(sessionId: "4") { seq } }' } }));
    await new Promise((r) => setTimeout(r, 500));
    expect(s.messages.filter((m) => m.type === 'error').map((m) => m.id)).toEqual(['s20']);
    const sockets = Array.from({ length: 5 }, () => rawSocket(server.url));
    for (const x of sockets) {
      await x.opened;
      x.ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    }
    const closes = await Promise.race([Promise.any(sockets.map((x) => x.closed)), new Promise((r) => setTimeout(() => r(null), 1000))]);
    // Not 4403: the cap is temporary (1013, Try Again Later), and no client should take it for a refused token.
    expect(closes).toEqual({ code: 1013, reason: 'Too many connections: at most 5 per user' });
    for (const x of [s, ...sockets]) x.ws.close();
  });
});

describe('graceful stop (the compiled server, in its own process)', () => {
  it('closes sockets with 1001 on SIGTERM and exits within 3 s, cutting off a peer that never answers the close handshake', async () => {
    const proc = await startServerProcess({ DATABASE_URL: 'sqlite::memory:', JWT_SECRET: 'g'.repeat(40), SEED_DEMO: 'false' });
    const normal = rawSocket(proc.url);
    const dead = rawSocket(proc.url);
    try {
      for (const s of [normal, dead]) {
        await s.opened;
        await s.init();
        expect(s.messages).toEqual([{ type: 'connection_ack' }]);
      }
      // Stops reading: the server's close frame sits unread in the kernel, and no answer ever comes back.
      dead.ws.pause();
      const started = Date.now();
      const exitCode = await proc.stop('SIGTERM');
      const took = Date.now() - started;
      expect(exitCode).toBe(0);
      expect(took).toBeLessThan(3000);
      expect(await normal.closed).toEqual({ code: 1001, reason: 'Server shutting down' });
    } finally {
      dead.ws.terminate();
      normal.ws.terminate();
      await proc.stop('SIGKILL');
    }
  }, 30_000);
});

describe('production mode', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve({ NODE_ENV: 'production', SEED_DEMO: 'true' });
  });
  afterAll(() => server.stop());

  it('refuses introspection to a voter but not to an analyst, and shows no stack traces', async () => {
    const q = `{ __schema { queryType { name } } }`;
    const voter = await postGraphQL(server.url, q, {}, await tokenOf(server, 'voter01'));
    expect(voter.body.errors![0].extensions.code).toBe('FORBIDDEN');
    expect(JSON.stringify(voter.body)).not.toMatch(/stacktrace/);
    const analyst = await postGraphQL(server.url, q, {}, await tokenOf(server, 'analyst'));
    expect(analyst.body.data.__schema.queryType.name).toBe('Query');
    const typo = await postGraphQL(server.url, `{ regionz { id } }`, {}, await tokenOf(server, 'analyst'));
    expect(typo.body.errors![0].message).not.toMatch(/Did you mean/);
  });

  it('prevents CSRF: a simple GET without a preflight header is refused', async () => {
    const res = await fetch(`${server.url}?query=${encodeURIComponent('{ me { id } }')}`);
    expect(res.status).toBe(400);
  });
});

describe(createFirstAdmin.name, () => {
  it('creates admin from ADMIN_PASSWORD on an empty database only', async () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', JWT_SECRET: 'a'.repeat(40) });
    const ds = await createDataSource(config.database, { entities: ENTITIES }).initialize();
    try {
      expect(await createFirstAdmin(ds, 'first-admin-password')).toBe(true);
      expect(await createFirstAdmin(ds, 'another-password!!')).toBe(false);
      expect(await ds.getRepository(User).findOneByOrFail({ username: 'admin' })).toMatchObject({ roles: ['admin'] });
    } finally {
      await ds.destroy();
    }
  });
});
