import { Not, type DataSource } from 'typeorm';
import { User } from '../../src/auth/user.entity';
import type { Clock } from '../../src/common/clock';
import type { Services } from '../../src/app/services';
import { seedDemoWorld } from '../../src/modules/demo/demo-seed';
import { RoomPhase } from '../../src/modules/sessions/session-enums';
import { Session } from '../../src/modules/sessions/session.entity';
import type { ControlHandlers } from './control';

export const BENCH_JWT_SECRET = 'fanout-bench-secret-'.padEnd(48, 'x');
const PASSWORD = 'leitai-demo';

export interface BenchRoom {
  sessionId: number;
  chairId: number;
  /**
   * One token per attendee (the server allows a few sockets per user), all voters: one role, so every client is in
   * one audience, as a hall of phones is. Nothing on the subscription path reads the user's row, so the attendees
   * beyond the demo world's exist only in their tokens.
   */
  attendeeTokens(n: number): Promise<string[]>;
}

/**
 * The demo world without history, and its live session taken to a running speech with a few approved comments on
 * the screen, so each emitted event (an extension of the speech) is a real room command that changes `roomState`.
 * `seed: false` (the second instance over Redis) only looks the room up.
 */
export async function prepareRoom(ds: DataSource, clock: Clock, services: Services, seed: boolean): Promise<BenchRoom> {
  if (seed) await seedDemoWorld(ds, clock, PASSWORD, 0);
  // The one live session of the demo world (the article's three are closed).
  const session = await ds.getRepository(Session).findOneOrFail({ where: { phase: Not(RoomPhase.CLOSED) }, order: { number: 'ASC' } });
  const users = await ds.getRepository(User).find({ order: { id: 'ASC' } });
  const chair = users.find((u) => u.username === 'chair')!;
  if (seed) {
    await services.room.command(session.id, chair.id, { type: 'ADVANCE_PHASE', to: RoomPhase.SPEECHES });
    await services.room.command(session.id, chair.id, { type: 'START_SPEECH' });
    const leaders = users.filter((u) => u.roles.includes('leader')).slice(0, 4);
    for (const [i, leader] of leaders.entries()) {
      const principal = await services.tokens.verify(await services.tokens.signUser(leader));
      await services.comments.postComment(principal, String(session.id), `第${i + 1}条点评：数据要实，措施要硬，时间节点要明确。`, null, `bench-${i}`);
    }
  }
  const tokens: string[] = [];
  const attendeeTokens = async (n: number) => {
    for (let i = tokens.length; i < n; i++) tokens.push(await services.tokens.signUser({ id: 1_000_000 + i, username: `attendee${i}`, roles: ['voter'], regionId: null }));
    return tokens.slice(0, n);
  };
  return { sessionId: session.id, chairId: chair.id, attendeeTokens };
}

/** The control's `info` and `emit` for the bench room, run through the app's own services. */
export function roomControl(room: BenchRoom, services: Services): Pick<ControlHandlers, 'info' | 'emit'> {
  return {
    info: async (clients) => ({ tokens: await room.attendeeTokens(clients), sessionId: String(room.sessionId), seq: (await services.room.state(room.sessionId)).seq, pid: process.pid }),
    emit: async () => (await services.room.command(room.sessionId, room.chairId, { type: 'EXTEND_SPEECH', extensionMs: 1000 })).seq,
  };
}
