import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines, EngineName, freshMysqlDatabase } from '../helpers/engines';
import { postGraphQL, startServerProcess, ServerProcess, wsClient, wsOnce } from '../helpers/server-process';

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { username } } }`;

async function databaseUrl(engine: EngineName): Promise<string> {
  if (engine === 'sqlite') return `sqlite:${mkdtempSync(join(tmpdir(), 'leitai-e2e-'))}/leitai.sqlite`;
  return freshMysqlDatabase('e2e');
}

describe.each(engines())('the server process [%s]', (engine) => {
  let env: Record<string, string>;
  let server: ServerProcess;

  beforeAll(async () => {
    env = { DATABASE_URL: await databaseUrl(engine), DEMO_PASSWORD: 'e2e-demo-pass' };
    if (engine === 'mysql') env.JWT_SECRET = 'e2e-secret-e2e-secret-e2e-secret-e2e';
    server = await startServerProcess(env);
  });
  afterAll(() => server?.stop());

  it('seeds the demo world into the empty database and prints the accounts', () => {
    expect(server.output()).toMatch(/Demo accounts, all with the password "e2e-demo-pass"/);
    expect(server.output()).toMatch(/voter01…voter40/);
    expect(server.output()).toMatch(/wuguozhi \(吴国志\)/);
  });

  it('answers health and readiness', async () => {
    const base = server.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('signs in over HTTP and serves the registry to the token', async () => {
    const login = await postGraphQL(server.url, LOGIN, { u: 'admin', p: 'e2e-demo-pass' });
    expect(login.body.errors).toBeUndefined();
    const token = login.body.data.login.token;
    const regions = await postGraphQL(server.url, `{ regions { name } cadres(first: 3) { totalCount edges { node { name region { name } } } } }`, {}, token);
    expect(regions.body.data.regions).toHaveLength(11);
    expect(regions.body.data.cadres.totalCount).toBe(12);
    expect(regions.body.data.cadres.edges[0].node).toEqual({ name: '吴国志', region: { name: '双桥区' } });
  });

  it('answers a missing token with UNAUTHENTICATED over HTTP and over WebSocket', async () => {
    const http = await postGraphQL(server.url, `{ regions { name } }`);
    expect(http.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    const client = wsClient(server.url);
    try {
      const ws = await wsOnce(client, `{ regions { name } }`);
      expect(ws.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      await client.dispose();
    }
  });

  it('runs operations over graphql-ws on the same port with the token in connectionParams', async () => {
    const login = await postGraphQL(server.url, LOGIN, { u: 'chair', p: 'e2e-demo-pass' });
    const client = wsClient(server.url, login.body.data.login.token);
    try {
      const res = await wsOnce(client, `{ me { username roles } sessions(first: 1) { edges { node { number speeches { cadre { name } } } } } }`);
      expect(res.errors).toBeUndefined();
      expect(res.data.me).toEqual({ username: 'chair', roles: ['CHAIR', 'LEADER'] });
      expect(res.data.sessions.edges[0].node.number).toBe(4);
    } finally {
      await client.dispose();
    }
  });

  it('keeps tokens valid and seeds nothing twice across a restart', async () => {
    const login = await postGraphQL(server.url, LOGIN, { u: 'admin', p: 'e2e-demo-pass' });
    const token = login.body.data.login.token;
    expect(await server.stop('SIGTERM')).toBe(0);
    server = await startServerProcess(env);
    expect(server.output()).not.toMatch(/demo world seeded/);
    const res = await postGraphQL(server.url, `{ me { username } sessions { totalCount } }`, {}, token);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ me: { username: 'admin' }, sessions: { totalCount: 4 } });
  });
});

const describeMysql = engines().includes('mysql') ? describe : describe.skip;

describeMysql('two replicas starting together on one empty MySQL database', () => {
  it('take turns to migrate and seed, and both serve the same single demo world', async () => {
    const env = { DATABASE_URL: await databaseUrl('mysql'), JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e' };
    const replicas = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    try {
      const login = await postGraphQL(replicas[0].url, LOGIN, { u: 'admin', p: 'leitai-demo' });
      const token = login.body.data.login.token;
      for (const replica of replicas) {
        const res = await postGraphQL(replica.url, `{ regions { id } sessions { totalCount } users(first: 100) { totalCount } }`, {}, token);
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.regions).toHaveLength(11);
        expect(res.body.data.sessions.totalCount).toBe(4);
        expect(res.body.data.users.totalCount).toBe(52 + 12);
      }
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  });
});
