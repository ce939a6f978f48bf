import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger } from '../../src/common/logger';
import { RunningServer, startServer } from '../../src/app/server';
import { User } from '../../src/auth/user.entity';
import { ManualClock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/config';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/data-source';
import { seedDemoWorld } from '../../src/modules/demo/demo-seed';
import { Session } from '../../src/modules/sessions/session.entity';
import { postGraphQL, subscribe, wsClient } from '../helpers/server-process';

/** Polls `done` every 20 ms until it holds, or fails after `ms`. */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A roomState subscriber on a raw socket, so that the test can stop reading from it (`ws.pause()`: the server's
 * frames pile up in the kernel, then in the server's send buffer) and start again. Resolves once the snapshot is in.
 */
async function rawStateReader(url: string, token: string, query: string, variables: Record<string, unknown>) {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const states: { seq: number }[] = [];
  const other: unknown[] = [];
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw));
    if (m.type === 'next' && m.payload.data) states.push(m.payload.data.roomState);
    else if (m.type !== 'connection_ack' && m.type !== 'pong') other.push(m);
  });
  let acked = false;
  ws.once('message', (raw) => (acked = JSON.parse(String(raw)).type === 'connection_ack'));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await until(() => acked, 3000, 'connection_ack');
  ws.send(JSON.stringify({ id: 'state', type: 'subscribe', payload: { query, variables } }));
  await until(() => states.length > 0 || other.length > 0, 3000, 'the snapshot');
  expect(other).toEqual([]);
  return { ws, states, other };
}

