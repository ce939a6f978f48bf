import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { CreatedAtColumn } from '../db/columns';
import { ROLES, Role } from './roles';

/** GraphQL spells roles in capitals (ADMIN); the server keeps them lower-case ('admin'). */
export const RoleEnum = Object.fromEntries(ROLES.map((r) => [r.toUpperCase(), r])) as Record<Uppercase<Role>, Role>;
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'What a user may do: admin (组织部), chair (主持), leader (市领导), speaker (发言人), voter (与会干部), auditor (核查), analyst, secretary (市委主要领导), screen (大屏, read-only, one session).',
});

@Entity('users')
@ObjectType({ simpleResolvers: true, description: 'A person who signs in. The password hash never leaves the server.' })
export class User {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Login name, unique.' })
  @Index({ unique: true })
  @Column({ length: 64 })
  username: string;

  @Field({ description: 'Name shown to others.' })
  @Column({ length: 100 })
  displayName: string;

  @Column({ length: 255 })
  passwordHash: string;

  @Field(() => [RoleEnum], { description: 'Roles held.' })
  @Column({ type: 'simple-array' })
  roles: Role[];

  /** The county-level unit this person belongs to; conflict-of-interest rules read it. */
  @Field(() => ID, { nullable: true, description: 'Region (county-level unit) the user belongs to, if any.' })
  @Column({ type: 'int', nullable: true })
  regionId: number | null;

  /** A mobile number from the roster (eleven digits), for the organisers only: never exposed through GraphQL. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  phone: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
