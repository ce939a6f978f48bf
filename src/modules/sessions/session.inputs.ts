import { Field, ID, InputType, Int } from 'type-graphql';
import { IsIn, IsOptional, Max, Min } from 'class-validator';
import { ROLES } from '../../auth/roles';
import { RoleEnum } from '../../auth/user.entity';
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

  @Field({ nullable: true, defaultValue: true, description: 'Whether the speakers vote in the evaluation (default true); see Session.speakersVote.' })
  speakersVote?: boolean;
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

export const MAX_SERIES_COUNT = 26;

@InputType({ description: 'A series of sessions on one theme at a fixed interval, e.g. 每两周一次 (everyDays 14).' })
export class ScheduleSeriesInput {
  @Field(() => ID, { description: 'An APPROVED (or already USED) theme.' })
  themeId: string;

  @Field({ description: 'Title of each session, followed by its place in the series: “<titlePrefix>（2/3）”; 1–180 characters.' })
  @Chars(1, 180)
  @NotBlank()
  titlePrefix: string;

  @Field({ description: 'Start of the first session; must be in the future.' })
  firstStartsAt: Date;

  @Field(() => Int, { defaultValue: 14, description: 'Days between two sessions, 1–366; 14 is every two weeks.' })
  @Min(1)
  @Max(366)
  everyDays: number;

  @Field(() => Int, { description: `How many sessions, 1–${MAX_SERIES_COUNT}.` })
  @Min(1)
  @Max(MAX_SERIES_COUNT)
  count: number;

  @Field({ description: 'Venue, 1–200 characters.' })
  @Chars(1, 200)
  @NotBlank()
  venue: string;

  @Field({ nullable: true, defaultValue: true, description: 'Whether the speakers vote in the evaluations (default true); see Session.speakersVote.' })
  speakersVote?: boolean;
}

@InputType({ description: 'A group of people to register as attendees at once: those of an earlier session, or the holders of a role (in one region).' })
export class AttendeeGroupInput {
  @Field(() => ID, { nullable: true, description: 'Everyone registered for this earlier session.' })
  @IsOptional()
  fromSessionId?: string | null;

  @Field(() => RoleEnum, { nullable: true, description: 'Everyone who holds this role, e.g. VOTER or SPEAKER.' })
  @IsOptional()
  @IsIn(ROLES.filter((r) => r !== 'screen'))
  role?: string | null;

  @Field(() => ID, { nullable: true, description: 'With role: only those of this region (单位).' })
  @IsOptional()
  regionId?: string | null;
}
