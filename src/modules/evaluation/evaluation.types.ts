import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { User } from '../../auth/user.entity';
import { Grade } from '../room/results';

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

@ObjectType({ simpleResolvers: true, description: 'Whether one entitled voter has voted (never how).' })
export class VoterStatus {
  @Field(() => User, { description: 'The voter.' })
  user: User;

  @Field({ description: 'Whether they have cast their ballot (SIMPLE mode; in BLIND mode nobody knows, and it stays false).' })
  voted: boolean;

  @Field({ description: 'Whether they have taken their ballot token (BLIND mode).' })
  tokenIssued: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'The public key a voter blinds their ballot token with (RFC 9474).' })
export class BallotKey {
  @Field({ description: 'SPKI, PEM: RSA 2048, e = 65537.' })
  publicKeyPem: string;

  @Field({ description: 'RSABSSA-SHA384-PSS-Randomized.' })
  variant: string;

  @Field({ description: 'Hex SHA-256 of publicKeyPem: the session’s keys are fixed when the box opens, and the archive keeps them.' })
  fingerprint: string;
}
