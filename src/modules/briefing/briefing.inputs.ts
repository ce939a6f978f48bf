import { Field, Float, ID, InputType } from 'type-graphql';
import { IsOptional } from 'class-validator';
import { Chars, NotBlank } from '../../common/validation';

@InputType({ description: 'A figure the speaker will report.' })
export class RecordClaimInput {
  @Field(() => ID, { description: 'The speech in which it is reported.' })
  speechId: string;

  @Field({ description: 'What is measured, 1–200 characters.' })
  @Chars(1, 200)
  @NotBlank()
  indicator: string;

  @Field(() => ID, { nullable: true, description: "A shared indicator of the session's theme; the unit must then be the indicator's unit." })
  @IsOptional()
  indicatorId?: string | null;

  @Field(() => Float, { description: 'The figure.' })
  value: number;

  @Field({ description: 'Its unit, 1–40 characters.' })
  @Chars(1, 40)
  @NotBlank()
  unit: string;

  @Field(() => Date, { description: 'The date the figure is as of; not in the future.' })
  asOf: Date;

  @Field(() => String, { nullable: true, description: 'A qualifier as spoken, e.g. 近; up to 500 characters.' })
  @IsOptional()
  @Chars(0, 500)
  note?: string | null;
}

@InputType({ description: 'A revision of a claim: the fields that change, and why.' })
export class ReviseClaimInput {
  @Field({ nullable: true, description: 'New indicator.' })
  @IsOptional()
  @Chars(1, 200)
  @NotBlank()
  indicator?: string;

  @Field(() => Float, { nullable: true, description: 'New figure.' })
  value?: number;

  @Field({ nullable: true, description: 'New unit.' })
  @IsOptional()
  @Chars(1, 40)
  @NotBlank()
  unit?: string;

  @Field(() => Date, { nullable: true, description: 'New as-of date.' })
  asOf?: Date;

  @Field(() => String, { nullable: true, description: 'New qualifier.' })
  @IsOptional()
  @Chars(0, 500)
  note?: string | null;

  @Field(() => String, { nullable: true, description: 'Why; required once the session is sealed (and then only an admin may revise).' })
  @IsOptional()
  @Chars(1, 500)
  reason?: string | null;
}

@InputType({ description: 'A promise the speaker will make.' })
export class RecordCommitmentInput {
  @Field(() => ID, { description: 'The speech in which it is made.' })
  speechId: string;

  @Field({ description: 'What is promised, 1–200 characters.' })
  @Chars(1, 200)
  @NotBlank()
  title: string;

  @Field({ description: 'The measurable target, 1–500 characters.' })
  @Chars(1, 500)
  @NotBlank()
  target: string;

  @Field(() => Date, { description: 'When it is due; must be in the future.' })
  dueAt: Date;
}

@InputType({ description: 'A revision of a commitment: the fields that change, and why.' })
export class ReviseCommitmentInput {
  @Field({ nullable: true, description: 'New title.' })
  @IsOptional()
  @Chars(1, 200)
  @NotBlank()
  title?: string;

  @Field({ nullable: true, description: 'New target.' })
  @IsOptional()
  @Chars(1, 500)
  @NotBlank()
  target?: string;

  @Field(() => Date, { nullable: true, description: 'New due date; must be in the future.' })
  dueAt?: Date;

  @Field(() => String, { nullable: true, description: 'Why; required once the session is sealed (and then only an admin may revise).' })
  @IsOptional()
  @Chars(1, 500)
  reason?: string | null;
}

@InputType({ description: 'A shared indicator of a theme: what every speaker reports, in which unit, and which way is better.' })
export class IndicatorInput {
  @Field({ description: 'What is measured, 1–60 characters, unique within the theme.' })
  @Chars(1, 60)
  @NotBlank()
  name: string;

  @Field({ description: 'The unit every claim on it uses, 1–20 characters.' })
  @Chars(1, 20)
  @NotBlank()
  unit: string;

  @Field({ description: 'Whether a larger value ranks better.' })
  higherIsBetter: boolean;
}