/** The server in this process, so the test can read how many times room payloads were executed. */
describe('room broadcasts to a crowd', () => {
  let server: RunningServer;
  let chair: string;
  let sessionId: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', PORT: '0', LOG_LEVEL: 'silent', JWT_SECRET: 'x'.repeat(40) });
    const ds = await createDataSource(config.database, { entities: ENTITIES }).initialize();
    const clock = new ManualClock(Date.now());
    await seedDemoWorld(ds, clock, 'leitai-demo');
    server = await startServer({ config, ds, clock, logger: createLogger('silent') });
    chair = await server.services.tokens.signUser(await ds.getRepository(User).findOneByOrFail({ username: 'chair' }));
    sessionId = String((await ds.getRepository(Session).findOneByOrFail({ number: 4 })).id);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await server.stop();
  });

  it('executes each room state once per audience, however many sockets follow it, and delivers every state to all', async () => {
    const users = await server.services.ds.getRepository(User).find({ order: { id: 'ASC' } });
    const voters = await Promise.all(Array.from({ length: 60 }, (_, i) => server.services.tokens.signUser(users.filter((u: User) => u.roles.includes('voter'))[i % 40])));
    const query = `subscription($s: ID!) { roomState(sessionId: $s) { seq phase current { speech { cadre { name } } timer { endsAt } } upcoming { order } } }`;
    const subs = voters.map((token) => {
      const c = wsClient(server.url, token);
      clients.push(c);
      return subscribe(c, query, { s: sessionId });
    });
    for (const sub of subs) expect((await sub.next(3000)).phase).toBe('SCHEDULED');
    const before = server.live.stats();

    const room = (m: string, args = '') => postGraphQL(server.url, `mutation($s: ID!) { ${m}(sessionId: $s${args}) { seq } }`, { s: sessionId }, chair);
    await room('advancePhase', ', phase: SPEECHES');
    await room('startSpeech');
    await room('pauseSpeech');
    await room('resumeSpeech');
    for (const sub of subs) {
      const seqs: number[] = [];
      let last = 0;
      while (last < 5) {
        last = (await sub.next(3000)).seq;
        seqs.push(last);
      }
      expect(seqs[seqs.length - 1]).toBe(5);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    }
    const after = server.live.stats();
    expect(after.subscriptions).toBe(60);
    expect(after.roomExecutions - before.roomExecutions).toBeLessThanOrEqual(4);
    expect(after.roomDeliveries - before.roomDeliveries).toBeGreaterThanOrEqual(60);
  });

  it('lets a reader that stops reading skip superseded states (in order, ending on the latest) while another gets every one, each executed once', async () => {
    const users = server.services.ds.getRepository(User);
    const tokenOf = async (username: string) => server.services.tokens.signUser(await users.findOneByOrFail({ username }));
    const admin = await tokenOf('admin');
    const call = async (token: string, query: string, variables: Record<string, unknown>) => {
      const res = await postGraphQL(server.url, query, variables, token);
      if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
      return res.body.data;
    };
    // A room of its own, with a speech running.
    const seed = await call(admin, `{ themes { id } cadres(first: 2) { edges { node { id } } } }`, {});
    const scheduled = await call(admin, `mutation($t: ID!, $at: DateTime!) { scheduleSession(input: { themeId: $t, title: "慢读者", startsAt: $at, venue: "报告厅" }) { id } }`, { t: seed.themes[0].id, at: new Date(Date.now() + 86_400_000).toISOString() });
    const s: string = scheduled.scheduleSession.id;
    await call(admin, `mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { id } }`, { s, e: seed.cadres.edges.map((e: any) => ({ cadreId: e.node.id, allottedSeconds: 300 })) });
    await call(chair, `mutation($s: ID!) { advancePhase(sessionId: $s, phase: SPEECHES) { seq } }`, { s });
    await call(chair, `mutation($s: ID!) { startSpeech(sessionId: $s) { seq } }`, { s });

    // Each interruption adds a 500-character note (1.5 kB) to every later state: after a hundred, states are large
    // enough that the kernel's buffers (a few MB on loopback) fill up behind a reader that does not read.
    const query = `subscription($s: ID!) { roomState(sessionId: $s) { seq current { interruptions { reason note } } } }`;
    const readerA = wsClient(server.url, await tokenOf('voter01'));
    clients.push(readerA);
    const reading = subscribe(readerA, query, { s });
    const byA = new Map<number, unknown>();
    const first = await reading.next(3000);
    byA.set(first.seq, first);
    // Same roles, same document and variables: the same audience, so one execution serves both sockets.
    const stalled = await rawStateReader(server.url, await tokenOf('voter02'), query, { s });
    expect(stalled.states).toEqual([first]);
    stalled.ws.pause();

    const before = server.live.stats();
    const sent: number[] = [];
    const writtenToStalled = () => server.live.stats().roomDeliveries - before.roomDeliveries - sent.length;
    const started = Date.now();
    // Interrupt until 20 states in a row found the stalled socket backed up (how many it takes depends on the
    // kernel's buffers), each time waiting for the reading subscriber to get the new state, so that every state is
    // executed and none is merged upstream.
    while (sent.length - writtenToStalled() < 20) {
      if (sent.length >= 400) throw new Error(`the stalled socket took all of ${sent.length} states`);
      const note = `${String(sent.length).padStart(3, '0')}${'虚话套话'.repeat(124)}`;
      const { interruptSpeech } = await call(chair, `mutation($s: ID!, $n: String) { interruptSpeech(sessionId: $s, reason: EMPTY_TALK, note: $n) { seq } }`, { s, n: note });
      sent.push(interruptSpeech.seq);
      const state = await reading.next(5000);
      expect(state.seq).toBe(interruptSpeech.seq);
      expect(state.current.interruptions).toHaveLength(sent.length);
      byA.set(state.seq, state);
    }
    const skippedWhileStalled = sent.length - writtenToStalled();
    const executions = server.live.stats().roomExecutions - before.roomExecutions;
    const latest = sent[sent.length - 1];

    stalled.ws.resume();
    await until(() => stalled.states[stalled.states.length - 1]?.seq === latest, 10_000, 'the stalled reader catching up to the latest state');
    const seqs = stalled.states.map((x) => x.seq);
    const skipped = [first.seq, ...sent].filter((seq) => !seqs.includes(seq));
    if (process.env.FANOUT_STATS) {
      console.log({ states: sent.length, skipped: skipped.length, skippedWhileStalled, receivedByStalled: seqs.length, executions, latestStateBytes: Buffer.byteLength(JSON.stringify(byA.get(latest))), ms: Date.now() - started });
    }

    // The reading subscriber got every state, in order (checked as they came); the stalled one got fewer, in
    // increasing order, each exactly as the other got it, and ends on the latest.
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(skipped.length).toBeGreaterThanOrEqual(19);
    for (const state of stalled.states) expect(state).toEqual(byA.get(state.seq));
    expect(stalled.states[stalled.states.length - 1]).toEqual(byA.get(latest));
    expect(stalled.other).toEqual([]);
    // One execution per state for both sockets, not one per socket.
    expect(executions).toBe(sent.length);
    stalled.ws.close();
  }, 30_000);
});
