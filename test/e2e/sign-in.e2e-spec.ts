import { engines, freshMysqlDatabase } from '../helpers/engines';
import { postGraphQL, ServerProcess, startServerProcess } from '../helpers/server-process';

const SECRET = 'e2e-sign-in-secret-e2e-sign-in-secret-e2e';
const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { username } } }`;
const describeMysql = engines().includes('mysql') ? describe : describe.skip;

/** The JSON log lines a server printed (LOG_LEVEL=warn: warn and above). */
function logLines(server: ServerProcess): Record<string, unknown>[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describeMysql('sign-in over two instances on MariaDB and Redis', () => {
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    const DATABASE_URL = await freshMysqlDatabase('e2e_sign_in');
    const REDIS_PREFIX = `${new URL(DATABASE_URL).pathname.slice(1)}:`;
    const env = { DATABASE_URL, JWT_SECRET: SECRET, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX, PUBLIC_URL: 'https://hall.example.org' };
    a = await startServerProcess(env);
    b = await startServerProcess(env);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('throttles guesses sent to both instances as one, logs them at warn, and still signs the owner in by link', async () => {
    const admin = (await postGraphQL(a.url, LOGIN, { u: 'admin', p: 'leitai-demo' })).body.data.login.token as string;
    const call = async (url: string, query: string, variables: Record<string, unknown> = {}, token = admin) => {
      const res = await postGraphQL(url, query, variables, token);
      if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
      return res.body.data;
    };
    const { themes, users } = await call(a.url, `{ themes { id } users(role: VOTER, first: 3) { edges { node { id username } } } }`);
    const session = await call(a.url, `mutation($t: ID!, $at: DateTime!) { scheduleSession(input: { themeId: $t, title: "链接登录", startsAt: $at, venue: "报告厅" }) { id } }`, {
      t: themes[0].id,
      at: new Date(Date.now() + 3600_000).toISOString(),
    });
    const voters = users.edges.map((e: { node: { id: string; username: string } }) => e.node);
    await call(a.url, `mutation($s: ID!, $u: [ID!]!) { registerAttendees(sessionId: $s, userIds: $u) { id } }`, { s: session.scheduleSession.id, u: voters.map((v: { id: string }) => v.id) });
    const target = voters[0].username as string;

    // 40 wrong passwords at once, half to each instance: the windows are shared in Redis, so 5 reach the check.
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => (await postGraphQL(i % 2 ? a.url : b.url, LOGIN, { u: target, p: `wrong-${i}` })).body.errors![0].extensions.code as string),
    );
    expect(answers.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(answers.filter((c) => c === 'UNAUTHENTICATED' || c === 'RATE_LIMITED' || c === 'SERVICE_UNAVAILABLE')).toHaveLength(40);
    const refused = (await postGraphQL(b.url, LOGIN, { u: target, p: 'leitai-demo' })).body.errors![0];
    expect(refused.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });

    const { issueSignInLinks: links } = await call(b.url, `mutation($s: ID!) { issueSignInLinks(sessionId: $s) { user { username } url expiresAt } }`, { s: session.scheduleSession.id });
    expect(links).toHaveLength(3);
    const link = links.find((l: { user: { username: string } }) => l.user.username === target);
    expect(link.url).toMatch(/^https:\/\/hall\.example\.org\/signin\/[A-Za-z0-9_-]{43}$/);
    const token = link.url.split('/signin/')[1];
    const byLink = await postGraphQL(a.url, `mutation($t: String!) { signInWithLink(token: $t) { token user { username } } }`, { t: token });
    expect(byLink.body.errors).toBeUndefined();
    expect(byLink.body.data.signInWithLink.user.username).toBe(target);
    const me = await postGraphQL(b.url, `{ me { username } }`, {}, byLink.body.data.signInWithLink.token);
    expect(me.body.data.me.username).toBe(target);

    const lines = [...logLines(a), ...logLines(b)];
    const failed = lines.filter((l) => l.event === 'sign-in-failed' && l.account === target);
    const throttled = lines.filter((l) => l.event === 'sign-in-throttled' && l.account === target);
    expect(failed).toHaveLength(5);
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    for (const line of [...failed, ...throttled]) expect(line).toMatchObject({ level: 40, source: expect.any(String), requestId: expect.any(String) });
    expect(JSON.stringify(lines)).not.toMatch(/wrong-\d+|leitai-demo/);

    // The admin's unlock on one instance clears the counts the other reads.
    await call(b.url, `mutation($u: String!) { unlockAccount(username: $u) }`, { u: target });
    expect((await postGraphQL(a.url, LOGIN, { u: target, p: 'leitai-demo' })).body.errors).toBeUndefined();
    expect([...logLines(a), ...logLines(b)]).toContainEqual(expect.objectContaining({ level: 40, event: 'sign-in-unlocked', account: target }));
  }, 60_000);
});
