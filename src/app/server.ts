import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import { WebSocketServer } from 'ws';
import type { Principal } from '../auth/principal';
import { bearerToken } from '../auth/tokens';
import type { Clock } from '../common/clock';
import { AppError } from '../common/errors';
import type { Config } from '../config/config';
import type { AppContext } from './context';
import { createLoaders } from './loaders';
import { loginGate } from './login-gate';
import { mountPages } from './pages';
import { LiveSocketServer, serveLiveSockets } from './live/live-socket';
import { LIMITS } from './execution/limits';
import { Execution } from './execution/execution';
import { graphqlHttpOptions } from './graphql-http';
import { createMetrics } from './metrics';
import { hasAnyRole } from '../auth/principal';
import { FallbackRateStore, MemoryRateStore, RedisRateStore } from '../common/rate-limiter';
import { mountExplorer } from './explorer';
import { mountExports } from '../modules/analytics/exports';
import { actionItemsExport } from '../modules/followup/action-item-export';
import { mountReports } from '../modules/reports/reports.routes';
import { mountImports } from '../modules/imports/imports.http';
import type { Logger } from '../common/logger';
import { buildAppSchema } from './schema';
import { resolverContainer } from './resolvers';
import { createServices, Services } from './services';
import { LocalPubSub } from '../pubsub/local-pubsub';
import type { PubSub } from '../pubsub/pubsub';
import { RedisPubSub } from '../pubsub/redis-pubsub';

export interface ServerDeps {
  config: Config;
  ds: DataSource;
  clock: Clock;
  logger: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  httpServer: Server;
  schema: GraphQLSchema;
  services: Services;
  live: LiveSocketServer;
  stop(): Promise<void>;
}

/**
 * One process, one port: GraphQL over HTTP and over WebSocket at /graphql, plus the operational endpoints.
 * Instances keep no state of their own beyond caches, so any number can run behind a proxy.
 */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { config, ds, clock, logger } = deps;
  const pubsub = await createPubSub(config.redisUrl, config.redisPrefix, logger);
  const memoryRates = new MemoryRateStore(clock);
  const rates = pubsub instanceof RedisPubSub ? new FallbackRateStore(new RedisRateStore(pubsub.client, `${config.redisPrefix}rate:`), memoryRates, logger) : memoryRates;
  const services = createServices({ ds, config, clock, pubsub, logger, rates });
  const production = config.nodeEnv === 'production';
  const mayIntrospect = (principal: Principal | null) => hasAnyRole(principal, ['analyst', 'secretary', 'admin']);
  await services.timeKeeper.resume(ds);
  services.notifications.start();
  const schema = await buildAppSchema({ container: resolverContainer(services), logger });
  const contextFor = contextFactory(ds, services);
  // One execution for both transports: the same guard, deadline, run and error format over HTTP and WebSocket.
  const execution = new Execution({ schema, logger, production, mayIntrospect });

  const app = express();
  app.disable('x-powered-by');
  // Behind the proxy of docker-compose.yml (or any on this host), the client's address is the forwarded one.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  const httpServer = createHttpServer(app);
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 64 * 1024 });
  const live = serveLiveSockets(wsServer, {
    execution,
    feed: services.hub,
    logger,
    context: contextFor,
    contextFor: principalContext(ds, services),
    now: () => clock.now().getTime(),
    allowedOrigins: config.allowedOrigins,
  });
  const metrics = createMetrics(() => live);

  const apollo = new ApolloServer<AppContext>(
    graphqlHttpOptions({
      schema,
      logger,
      production,
      mayIntrospect,
      execution,
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 8000 }),
        metrics.plugin,
        ApolloServerPluginLandingPageDisabled(),
        { async serverWillStart() { return { async drainServer() { await live.close(); } }; } },
      ],
    }),
  );
  await apollo.start();

  mountPages(app);
  mountExplorer(app, services.tokens, config.nodeEnv === 'production');
  mountExports(app, { ds, tokens: services.tokens, analytics: services.analytics, evaluations: services.evaluations, extra: { 'action-items': actionItemsExport(ds, clock) } });
  mountReports(app, { ds, clock, logger, tokens: services.tokens, evaluations: services.evaluations, dossiers: services.dossiers, tally: config.tally });
  mountImports(app, { ds, clock, tokens: services.tokens, attendance: services.attendance, logger });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      // Answer within 2 s even when the database has gone silent.
      const check = (async () => {
        await ds.query('SELECT 1');
        return ds.options.type === 'mysql' ? ds.showMigrations() : false;
      })();
      const pending = await Promise.race([check, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('readiness check timed out')), 2000).unref())]);
      res.status(pending ? 503 : 200).json({ status: pending ? 'migrations pending' : 'ready' });
    } catch (err) {
      logger.warn({ err }, 'readiness check failed');
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  app.use(
    '/graphql',
    express.json({ limit: LIMITS.bodyBytes }),
    loginGate(() => services.accounts.admitSignIn()),
    expressMiddleware(apollo, { context: async ({ req }) => contextFor(req.headers.authorization, req.ip ?? null) }),
  );
  // A body over the limit, or one that is not JSON: a GraphQL-shaped error with the right status, not an HTML page.
  app.use((err: { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!err?.status) return next(err);
    const code = err.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    res.status(err.status).json({ errors: [{ message: err.status === 413 ? `the request body exceeds ${LIMITS.bodyBytes} bytes` : 'malformed request body', extensions: { code } }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, resolve);
  });
  const port = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    httpServer,
    schema,
    services,
    live,
    async stop() {
      await apollo.stop();
      await services.close();
      await pubsub.close();
    },
  };
}

/** Redis when configured (and reachable at start, so a typo fails loudly), otherwise in-process. */
async function createPubSub(redisUrl: string | null, prefix: string, logger: Logger): Promise<PubSub> {
  if (!redisUrl) return new LocalPubSub();
  const redis = new RedisPubSub(redisUrl, logger, prefix);
  await redis.ready();
  return redis;
}

/**
 * A bad token does not fail the request outright: public operations (login) still work, and the first root field
 * that needs a principal reports why the token was refused.
 */
export function contextFactory(ds: DataSource, services: Pick<Services, 'tokens' | 'hub' | 'clock' | 'audits' | 'notifications'>) {
  const forPrincipal = principalContext(ds, services);
  return async (authorization: unknown, ip: string | null = null): Promise<AppContext> => {
    const token = bearerToken(authorization);
    let principal: Principal | null = null;
    let authError: AppError | null = null;
    if (token) {
      try {
        principal = await services.tokens.verify(token);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        authError = err;
      }
    } else if (authorization !== undefined && authorization !== null && authorization !== '') {
      authError = new AppError('UNAUTHENTICATED', 'malformed Authorization: expected "Bearer <token>"');
    }
    return forPrincipal(principal, authError, ip);
  };
}

/** A fresh context (its own loaders and request id) for an already authenticated principal. */
export function principalContext(ds: DataSource, services: Pick<Services, 'hub' | 'audits' | 'notifications'>) {
  const { hub, audits, notifications } = services;
  return (principal: Principal | null, authError: AppError | null = null, ip: string | null = null): AppContext => ({
    principal,
    authError,
    ip,
    loaders: createLoaders(ds, { principal, audits }),
    requestId: randomUUID(),
    feed: hub,
    notices: notifications.feed,
  });
}
