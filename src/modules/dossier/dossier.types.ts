import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Grade } from '../evaluation/grades';
import { Cadre } from '../registry/cadre.entity';
import { Review } from '../room/review.entity';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';

@ObjectType({ description: 'A cadre’s grade and rank in one session’s evaluation.' })
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

@ObjectType({ description: 'Everything on record about one cadre (干部档案), computed from the sessions, their logs and evaluations.' })
export class CadreDossier {
  @Field(() => Cadre, { description: 'The cadre.' })
  cadre: Cadre;

  @Field(() => [Speech], { description: 'Every speech, oldest session first; each carries its discipline (spoken vs allotted, overtime, interruptions) and reviews.' })
  speeches: Speech[];

  @Field(() => [DossierGrade], { description: 'Grade and rank per evaluated session, oldest first.' })
  grades: DossierGrade[];

  @Field(() => [Review], { description: 'Leaders’ commentary received, oldest first.' })
  reviews: Review[];
}
