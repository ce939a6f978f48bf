import { Arg, Args, Query, Resolver } from 'type-graphql';
import { AuditMethod } from '../audit/audit.entity';
import { AnalyticsService } from './analytics.service';
import {
  AnalyticsFilter,
  CadreRankingConnection,
  DisciplineGrouping,
  DisciplineRow,
  FulfilmentRow,
  IndicatorComparisonArgs,
  IndicatorValue,
  PagedRegionalFilter,
  RegionalFilter,
  RegionStanding,
  RegionTrends,
  SessionGradeDistributionConnection,
  VerdictDistribution,
} from './analytics.types';

@Resolver()
export class AnalyticsResolver {
  constructor(private readonly analytics: AnalyticsService) {}

  @Query(() => [RegionStanding], { description: 'Regions ranked by the mean evaluation score of their speeches, with EXCELLENT counts, overtime and fulfilment rates.' })
  async regionStandings(@Args(() => AnalyticsFilter) args: AnalyticsFilter): Promise<RegionStanding[]> {
    return this.analytics.regionStandings(this.analytics.filter(args));
  }

  @Query(() => CadreRankingConnection, { description: 'Cadres ranked by mean evaluation score, then EXCELLENT grades, a page at a time.' })
  async cadreRankings(@Args(() => PagedRegionalFilter) args: PagedRegionalFilter) {
    return this.analytics.cadreRankings(this.analytics.filter(args), args);
  }

  @Query(() => RegionTrends, { description: 'Each region’s score, best place and EXCELLENT grades session by session, on one axis of sessions, oldest first.' })
  async regionTrends(@Args(() => RegionalFilter) args: RegionalFilter): Promise<RegionTrends> {
    return this.analytics.regionTrends(this.analytics.filter(args));
  }

  @Query(() => SessionGradeDistributionConnection, { description: 'How each session’s evaluation came out: final grades and votes (of one region’s speeches with regionId), newest first.' })
  async gradeDistributions(@Args(() => PagedRegionalFilter) args: PagedRegionalFilter) {
    return this.analytics.gradeDistributions(this.analytics.filter(args), args);
  }

  @Query(() => [DisciplineRow], { description: 'Speaking discipline by region or cadre: spoken vs allotted, overtime, interruptions by reason.' })
  async speakingDiscipline(
    @Args(() => RegionalFilter) args: RegionalFilter,
    @Arg('groupBy', () => DisciplineGrouping, { defaultValue: DisciplineGrouping.REGION }) groupBy: DisciplineGrouping,
  ): Promise<DisciplineRow[]> {
    return this.analytics.discipline(this.analytics.filter(args), groupBy);
  }

  @Query(() => [FulfilmentRow], { description: 'Commitments per region: fulfilment and on-time rates from the published findings.' })
  async commitmentFulfilment(@Args(() => RegionalFilter) args: RegionalFilter): Promise<FulfilmentRow[]> {
    return this.analytics.fulfilment(this.analytics.filter(args));
  }

  @Query(() => [VerdictDistribution], { description: 'Published audit verdicts per region, optionally of one method.' })
  async auditVerdicts(
    @Args(() => RegionalFilter) args: RegionalFilter,
    @Arg('method', () => AuditMethod, { nullable: true }) method: AuditMethod | null,
  ): Promise<VerdictDistribution[]> {
    return this.analytics.verdicts(this.analytics.filter(args), method ?? null);
  }

  @Query(() => [IndicatorValue], { description: 'Each region’s latest claimed value of one of a theme’s shared indicators, with its audit verdict: ranked by the indicator’s direction, a FALSIFIED value marked and not ranked.' })
  async indicatorComparison(@Args(() => IndicatorComparisonArgs) args: IndicatorComparisonArgs): Promise<IndicatorValue[]> {
    return this.analytics.indicatorComparison(args);
  }
}

/** The analytics rows carry their regions, cadres and sessions from the same statements: no field resolvers. */
export const ANALYTICS_RESOLVERS = [AnalyticsResolver] as const;
