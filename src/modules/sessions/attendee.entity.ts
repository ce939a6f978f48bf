import { Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Column, Unique } from 'typeorm';
import { User } from '../../auth/user.entity';
import { CreatedAtColumn } from '../../db/columns';
import { Session } from './session.entity';

/** A user entitled to attend, comment and vote in one session. */
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
}
