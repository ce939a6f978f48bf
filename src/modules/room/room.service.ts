import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../common/clock';
import { inTransaction } from '../../db/transaction';
import type { RoomCommand } from './room-decider';
import type { RoomHub } from './room-hub';
import { runRoomCommand } from './room-log';
import type { RoomState } from './room-state';

/** Runs room commands: one transaction each, then this instance's subscribers and the other instances hear of it. */
export class RoomService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    readonly hub: RoomHub,
  ) {}

  command(sessionId: number, actorId: number | null, command: RoomCommand): Promise<RoomState> {
    return this.execute(sessionId, actorId, async () => command);
  }

  /** `prepare` runs inside the transaction, after the room is locked, to write rows the command refers to. */
  async execute(
    sessionId: number,
    actorId: number | null,
    prepare: (m: EntityManager, state: RoomState) => Promise<RoomCommand>,
  ): Promise<RoomState> {
    const result = await inTransaction(this.ds, (m) => runRoomCommand(m, sessionId, actorId, this.clock, prepare, this.hub.cached(sessionId)));
    await this.hub.committed(sessionId, result);
    return result.state;
  }

  recordTimeUp(sessionId: number): Promise<RoomState> {
    return this.command(sessionId, null, { type: 'RECORD_TIME_UP' });
  }

  state(sessionId: number): Promise<RoomState> {
    return this.hub.current(sessionId);
  }
}
