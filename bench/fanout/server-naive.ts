import 'reflect-metadata';
import { EventEmitter, on } from 'node:events';
import { createServer } from 'node:http';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { AppContext } from '../../src/app/context';
import { createLogger } from '../../src/common/logger';
import { buildAppSchema } from '../../src/app/schema';
import { contextFactory, principalContext } from '../../src/app/server';
import { resolverContainer } from '../../src/app/resolvers';
import { createServices } from '../../src/app/services';
import type { Principal } from '../../src/auth/principal';
import { systemClock } from '../../src/common/clock';
import type { AppError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/data-source';
import type { RoomFeed } from '../../src/modules/room/room-hub';
import type { RoomState } from '../../src/modules/room/room-state';
import { LocalPubSub } from '../../src/pubsub/local-pubsub';
import { portOf, runServer, serveAndAnnounce } from './control';
import { BENCH_JWT_SECRET, prepareRoom, roomControl } from './room-world';

/**
 * (b) The naive server, as the graphql-ws and type-graphql guides set one up: the same schema (buildAppSchema, the
 * same resolvers, the same RoomState objects from the same room service), served by stock `graphql-ws/use/ws`, with
 * `roomState` fed by an in-memory pub/sub (an EventEmitter, one async iterator per subscriber). graphql-ws parses
 * and validates each subscribe, then executes the selection and JSON-serialises the result once per subscriber and
 * event — the cost §4 of the design calls the known trap.
 */
async function main(): Promise<void> {
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'sqlite::memory:', PORT: '0', LOG_LEVEL: 'silent', JWT_SECRET: BENCH_JWT_SECRET });
  const logger = createLogger('silent');
  const ds = await createDataSource(config.database, { entities: ENTITIES }).initialize();
  const services = createServices({ ds, config, clock: systemClock, pubsub: new LocalPubSub(), logger });
  await services.timeKeeper.resume(ds);
  const schema = await buildAppSchema({ container: resolverContainer(services), logger });
  const room = await prepareRoom(ds, systemClock, services, true);

  // The in-memory pub/sub: every committed room state is published on `room:<id>`.
  const topics = new EventEmitter().setMaxListeners(0);
  services.hub.observe((state, events) => {
    if (events.length) topics.emit(`room:${state.sessionId}`, state);
  });
  const feed: RoomFeed = {
    current: (sessionId) => services.hub.current(sessionId),
    async states(sessionId) {
      const live = on(topics, `room:${sessionId}`) as AsyncIterableIterator<[RoomState]>;
      const first = await services.hub.current(sessionId);
      return (async function* () {
        yield first;
        for await (const [state] of live) yield state;
      })();
    },
    events: (sessionId, afterSeq) => services.hub.events(sessionId, afterSeq),
  };

  const authenticate = contextFactory(ds, services);
  const freshContext = principalContext(ds, services);
  const httpServer = createServer();
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 64 * 1024 });
  type Extra = { principal?: Principal | null; authError?: AppError | null };
  useServer<Record<string, unknown>, Extra>(
    {
      schema,
      // The token is checked once, at connection_init; each operation gets a fresh context (its own loaders).
      onConnect: async (ctx) => {
        const context = await authenticate(ctx.connectionParams?.authorization);
        ctx.extra.principal = context.principal;
        ctx.extra.authError = context.authError;
        return true;
      },
      context: (ctx): AppContext => ({ ...freshContext(ctx.extra.principal ?? null, ctx.extra.authError ?? null), feed }),
    },
    wss,
  );
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  await serveAndAnnounce(portOf(httpServer), { ...roomControl(room, services), sockets: () => wss.clients.size });
}

runServer('server-naive', main);
