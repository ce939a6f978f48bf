import { Field, ID, InputType } from 'type-graphql';
import { IsOptional, Matches } from 'class-validator';
import { Chars, NotBlank } from '../../common/validation';

@InputType({ description: 'A new official of a county-level unit.' })
export class CreateCadreInput {
  @Field({ description: 'Name, 1–50 characters.' })
  @Chars(1, 50)
  @NotBlank()
  name: string;

  @Field({ description: 'Position, 1–120 characters.' })
  @Chars(1, 120)
  @NotBlank()
  position: string;

  @Field(() => ID, { description: 'Region (county-level unit).' })
  regionId: string;

  @Field(() => ID, { nullable: true, description: "The cadre's own user account, if any (at most one cadre per account)." })
  @IsOptional()
  userId?: string;
}

@InputType({ description: 'A new county-level unit.' })
export class CreateRegionInput {
  @Field({ description: 'Stable code: lower-case letters, digits and dashes, 2–40.' })
  @Matches(/^[a-z0-9-]{2,40}$/, { message: 'code must be 2–40 lower-case letters, digits or dashes' })
  code: string;

  @Field({ description: 'Name, 1–60 characters.' })
  @Chars(1, 60)
  @NotBlank()
  name: string;

  @Field({ description: 'English name, 1–100 characters.' })
  @Chars(1, 100)
  @NotBlank()
  nameEn: string;
}
