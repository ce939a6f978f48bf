import { ArgsType, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { Verdict } from '../audit/audit.entity';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import { Session } from '../sessions/session.entity';

/** The date range and theme filter, added to a base class of arguments (none, or a page's). */
function withSessionFilter<T extends new (...args: any[]) => object>(Base: T) {
  @ArgsType()
  class SessionFilter extends Base {
    @Field(() => Date, { nullable: true, description: 'Only sessions starting at or after this instant.' })
    from?: Date | null;

    @Field(() => Date, { nullable: true, description: 'Only sessions starting before this instant.' })
    to?: Date | null;

    @Field(() => ID, { nullable: true, description: 'Only sessions on this theme.' })
    themeId?: string | null;
  }
  return SessionFilter;
}

/** …and a region. */
function withRegion<T extends new (...args: any[]) => object>(Base: T) {
  @ArgsType()
  class RegionFilter extends Base {
    @Field(() => ID, { nullable: true, description: 'Only this region.' })
    regionId?: string | null;
  }
  return RegionFilter;
}

@ArgsType()
export class AnalyticsFilter extends withSessionFilter(class {}) {}

@ArgsType()
export class RegionalFilter extends withRegion(AnalyticsFilter) {}

@ArgsType()
export class PagedFilter extends withSessionFilter(PageArgs) {}

@ArgsType()
export class PagedRegionalFilter extends withRegion(PagedFilter) {}

@ObjectType({ simpleResolvers: true, description: 'A region’s standing over the chosen sessions, from the published evaluations and audits.' })
export class RegionStanding {
  @Field(() => Region, { description: 'The region.' })
  region: Region;

  @Field(() => Int, { description: 'Rank by score (equal scores share a rank).' })
  rank: number;

  @Field(() => Float, { description: 'Mean evaluation score of its speeches; 0 without any.' })
  score: number;

  @Field(() => Int, { description: 'Speeches with a published result.' })
  speeches: number;

  @Field(() => Int, { description: 'Of those, graded EXCELLENT.' })
  excellent: number;

  @Field(() => Float, { description: 'Share of its finished speeches that ran over time.' })
  overtimeRate: number;

  @Field(() => Float, { nullable: true, description: 'Share of its assessed commitments that were fulfilled; null while none is assessed.' })
  fulfilmentRate: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'A cadre’s place in the rankings over the chosen sessions.' })
export class CadreRanking {
  @Field(() => Cadre, { description: 'The cadre.' })
  cadre: Cadre;

  @Field(() => Int, { description: 'Rank by mean score, then EXCELLENT grades.' })
  rank: number;

  @Field(() => Float, { description: 'Mean evaluation score.' })
  score: number;

  @Field(() => Int, { description: 'Speeches with a published result.' })
  speeches: number;

  @Field(() => Int, { description: 'Final grades EXCELLENT.' })
  excellent: number;

  @Field(() => Int, { description: 'Final grades GOOD.' })
  good: number;

  @Field(() => Int, { description: 'Final grades AVERAGE.' })
  average: number;

  @Field(() => Int, { description: 'Final grades POOR.' })
  poor: number;
}

export const CadreRankingConnection = ConnectionType(CadreRanking, 'A page of cadre rankings, best first.');

@ObjectType({ simpleResolvers: true, description: 'A session on the trends’ axis.' })
export class TrendSession {
  @Field(() => ID, { description: 'The session’s id.' })
  id: number;

  @Field(() => Int, { description: 'Its number (第几期).' })
  number: number;

  @Field(() => Date, { description: 'When it started.' })
  startsAt: Date;
}

@ObjectType({ simpleResolvers: true, description: 'One region’s results session by session, aligned with the axis of `RegionTrends.sessions`: null where it had no published result.' })
export class RegionSeries {
  @Field(() => Region, { description: 'The region.' })
  region: Region;

  @Field(() => [Float], { nullable: 'items', description: 'Mean score of its speeches in each session.' })
  scores: (number | null)[];

  @Field(() => [Int], { nullable: 'items', description: 'Best place of its speeches in each session.' })
  ranks: (number | null)[];

  @Field(() => [Int], { nullable: 'items', description: 'Its EXCELLENT grades in each session.' })
  excellent: (number | null)[];
}

@ObjectType({ simpleResolvers: true, description: 'Regions’ results across sessions, shaped for a chart: one axis of sessions, oldest first, and one series per region along it.' })
export class RegionTrends {
  @Field(() => [TrendSession], { description: 'The sessions with published results in the filter, oldest first.' })
  sessions: TrendSession[];

  @Field(() => [RegionSeries], { description: 'One series per region with any result, by region.' })
  series: RegionSeries[];
}

@ObjectType({ simpleResolvers: true, description: 'How one session’s evaluation came out.' })
export class SessionGradeDistribution {
  @Field(() => Session, { description: 'The session.' })
  session: Session;

  @Field(() => Int, { description: 'Ballots cast.' })
  ballotsCast: number;

  @Field(() => Int, { description: 'Entitled voters.' })
  entitledVoters: number;

  @Field(() => Int, { description: 'Speakers graded EXCELLENT.' })
  excellent: number;

  @Field(() => Int, { description: 'Speakers graded GOOD.' })
  good: number;

  @Field(() => Int, { description: 'Speakers graded AVERAGE.' })
  average: number;

  @Field(() => Int, { description: 'Speakers graded POOR.' })
  poor: number;

  @Field(() => Int, { description: 'EXCELLENT votes over all ballots.' })
  excellentVotes: number;

  @Field(() => Int, { description: 'GOOD votes.' })
  goodVotes: number;

  @Field(() => Int, { description: 'AVERAGE votes.' })
  averageVotes: number;

