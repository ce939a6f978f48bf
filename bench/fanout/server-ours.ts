import 'reflect-metadata';
import { createLogger } from '../../src/common/logger';
import { startServer } from '../../src/app/server';
import { systemClock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/config';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/data-source';
import { args, runServer, serveAndAnnounce } from './control';
import { BENCH_JWT_SECRET, prepareRoom, roomControl } from './room-world';

/**
 * (a) Ours: the real application server (`startServer`: Apollo, our graphql-transport-ws server, the room hub) on
 * SQLite, the demo world seeded without history. An emitted event is a real room command (an extension of the
 * running speech) through the room service: a transaction appending to the log, then the hub's broadcast.
 *
 *   --db <file>      SQLite file (default: in memory); two instances over Redis share one file
 *   --redis <url>    pub/sub over Redis instead of in-process
 *   --follower       do not seed or prepare the room (the second instance)
 */
async function main(): Promise<void> {
  const a = args();
  const db = a.get('db');
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: db ? `sqlite:${db}` : 'sqlite::memory:',
    PORT: '0',
    LOG_LEVEL: 'silent',
    JWT_SECRET: BENCH_JWT_SECRET,
    ...(a.get('redis') ? { REDIS_URL: a.get('redis') } : {}),
  });
  const ds = await createDataSource(config.database, { entities: ENTITIES }).initialize();
  const server = await startServer({ config, ds, clock: systemClock, logger: createLogger('silent') });
  const room = await prepareRoom(ds, systemClock, server.services, !a.has('follower'));
  await serveAndAnnounce(server.port, { ...roomControl(room, server.services), sockets: () => server.live.stats().sockets }, (control) => {
    control.close();
    void server.stop().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

runServer('server-ours', main);
