import 'reflect-metadata';
import { EventEmitter, on } from 'node:events';
import { createServer } from 'node:http';
import { type DocumentNode, type ExecutionArgs, type ExecutionResult, GraphQLError, parse, subscribe as graphqlSubscribe, validate } from 'graphql';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
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
 * (d) graphql-ws's own `makeServer`, bound to a `ws` server by a small adapter, with a `subscribe` hook that shares
 * ONE execution per audience: subscribers with the same query, operation, variables and roles (what ours keys an
 * audience by) join one source stream — the schema's roomState subscription executed once per event with the first
 * subscriber's context — and each gets that same ExecutionResult object. graphql-ws still serialises the `next`
 * message (id + payload) once per subscriber, which is the part a stock makeServer cannot share. The same schema,
 * resolvers, RoomState objects and in-memory pub/sub as the naive server; documents are parsed and validated once
 * per distinct query (cached), as ours does.
 */

type Extra = { principal?: Principal | null; authError?: AppError | null };
type SharedContext = AppContext & { audienceKey: string };

interface Member {
  queue: ExecutionResult[];
  wake: ((r: IteratorResult<ExecutionResult>) => void) | null;
  done: boolean;
}
interface Audience {
  key: string;
  members: Set<Member>;
  /** The last result executed for this audience: a late joiner's first message (the current state). */
  last: ExecutionResult | null;
  source: AsyncIterator<ExecutionResult> | null;
  closed: boolean;
}

const audiences = new Map<string, Audience>();

function push(m: Member, r: ExecutionResult): void {
  if (m.done) return;
  if (m.wake) {
    const wake = m.wake;
    m.wake = null;
    wake({ value: r, done: false });
  } else m.queue.push(r);
}

function finish(m: Member): void {
  m.done = true;
  if (m.wake) {
    const wake = m.wake;
    m.wake = null;
    wake({ value: undefined, done: true });
  }
}

/** Opens the audience's one source stream and pumps every result to all its members. */
function open(key: string, args: ExecutionArgs): Audience {
  const a: Audience = { key, members: new Set(), last: null, source: null, closed: false };
  audiences.set(key, a);
  void (async () => {
    try {
      const result = await graphqlSubscribe(args);
      if (!(Symbol.asyncIterator in result)) {
        // Errors (access, variables): one result for everyone, then the end.
        for (const m of a.members) push(m, result);
        return;
      }
      a.source = result;
      if (a.closed) return void result.return?.();
      for await (const r of result) {
        a.last = r;
        for (const m of a.members) push(m, r);
      }
    } catch (err) {
      const r: ExecutionResult = { errors: [err instanceof GraphQLError ? err : new GraphQLError((err as Error).message)] };
      for (const m of a.members) push(m, r);
    } finally {
      if (audiences.get(key) === a) audiences.delete(key);
      a.closed = true;
      for (const m of a.members) finish(m);
    }
  })();
  return a;
}

/** One subscriber's iterator over its audience's results; `return()` (complete, close) leaves at once. */
function join(a: Audience): AsyncIterableIterator<ExecutionResult> {
  const m: Member = { queue: a.last ? [a.last] : [], wake: null, done: false };
  a.members.add(m);
  const leave = () => {
    finish(m);
    if (!a.members.delete(m) || a.members.size > 0) return;
    if (audiences.get(a.key) === a) audiences.delete(a.key);
    a.closed = true;
    void a.source?.return?.();
  };
  const done = (): IteratorResult<ExecutionResult> => ({ value: undefined, done: true });
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (m.queue.length) return Promise.resolve({ value: m.queue.shift()!, done: false });
      if (m.done) return Promise.resolve(done());
      return new Promise((resolve) => (m.wake = resolve));
    },
    return() {
      leave();
      return Promise.resolve(done());
    },
    throw(err: unknown) {
      leave();
      return Promise.reject(err);
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'sqlite::memory:', PORT: '0', LOG_LEVEL: 'silent', JWT_SECRET: BENCH_JWT_SECRET });
  const logger = createLogger('silent');
  const ds = await createDataSource(config.database, { entities: ENTITIES }).initialize();
  const services = createServices({ ds, config, clock: systemClock, pubsub: new LocalPubSub(), logger });
  await services.timeKeeper.resume(ds);
  const schema = await buildAppSchema({ container: resolverContainer(services), logger });
  const room = await prepareRoom(ds, systemClock, services, true);

  // The same in-memory pub/sub as the naive server; here one iterator per audience, not per subscriber.
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
  /** Parsed and validated documents by query text. */
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const documentOf = (query: string) => {
    let d = documents.get(query);
    if (!d) {
      try {
        const doc = parse(query);
        const errors = validate(schema, doc);
        d = errors.length ? errors : doc;
      } catch (err) {
        d = [err as GraphQLError];
      }
      if (documents.size < 1000) documents.set(query, d);
    }
    return d;
  };

  const server = makeServer<Record<string, unknown>, Extra>({
    schema,
    onConnect: async (ctx) => {
      const context = await authenticate(ctx.connectionParams?.authorization);
      ctx.extra.principal = context.principal;
      ctx.extra.authError = context.authError;
      return true;
    },
    onSubscribe: (ctx, _id, payload) => {
      const document = documentOf(payload.query);
      if (Array.isArray(document)) return document as readonly GraphQLError[];
      const principal = ctx.extra.principal ?? null;
      const roles = principal ? [...principal.roles].sort().join(',') : '';
      const contextValue: SharedContext = {
        ...freshContext(principal, ctx.extra.authError ?? null),
        feed,
        audienceKey: `${payload.query}\u0000${payload.operationName ?? ''}\u0000${roles}\u0000${JSON.stringify(payload.variables ?? {})}`,
      };
      return { schema, document: document as DocumentNode, operationName: payload.operationName, variableValues: payload.variables, contextValue };
    },
    subscribe: (args) => {
      const key = (args.contextValue as SharedContext).audienceKey;
      return join(audiences.get(key) ?? open(key, args));
    },
  });

  const httpServer = createServer();
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 64 * 1024, handleProtocols: (protocols) => handleProtocols(protocols) });
  wss.on('connection', (socket, request) => {
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => socket.send(data),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', (data) => {
            cb(String(data)).catch((err: Error) => socket.close(CloseCode.InternalServerError, err.message.slice(0, 120)));
          }),
      },
      { request, socket } as Extra,
    );
    socket.once('close', (code, reason) => void closed(code, String(reason)));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  await serveAndAnnounce(portOf(httpServer), { ...roomControl(room, services), sockets: () => wss.clients.size });
}

runServer('server-makeserver', main);
