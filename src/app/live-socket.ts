import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  DocumentNode,
  ExecutionResult,
  FieldNode,
  GraphQLError,
  GraphQLSchema,
  OperationDefinitionNode,
  execute,
  getOperationAST,
  subscribe,
  validate,
} from 'graphql';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../auth/principal';
import { AppError } from '../common/errors';
import type { RoomFeed } from '../modules/room/room-hub';
import { visibleSession } from '../modules/room/room.resolver';
import type { AppContext } from './context';
import { ALL_RULES, checkVariables, isIntrospection, LIMITS, parseLimited } from './limits';
import type { Logger } from './logger';

/**
 * The graphql-transport-ws protocol on `ws`, written for the hall: one room broadcast costs one execution and one
 * serialisation per audience (subscribers whose results are identical), then a cheap write per socket.
 *
 * - Audience: same document, operation, variables (afterSeq aside) and roles. Every resolver reachable from
 *   RoomState and RoomEvent depends on the roles only, never on who exactly asks (checked by a test).
 * - Each subscriber still reads the room through the hub's gap-free iterators, so order and completeness are the
 *   hub's; what is shared is the executed, serialised payload per (audience, seq).
 * - Slow sockets: a state subscriber whose socket is backed up skips superseded states (the queue conflates); an
 *   events subscriber is never skipped, but past a hard cap its socket is closed (1013) to resume with afterSeq.
 */

const PROTOCOL = 'graphql-transport-ws';
const CLOSE = {
  badRequest: 4400,
  unauthorized: 4401,
  initTimeout: 4408,
  subscriberExists: 4409,
  tooManyInits: 4429,
  tryAgainLater: 1013,
  goingAway: 1001,
} as const;

export interface LiveSocketOptions {
  schema: GraphQLSchema;
  feed: RoomFeed;
  logger: Logger;
  /** Builds the context from the token sent in connection_init (checked once) and the peer's address. */
  context: (authorization: unknown, ip: string | null) => Promise<AppContext>;
  /** Fresh per-execution parts of a context (loaders, request id) for a principal. */
  contextFor: (principal: Principal | null, authError?: AppError | null, ip?: string | null) => AppContext;
  now: () => number;
  /** connection_init must arrive within this (ms). */
  initTimeoutMs?: number;
  /** A state subscriber waits for its socket below this many buffered bytes (newer states replace older). */
  softBufferBytes?: number;
  /** An events subscriber whose socket holds more than this is closed, to resume with afterSeq. */
  hardBufferBytes?: number;
  /** Production refuses introspection except to those `mayIntrospect` lets through. */
  production?: boolean;
  mayIntrospect?: (principal: Principal | null) => boolean;
  /** Per socket and per user. */
  maxSubscriptionsPerSocket?: number;
  maxSocketsPerUser?: number;
  /** Browsers' Origin header must be one of these (empty: any). */
  allowedOrigins?: readonly string[];
  /** A socket that has not answered a ping within this is terminated (ms). */
  keepAliveMs?: number;
}

interface Validated {
  document: DocumentNode;
  errors: readonly GraphQLError[];
}

/** Parse + validate once per distinct document: a crowd joining with the same subscription costs one of each. */
class DocumentCache {
  private readonly entries = new Map<string, Validated>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly max = 500,
  ) {}

  get(query: string): Validated {
    const hit = this.entries.get(query);
    if (hit) {
      this.entries.delete(query);
      this.entries.set(query, hit);
      return hit;
    }
    let entry: Validated;
    try {
      const document = parseLimited(query);
      entry = { document, errors: validate(this.schema, document, ALL_RULES) };
    } catch (err) {
      entry = { document: { kind: 'Document', definitions: [] } as unknown as DocumentNode, errors: [err as GraphQLError] };
    }
    this.entries.set(query, entry);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}

/**
 * Executed, serialised payloads of one audience, by seq; a few hundred are kept for replays. The promise is stored
 * before execution finishes, so subscribers woken by the same event wait for one execution instead of each running
 * their own.
 */
interface Audience {
  key: string;
  payloads: Map<number, { json: Promise<string>; at: number }>;
}

interface Connection {
  socket: WebSocket;
  acked: boolean;
  principal: Principal | null;
  context: AppContext | null;
  subscriptions: Map<string, () => void>;
  initTimer: NodeJS.Timeout | null;
  /** Answered the last ping; a socket that does not is terminated at the next round. */
  alive: boolean;
  ip: string | null;
}

const ROOM_FIELDS = new Set(['roomState', 'roomEvents']);
const PAYLOAD_CACHE = 256;
/** A snapshot older than this is executed again for a newcomer, so its serverNow is fresh for clock correction. */
const SNAPSHOT_FRESH_MS = 100;

