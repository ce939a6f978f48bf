import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { engines, EngineName, freshMysqlDatabase } from '../helpers/engines';
import { postGraphQL, ServerProcess, startServerProcess, subscribe, wsClient } from '../helpers/server-process';

const SECRET = 'e2e-room-secret-e2e-room-secret-e2e-room';
const STATE = `subscription($s: ID!) { roomState(sessionId: $s) { seq phase serverNow current { speech { order cadre { name } } timer { running remainingMs endsAt } interruptions { reason } } comments { body } } }`;
const EVENTS = `subscription($s: ID!, $a: Int) { roomEvents(sessionId: $s, afterSeq: $a) { seq type } }`;
const ROOM = `query($s: ID!) { room(sessionId: $s) { seq serverNow current { timer { running remainingMs endsAt } } } }`;

async function freshDatabase(engine: EngineName, suffix: string): Promise<string> {
  if (engine === 'sqlite') return `sqlite:${mkdtempSync(join(tmpdir(), 'leitai-room-'))}/leitai.sqlite`;
  return freshMysqlDatabase(suffix);
}

/** Signs in and wraps the few operations the tests drive. */
async function driver(url: string) {
  const login = async (u: string) => (await postGraphQL(url, `mutation($u: String!) { login(username: $u, password: "leitai-demo") { token } }`, { u })).body.data.login.token as string;
  const admin = await login('admin');
  const chair = await login('chair');
  const leader = await login('leader1');
  const leader2 = await login('leader2');
  const call = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await postGraphQL(url, query, variables, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };
  /** A new session with a short line-up, so each test has a room of its own. */
  const newSession = async (allottedSeconds = 300) => {
    const themes = await call(admin, `{ themes { id } cadres(first: 3) { edges { node { id } } } }`);
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const s = await call(admin, `mutation($t: ID!, $at: DateTime!) { scheduleSession(input: { themeId: $t, title: "测试场次", startsAt: $at, venue: "报告厅" }) { id } }`, { t: themes.themes[0].id, at: startsAt });
    const entries = themes.cadres.edges.map((e: any) => ({ cadreId: e.node.id, allottedSeconds }));
    await call(admin, `mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { id } }`, { s: s.scheduleSession.id, e: entries });
    return s.scheduleSession.id as string;
  };
  const room = (s: string, mutation: string, args = '') => call(chair, `mutation($s: ID!) { ${mutation}(sessionId: $s${args}) { seq } }`, { s });
  const advance = (s: string, phase: string) => call(chair, `mutation($s: ID!) { advancePhase(sessionId: $s, phase: ${phase}) { seq } }`, { s });
  return { admin, chair, leader, leader2, call, newSession, room, advance };
}

