import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { InstantColumn } from '../../db/columns';

/**
 * The room's event log: the record from which the room, the archive and the analytics are computed. `(session, seq)`
 * is unique, so two writers can never both take the same place; seqs start at 1 and have no gaps.
 */
@Entity('room_events')
@Unique('uq_room_events_session_seq', ['sessionId', 'seq'])
export class RoomEventRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Column()
  sessionId: number;

  @Column()
  seq: number;

  @Index()
  @Column({ length: 40 })
  type: string;

  /** The event's payload as JSON text (portable across both engines). */
  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'int', nullable: true })
  actorId: number | null;

  @InstantColumn()
  at: Date;
}
