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
  getVariableValues,
  subscribe,
} from 'graphql';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../auth/principal';
import { AppError } from '../common/errors';
import type { RoomFeed } from '../modules/room/room-hub';
import { checkedAfterSeq, visibleSession } from '../modules/room/room-access';
import type { AppContext } from './context';
import { checkVariables, LIMITS } from './limits';
import type { Logger } from '../common/logger';
import { CLOSE, CLOSE_HANDSHAKE_MS, closeReason, PROTOCOL } from './live/protocol';
import { DocumentCache, documentKey, rootField, roomArgs } from './live/documents';

/**
 * The graphql-transport-ws protocol on `ws`, written for the hall: one room broadcast costs one execution and one
 * serialisation per audience (subscribers whose results are identical), then a cheap write per socket.
 *
 * - Audience: same document, operation, variables (afterSeq aside) and roles. Every resolver reachable from
 *   RoomState and RoomEvent depends on the roles only, never on who exactly asks (checked by a test).
 * - roomState: the subscribers of one audience and room form a group that reads the hub's state iterator once,
 *   executes and serialises each state once, and writes it to every socket in one synchronous loop (the subscription
 *   id is the only per-socket part of a frame). A newcomer gets the group's latest state at once (executed again if
 *   older than SNAPSHOT_FRESH_MS, once per group); every member gets every later state, in order. No queue, promise
 *   or context per subscriber: a subscriber costs a small record, and an event a string concatenation and a write.
 * - Frames are written as strings (`prefix + payload`), not Buffers: ws hands a string to the socket without an
 *   intermediate Buffer, while a Buffer per socket and event is external memory that makes V8 run a full collection
 *   of this (large) heap several times a second under a crowd (measured: ~25 % of the CPU per event at 1,000).
 * - roomEvents: each subscriber reads the hub's gap-free iterator (its own afterSeq), so order and completeness are
 *   the hub's; what is shared is the executed, serialised payload per (audience, seq).
 * - Slow sockets: a state subscriber whose socket is backed up skips superseded states (it keeps only the newest
 *   unwritten one); an events subscriber is never skipped, but past a hard cap its socket is closed (1013) to resume
 *   with afterSeq.
 */


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


/**
 * Executed, serialised payloads of one audience, by seq; a few hundred are kept for replays. The promise is stored
 * before execution finishes, so subscribers woken by the same event wait for one execution instead of each running
 * their own.
 */
interface Audience {
  key: string;
  payloads: Map<number, { json: Promise<string> }>;
}

/**
 * A roomState subscriber inside its group: all it holds is where it is in the room and the newest state it has not
 * been written yet.
 */
interface StateMember {
  c: Connection;
  id: string;
  group: StateGroup;
  /** `{"id":…,"type":"next","payload":` — the only part of a frame that is this subscriber's own. */
  prefix: string;
  prefixBytes: number;
  /**
   * This subscriber's frame buffer, prefix written once, reused for each state while its socket has written
   * everything (bufferedAmount 0: the previous frame is no longer referenced), so a broadcast allocates nothing per
   * socket. Null until the second write (the snapshot goes as a string), or while frames are past REUSED_FRAME_MAX.
   */
  frame: Buffer | null;
  lastSeq: number;
  /** The newest state not yet written (nextBody null: none); a newer one replaces it (conflation). */
  nextSeq: number;
  nextBody: Body | null;
  /** Waiting for its own fresh snapshot; live states wait in `next` behind it. */
  awaitingSnapshot: boolean;
  drainTimer: NodeJS.Timeout | null;
  closed: boolean;
}

/** A serialised state as the tail of a frame (`<payload>}`), as text and as UTF-8 bytes. */
interface Body {
  text: string;
  bytes: Buffer;
}

/** The roomState subscribers of one audience and room: one hub iterator, one execution and serialisation per state. */
interface StateGroup {
  key: string;
  sessionId: number;
  document: DocumentNode;
  variables: Record<string, unknown>;
  operationName: string | null;
  /** Whose context executes for the group: any member's would do (the audience is decided by roles alone). */
  principal: Principal | null;
  members: Set<StateMember>;
  /** The last state written to the group, serialised as the tail of a frame (`<payload>}`). */
  latest: { state: { seq: number }; body: Body; at: number } | null;
  /** A fresh execution of `latest` for newcomers, when it had grown stale. */
  refreshing: Promise<void> | null;
  source: AsyncIterableIterator<{ seq: number }> | null;
  closed: boolean;
}

