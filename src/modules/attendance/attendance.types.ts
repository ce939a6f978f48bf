import { Field, ID, Int, ObjectType } from 'type-graphql';
import { User } from '../../auth/user.entity';

@ObjectType({ simpleResolvers: true, description: 'The hall’s check-in code: six digits, a new one every 30 s, each accepted until `expiresAt`. Show it and a QR code of `url`.' })
export class CheckInCode {
  @Field({ description: 'Six digits.' })
  code: string;

  @Field(() => Date, { description: 'When the next code replaces it.' })
  rotatesAt: Date;

  @Field(() => Date, { description: 'When it stops being accepted.' })
  expiresAt: Date;

  @Field({ description: 'The hall page with this code (/hall?session=…&code=…; absolute when PUBLIC_URL is set): what the QR code encodes.' })
  url: string;
}

@ObjectType({ simpleResolvers: true, description: 'One registered attendee’s presence at a session.' })
export class Attendance {
  @Field(() => ID, { description: 'Session id.' })
  sessionId: string;

  @Field(() => User, { description: 'The attendee.' })
  user: User;

  @Field({ description: 'Checked in, or marked present by the chair or secretary.' })
  present: boolean;

  @Field(() => Date, { nullable: true, description: 'When they checked in or were marked present.' })
  checkedInAt: Date | null;
}

@ObjectType({ simpleResolvers: true, description: '到会: who is registered and who is present.' })
export class AttendanceSummary {
  @Field(() => Int, { description: 'Registered attendees.' })
  expected: number;

  @Field(() => Int, { description: 'Present now.' })
  present: number;

  @Field(() => [Attendance], { description: 'Every registered attendee, present first, then by name.' })
  entries: Attendance[];
}

@ObjectType({ simpleResolvers: true, description: 'The caller’s own place in a session: registered, present, entitled to vote, voted, speaking.' })
export class Seat {
  @Field(() => ID, { description: 'Session id.' })
  sessionId: string;

  @Field({ description: 'On the session’s list of attendees.' })
  registered: boolean;

  @Field({ description: 'Checked in or marked present.' })
  present: boolean;

  @Field(() => Date, { nullable: true, description: 'When.' })
  checkedInAt: Date | null;

  @Field({ description: 'Was present when the evaluation opened, so may vote in it.' })
  entitled: boolean;

  @Field({ description: 'Has cast their ballot (SIMPLE mode; in BLIND mode the server cannot know, and it stays false).' })
  voted: boolean;

  @Field({ description: 'Has taken their ballot token (BLIND mode).' })
  tokenIssued: boolean;

  @Field(() => [ID], { description: 'The speeches the caller gives in this session (a ballot leaves them out).' })
  ownSpeechIds: string[];
}
