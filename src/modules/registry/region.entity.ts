import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';

@Entity('regions')
@ObjectType({ simpleResolvers: true, description: 'A county-level unit (县、市、区) whose officials speak.' })
export class Region {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Short stable code, e.g. shuangqiao.' })
  @Index({ unique: true })
  @Column({ length: 40 })
  code: string;

  @Field({ description: 'Name, e.g. 双桥区.' })
  @Index({ unique: true })
  @Column({ length: 60 })
  name: string;

  @Field({ description: 'English name, e.g. Shuangqiao District.' })
  @Column({ length: 100 })
  nameEn: string;
}
