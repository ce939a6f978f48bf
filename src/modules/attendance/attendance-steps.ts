import { EntityManager, In, IsNull, Not } from 'typeorm';
import type { RoomCommand } from '../room/room-decider';
import { Attendee } from '../sessions/attendee.entity';

/**
 * Marks registered attendees present (checked in now) or absent, inside a room command, and returns the command
 * that records who changed and the counts after it. Attendees already so are left as they are; an empty list only
 * recounts (after attendees were registered). The caller has checked that every user is registered.
 */
export async function markAttendanceIn(m: EntityManager, sessionId: number, userIds: readonly number[], present: boolean, at: Date): Promise<RoomCommand> {
  const attendees = m.getRepository(Attendee);
  let changed: number[] = [];
  if (userIds.length) {
    const rows = await attendees.find({ select: { id: true, userId: true }, where: { sessionId, userId: In([...userIds]), checkedInAt: present ? IsNull() : Not(IsNull()) } });
    changed = rows.map((r) => r.userId);
    if (rows.length) await attendees.update({ id: In(rows.map((r) => r.id)) }, { checkedInAt: present ? at : null });
  }
  return recordAttendanceIn(m, sessionId, changed, present);
}

/** The room command recording that `userIds` came (or left) and the exact counts read now. */
export async function recordAttendanceIn(m: EntityManager, sessionId: number, userIds: readonly number[], present: boolean): Promise<RoomCommand> {
  const attendees = m.getRepository(Attendee);
  const expected = await attendees.countBy({ sessionId });
  const presentCount = await attendees.countBy({ sessionId, checkedInAt: Not(IsNull()) });
  return { type: 'RECORD_ATTENDANCE', userIds: [...userIds].sort((a, b) => a - b), present, expected, presentCount };
}
