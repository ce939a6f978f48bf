import type { Client } from 'graphql-ws';
import type { DataSource } from 'typeorm';
import { ENTITIES } from '../../src/app/entities';
import { RunningServer, startServer } from '../../src/app/server';
import type { User } from '../../src/auth/user.entity';
import { ManualClock } from '../../src/common/clock';
import { createLogger } from '../../src/common/logger';
import { loadConfig, type Config } from '../../src/config/config';
import { createDataSource } from '../../src/db/data-source';
import { Commitment } from '../../src/modules/briefing/briefing.entity';
import { ActionItem } from '../../src/modules/followup/followup.entity';
import { Notification } from '../../src/modules/notifications/notification.entity';
import type { Cadre } from '../../src/modules/registry/cadre.entity';
import { createCadre, createUser } from '../factories';
import { engines, freshMysqlDatabase } from '../helpers/engines';
import { postGraphQL, subscribe, wsClient, type LiveSubscription } from '../helpers/server-process';

const DAY = 86_400_000;
const T0 = new Date('2026-12-01T00:00:00.000Z');
const ADDED = `subscription { notificationAdded { id kind subjectType subjectId text createdAt readAt } }`;

/** Polls `check` every 50 ms until it holds, or fails after `ms` with what it last saw. */
async function until<T>(read: () => Promise<T>, holds: (value: T) => boolean, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (holds(value)) return value;
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}; last saw ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One instance in this process: its own data source and pub/sub (Redis), the test's clock. */
interface Instance {
  server: RunningServer;
  ds: DataSource;
}

const describeMysql = engines().includes('mysql') ? describe : describe.skip;

