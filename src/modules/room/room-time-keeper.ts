import type { DataSource } from 'typeorm';
import type { Logger } from '../../common/logger';
import type { Clock } from '../../common/clock';
import { RoomPhase } from '../sessions/session-enums';
import { Session } from '../sessions/session.entity';
import type { RoomHub } from './room-hub';
import type { RoomState } from './room-state';
import { readTimer } from './timer';

/**
 * Records TIME_UP when a running speech's allowance runs out. Every instance that serves the room sets an alarm at
 * `endsAt`; whichever fires first records the event and the others find it already there (the command takes the
 * room's lock and the decider emits nothing twice). Nothing ticks in between.
 */
export class RoomTimeKeeper {
  private readonly alarms = new Map<number, { at: number; timer: NodeJS.Timeout }>();
  private readonly stopObserving: () => void;

  constructor(
    private readonly hub: RoomHub,
    private readonly clock: Clock,
    private readonly recordTimeUp: (sessionId: number) => Promise<unknown>,
    private readonly logger: Logger,
  ) {
    this.stopObserving = hub.observe((state) => this.watch(state));
  }

  /** After a restart: load the rooms that are mid-speech so their alarms are set again. */
  async resume(ds: DataSource): Promise<void> {
    const live = await ds.getRepository(Session).findBy({ phase: RoomPhase.SPEECHES });
    for (const session of live) this.watch(await this.hub.current(session.id));
  }

  watch(state: RoomState): void {
    const current = state.current;
    const reading = current && !current.timeUp ? readTimer(current.timer, this.clock.now().getTime()) : null;
    const existing = this.alarms.get(state.sessionId);
    if (!reading || reading.endsAt === null) {
      if (existing) clearTimeout(existing.timer);
      this.alarms.delete(state.sessionId);
      return;
    }
    if (existing?.at === reading.endsAt) return;
    if (existing) clearTimeout(existing.timer);
    const delay = Math.max(0, reading.endsAt - this.clock.now().getTime());
    const timer = setTimeout(() => {
      this.alarms.delete(state.sessionId);
      this.recordTimeUp(state.sessionId).catch((err) => this.logger.warn({ err, sessionId: state.sessionId }, 'could not record TIME_UP'));
    }, delay);
    timer.unref();
    this.alarms.set(state.sessionId, { at: reading.endsAt, timer });
  }

  /** The alarms set now, for tests: session id → instant (ms). */
  pending(): Map<number, number> {
    return new Map([...this.alarms].map(([id, a]) => [id, a.at]));
  }

  close(): void {
    this.stopObserving();
    for (const { timer } of this.alarms.values()) clearTimeout(timer);
    this.alarms.clear();
  }
}