  @Field(() => Int, { description: 'POOR votes.' })
  poorVotes: number;
}

export const SessionGradeDistributionConnection = ConnectionType(SessionGradeDistribution, 'A page of sessions’ grade distributions, newest first.');

export enum DisciplineGrouping {
  REGION = 'REGION',
  CADRE = 'CADRE',
}
registerEnumType(DisciplineGrouping, { name: 'DisciplineGrouping', description: 'Group speaking discipline by REGION or by CADRE.' });

@ObjectType({ simpleResolvers: true, description: 'Interruptions of one reason.' })
export class ReasonCount {
  @Field({ description: 'EMPTY_TALK, OFF_TOPIC, OVERTIME or OTHER.' })
  reason: string;

  @Field(() => Int, { description: 'How many.' })
  count: number;

  @Field(() => Float, { description: 'Per finished speech.' })
  perSpeech: number;
}

@ObjectType({ simpleResolvers: true, description: 'Speaking discipline (言简意赅) of a region or a cadre: time spoken against time allotted, overtime, interruptions.' })
export class DisciplineRow {
  @Field(() => Region, { nullable: true, description: 'The region (when grouped by region).' })
  region: Region | null;

  @Field(() => Cadre, { nullable: true, description: 'The cadre (when grouped by cadre).' })
  cadre: Cadre | null;

  @Field(() => Int, { description: 'Finished speeches.' })
  speeches: number;

  @Field(() => Float, { description: 'Total time allotted, in minutes.' })
  allottedMinutes: number;

  @Field(() => Float, { description: 'Total time spoken, in minutes.' })
  spokenMinutes: number;

  @Field(() => Float, { description: 'Spoken ÷ allotted.' })
  spokenRatio: number;

  @Field(() => Float, { description: 'Share of speeches that ran over.' })
  overtimeRate: number;

  @Field(() => Float, { description: 'Mean overtime per speech, in seconds.' })
  meanOvertimeSeconds: number;

  @Field(() => Int, { description: 'Speeches ended by the chair (cut off).' })
  cutOffs: number;

  @Field(() => [ReasonCount], { description: 'Interruptions by reason.' })
  interruptions: ReasonCount[];
}

@ObjectType({ simpleResolvers: true, description: 'Commitments of a region and how they turned out.' })
export class FulfilmentRow {
  @Field(() => Region, { description: 'The region.' })
  region: Region;

  @Field(() => Int, { description: 'Commitments made (current versions).' })
  commitments: number;

  @Field(() => Int, { description: 'With a published verdict.' })
  assessed: number;

  @Field(() => Int, { description: 'Verified fulfilled.' })
  fulfilled: number;

  @Field(() => Int, { description: 'Partly fulfilled.' })
  partial: number;

  @Field(() => Int, { description: 'Not fulfilled or falsified.' })
  missed: number;

  @Field(() => Int, { description: 'Past their due date with no verdict yet.' })
  due: number;

  @Field(() => Float, { nullable: true, description: 'fulfilled ÷ assessed; null while none is assessed.' })
  fulfilmentRate: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of the fulfilled whose verdict came by the due date.' })
  onTimeRate: number | null;

  @Field(() => Int, { description: 'Action items (督办事项) owned by its cadres, from leaders’ directives in these sessions.' })
  actionItems: number;

  @Field(() => Int, { description: 'Of those, DONE (accepted progress reached 100%).' })
  actionItemsDone: number;

  @Field(() => Int, { description: 'Of those, OVERDUE (past due and not done).' })
  actionItemsOverdue: number;
}

@ObjectType({ simpleResolvers: true, description: 'Published audit verdicts of a region.' })
export class VerdictDistribution {
  @Field(() => Region, { description: 'The region.' })
  region: Region;

  @Field(() => Int, { description: 'VERIFIED.' })
  verified: number;

  @Field(() => Int, { description: 'PARTIAL.' })
  partial: number;

  @Field(() => Int, { description: 'NOT_FULFILLED.' })
  notFulfilled: number;

  @Field(() => Int, { description: 'FALSIFIED.' })
  falsified: number;

  @Field(() => Int, { description: 'All published findings.' })
  total: number;
}

@ArgsType()
export class IndicatorComparisonArgs {
  @Field(() => ID, { description: 'The theme.' })
  themeId: string;

  @Field(() => ID, { description: 'One of the theme’s shared indicators.' })
  indicatorId: string;

  @Field(() => Date, { nullable: true, description: 'Only claims of sessions starting at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only claims of sessions starting before this instant.' })
  to?: Date | null;
}

@ObjectType({ simpleResolvers: true, description: 'A region’s latest claimed value of a shared indicator, with its audit verdict: ranked, or marked when falsified.' })
export class IndicatorValue {
  @Field(() => Region, { description: 'The region.' })
  region: Region;

  @Field(() => Cadre, { description: 'The cadre who claimed it.' })
  cadre: Cadre;

  @Field(() => Float, { description: 'The figure claimed.' })
  value: number;

  @Field({ description: 'Its unit (the indicator’s).' })
  unit: string;

  @Field(() => Date, { description: 'The date the figure is as of.' })
  asOf: Date;

  @Field(() => Verdict, { nullable: true, description: 'The published audit verdict on this claim; null while it is not audited.' })
  verdict: Verdict | null;

  @Field(() => Int, { nullable: true, description: 'Rank in the indicator’s direction (equal values share a rank); null for a FALSIFIED value, which is marked, not ranked.' })
  rank: number | null;

  @Field(() => ID, { description: 'The claim.' })
  claimId: number;

  @Field(() => ID, { description: 'The session it was claimed in.' })
  sessionId: number;
}