describeMysql('notifications over two instances on MariaDB and Redis', () => {
  const clock = new ManualClock(T0);
  let config: Config;
  let seedDs: DataSource;
  let a: Instance | null = null;
  let b: Instance | null = null;
  const clients: Client[] = [];
  let speaker: User;
  let auditor: User;
  let admin: User;
  let cadre: Cadre;

  async function start(): Promise<Instance> {
    const ds = await createDataSource(config.database, { entities: ENTITIES }).initialize();
    const server = await startServer({ config, ds, clock, logger: createLogger('silent') });
    return { server, ds };
  }
  async function stop(instance: Instance | null): Promise<void> {
    if (!instance) return;
    await instance.server.stop();
    await instance.ds.destroy();
  }

  /** Every notice stored, as `kind subjectType:subjectId → user`, sorted. */
  const stored = async () =>
    (await seedDs.getRepository(Notification).find({ order: { id: 'ASC' } })).map((n) => `${n.kind} ${n.subjectType}:${n.subjectId} → ${n.userId}`).sort();

  beforeAll(async () => {
    const url = await freshMysqlDatabase('e2e_notify');
    config = loadConfig({
      DATABASE_URL: url,
      PORT: '0',
      LOG_LEVEL: 'silent',
      JWT_SECRET: 'n'.repeat(40),
      REDIS_URL: 'redis://127.0.0.1:6379',
      // The machine's Redis, shared with anything else running: channels of this run's own.
      REDIS_PREFIX: `${new URL(url).pathname.slice(1)}_${process.pid}:`,
      // Both producers run often, on both instances at once: the race is the point.
      NOTIFY_POLL_MS: '100',
      NOTIFY_DUE_JOB_MS: '100',
    });
    seedDs = await createDataSource(config.database, { entities: ENTITIES }).initialize();
    await seedDs.runMigrations();
    const m = seedDs.manager;
    speaker = await createUser(m, { roles: ['speaker', 'voter'] });
    auditor = await createUser(m, { roles: ['auditor'] });
    admin = await createUser(m, { roles: ['admin'] });
    cadre = await createCadre(m, { userId: speaker.id });
    a = await start();
    b = await start();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await stop(a);
    await stop(b);
    await seedDs?.destroy();
  });

  const live = async (instance: Instance, user: User): Promise<LiveSubscription> => {
    const client = wsClient(instance.server.url, await instance.server.services.tokens.signUser(user));
    clients.push(client);
    const sub = subscribe(client, ADDED);
    // The subscription is registered once the server's feed has a listener for the person.
    const feed = instance.server.services.notifications.feed;
    await until(async () => feed.listening(user.id), (n) => n > 0, 3000, 'the subscription to start');
    return sub;
  };

  /** Everything a subscriber receives within `ms`, with the ids it saw more than once. */
  async function collect(sub: LiveSubscription, count: number, ms = 5000) {
    const got: any[] = [];
    for (let i = 0; i < count; i++) got.push(await sub.next(ms));
    // Long enough for both instances to run both producers several times more.
    await pause(800);
    got.push(...sub.drain());
    return got;
  }

  async function commitment(title: string, dueAt: Date): Promise<Commitment> {
    const repo = seedDs.getRepository(Commitment);
    return repo.save(
      repo.create({ sessionId: 1, speechId: 1, cadreId: cadre.id, title, target: '按期完成', dueAt, version: 1, supersedesId: null, supersededAt: null, revisionReason: null, recordedById: speaker.id, recordedAt: clock.now(), latestVerdict: null, verdictPublishedAt: null }),
    );
  }

  it('tells the auditor on B of an audit assigned on A, once, over graphql-ws', async () => {
    const onB = await live(b!, auditor);
    const c = await commitment('打造民宿床位', new Date(T0.getTime() + 60 * DAY));
    const res = await postGraphQL(
      a!.server.url,
      `mutation($input: AssignAuditInput!) { assignAudit(input: $input) { id } }`,
      { input: { commitmentId: String(c.id), method: 'DOCUMENT_CHECK', auditorId: String(auditor.id), dueAt: new Date(T0.getTime() + 14 * DAY).toISOString() } },
      await a!.server.services.tokens.signUser(admin),
    );
    expect(res.body.errors).toBeUndefined();
    const got = await collect(onB, 1);
    expect(got).toEqual([expect.objectContaining({ kind: 'AUDIT_ASSIGNED', subjectType: 'Audit', subjectId: res.body.data.assignAudit.id, readAt: null })]);
    expect(got[0].text).toMatch(/^新的核查任务：「打造民宿床位」/);
    onB.dispose();
  }, 30_000);

  it('refuses notificationAdded to nobody and to a screen', async () => {
    const anonymous = wsClient(a!.server.url);
    clients.push(anonymous);
    await expect(subscribe(anonymous, ADDED).next(3000)).rejects.toThrow(/UNAUTHENTICATED/);
    const screen = wsClient(a!.server.url, await a!.server.services.tokens.signScreen(1));
    clients.push(screen);
    await expect(subscribe(screen, ADDED).next(3000)).rejects.toThrow(/FORBIDDEN/);
  }, 30_000);

  it('produces each due-date notice exactly once with both instances running, and after restarting one', async () => {
    const onB = await live(b!, speaker);
    const soon = await commitment('三日内到期', new Date(T0.getTime() + 3 * DAY));
    const later = await commitment('十日后到期', new Date(T0.getTime() + 10 * DAY));
    const item = await seedDs.getRepository(ActionItem).save({ reviewId: 1, sessionId: 1, cadreId: cadre.id, title: '整改消防隐患', dueAt: new Date(T0.getTime() + DAY), createdById: admin.id, createdAt: clock.now() });
    const u = speaker.id;

    // Now (T0): the commitment due in 3 days and the item due tomorrow are due soon; the other is not yet.
    let got = await collect(onB, 2);
    expect(got.map((n) => `${n.kind} ${n.subjectType}:${n.subjectId}`).sort()).toEqual([`DUE_SOON ActionItem:${item.id}`, `DUE_SOON Commitment:${soon.id}`]);
    expect(got.find((n) => n.subjectType === 'Commitment').text).toBe('承诺「三日内到期」将于 12月4日 到期');

    // Four days on: the first two are overdue and the third is due soon, each told once though both instances run.
    clock.set(T0.getTime() + 4 * DAY);
    got = await collect(onB, 3);
    expect(got.map((n) => `${n.kind} ${n.subjectType}:${n.subjectId}`).sort()).toEqual([`DUE_SOON Commitment:${later.id}`, `OVERDUE ActionItem:${item.id}`, `OVERDUE Commitment:${soon.id}`]);

    // A restarts (its start-up run finds nothing new); then the last one falls due, while A and B both run.
    await stop(a);
    a = await start();
    await pause(500);
    expect(onB.drain()).toEqual([]);
    clock.set(T0.getTime() + 11 * DAY);
    got = await collect(onB, 1);
    expect(got.map((n) => `${n.kind} ${n.subjectType}:${n.subjectId}`)).toEqual([`OVERDUE Commitment:${later.id}`]);
    onB.dispose();

    const dueNotices = (await stored()).filter((s) => /^(DUE_SOON|OVERDUE) /.test(s));
    expect(dueNotices).toEqual(
      [`DUE_SOON ActionItem:${item.id} → ${u}`, `DUE_SOON Commitment:${later.id} → ${u}`, `DUE_SOON Commitment:${soon.id} → ${u}`, `OVERDUE ActionItem:${item.id} → ${u}`, `OVERDUE Commitment:${later.id} → ${u}`, `OVERDUE Commitment:${soon.id} → ${u}`].sort(),
    );
  }, 60_000);

  it('catches up at start-up on what fell due while no instance ran, once', async () => {
    const c = await commitment('停机期间到期', new Date(clock.now().getTime() + 20 * DAY));
    await stop(a);
    await stop(b);
    a = b = null;
    clock.advance(21 * DAY);
    const before = await stored();
    expect(before.filter((s) => s.includes(`Commitment:${c.id} `))).toEqual([]);
    [a, b] = await Promise.all([start(), start()]);
    const after = await until(stored, (rows) => rows.some((s) => s.startsWith(`OVERDUE Commitment:${c.id} `)), 5000, 'the overdue notice');
    await pause(800);
    // Seen past due at first: OVERDUE only, and once.
    expect((await stored()).filter((s) => s.includes(`Commitment:${c.id} `))).toEqual([`OVERDUE Commitment:${c.id} → ${speaker.id}`]);
    expect(after.length).toBe(before.length + 1);
  }, 60_000);
});
