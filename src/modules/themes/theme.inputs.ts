import { Field, ID, InputType } from 'type-graphql';
import { IsOptional } from 'class-validator';
import { Chars, NotBlank } from '../../common/validation';
import { Theme } from './theme.entity';
import { ThemeCall } from './theme-call.entity';

@InputType({ description: 'A leader’s proposal of a theme.' })
export class ProposeThemeInput implements Partial<Omit<Theme, 'callId'>> {
  @Field({ description: 'Title, 1–200 characters.' })
  @Chars(1, 200)
  @NotBlank()
  title: string;

  @Field({ description: 'What the units should report on, 1–5000 characters.' })
  @Chars(1, 5000)
  @NotBlank()
  description: string;

  @Field({ nullable: true, description: 'Why it matters now, up to 2000 characters.' })
  @IsOptional()
  @Chars(0, 2000)
  rationale?: string;

  @Field(() => ID, { nullable: true, description: 'The call for themes this answers; it must still be open.' })
  @IsOptional()
  callId?: string;
}

@InputType({ description: 'A call for themes sent to the city leaders.' })
export class OpenThemeCallInput implements Partial<ThemeCall> {
  @Field({ description: 'Title, 1–200 characters.' })
  @Chars(1, 200)
  @NotBlank()
  title: string;

  @Field({ description: 'What kind of themes are wanted, 1–5000 characters.' })
  @Chars(1, 5000)
  @NotBlank()
  description: string;

  @Field({ description: 'Proposals close at this instant; it must be in the future.' })
  closesAt: Date;
}
