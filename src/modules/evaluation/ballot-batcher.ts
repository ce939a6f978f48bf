/** The timers the batcher arms; injected so tests drive them (jest fake timers or a hand-made queue). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd: a pending record never keeps the process alive. */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface BallotBatcherOptions {
  /** At most one record per session per window (ms); the first ballot after a quiet window is recorded at once. */
  windowMs: number;
  /** How long `committed` waits for the record that includes the ballot (ms) before answering anyway. */
  maxWaitMs: number;
  /** How often a failed record is tried again (each a window later) before the next ballot or the close does it. */
  retries: number;
  timers: Timers;
  /** A record failed (it is retried; the ballot itself is stored). */
  onError(err: unknown, sessionId: number): void;
}

export const DEFAULT_BALLOT_BATCHING: Omit<BallotBatcherOptions, 'onError'> = { windowMs: 50, maxWaitMs: 500, retries: 3, timers: systemTimers };

interface Waiter {
  done(): void;
}

interface Room {
  /** Ballots committed since the running record (if any) started: the next record must include them. */
  waiting: Waiter[];
  /** The record under way. */
  running: Promise<void> | null;
  /** Set for a window after each record starts; while set, new ballots wait for its end. */
  cooling: unknown;
  /** The last record failed and is to be tried again. */
  dirty: boolean;
  failures: number;
}

/**
 * Turns many committed ballots into few room commands: per session, after ballots commit, one `record(sessionId)`
 * per window (leading edge: a ballot after a quiet window is recorded at once, later ones wait for the window's
 * end and share one record). `record` reads the exact count from the database, so it does not matter which
 * ballots a record covers, only that every ballot is followed by a record that started after its commit: a ballot
 * that commits while a record runs waits for the next one. No database here: time is the injected timers, the
 * work is the callback.
 */
export class BallotBatcher {
  private readonly rooms = new Map<number, Room>();
  private closed = false;

  constructor(
    private readonly record: (sessionId: number) => Promise<void>,
    private readonly options: BallotBatcherOptions,
  ) {}

  /**
   * Call after a ballot of `sessionId` committed. Resolves once a record that started after now has finished (so
   * the room shows this ballot), or after `maxWaitMs`; never rejects, since the ballot is stored either way.
   */
  committed(sessionId: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    const room = this.room(sessionId);
    return new Promise<void>((resolve) => {
      const timeout = this.options.timers.setTimeout(resolve, this.options.maxWaitMs);
      room.waiting.push({
        done: () => {
          this.options.timers.clearTimeout(timeout);
          resolve();
        },
      });
      this.kick(sessionId, room);
    });
  }

  /** Records what is pending for `sessionId` now, without waiting for the window; resolves when all of it is done. */
  async flush(sessionId: number): Promise<void> {
    for (;;) {
      const room = this.rooms.get(sessionId);
      if (!room) return;
      if (room.running) {
        await room.running;
      } else if (room.waiting.length > 0 || room.dirty) {
        if (room.cooling !== null) this.options.timers.clearTimeout(room.cooling);
        room.cooling = null;
        this.start(sessionId, room);
      } else {
        if (room.cooling === null) this.rooms.delete(sessionId);
        return;
      }
    }
  }

  /** Records everything pending at once and stops: later ballots are left to the close or another instance. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.rooms.keys()].map((sessionId) => this.flush(sessionId)));
    for (const room of this.rooms.values()) if (room.cooling !== null) this.options.timers.clearTimeout(room.cooling);
    this.rooms.clear();
  }

  private room(sessionId: number): Room {
    let room = this.rooms.get(sessionId);
    if (!room) {
      room = { waiting: [], running: null, cooling: null, dirty: false, failures: 0 };
      this.rooms.set(sessionId, room);
    }
    return room;
  }

  /** Starts a record unless one runs or the window since the last one has not passed: those start it when they end. */
  private kick(sessionId: number, room: Room): void {
    if (room.running || room.cooling !== null) return;
    if (room.waiting.length > 0 || room.dirty) this.start(sessionId, room);
    else this.rooms.delete(sessionId);
  }

  private start(sessionId: number, room: Room): void {
    const batch = room.waiting.splice(0);
    room.dirty = false;
    if (!this.closed) {
      room.cooling = this.options.timers.setTimeout(() => {
        room.cooling = null;
        this.kick(sessionId, room);
      }, this.options.windowMs);
    }
    room.running = this.record(sessionId).then(
      () => {
        room.failures = 0;
      },
      (err: unknown) => {
        room.failures++;
        if (room.failures <= this.options.retries) room.dirty = true;
        this.options.onError(err, sessionId);
      },
    );
    void room.running.then(() => {
      room.running = null;
      for (const waiter of batch) waiter.done();
      if (!this.closed) this.kick(sessionId, room);
    });
  }
}
