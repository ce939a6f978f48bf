import type { DataSource } from 'typeorm';
import type { Logger } from '../../common/logger';
import { NotFoundError } from '../../common/errors';
import { LiveQueue } from '../../common/live-queue';
import type { PubSub } from '../../pubsub/pubsub';
import { Session } from '../sessions/session.entity';
import type { RoomEvent } from './room-events';
import { CommandResult, loadRoomState, readRoomEvents } from './room-log';
import { foldRoom } from './room-reducer';
import type { RoomState } from './room-state';

export type RoomListener = (state: RoomState, events: readonly RoomEvent[]) => void;

/** What subscriptions need from the live room. RoomHub implements it; the per-audience fan-out of src/app/live/ reads it (docs/room-log.md). */
export interface RoomFeed {
  current(sessionId: number): Promise<RoomState>;
  /** The state now, then each newer state; an unread state is replaced by a newer one. */
  states(sessionId: number): Promise<AsyncIterableIterator<RoomState>>;
  /** Every event with seq > afterSeq from the log, then live ones: no gap, no duplicate. Null: live ones only. */
  events(sessionId: number, afterSeq: number | null): Promise<AsyncIterableIterator<RoomEvent>>;
}

const REPLAY_PAGE = 500;

interface Tail {
  state: RoomState;
  listeners: Set<RoomListener>;
  refreshing: Promise<void> | null;
  stale: boolean;
}

/**
 * This instance's view of the rooms it serves: one tail of the log per room, read once per change and shared by
 * every local subscriber. Pub/sub only says "room S reached seq N"; a tail that missed messages catches up on the
 * next one, or at the next poll, because it always reads the log from where it is.
 */
export class RoomHub implements RoomFeed {
  private readonly tails = new Map<number, Promise<Tail>>();
  private readonly loaded = new Map<number, Tail>();
  private readonly observers = new Set<RoomListener>();
  private readonly unsubscribe: () => void;
  private readonly poller: NodeJS.Timeout;

  constructor(
    private readonly ds: DataSource,
    private readonly pubsub: PubSub,
    private readonly logger: Logger,
    pollMs = 2000,
  ) {
    this.unsubscribe = pubsub.subscribe('roomAdvanced', ({ sessionId, seq }) => {
      const tail = this.loaded.get(sessionId);
      if (tail && seq > tail.state.seq) void this.refresh(sessionId);
    });
    this.poller = setInterval(() => {
      for (const [sessionId, tail] of this.loaded) if (tail.listeners.size > 0) void this.refresh(sessionId);
    }, pollMs);
    this.poller.unref();
  }

  /** Called for every room change this instance learns of (the time keeper watches the clocks with it). */
  observe(listener: RoomListener): () => void {
    this.observers.add(listener);
    return () => this.observers.delete(listener);
  }

  cached(sessionId: number): RoomState | undefined {
    return this.loaded.get(sessionId)?.state;
  }

  async current(sessionId: number): Promise<RoomState> {
    await this.tail(sessionId);
    await this.refresh(sessionId);
    return this.loaded.get(sessionId)!.state;
  }

  /** After a local commit: update this instance at once, then wake the others. */
  async committed(sessionId: number, result: CommandResult): Promise<void> {
    if (result.events.length === 0) return;
    const tail = this.loaded.get(sessionId);
    if (!tail && !this.tails.has(sessionId)) this.adopt(sessionId, result.state);
    else if (tail && !tail.refreshing && tail.state.seq === result.events[0].seq - 1) this.apply(tail, result.state, result.events);
    else if (tail) await this.refresh(sessionId);
    await this.pubsub.publish('roomAdvanced', { sessionId, seq: result.state.seq });
  }

  /** Reads the log past the tail's seq; concurrent calls share one read and ask for another if they came late. */
  refresh(sessionId: number): Promise<void> {
    const tail = this.loaded.get(sessionId);
    if (!tail) return Promise.resolve();
    if (tail.refreshing) {
      tail.stale = true;
      return tail.refreshing;
    }
    const run = async (): Promise<void> => {
      do {
        tail.stale = false;
        const events = await readRoomEvents(this.ds, sessionId, tail.state.seq);
        if (events.length) this.apply(tail, foldRoom(tail.state, events), events);
      } while (tail.stale);
    };
    tail.refreshing = run()
      .catch((err) => this.logger.warn({ err, sessionId }, 'room refresh failed; the next wake-up retries'))
      .finally(() => {
        tail.refreshing = null;
      });
    return tail.refreshing;
  }

  async states(sessionId: number): Promise<AsyncIterableIterator<RoomState>> {
    const tail = await this.tail(sessionId);
    const listener: RoomListener = (state) => queue.push(state);
    const queue = new LiveQueue<RoomState>(() => tail.listeners.delete(listener), true);
    queue.push(tail.state);
    tail.listeners.add(listener);
    void this.refresh(sessionId);
    return queue;
  }

  async events(sessionId: number, afterSeq: number | null): Promise<AsyncIterableIterator<RoomEvent>> {
    const tail = await this.tail(sessionId);
    let last = afterSeq ?? tail.state.seq;
    let catchingUp = false;
    const held: RoomEvent[] = [];
    const deliver = (e: RoomEvent) => {
      if (e.seq <= last) return;
      if (e.seq === last + 1) {
        queue.push(e);
        last = e.seq;
      } else {
        held.push(e);
        void catchUp();
      }
    };
    const listener: RoomListener = (_state, events) => (catchingUp ? held.push(...events) : events.forEach(deliver));
    const queue = new LiveQueue<RoomEvent>(() => tail.listeners.delete(listener));
    /** Replays from the log everything after `last`, then releases what arrived live meanwhile. */
    const catchUp = async () => {
      if (catchingUp) return;
      catchingUp = true;
      try {
        for (;;) {
          const page = await readRoomEvents(this.ds, sessionId, last, REPLAY_PAGE);
          for (const e of page) deliver(e);
          if (page.length < REPLAY_PAGE) break;
        }
        catchingUp = false;
        const pending = held.splice(0).sort((a, b) => a.seq - b.seq);
        for (const e of pending) if (e.seq === last + 1) deliver(e);
        if (pending.some((e) => e.seq > last)) void catchUp();
      } catch (err) {
        catchingUp = false;
        queue.fail(err);
      }
    };
    tail.listeners.add(listener);
    await catchUp();
    return queue;
  }

  close(): void {
    clearInterval(this.poller);
    this.unsubscribe();
  }

  private tail(sessionId: number): Promise<Tail> {
    let pending = this.tails.get(sessionId);
    if (!pending) {
      pending = (async () => {
        if (!(await this.ds.getRepository(Session).existsBy({ id: sessionId }))) throw new NotFoundError('session', sessionId, 'sessionId');
        return this.adopt(sessionId, await loadRoomState(this.ds, sessionId));
      })();
      pending.catch(() => this.tails.delete(sessionId));
      this.tails.set(sessionId, pending);
    }
    return pending;
  }

  /** Starts tailing a room from a state known to be committed, and lets the observers see it. */
  private adopt(sessionId: number, state: RoomState): Tail {
    const tail: Tail = { state, listeners: new Set(), refreshing: null, stale: false };
    this.loaded.set(sessionId, tail);
    if (!this.tails.has(sessionId)) this.tails.set(sessionId, Promise.resolve(tail));
    for (const observer of this.observers) observer(state, []);
    return tail;
  }

  private apply(tail: Tail, state: RoomState, events: readonly RoomEvent[]): void {
    tail.state = state;
    for (const listener of [...tail.listeners]) listener(state, events);
    for (const observer of this.observers) observer(state, events);
  }
}
