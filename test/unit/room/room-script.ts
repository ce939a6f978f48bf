import type { AppError } from '../../../src/common/errors';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { decideRoom, RoomCommand } from '../../../src/modules/room/room-decider';
import type { LineupEntry } from '../../../src/modules/sessions/lineup';
import type { ApprovedComment, RoomEvent, RoomEventPayload } from '../../../src/modules/room/room-events';
import { reduceRoom } from '../../../src/modules/room/room-reducer';
import { initialRoomState, RoomState } from '../../../src/modules/room/room-state';

/** 23 Sept 2024, 09:00 in Chengde: session 1 of the big competition. */
export const T0 = Date.UTC(2024, 8, 23, 1, 0, 0);
export const SESSION_ID = 1;
export const CHAIR_ID = 7;

/** The phases in the order the meeting follows them (written out, not read from the enum, so a reorder is caught). */
export const PHASES = [RoomPhase.SCHEDULED, RoomPhase.SPEECHES, RoomPhase.EXCHANGE, RoomPhase.SUMMARY, RoomPhase.EVALUATION, RoomPhase.CLOSED] as const;

export function nextPhase(phase: RoomPhase): RoomPhase | null {
  const i = PHASES.indexOf(phase);
  return i >= 0 && i < PHASES.length - 1 ? PHASES[i + 1] : null;
}

/** A line-up of `allotted.length` speeches: ids 101, 102, …, in speaking order 1, 2, …, cadres 201, 202, …. */
export function lineup(allotted: readonly number[] = [180_000, 240_000, 120_000]): LineupEntry[] {
  return allotted.map((allottedMs, i) => ({ speechId: 101 + i, order: i + 1, cadreId: 201 + i, allottedMs }));
}

export function approvedComment(commentId: number, overrides: Partial<ApprovedComment> = {}): ApprovedComment {
  return { commentId, body: `问题 ${commentId}: 床位数据从何而来？`, authorName: `与会干部${commentId}`, speechId: null, postedAt: T0 + commentId * 1000, ...overrides };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Drives a room the way the service does, without I/O: decide at the script's `now`, stamp the events with the next
 * seqs and that instant, reduce. Every state is deep-frozen, so a decider or reducer that mutated its input would
 * throw instead of passing by accident.
 */
export class RoomScript {
  state: RoomState;
  readonly log: RoomEvent[] = [];
  now: number;

  constructor(startAt = T0, sessionId = SESSION_ID) {
    this.now = startAt;
    this.state = deepFreeze(initialRoomState(sessionId));
  }

  /** Moves the clock forward. */
  elapse(ms: number): this {
    this.now += ms;
    return this;
  }

  /** What the decider says to `command` now, without applying it. */
  decide(command: RoomCommand): RoomEventPayload[] | AppError {
    return decideRoom(this.state, deepFreeze(command), this.now);
  }

  /** Applies an accepted command; fails the test with the decider's message if it is refused. */
  run(command: RoomCommand, actorId: number | null = CHAIR_ID): RoomEvent[] {
    const decided = this.decide(command);
    if (decided instanceof Error) throw new Error(`${command.type} was refused: ${decided.message}`);
    return this.apply(decided, actorId);
  }

  /** Like run, but chainable. */
  then(command: RoomCommand): this {
    this.run(command);
    return this;
  }

  /** Applies the command if the decider accepts it; returns the decision either way. */
  attempt(command: RoomCommand, actorId: number | null = CHAIR_ID): RoomEvent[] | AppError {
    const decided = this.decide(command);
    return decided instanceof Error ? decided : this.apply(decided, actorId);
  }

  private apply(payloads: RoomEventPayload[], actorId: number | null): RoomEvent[] {
    const events = payloads.map((p, i): RoomEvent => deepFreeze({ ...p, seq: this.state.seq + 1 + i, at: this.now, actorId }));
    for (const event of events) {
      this.state = deepFreeze(reduceRoom(this.state, event));
      this.log.push(event);
    }
    return events;
  }
}

/**
 * A room at rest in `phase`: the default line-up of three is set and, from SPEECHES on, speech 101 has been given
 * (60 s, ended normally) so that reviews have something to review. Nobody is speaking.
 */
export function roomIn(phase: RoomPhase): RoomScript {
  const script = new RoomScript();
  script.run({ type: 'SET_LINEUP', entries: lineup() });
  for (let p: RoomPhase = RoomPhase.SCHEDULED; p !== phase; ) {
    const to: RoomPhase = nextPhase(p)!;
    script.elapse(60_000).run({ type: 'ADVANCE_PHASE', to });
    if (to === RoomPhase.SPEECHES) {
      script.run({ type: 'START_SPEECH' });
      script.elapse(60_000).run({ type: 'END_SPEECH' });
    }
    p = to;
  }
  return script;
}

/** A room in SPEECHES with speech 101 (180 s allowed) started at the script's `now`. */
export function roomWithSpeech(): RoomScript {
  const script = new RoomScript();
  script.run({ type: 'SET_LINEUP', entries: lineup() });
  script.elapse(60_000).run({ type: 'ADVANCE_PHASE', to: RoomPhase.SPEECHES });
  script.elapse(10_000).run({ type: 'START_SPEECH' });
  return script;
}
