import { DataSource, EntityManager, MoreThan } from 'typeorm';
import type { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors';
import { writeLock } from '../../db/transaction';
import { InterruptionRow } from '../analytics/projections.entity';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';
import { SpeechStatus } from '../sessions/session-enums';
import { ArchiveSealedError } from '../sessions/session.errors';
import { Comment, CommentStatus } from './comment.entity';
import { decideRoom, RoomCommand } from './room-decider';
import type { RoomEvent, RoomEventPayload } from './room-events';
import { RoomEventRecord } from './room-event.entity';
import { foldRoom } from './room-reducer';
import { initialRoomState, RoomState } from './room-state';

export interface CommandResult {
  state: RoomState;
  events: RoomEvent[];
}

/** A stored log row as the event it records. */
export function toRoomEvent(record: RoomEventRecord): RoomEvent {
  return { ...(JSON.parse(record.payload) as RoomEventPayload), seq: record.seq, at: record.at.getTime(), actorId: record.actorId };
}

/** Events of a session with seq > afterSeq, in order; `limit` pages a long replay. */
export async function readRoomEvents(db: DataSource | EntityManager, sessionId: number, afterSeq: number, limit?: number): Promise<RoomEvent[]> {
  const rows = await db.getRepository(RoomEventRecord).find({
    where: { sessionId, seq: MoreThan(afterSeq) },
    order: { seq: 'ASC' },
    take: limit,
  });
  return rows.map(toRoomEvent);
}

/** Brings `from` (or an empty room) up to date with the log. */
export async function loadRoomState(db: DataSource | EntityManager, sessionId: number, from?: RoomState): Promise<RoomState> {
  const base = from && from.sessionId === sessionId ? from : initialRoomState(sessionId);
  return foldRoom(base, await readRoomEvents(db, sessionId, base.seq));
}

/**
 * The one way a room changes, inside the caller's transaction: lock the session row (so commands on one room take
 * turns on every instance), bring the state up to date from the log, let `prepare` write the rows the command
 * refers to, decide, append the events at the next seqs, and update the projections. A refused command throws
 * and the transaction rolls back with nothing appended.
 */
export async function runRoomCommand(
  m: EntityManager,
  sessionId: number,
  actorId: number | null,
  clock: Clock,
  prepare: (m: EntityManager, state: RoomState) => Promise<RoomCommand>,
  cached?: RoomState,
): Promise<CommandResult> {
  const session = await m.getRepository(Session).findOne({ where: { id: sessionId }, lock: writeLock(m) });
  if (!session) throw new NotFoundError('session', sessionId, 'sessionId');
  if (session.sealedAt) throw new ArchiveSealedError(sessionId);
  const state = await loadRoomState(m, sessionId, cached);
  const command = await prepare(m, state);
  const now = clock.now().getTime();
  const decided = decideRoom(state, command, now);
  if (decided instanceof Error) throw decided;
  const events: RoomEvent[] = decided.map((payload, i) => ({ ...payload, seq: state.seq + 1 + i, at: now, actorId }));
  if (events.length === 0) return { state, events };
  await m.getRepository(RoomEventRecord).insert(
    events.map(({ seq, at, actorId: actor, ...payload }) => ({ sessionId, seq, type: payload.type, payload: JSON.stringify(payload), actorId: actor, at: new Date(at) })),
  );
  for (const event of events) await project(m, sessionId, event);
  return { state: foldRoom(state, events), events };
}

/** Keeps the row-shaped views (session phase, speech records, comment status) in step with the log. */
async function project(m: EntityManager, sessionId: number, e: RoomEvent): Promise<void> {
  const speeches = m.getRepository(Speech);
  switch (e.type) {
    case 'PHASE_CHANGED':
      await m.getRepository(Session).update({ id: sessionId }, { phase: e.to });
      return;
    case 'SPEECH_STARTED':
      await speeches.update({ id: e.speechId }, { status: SpeechStatus.SPEAKING, startedAt: new Date(e.at) });
      return;
    case 'SPEECH_PAUSED':
      await speeches.update({ id: e.speechId }, { status: SpeechStatus.PAUSED });
      return;
    case 'SPEECH_RESUMED':
      await speeches.update({ id: e.speechId }, { status: SpeechStatus.SPEAKING });
      return;
    case 'SPEECH_ENDED':
      await speeches.update(
        { id: e.speechId },
        { status: e.cutOff ? SpeechStatus.CUT_OFF : SpeechStatus.FINISHED, endedAt: new Date(e.at), spokenMs: e.spokenMs, overtimeMs: e.overtimeMs },
      );
      return;
    case 'SPEECH_WITHDRAWN':
      await speeches.update({ id: e.speechId }, { status: SpeechStatus.WITHDRAWN, withdrawnReason: e.reason });
      return;
    case 'SPEECH_INTERRUPTED':
      await m.getRepository(InterruptionRow).insert({ sessionId, seq: e.seq, speechId: e.speechId, reason: e.reason, cutOff: e.cutOff, at: new Date(e.at) });
      return;
    case 'COMMENT_APPROVED':
    case 'COMMENT_REJECTED':
      await m.getRepository(Comment).update(
        { id: e.commentId },
        { status: e.type === 'COMMENT_APPROVED' ? CommentStatus.APPROVED : CommentStatus.REJECTED, moderatedAt: new Date(e.at), moderatedById: e.actorId },
      );
      return;
    default:
      return;
  }
}
