import type { WebSocket } from 'ws';
import type { Principal } from '../../auth/principal';
import type { AppContext } from '../context';
import type { Execution } from '../execution/execution';
import type { RoomFeed } from '../../modules/room/room-hub';

/** One socket of the live room, after the protocol handshake or waiting for it. */
export interface Connection {
  socket: WebSocket;
  acked: boolean;
  /** Null: anonymous (no token was sent; a refused token closes the socket instead). */
  principal: Principal | null;
  /** Running operations by id: each entry stops its operation. */
  subscriptions: Map<string, () => void>;
  initTimer: NodeJS.Timeout | null;
  /** Answered the last ping; a socket that does not is terminated at the next round. */
  alive: boolean;
  ip: string | null;
}

/** What the parts of the live socket share: the execution, the room feed, contexts, the clock and the counters. */
export interface LiveParts {
  execution: Execution;
  feed: RoomFeed;
  /** Fresh per-execution parts of a context (loaders, request id) for a principal. */
  contextFor: (principal: Principal | null, authError?: null, ip?: string | null) => AppContext;
  now: () => number;
  /** A state subscriber waits for its socket below this many buffered bytes (newer states replace older). */
  softBufferBytes: number;
  /** An events subscriber whose socket holds more than this is closed, to resume with afterSeq. */
  hardBufferBytes: number;
  counters: { roomExecutions: number; roomDeliveries: number };
}

export function send(c: Connection, message: object): void {
  if (c.socket.readyState === c.socket.OPEN) c.socket.send(JSON.stringify(message));
}

/** A `next` frame around a payload that is already JSON text (shared by every subscriber of an audience). */
export function sendNext(c: Connection, id: string, payloadJson: string): void {
  if (c.socket.readyState === c.socket.OPEN) c.socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payloadJson}}`);
}

/** Ends an operation from the server's side: `complete`, unless the client already ended it. */
export function complete(c: Connection, id: string): void {
  if (!c.subscriptions.has(id)) return;
  send(c, { id, type: 'complete' });
  c.subscriptions.delete(id);
}

/** A failure as a `next` payload, formatted as the HTTP endpoint would (coded, masked when unexpected). */
export function errorPayload(execution: Execution, err: unknown): string {
  return JSON.stringify({ errors: execution.format([err]) });
}
