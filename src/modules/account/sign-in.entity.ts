import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, InstantColumn } from '../../db/columns';

/**
 * Failed sign-ins in a row, per account and source (`source` '*' counts the account's failures from anywhere): the
 * delays they impose must outlive a Redis restart, so they live here. A success or an unlock deletes the rows.
 */
@Entity('sign_in_failures')
export class SignInFailure {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  account: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  source: string;

  @Column()
  failures: number;

  @InstantColumn()
  lastFailureAt: Date;
}

/**
 * A personal sign-in link: only the SHA-256 of its token is kept, so a copy of the database signs nobody in. It
 * signs its user in and does nothing else, until it expires or a new link for the same user and session replaces it.
 */
@Entity('sign_in_links')
@Index('ix_sign_in_links_session_user', ['sessionId', 'userId'])
export class SignInLink {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_sign_in_links_token', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  @Column()
  userId: number;

  @Column()
  sessionId: number;

  @InstantColumn()
  expiresAt: Date;

  @InstantColumn({ nullable: true })
  revokedAt: Date | null;

  @InstantColumn({ nullable: true })
  lastUsedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
