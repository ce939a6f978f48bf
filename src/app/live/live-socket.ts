import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../../auth/principal';
import type { Logger } from '../../common/logger';
import type { RoomFeed } from '../../modules/room/room-hub';
import type { AppContext } from '../context';
import type { Execution } from '../execution/execution';
import { Audiences } from './audiences';
import { send, type Connection, type LiveParts } from './connection';
import { startKeepAlive } from './keep-alive';
import { Operations } from './operations';
import { CLOSE, CLOSE_HANDSHAKE_MS, closeReason, PROTOCOL } from './protocol';
import { StateGroups } from './state-groups';

/**
 * The graphql-transport-ws protocol on `ws`, written for the hall: one room broadcast costs one execution and one
 * serialisation per audience (audiences.ts: subscribers whose results are identical), then a cheap write per socket.
 * This file holds the connections and the protocol's messages; operations.ts checks and runs an operation through
 * the execution the HTTP endpoint uses; state-groups.ts and room-events.ts fan the room out; keep-alive.ts pings.
 *
 * Frames are written as strings (`prefix + payload`), not Buffers: ws hands a string to the socket without an
 * intermediate Buffer, while a Buffer per socket and event is external memory that makes V8 run a full collection of
 * this (large) heap several times a second under a crowd (measured: ~25 % of the CPU per event at 1,000).
 */

export interface LiveSocketOptions {
  execution: Execution;
  feed: RoomFeed;
  logger: Logger;
  /** Builds the context from the token sent in connection_init (checked once) and the peer's address. */
  context: (authorization: unknown, ip: string | null) => Promise<AppContext>;
  /** Fresh per-execution parts of a context (loaders, request id) for a principal. */
  contextFor: LiveParts['contextFor'];
  now: () => number;
  /** connection_init must arrive within this (ms). */
  initTimeoutMs?: number;
  /** A state subscriber waits for its socket below this many buffered bytes (newer states replace older). */
  softBufferBytes?: number;
  /** An events subscriber whose socket holds more than this is closed, to resume with afterSeq. */
  hardBufferBytes?: number;
  /** Per socket and per user. */
  maxSubscriptionsPerSocket?: number;
  maxSocketsPerUser?: number;
  /** Browsers' Origin header must be one of these (empty: any). */
  allowedOrigins?: readonly string[];
  /** A socket that has not answered a ping within this is terminated (ms). */
  keepAliveMs?: number;
}

export interface LiveSocketServer {
  /** Sockets and subscriptions now open, audiences in use, room payloads executed so far (once per audience and seq), for metrics and tests. */
  stats(): { sockets: number; subscriptions: number; audiences: number; stateGroups: number; roomExecutions: number; roomDeliveries: number };
  close(): Promise<void>;
}

export function serveLiveSockets(wss: WebSocketServer, o: LiveSocketOptions): LiveSocketServer {
  const parts: LiveParts = {
    execution: o.execution,
    feed: o.feed,
    contextFor: o.contextFor,
    now: o.now,
    softBufferBytes: o.softBufferBytes ?? 256 * 1024,
    hardBufferBytes: o.hardBufferBytes ?? 4 * 1024 * 1024,
    counters: { roomExecutions: 0, roomDeliveries: 0 },
  };
  const audiences = new Audiences();
  const states = new StateGroups(parts, audiences);
  const operations = new Operations(parts, audiences, states, { maxPerSocket: o.maxSubscriptionsPerSocket ?? 20 });
  const connections = new Set<Connection>();
  /** Acknowledged sockets per signed-in user, for the per-user cap without scanning every connection. */
  const socketsPerUser = new Map<number, number>();
  const userOf = (c: Connection) => (c.acked && c.principal?.kind === 'user' ? c.principal.userId : null);

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
      case 'connection_init':
        return initialise(c, message.payload);
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
        return operations.start(c, id, query, message.payload?.variables ?? {}, message.payload?.operationName ?? null);
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

  async function initialise(c: Connection, payload: { authorization?: unknown } | undefined): Promise<void> {
    if (c.initTimer === null) return c.socket.close(CLOSE.tooManyInits, 'Too many initialisation requests');
    clearTimeout(c.initTimer);
    c.initTimer = null;
    const context = await o.context(payload?.authorization, c.ip);
    if (c.socket.readyState !== c.socket.OPEN) return;
    // A token that was sent and refused ends the connection here, rather than every operation answering
    // UNAUTHENTICATED: a client learns it once, from the close code, and does not resubscribe in a loop.
    if (context.authError) return c.socket.close(CLOSE.forbidden, closeReason(`Forbidden: ${context.authError.message}`));
    c.principal = context.principal as Principal | null;
    const user = c.principal?.kind === 'user' ? c.principal.userId : null;
    const limit = o.maxSocketsPerUser ?? 5;
    if (user !== null && (socketsPerUser.get(user) ?? 0) >= limit) {
      return c.socket.close(CLOSE.tryAgainLater, `Too many connections: at most ${limit} per user`);
    }
    c.acked = true;
    if (user !== null) socketsPerUser.set(user, (socketsPerUser.get(user) ?? 0) + 1);
    send(c, { type: 'connection_ack' });
  }

  const keepAlive = startKeepAlive(connections, o.keepAliveMs ?? 12_000);

  return {
    stats: () => ({
      sockets: connections.size,
      subscriptions: [...connections].reduce((n, c) => n + c.subscriptions.size, 0),
      audiences: audiences.size,
      stateGroups: states.size,
      ...parts.counters,
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
