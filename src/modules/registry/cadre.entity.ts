import { Column, Entity, Index, JoinColumn, ManyToOne, OneToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { CreatedAtColumn } from '../../db/columns';
import { User } from '../../auth/user.entity';
import { Region } from './region.entity';

@Entity('cadres')
@ObjectType({ simpleResolvers: true, description: 'An official (干部) of a county-level unit who may be put in a line-up.' })
export class Cadre {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Name, e.g. 吴国志.' })
  @Column({ length: 50 })
  name: string;

  @Field({ description: 'Position, e.g. 双桥区委常委、常务副区长.' })
  @Column({ length: 120 })
  position: string;

  @ManyToOne(() => Region, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn()
  region: Region;

  @Field(() => ID, { description: 'Region id.' })
  @Index()
  @Column()
  regionId: number;

  /** The cadre's own login, if they have one: a speaker files briefings and may not grade themself. */
  @OneToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn()
  user: User | null;

  @Column({ type: 'int', nullable: true })
  userId: number | null;

  @CreatedAtColumn()
  createdAt: Date;
}