describe.each(engines())('the live room over the wire [%s]', (engine) => {
  let env: Record<string, string>;
  let server: ServerProcess;
  let d: Awaited<ReturnType<typeof driver>>;
  const clients: Client[] = [];
  const client = (token: string) => {
    const c = wsClient(server.url, token);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    env = { DATABASE_URL: await freshDatabase(engine, 'e2e_room'), JWT_SECRET: SECRET };
    server = await startServerProcess(env);
    d = await driver(server.url);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  afterAll(() => server?.stop());

  it('shows a screen the session the chair runs, each change within a second', async () => {
    const s = await d.newSession();
    const screenToken = (await d.call(d.admin, `mutation($s: ID!) { issueScreenToken(sessionId: $s) }`, { s })).issueScreenToken;
    const screen = subscribe(client(screenToken), STATE, { s });
    expect(await screen.next()).toMatchObject({ phase: 'SCHEDULED', current: null });

    await d.advance(s, 'SPEECHES');
    expect(await screen.next(1000)).toMatchObject({ phase: 'SPEECHES' });
    await d.room(s, 'startSpeech');
    const speaking = await screen.next(1000);
    expect(speaking.current.speech).toEqual({ order: 1, cadre: { name: '吴国志' } });
    const offset = new Date(speaking.current.timer.endsAt).getTime() - new Date(speaking.serverNow).getTime();
    expect(offset).toBeGreaterThan(299_000);
    expect(offset).toBeLessThanOrEqual(300_000);
    await d.room(s, 'interruptSpeech', ', reason: EMPTY_TALK');
    expect((await screen.next(1000)).current.interruptions).toEqual([{ reason: 'EMPTY_TALK' }]);
    await d.call(d.leader, `mutation($s: ID!) { postComment(sessionId: $s, body: "要用好承德民宿标识") { id } }`, { s });
    const commented = await screen.next(1000);
    expect(commented.comments).toEqual([{ body: '要用好承德民宿标识' }]);
    screen.dispose();
  });

  it('refuses a screen another session and any mutation', async () => {
    const s = await d.newSession();
    const other = await d.newSession();
    const screenToken = (await d.call(d.admin, `mutation($s: ID!) { issueScreenToken(sessionId: $s) }`, { s })).issueScreenToken;
    const wrong = subscribe(client(screenToken), STATE, { s: other });
    await expect(wrong.next(1000)).rejects.toThrow(/FORBIDDEN/);
    const res = await postGraphQL(server.url, `mutation($s: ID!) { pauseSpeech(sessionId: $s) { seq } }`, { s }, screenToken);
    expect(res.body.errors![0].extensions.code).toBe('FORBIDDEN');
  });

  it('resumes roomEvents after a reconnect with afterSeq: no gap, no duplicate', async () => {
    const s = await d.newSession();
    const first = subscribe(client(d.chair), EVENTS, { s, a: 0 });
    expect(await first.next()).toEqual({ seq: 1, type: 'LINEUP_SET' });
    await d.advance(s, 'SPEECHES');
    await d.room(s, 'startSpeech');
    expect(await first.next()).toEqual({ seq: 2, type: 'PHASE_CHANGED' });
    expect(await first.next()).toEqual({ seq: 3, type: 'SPEECH_STARTED' });
    first.dispose();

    await d.room(s, 'pauseSpeech');
    await d.room(s, 'resumeSpeech');
    const second = subscribe(client(d.chair), EVENTS, { s, a: 3 });
    expect(await second.next()).toEqual({ seq: 4, type: 'SPEECH_PAUSED' });
    expect(await second.next()).toEqual({ seq: 5, type: 'SPEECH_RESUMED' });
    await d.room(s, 'endSpeech');
    expect(await second.next()).toEqual({ seq: 6, type: 'SPEECH_ENDED' });
    await expect(second.next(300)).rejects.toThrow(/no message/);
  });

  it('applies a variable\'s default to afterSeq, as graphql-js would, and refuses a variable of the wrong type', async () => {
    const s = await d.newSession();
    const withDefault = subscribe(client(d.chair), `subscription($s: ID!, $a: Int = 0) { roomEvents(sessionId: $s, afterSeq: $a) { seq type } }`, { s });
    expect(await withDefault.next()).toEqual({ seq: 1, type: 'LINEUP_SET' });
    withDefault.dispose();
    const wrongType = subscribe(client(d.chair), EVENTS, { s, a: 'one' });
    await expect(wrongType.next()).rejects.toThrow(/Int cannot represent/);
  });

  it('records TIME_UP once when a speech runs out, and keeps the speech running into overtime', async () => {
    const s = await d.newSession(1);
    const events = subscribe(client(d.chair), EVENTS, { s, a: 0 });
    await d.advance(s, 'SPEECHES');
    await d.room(s, 'startSpeech');
    const types: string[] = [];
    for (let i = 0; i < 4; i++) types.push((await events.next(3000)).type);
    expect(types).toEqual(['LINEUP_SET', 'PHASE_CHANGED', 'SPEECH_STARTED', 'TIME_UP']);
    const room = (await d.call(d.chair, ROOM, { s })).room;
    expect(room.current.timer).toMatchObject({ running: true, remainingMs: 0 });
    await expect(events.next(1500)).rejects.toThrow(/no message/);
  });

  it('rebuilds the room from the log after kill -9: same endsAt, the clock ran on, no acknowledged comment lost', async () => {
    const s = await d.newSession();
    await d.advance(s, 'SPEECHES');
    await d.room(s, 'startSpeech');
    const comment = await d.call(d.leader2, `mutation($s: ID!) { postComment(sessionId: $s, body: "重启前的评论") { id } }`, { s });
    const before = (await d.call(d.chair, ROOM, { s })).room;
    expect(await server.stop('SIGKILL')).toBeNull();
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    server = await startServerProcess(env);
    d = await driver(server.url);
    const after = (await d.call(d.chair, ROOM, { s })).room;
    expect(after.current.timer.endsAt).toBe(before.current.timer.endsAt);
    const ranOn = new Date(after.serverNow).getTime() - new Date(before.serverNow).getTime();
    expect(ranOn).toBeGreaterThanOrEqual(Date.now() - downAt - 200);
    expect(Math.abs(before.current.timer.remainingMs - ranOn - after.current.timer.remainingMs)).toBeLessThanOrEqual(200);
    const comments = await d.call(d.chair, `query($s: ID!) { comments(sessionId: $s) { id body } }`, { s });
    expect(comments.comments).toEqual([{ id: comment.postComment.id, body: '重启前的评论' }]);
  });
});

const describeMysql = engines().includes('mysql') ? describe : describe.skip;

describeMysql('two instances over MariaDB and Redis', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    const DATABASE_URL = await freshDatabase('mysql', 'e2e_scale');
    // The machine's Redis, shared with anything else running: channels and keys of this run's own.
    const REDIS_PREFIX = `${new URL(DATABASE_URL).pathname.slice(1)}:`;
    const env = { DATABASE_URL, JWT_SECRET: SECRET, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX };
    a = await startServerProcess(env);
    b = await startServerProcess(env);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('delivers a command on A to a subscriber on B within a second', async () => {
    const da = await driver(a.url);
    const s = await da.newSession();
    const c = wsClient(b.url, da.chair);
    clients.push(c);
    const events = subscribe(c, EVENTS, { s, a: 1 });
    const sent = Date.now();
    await da.advance(s, 'SPEECHES');
    expect(await events.next(1000)).toEqual({ seq: 2, type: 'PHASE_CHANGED' });
    expect(Date.now() - sent).toBeLessThan(1000);
    events.dispose();
  });

  it('orders 50 concurrent commands sent to both instances without gaps, each seen once and in order on both', async () => {
    const da = await driver(a.url);
    const db = await driver(b.url);
    const s = await da.newSession();
    const onA = subscribe((clients[clients.push(wsClient(a.url, da.chair)) - 1]), EVENTS, { s, a: 0 });
    const onB = subscribe((clients[clients.push(wsClient(b.url, da.chair)) - 1]), EVENTS, { s, a: 0 });
    await da.advance(s, 'SPEECHES');
    await da.room(s, 'startSpeech');
    await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? da : db).room(s, 'extendSpeech', ', seconds: 1')));
    for (const sub of [onA, onB]) {
      const seqs: number[] = [];
      while (seqs.length < 53) seqs.push((await sub.next(3000)).seq);
      expect(seqs).toEqual(Array.from({ length: 53 }, (_, i) => i + 1));
    }
  });

  it('records TIME_UP exactly once although both instances watch the clock', async () => {
    const da = await driver(a.url);
    const s = await da.newSession(1);
    const c = wsClient(b.url, da.chair);
    clients.push(c);
    await da.advance(s, 'SPEECHES');
    await da.room(s, 'startSpeech');
    // B learns of the room (and sets its own alarm) through its subscriber.
    const events = subscribe(c, EVENTS, { s, a: 0 });
    const types: string[] = [];
    for (let i = 0; i < 4; i++) types.push((await events.next(3000)).type);
    expect(types).toEqual(['LINEUP_SET', 'PHASE_CHANGED', 'SPEECH_STARTED', 'TIME_UP']);
    await expect(events.next(1500)).rejects.toThrow(/no message/);
  });
});