interface Connection {
  socket: WebSocket;
  acked: boolean;
  /** Null: anonymous (no token was sent; a refused token closes the socket instead). */
  principal: Principal | null;
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
/** Frames up to this size are written from a buffer each subscriber keeps and reuses; larger ones as strings. */
const REUSED_FRAME_MAX = 16 * 1024;
/** Sockets pinged in one go by a keep-alive round before yielding to other work. */
const PING_SLICE = 250;
const TEXT_FRAME = { binary: false } as const;

export interface LiveSocketServer {
  /** Sockets and subscriptions now open, and room payloads executed so far (once per audience and seq), for metrics and tests. */
  stats(): { sockets: number; subscriptions: number; audiences: number; roomExecutions: number; roomDeliveries: number };
  close(): Promise<void>;
}

export function serveLiveSockets(wss: WebSocketServer, o: LiveSocketOptions): LiveSocketServer {
  const documents = new DocumentCache(o.schema);
  const audiences = new Map<string, Audience>();
  const stateGroups = new Map<string, StateGroup>();
  const connections = new Set<Connection>();
  /** Acknowledged sockets per signed-in user, for the per-user cap without scanning every connection. */
  const socketsPerUser = new Map<number, number>();
  const userOf = (c: Connection) => (c.acked && c.principal?.kind === 'user' ? c.principal.userId : null);
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
      socket.close(CLOSE.forbidden, 'Forbidden origin');
      return;
    }
    const c: Connection = { socket, acked: false, principal: null, subscriptions: new Map(), initTimer: null, alive: true, ip: req.socket.remoteAddress ?? null };
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
      const user = userOf(c);
      if (user !== null) {
        const left = (socketsPerUser.get(user) ?? 1) - 1;
        if (left > 0) socketsPerUser.set(user, left);
        else socketsPerUser.delete(user);
      }
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
        const context = await o.context(message.payload?.authorization, c.ip);
        if (c.socket.readyState !== c.socket.OPEN) return;
        // A token that was sent and refused ends the connection here, rather than every operation answering
        // UNAUTHENTICATED: a client learns it once, from the close code, and does not resubscribe in a loop.
        if (context.authError) return c.socket.close(CLOSE.forbidden, closeReason(`Forbidden: ${context.authError.message}`));
        c.principal = context.principal;
        const user = c.principal?.kind === 'user' ? c.principal.userId : null;
        const limit = o.maxSocketsPerUser ?? 5;
        if (user !== null && (socketsPerUser.get(user) ?? 0) >= limit) {
          return c.socket.close(CLOSE.tryAgainLater, `Too many connections: at most ${limit} per user`);
        }
        c.acked = true;
        if (user !== null) socketsPerUser.set(user, (socketsPerUser.get(user) ?? 0) + 1);
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
    const { document, errors, introspection } = documents.get(query);
    if (errors.length) return send(c, { id, type: 'error', payload: errors.map((e) => e.toJSON()) });
    const listError = checkVariables(variables);
    if (listError) return send(c, { id, type: 'error', payload: [listError.toJSON()] });
    if (o.production && introspection && !(o.mayIntrospect?.(c.principal) ?? false)) {
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
        const contextValue = o.contextFor(c.principal, null, c.ip);
        contextValue.deadline = Date.now() + LIMITS.operationMs;
        const result = await execute({ schema: o.schema, document, variableValues: variables, operationName, contextValue });
        return finish(result as ExecutionResult);
      }
      const field = rootField(operation);
      if (field && ROOM_FIELDS.has(field.name.value) && operation.selectionSet.selections.length === 1) {
        // Coerced as graphql-js would (defaults, types), since the shared room feed reads its arguments itself.
        const coerced = getVariableValues(o.schema, operation.variableDefinitions ?? [], variables);
        if (coerced.errors) return finish({ errors: coerced.errors });
        return await startRoomSubscription(c, id, document, operation, field, coerced.coerced, operationName, () => stopped);
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
    const args = roomArgs(o.schema, field, variables);
    let sessionId: number;
    try {
      // The access check reads only who asks (no loaders): a crowd subscribing builds no per-subscriber context.
      sessionId = visibleSession({ principal: c.principal, authError: null }, name, args.sessionId);
      if (name === 'roomEvents') args.afterSeq = checkedAfterSeq(args.afterSeq);
    } catch (err) {
      sendNext(c, id, JSON.stringify({ errors: errorsOf(err) }));
      send(c, { id, type: 'complete' });
      c.subscriptions.delete(id);
      return;
    }
    const audience = audienceFor(document, operationName, variables, c.principal);
    if (name === 'roomState') return joinStateGroup(c, id, audience, sessionId, document, variables, operationName);
    const source: AsyncIterableIterator<{ seq: number }> = await o.feed.events(sessionId, args.afterSeq);
    if (isStopped()) {
      void source.return?.();
      return;
    }
    let closed = false;
    c.subscriptions.set(id, () => {
      closed = true;
      void source.return?.();
    });
    const payloadOf = (item: { seq: number }): Promise<string> => {
      const cached = audience.payloads.get(item.seq);
      if (cached) return cached.json;
      roomExecutions += 1;
      const json = Promise.resolve(
        execute({ schema: o.schema, document, rootValue: item, variableValues: variables, operationName, contextValue: o.contextFor(c.principal) }),
      ).then((result) => JSON.stringify(result));
      audience.payloads.set(item.seq, { json });
      if (audience.payloads.size > PAYLOAD_CACHE) audience.payloads.delete(audience.payloads.keys().next().value!);
      json.catch(() => audience.payloads.delete(item.seq));
      return json;
    };
    try {
      for (;;) {
        const next = await source.next();
        if (next.done || closed) break;
        const json = await payloadOf(next.value);
        if (closed) break;
        sendNext(c, id, json);
        roomDeliveries += 1;
        if (c.socket.bufferedAmount > hard) {
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

  /**
   * Adds a roomState subscriber to its group (made, with its hub iterator, by the first one) and sends it the
   * group's latest state, fresh; from then on the group writes each new state to it.
   */
  function joinStateGroup(
    c: Connection,
    id: string,
    audience: Audience,
    sessionId: number,
    document: DocumentNode,
    variables: Record<string, unknown>,
    operationName: string | null,
  ): void {
    const key = `${audience.key}\u0000${sessionId}`;
    let group = stateGroups.get(key);
    if (!group) {
      const created: StateGroup = {
        key,
        sessionId,
        document,
        variables,
        operationName,
        principal: c.principal,
        members: new Set(),
        latest: null,
        refreshing: null,
        source: null,
        closed: false,
      };
      group = created;
      stateGroups.set(key, created);
      o.feed.states(sessionId).then(
        (source) => {
          if (created.closed) return void source.return?.();
          created.source = source;
          void runStateGroup(created);
        },
        (err) => failStateGroup(created, err),
      );
    }
    const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    const member: StateMember = {
      c,
      id,
      group,
      prefix,
      prefixBytes: Buffer.byteLength(prefix),
      frame: null,
      lastSeq: -1,
      nextSeq: -1,
      nextBody: null,
      awaitingSnapshot: false,
      drainTimer: null,
      closed: false,
    };
    group.members.add(member);
    c.subscriptions.set(id, () => leaveStateGroup(member));
    const latest = group.latest;
    if (!latest) return; // the group's first state, on its way, goes to every member
    if (o.now() - latest.at <= SNAPSHOT_FRESH_MS) return offer(member, latest.state.seq, latest.body);
    member.awaitingSnapshot = true;
    const g = group;
    g.refreshing ??= executeState(g, latest.state)
      .then((body) => {
        if (g.latest?.state === latest.state) g.latest = { state: latest.state, body, at: o.now() };
      })
      .finally(() => {
        g.refreshing = null;
      });
    g.refreshing.then(
      () => {
        member.awaitingSnapshot = false;
        const fresh = g.latest!;
        offer(member, fresh.state.seq, fresh.body);
        flush(member); // a newer state may have arrived meanwhile, and waits
      },
      (err) => failMember(member, err),
    );
  }

  /** Executes a state once for the group and serialises it as the tail of a frame: `<payload>}`. */
  async function executeState(group: StateGroup, state: { seq: number }): Promise<Body> {
    roomExecutions += 1;
    const result = await execute({
      schema: o.schema,
      document: group.document,
      rootValue: state,
      variableValues: group.variables,
      operationName: group.operationName,
      contextValue: o.contextFor(group.principal),
    });
    const text = `${JSON.stringify(result)}}`;
    return { text, bytes: Buffer.from(text) };
  }

  /** The group's one reader of the hub: each state is executed once, then offered to every member. */
  async function runStateGroup(group: StateGroup): Promise<void> {
    try {
      for (;;) {
        const next = await group.source!.next();
        if (next.done || group.closed) break;
        const body = await executeState(group, next.value);
        if (group.closed) break;
        group.latest = { state: next.value, body, at: o.now() };
        for (const member of group.members) offer(member, next.value.seq, body);
      }
    } catch (err) {
      return failStateGroup(group, err);
    }
    // The feed ended (the server is closing): complete whoever is still there.
    for (const member of [...group.members]) completeMember(member);
    closeStateGroup(group);
  }

  /** Queues a state for a member (replacing an older unwritten one) and writes it if its socket can take it. */
  function offer(member: StateMember, seq: number, body: Body): void {
    if (member.closed || seq <= member.lastSeq || seq <= member.nextSeq) return;
    member.nextSeq = seq;
    member.nextBody = body;
    flush(member);
  }

  function flush(member: StateMember): void {
    if (member.closed || member.awaitingSnapshot || member.nextBody === null || member.drainTimer !== null) return;
    const socket = member.c.socket;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > soft) {
      // Backed up: wait for the socket to drain; states arriving meanwhile replace the one waiting.
      member.drainTimer = setTimeout(() => {
        member.drainTimer = null;
        flush(member);
      }, 50);
      return;
    }
    const body = member.nextBody;
    const first = member.lastSeq === -1;
    member.lastSeq = member.nextSeq;
    member.nextBody = null;
    roomDeliveries += 1;
    const length = member.prefixBytes + body.bytes.length;
    if (first || length > REUSED_FRAME_MAX || socket.bufferedAmount > 0) {
      // The snapshot (a crowd subscribing at once allocates no buffers), a frame too big to keep per subscriber, or
      // the previous one may still be queued: a string, which ws writes without making a Buffer of it (a Buffer per
      // socket and event is external memory, and makes V8 collect this large heap in full several times a second).
      socket.send(member.prefix + body.text);
      return;
    }
    if (member.frame === null || member.frame.length < length) {
      member.frame = Buffer.allocUnsafeSlow(Math.min(REUSED_FRAME_MAX, length + 256));
      member.frame.write(member.prefix, 0, 'utf8');
    }
    body.bytes.copy(member.frame, member.prefixBytes);
    socket.send(member.frame.subarray(0, length), TEXT_FRAME);
  }

  function leaveStateGroup(member: StateMember): void {
    if (member.closed) return;
    member.closed = true;
    member.nextBody = null;
    member.frame = null;
    if (member.drainTimer) clearTimeout(member.drainTimer);
    const group = member.group;
    group.members.delete(member);
    if (group.members.size === 0) closeStateGroup(group);
  }

  function completeMember(member: StateMember): void {
    const { c, id } = member;
    leaveStateGroup(member);
    if (c.subscriptions.has(id)) {
      send(c, { id, type: 'complete' });
      c.subscriptions.delete(id);
    }
  }

  function failMember(member: StateMember, err: unknown): void {
    if (member.closed) return;
    sendNext(member.c, member.id, JSON.stringify({ errors: errorsOf(err) }));
    completeMember(member);
  }

  function failStateGroup(group: StateGroup, err: unknown): void {
    const payload = JSON.stringify({ errors: errorsOf(err) });
    for (const member of [...group.members]) {
      if (!member.closed) sendNext(member.c, member.id, payload);
      completeMember(member);
    }
    closeStateGroup(group);
  }

  function closeStateGroup(group: StateGroup): void {
    if (group.closed) return;
    group.closed = true;
    if (stateGroups.get(group.key) === group) stateGroups.delete(group.key);
    void group.source?.return?.();
  }

  function audienceFor(document: DocumentNode, operationName: string | null, variables: Record<string, unknown>, principal: Principal | null): Audience {
    const { afterSeq: _ignored, ...shared } = variables as Record<string, unknown>;
    const roles = principal ? (principal.roles.length === 1 ? principal.roles[0] : [...principal.roles].sort().join(',')) : '';
    const key = `${documentKey(document)}\u0000${operationName ?? ''}\u0000${roles}\u0000${JSON.stringify(shared)}`;
    let audience = audiences.get(key);
    if (!audience) {
      audience = { key, payloads: new Map() };
      audiences.set(key, audience);
      if (audiences.size > 10_000) audiences.delete(audiences.keys().next().value!);
    }
    return audience;
  }

  // Keep-alive: a peer that stops answering pings (a phone that lost Wi-Fi) is terminated, which completes its
  // subscriptions and frees what they hold. A round goes through the sockets in slices, yielding in between, so that
  // pinging a hall of thousands does not hold a room broadcast back for tens of milliseconds.
  const keepAlive = setInterval(() => {
    const round = [...connections];
    let i = 0;
    const slice = () => {
      for (const end = Math.min(round.length, i + PING_SLICE); i < end; i++) {
        const c = round[i];
        if (!connections.has(c)) continue;
        if (!c.alive) {
          c.socket.terminate();
          continue;
        }
        c.alive = false;
        c.socket.ping();
      }
      if (i < round.length) setImmediate(slice);
    };
    slice();
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
      for (const socket of wss.clients) socket.close(CLOSE.goingAway, 'Server shutting down');
      // wss.close() waits for every socket to close. A peer that does not answer the close handshake (gone without
      // a word, or not reading) would hold shutdown until the HTTP drain's grace ran out: cut it off after a moment.
      const cutOff = setTimeout(() => {
        for (const socket of wss.clients) socket.terminate();
      }, CLOSE_HANDSHAKE_MS);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(cutOff);
    },
  };
}


