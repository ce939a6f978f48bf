import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { CreatedAtColumn, InstantColumn } from '../../db/columns';

@Entity('theme_calls')
@ObjectType({ simpleResolvers: true, description: 'A call for themes (征集) the organisation department sends to city leaders.' })
export class ThemeCall {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Title of the call.' })
  @Column({ length: 200 })
  title: string;

  @Field({ description: 'What kind of themes are wanted.' })
  @Column({ type: 'text' })
  description: string;

  @Field(() => Date, { description: 'Proposals are accepted until this instant.' })
  @InstantColumn()
  closesAt: Date;

  @Field(() => Date, { description: 'When the call was opened.' })
  @CreatedAtColumn()
  createdAt: Date;
}
