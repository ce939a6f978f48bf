import type { Client } from 'graphql-ws';
import { createLogger } from '../../src/app/logger';
import { RunningServer, startServer } from '../../src/app/server';
import { User } from '../../src/auth/user.entity';
import { ManualClock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/config';
import { createDataSource } from '../../src/db/data-source';
import { seedDemoWorld } from '../../src/modules/demo/demo-seed';
import { Session } from '../../src/modules/sessions/session.entity';
import { postGraphQL, subscribe, wsClient } from '../helpers/server-process';

/** The server in this process, so the test can read how many times room payloads were executed. */
describe('room broadcasts to a crowd', () => {
  let server: RunningServer;
  let chair: string;
  let sessionId: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', PORT: '0', LOG_LEVEL: 'silent', JWT_SECRET: 'x'.repeat(40) });
    const ds = await createDataSource(config.database).initialize();
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
});
