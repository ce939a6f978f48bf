import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';

/**
 * A figure every speaker of a theme reports on the same terms (same name, same unit), so that regions can be
 * compared in the data sheet. The name is unique within its theme.
 */
@Entity('indicators')
@Index('uq_indicators_theme_name', ['themeId', 'name'], { unique: true })
@ObjectType({ simpleResolvers: true, description: 'An indicator shared by all the claims of a theme, e.g. 新开工项目数 (个).' })
export class Indicator {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => ID, { description: 'The theme it belongs to.' })
  @Column()
  themeId: number;

  @Field({ description: 'What is measured, unique within the theme, e.g. 完成投资.' })
  @Column({ length: 60 })
  name: string;

  @Field({ description: 'The unit every claim on it must use, e.g. 亿元.' })
  @Column({ length: 20 })
  unit: string;

  @Field({ description: 'Whether a larger value ranks better (false: a smaller value ranks better).' })
  @Column({ default: true })
  higherIsBetter: boolean;
}
