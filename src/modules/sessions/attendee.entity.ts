import { Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Column, Unique } from 'typeorm';
import { User } from '../../auth/user.entity';
import { CreatedAtColumn, InstantColumn } from '../../db/columns';
import { Session } from './session.entity';

/** A user registered to attend one session; present once checked in (or marked present), which entitles them to vote. */
@Entity('attendees')
@Unique('uq_attendees_session_user', ['sessionId', 'userId'])
export class Attendee {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => Session, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn()
  session: Session;

  @Column()
  sessionId: number;

  @ManyToOne(() => User, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn()
  user: User;

  @Index()
  @Column()
  userId: number;

  @CreatedAtColumn()
  registeredAt: Date;

  /** When they checked in with the hall's code or were marked present; null while absent. */
  @InstantColumn({ nullable: true })
  checkedInAt: Date | null;
}
