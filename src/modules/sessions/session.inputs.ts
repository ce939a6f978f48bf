import { Field, ID, InputType, Int } from 'type-graphql';
import { Max, Min } from 'class-validator';
import { Chars, NotBlank } from '../../common/validation';
import { Session } from './session.entity';
import { Speech } from './speech.entity';

export const MAX_ALLOTTED_SECONDS = 3600;

@InputType({ description: 'A new session on an approved theme.' })
export class ScheduleSessionInput implements Partial<Omit<Session, 'themeId'>> {
  @Field(() => ID, { description: 'An APPROVED (or already USED) theme.' })
  themeId: string;

  @Field({ description: 'Title, 1–200 characters.' })
  @Chars(1, 200)
  @NotBlank()
  title: string;

  @Field({ description: 'Start instant; must be in the future.' })
  startsAt: Date;

  @Field({ description: 'Venue, 1–200 characters.' })
  @Chars(1, 200)
  @NotBlank()
  venue: string;
}

@InputType({ description: 'One slot of a line-up; the list order is the speaking order.' })
export class LineupEntryInput implements Partial<Omit<Speech, 'cadreId'>> {
  @Field(() => ID, { description: 'The cadre who speaks.' })
  cadreId: string;

  @Field(() => Int, { description: `Time allowed in seconds, 1–${MAX_ALLOTTED_SECONDS}.` })
  @Min(1)
  @Max(MAX_ALLOTTED_SECONDS)
  allottedSeconds: number;
}
