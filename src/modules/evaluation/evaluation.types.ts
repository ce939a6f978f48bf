import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { User } from '../../auth/user.entity';
import { Grade } from './grades';

@InputType({ description: 'One line of a ballot.' })
export class GradeInput {
  @Field(() => ID, { description: 'The speech graded.' })
  speechId: string;

  @Field(() => Grade, { description: 'The grade given.' })
  grade: Grade;
}

@ObjectType({ simpleResolvers: true, description: 'Proof that the holder voted; it says nothing about how.' })
export class BallotReceipt {
  @Field(() => ID, { description: 'Session id.' })
  sessionId: string;

  @Field({ description: 'Keep it: `verifyBallotReceipt` confirms it belongs to a ballot cast in this session.' })
  receipt: string;
}

@ObjectType({ simpleResolvers: true, description: 'A speaker’s result in the democratic evaluation.' })
export class EvaluationResult {
  /** Resolved to the Speech by a field resolver. */
  speechId: number;

  @Field(() => Int, { description: 'EXCELLENT votes.' })
  excellent: number;

  @Field(() => Int, { description: 'GOOD votes.' })
  good: number;

  @Field(() => Int, { description: 'AVERAGE votes.' })
  average: number;

  @Field(() => Int, { description: 'POOR votes.' })
  poor: number;

  @Field(() => Float, { description: 'Mean points of the votes received (weights: EXCELLENT 4, GOOD 3, AVERAGE 2, POOR 1 by default).' })
  score: number;

  @Field(() => Int, { description: 'Rank: by score, then more EXCELLENT, then fewer POOR; equals share a rank.' })
  rank: number;

  @Field(() => Grade, { description: 'The final grade; at most a third of the speakers are EXCELLENT.' })
  grade: Grade;

  @Field({ description: 'True when the speaker tied with others across the last EXCELLENT place, so none of them was made EXCELLENT (graded by thresholds instead, at most GOOD).' })
  droppedByTie: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'Whether one entitled voter has voted (never how).' })
export class VoterStatus {
  @Field(() => User, { description: 'The voter.' })
  user: User;

  @Field({ description: 'Whether they have cast their ballot.' })
  voted: boolean;
}
