import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { RunningServer, startServer } from '../../src/app/server';
import { User } from '../../src/auth/user.entity';
import { ManualClock } from '../../src/common/clock';
import { createLogger } from '../../src/common/logger';
import { loadConfig } from '../../src/config/config';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/data-source';
import { seedDemoWorld } from '../../src/modules/demo/demo-seed';
import { InterruptionReason } from '../../src/modules/room/room-events';
import { Session } from '../../src/modules/sessions/session.entity';
import { RoomPhase } from '../../src/modules/sessions/session-enums';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The heap after collections, once what was freed is really gone (ws and timers release on later ticks). */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
  return process.memoryUsage().heapUsed;
}

const SOCKETS = 50;
const PER_SOCKET = 20;
const AUDIENCES = 100;
/** Audience k: its own document (the alias), half on the event log replayed from the start, half on the state. */
const documentOf = (k: number) =>
  k < AUDIENCES / 2
    ? `subscription($s: ID!) { a${k}: roomEvents(sessionId: $s, afterSeq: 0) { seq type at data } }`
    : `subscription($s: ID!) { a${k}: roomState(sessionId: $s) { seq phase current { interruptions { reason note } } } }`;

/**
 * 1,000 subscribers across 100 audiences on 50 raw sockets, each socket holding 20 of them: resolves once every
 * events subscriber has the whole log and every state subscriber its snapshot.
 */
async function crowd(server: RunningServer, tokens: string[], sessionId: string, lastSeq: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  let pending = SOCKETS * PER_SOCKET;
  const problems: unknown[] = [];
  for (let j = 0; j < SOCKETS; j++) {
    const ws = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    sockets.push(ws);
    const done = new Set<string>();
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw));
      if (m.type === 'connection_ack') {
        for (let t = 0; t < PER_SOCKET; t++) {
          ws.send(JSON.stringify({ id: String(t), type: 'subscribe', payload: { query: documentOf((j * PER_SOCKET + t) % AUDIENCES), variables: { s: sessionId } } }));
        }
      } else if (m.type === 'next') {
        if (m.payload.errors) problems.push(m.payload.errors);
        const value = Object.values(m.payload.data ?? {})[0] as { seq: number } | undefined;
        if (value && value.seq >= lastSeq && !done.has(m.id)) {
          done.add(m.id);
          pending -= 1;
        }
      } else if (m.type !== 'pong') problems.push(m);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tokens[j]}` } }));
  }
  await until(() => pending === 0 || problems.length > 0, 30_000, 'every subscriber up to date');
  expect(problems).toEqual([]);
  return sockets;
}

describe('live audiences come and go', () => {
  let server: RunningServer;
  let sessionId: string;
  let lastSeq: number;

  beforeAll(async () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', PORT: '0', LOG_LEVEL: 'silent', JWT_SECRET: 'x'.repeat(40) });
    const ds = await createDataSource(config.database, { entities: ENTITIES }).initialize();
    const clock = new ManualClock(Date.now());
    await seedDemoWorld(ds, clock, 'leitai-demo');
    server = await startServer({ config, ds, clock, logger: createLogger('silent') });
    const chair = await ds.getRepository(User).findOneByOrFail({ username: 'chair' });
    const session = await ds.getRepository(Session).findOneByOrFail({ number: 4 });
    sessionId = String(session.id);
    // A log of two hundred events, each with a note of 500 characters: what an audience would keep, if it were kept.
    const room = server.services.room;
    await room.command(session.id, chair.id, { type: 'ADVANCE_PHASE', to: RoomPhase.SPEECHES });
    await room.command(session.id, chair.id, { type: 'START_SPEECH' });
    for (let i = 0; i < 200; i++) {
      lastSeq = (await room.command(session.id, chair.id, { type: 'INTERRUPT_SPEECH', reason: InterruptionReason.EMPTY_TALK, note: `${i}`.padStart(500, '空'), cutOff: false })).seq;
    }
  }, 60_000);
  afterAll(() => server.stop());

  /** Signed tokens of people who exist only in them (nothing on the subscription path reads a user's row). */
  const tokens = (roles: string[], from: number) =>
    Promise.all(Array.from({ length: SOCKETS }, (_, i) => server.services.tokens.signUser({ id: from + i, username: `p${from + i}`, roles: roles as never, regionId: null })));

  it('frees an audience when its last subscriber leaves, and the heap returns to its baseline', async () => {
    // The same documents once before, by people of another role (another audience each): the server's caches of
    // parsed and compiled documents are then as full as they will be, and the baseline holds them.
    const warm = await crowd(server, await tokens(['voter'], 2_000_000), sessionId, lastSeq);
    warm.forEach((ws) => ws.close());
    await until(() => server.live.stats().sockets === 0, 5000, 'the warm-up sockets closing');
    expect(server.live.stats()).toMatchObject({ audiences: 0, stateGroups: 0, subscriptions: 0 });
    const baseline = await settledHeap();

    const sockets = await crowd(server, await tokens(['leader'], 3_000_000), sessionId, lastSeq);
    const during = server.live.stats();
    expect(during).toMatchObject({ sockets: SOCKETS, subscriptions: SOCKETS * PER_SOCKET, audiences: AUDIENCES, stateGroups: AUDIENCES / 2 });
    const held = (await settledHeap()) - baseline;
    sockets.forEach((ws) => ws.close());
    await until(() => server.live.stats().sockets === 0, 5000, 'the sockets closing');
    expect(server.live.stats()).toMatchObject({ audiences: 0, stateGroups: 0, subscriptions: 0 });
    const left = (await settledHeap()) - baseline;
    if (process.env.FANOUT_STATS) console.log({ baselineMb: baseline / 2 ** 20, heldMb: held / 2 ** 20, leftMb: left / 2 ** 20 });
    // While subscribed, the audiences hold their replayed payloads (50 × 200 events of ~1.6 kB: ~16 MB) ...
    expect(held).toBeGreaterThan(8 * 2 ** 20);
    // ... and once everyone has left, nothing of it: back to the baseline, within the noise of one test process.
    expect(left).toBeLessThan(2 * 2 ** 20);
  }, 120_000);
});
