import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Finding } from '../audit/audit.entity';
import { DossierFlagKind } from '../audit/consequences';
import { Claim, Commitment } from '../briefing/briefing.entity';
import { Grade } from '../room/results';
import { Cadre } from '../registry/cadre.entity';
import { Review } from '../room/review.entity';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';
import { ActionItem, Decision } from '../followup/followup.entity';

@ObjectType({ simpleResolvers: true, description: 'A cadre’s grade and rank in one session’s evaluation.' })
export class DossierGrade {
  @Field(() => Session, { description: 'The session.' })
  session: Session;

  @Field(() => Grade, { description: 'Final grade.' })
  grade: Grade;

  @Field(() => Int, { description: 'Rank among the session’s speakers.' })
  rank: number;

  @Field(() => Float, { description: 'Mean points.' })
  score: number;

  @Field({ description: 'Whether the result has been published (otherwise only closed).' })
  published: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'What follows from the record: 优先考虑 or 追究责任, with why and the evidence it rests on.' })
export class DossierFlag {
  @Field(() => DossierFlagKind, { description: 'COMMENDATION_PRIORITY or ACCOUNTABILITY.' })
  kind: DossierFlagKind;

  @Field({ description: 'Why, in words.' })
  reason: string;

  @Field(() => Date, { description: 'When it arose (the finding’s publication, or the session).' })
  at: Date;

  @Field(() => ID, { nullable: true, description: 'The published finding it rests on.' })
  findingId: string | null;

  @Field(() => ID, { nullable: true, description: 'The session whose result it rests on.' })
  sessionId: string | null;

  @Field(() => [String], { description: 'SHA-256 of each evidence file of that finding.' })
  evidence: string[];
}

@ObjectType({ simpleResolvers: true, description: 'Everything on record about one cadre (干部档案), computed from the sessions, their logs and evaluations.' })
export class CadreDossier {
  @Field(() => Cadre, { description: 'The cadre.' })
  cadre: Cadre;

  @Field(() => [Speech], { description: 'Every speech, oldest session first; each carries its discipline (spoken vs allotted, overtime, interruptions) and reviews.' })
  speeches: Speech[];

  @Field(() => [DossierGrade], { description: 'Grade and rank per evaluated session, oldest first.' })
  grades: DossierGrade[];

  @Field(() => [Review], { description: 'Leaders’ commentary received, oldest first.' })
  reviews: Review[];

  @Field(() => [Claim], { description: 'Figures reported (current versions).' })
  claims: Claim[];

  @Field(() => [Commitment], { description: 'Promises made (current versions), each with its derived status.' })
  commitments: Commitment[];

  @Field(() => [Finding], { description: 'Published findings about this cadre (corrections applied), each with the cadre’s answer and the decisions resting on it.' })
  findings: Finding[];

  @Field(() => [ActionItem], { description: 'Leaders’ directives this cadre owns (督办事项), soonest due first, each with its derived status.' })
  actionItems: ActionItem[];

  @Field(() => [Decision], { description: 'Decisions taken about this cadre, oldest first: people’s acts, unlike the derived flags.' })
  decisions: Decision[];

  @Field(() => [DossierFlag], { description: 'Commendation priority and accountability flags, oldest first.' })
  flags: DossierFlag[];

  @Field(() => Float, { nullable: true, description: 'Fulfilled share of the commitments assessed so far; null while none is.' })
  fulfilmentRate: number | null;
}