export interface LiveSocketServer {
  /** Sockets and subscriptions now open, and room payloads executed so far (once per audience and seq), for metrics and tests. */
  stats(): { sockets: number; subscriptions: number; audiences: number; roomExecutions: number; roomDeliveries: number };
  close(): Promise<void>;
}

export function serveLiveSockets(wss: WebSocketServer, o: LiveSocketOptions): LiveSocketServer {
  const documents = new DocumentCache(o.schema);
  const audiences = new Map<string, Audience>();
  const connections = new Set<Connection>();
  const soft = o.softBufferBytes ?? 256 * 1024;
  let roomExecutions = 0;
  let roomDeliveries = 0;
  const hard = o.hardBufferBytes ?? 4 * 1024 * 1024;

  const send = (c: Connection, message: object) => {
    if (c.socket.readyState === c.socket.OPEN) c.socket.send(JSON.stringify(message));
  };
  const sendNext = (c: Connection, id: string, payloadJson: string) => {
    if (c.socket.readyState === c.socket.OPEN) c.socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payloadJson}}`);
  };
  const errorsOf = (err: unknown): GraphQLError[] =>
    err instanceof GraphQLError ? [err] : [new AppError('INTERNAL_SERVER_ERROR', 'internal error')];

  const origins = o.allowedOrigins ?? [];
  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    if (socket.protocol !== PROTOCOL) {
      socket.close(4406, 'Subprotocol not acceptable');
      return;
    }
    const origin = req.headers.origin;
    if (origins.length > 0 && origin !== undefined && !origins.includes(origin)) {
      socket.close(4403, 'Forbidden origin');
      return;
    }
    const c: Connection = { socket, acked: false, principal: null, context: null, subscriptions: new Map(), initTimer: null, alive: true, ip: req.socket.remoteAddress ?? null };
    connections.add(c);
    socket.on('pong', () => (c.alive = true));
    // A protocol violation (a frame over maxPayload, bad UTF-8) arrives as an error event; ws closes the socket.
    socket.on('error', (err) => o.logger.debug({ err: err.message }, 'socket error'));
    c.initTimer = setTimeout(() => socket.close(CLOSE.initTimeout, 'Connection initialisation timeout'), o.initTimeoutMs ?? 3000);
    socket.on('close', () => {
      if (c.initTimer) clearTimeout(c.initTimer);
      for (const stop of c.subscriptions.values()) stop();
      c.subscriptions.clear();
      connections.delete(c);
    });
    socket.on('message', (raw) => {
      void onMessage(c, String(raw)).catch((err) => {
        o.logger.warn({ err }, 'live socket message failed');
        socket.close(4500, 'Internal server error');
      });
    });
  });

  async function onMessage(c: Connection, raw: string): Promise<void> {
    let message: { type?: unknown; id?: unknown; payload?: any };
    try {
      message = JSON.parse(raw);
    } catch {
      return c.socket.close(CLOSE.badRequest, 'Invalid message received');
    }
    if (typeof message !== 'object' || message === null) return c.socket.close(CLOSE.badRequest, 'Invalid message received');
    switch (message.type) {
      case 'connection_init': {
        if (c.initTimer === null) return c.socket.close(CLOSE.tooManyInits, 'Too many initialisation requests');
        clearTimeout(c.initTimer);
        c.initTimer = null;
        c.context = await o.context(message.payload?.authorization, c.ip);
        c.principal = c.context.principal;
        const user = c.principal?.kind === 'user' ? c.principal.userId : null;
        const limit = o.maxSocketsPerUser ?? 5;
        if (user !== null && [...connections].filter((x) => x.acked && x.principal?.kind === 'user' && x.principal.userId === user).length >= limit) {
          return c.socket.close(4403, `at most ${limit} connections per user`);
        }
        c.acked = true;
        return send(c, { type: 'connection_ack' });
      }
      case 'ping':
        return send(c, { type: 'pong' });
      case 'pong':
        return;
      case 'subscribe': {
        if (!c.acked) return c.socket.close(CLOSE.unauthorized, 'Unauthorized');
        const id = message.id;
        const query = message.payload?.query;
        if (typeof id !== 'string' || id === '' || typeof query !== 'string') return c.socket.close(CLOSE.badRequest, 'Invalid message received');
        if (c.subscriptions.has(id)) return c.socket.close(CLOSE.subscriberExists, `Subscriber for ${id} already exists`);
        return startOperation(c, id, query, message.payload?.variables ?? {}, message.payload?.operationName ?? null);
      }
      case 'complete': {
        const id = message.id;
        if (typeof id === 'string') {
          c.subscriptions.get(id)?.();
          c.subscriptions.delete(id);
        }
        return;
      }
      default:
        return c.socket.close(CLOSE.badRequest, 'Invalid message received');
    }
  }

  async function startOperation(c: Connection, id: string, query: string, variables: Record<string, unknown>, operationName: string | null): Promise<void> {
    const { document, errors } = documents.get(query);
    if (errors.length) return send(c, { id, type: 'error', payload: errors.map((e) => e.toJSON()) });
    const listError = checkVariables(variables);
    if (listError) return send(c, { id, type: 'error', payload: [listError.toJSON()] });
    if (o.production && isIntrospection(document) && !(o.mayIntrospect?.(c.principal) ?? false)) {
      return send(c, { id, type: 'error', payload: [{ message: 'introspection is off in production', extensions: { code: 'FORBIDDEN' } }] });
    }
    if (c.subscriptions.size >= (o.maxSubscriptionsPerSocket ?? 20)) {
      return send(c, { id, type: 'error', payload: [{ message: `at most ${o.maxSubscriptionsPerSocket ?? 20} operations per socket`, extensions: { code: 'RATE_LIMITED' } }] });
    }
    const operation = getOperationAST(document, operationName);
    if (!operation) return send(c, { id, type: 'error', payload: [{ message: 'no operation to run' }] });
    // Reserve the id at once, so a duplicate sent while this one starts is refused.
    let stopped = false;
    c.subscriptions.set(id, () => (stopped = true));
    const finish = (result?: ExecutionResult) => {
      if (stopped || !c.subscriptions.has(id)) return;
      if (result) sendNext(c, id, JSON.stringify(result));
      send(c, { id, type: 'complete' });
      c.subscriptions.delete(id);
    };
    try {
      if (operation.operation !== 'subscription') {
        const contextValue = o.contextFor(c.principal, c.context?.authError ?? null, c.ip);
        contextValue.deadline = Date.now() + LIMITS.operationMs;
        const result = await execute({ schema: o.schema, document, variableValues: variables, operationName, contextValue });
        return finish(result as ExecutionResult);
      }
      const field = rootField(operation);
      if (field && ROOM_FIELDS.has(field.name.value) && operation.selectionSet.selections.length === 1) {
        return await startRoomSubscription(c, id, document, operation, field, variables, operationName, () => stopped);
      }
      const stream = await subscribe({ schema: o.schema, document, variableValues: variables, operationName, contextValue: o.contextFor(c.principal) });
      if (!(Symbol.asyncIterator in stream)) return finish(stream as ExecutionResult);
      c.subscriptions.set(id, () => {
        stopped = true;
        void stream.return?.();
      });
      for await (const result of stream) {
        if (stopped) break;
        sendNext(c, id, JSON.stringify(result));
      }
      finish();
    } catch (err) {
      if (!stopped) finish({ errors: errorsOf(err) });
    }
  }

  /**
   * A room subscription: authorised for this subscriber, fed by the hub's gap-free iterator, with each (audience,
   * seq) payload executed and serialised once and shared.
   */
  async function startRoomSubscription(
    c: Connection,
    id: string,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    field: FieldNode,
    variables: Record<string, unknown>,
    operationName: string | null,
    isStopped: () => boolean,
  ): Promise<void> {
    const name = field.name.value as 'roomState' | 'roomEvents';
    const args = roomArgs(field, variables);
    const context = o.contextFor(c.principal);
    if (c.context?.authError && !c.principal) context.authError = c.context.authError;
    let sessionId: number;
    try {
      sessionId = visibleSession(context, name, args.sessionId);
      if (name === 'roomEvents' && args.afterSeq !== null && (!Number.isInteger(args.afterSeq) || args.afterSeq < 0)) {
        throw new AppError('BAD_USER_INPUT', 'afterSeq must be 0 or more', { field: 'afterSeq' });
      }
    } catch (err) {
      sendNext(c, id, JSON.stringify({ errors: errorsOf(err) }));
      send(c, { id, type: 'complete' });
      c.subscriptions.delete(id);
      return;
    }
    const audience = audienceFor(document, operationName, variables, c.principal);
    const source: AsyncIterableIterator<{ seq: number }> =
      name === 'roomState' ? await o.feed.states(sessionId) : await o.feed.events(sessionId, args.afterSeq);
    if (isStopped()) {
      void source.return?.();
      return;
    }
    let closed = false;
    c.subscriptions.set(id, () => {
      closed = true;
      void source.return?.();
    });
    const payloadOf = (item: { seq: number }, first: boolean): Promise<string> => {
      const cached = audience.payloads.get(item.seq);
      const stale = name === 'roomState' && first && cached !== undefined && o.now() - cached.at > SNAPSHOT_FRESH_MS;
      if (cached && !stale) return cached.json;
      roomExecutions += 1;
      const json = Promise.resolve(
        execute({ schema: o.schema, document, rootValue: item, variableValues: variables, operationName, contextValue: o.contextFor(c.principal) }),
      ).then((result) => JSON.stringify(result));
      audience.payloads.set(item.seq, { json, at: o.now() });
      if (audience.payloads.size > PAYLOAD_CACHE) audience.payloads.delete(audience.payloads.keys().next().value!);
      json.catch(() => audience.payloads.delete(item.seq));
      return json;
    };
    let first = true;
    try {
      for (;;) {
        if (name === 'roomState') await drained(c.socket, soft, () => closed);
        const next = await source.next();
        if (next.done || closed) break;
        const json = await payloadOf(next.value, first);
        first = false;
        if (closed) break;
        sendNext(c, id, json);
        roomDeliveries += 1;
        if (name === 'roomEvents' && c.socket.bufferedAmount > hard) {
          c.socket.close(CLOSE.tryAgainLater, 'Too far behind: resubscribe with afterSeq');
          break;
        }
      }
    } catch (err) {
      if (!closed) sendNext(c, id, JSON.stringify({ errors: errorsOf(err) }));
    }
    if (!closed && c.subscriptions.has(id)) {
      send(c, { id, type: 'complete' });
      c.subscriptions.delete(id);
    }
    void source.return?.();
  }

  function audienceFor(document: DocumentNode, operationName: string | null, variables: Record<string, unknown>, principal: Principal | null): Audience {
    const { afterSeq: _ignored, ...shared } = variables as Record<string, unknown>;
    const roles = principal ? [...principal.roles].sort().join(',') : '';
    const key = createHash('sha1')
      .update(JSON.stringify([documentKey(document), operationName, shared, roles]))
      .digest('base64url');
    let audience = audiences.get(key);
    if (!audience) {
      audience = { key, payloads: new Map() };
      audiences.set(key, audience);
      if (audiences.size > 10_000) audiences.delete(audiences.keys().next().value!);
    }
    return audience;
  }

  // Keep-alive: a peer that stops answering pings (a phone that lost Wi-Fi) is terminated, which completes its
  // subscriptions and frees what they hold.
  const keepAlive = setInterval(() => {
    for (const c of connections) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }, o.keepAliveMs ?? 12_000);
  keepAlive.unref();

  return {
    stats: () => ({
      sockets: connections.size,
      subscriptions: [...connections].reduce((n, c) => n + c.subscriptions.size, 0),
      audiences: audiences.size,
      roomExecutions,
      roomDeliveries,
    }),
    async close() {
      clearInterval(keepAlive);
      for (const c of connections) c.socket.close(CLOSE.goingAway, 'Server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

const documentKeys = new WeakMap<DocumentNode, string>();
function documentKey(document: DocumentNode): string {
  let key = documentKeys.get(document);
  if (!key) {
    key = createHash('sha1').update(JSON.stringify(document.loc?.source.body ?? document)).digest('base64url');
    documentKeys.set(document, key);
  }
  return key;
}

function rootField(operation: OperationDefinitionNode): FieldNode | null {
  const first = operation.selectionSet.selections[0];
  return first?.kind === 'Field' ? first : null;
}

/** The room subscriptions' two arguments, from literals or variables. */
function roomArgs(field: FieldNode, variables: Record<string, unknown>): { sessionId: string; afterSeq: number | null } {
  const value = (name: string): unknown => {
    const arg = field.arguments?.find((a) => a.name.value === name);
    if (!arg) return null;
    const v = arg.value;
    if (v.kind === 'Variable') return variables[v.name.value] ?? null;
    if (v.kind === 'IntValue') return Number(v.value);
    if (v.kind === 'StringValue') return v.value;
    return null;
  };
  const sessionId = value('sessionId');
  const afterSeq = value('afterSeq');
  return { sessionId: sessionId === null ? '' : String(sessionId), afterSeq: afterSeq === null ? null : Number(afterSeq) };
}

/** Waits while the socket holds more than `limit` bytes (checked every 50 ms), unless the subscription ends. */
async function drained(socket: WebSocket, limit: number, stop: () => boolean): Promise<void> {
  while (socket.bufferedAmount > limit && socket.readyState === socket.OPEN && !stop()) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
