import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../app/context';
import { AuditMethod } from '../audit/audit.entity';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import { Session } from '../sessions/session.entity';
import { AnalyticsService } from './analytics.service';
import {
  AnalyticsFilter,
  CadreRanking,
  CadreRankingConnection,
  DisciplineGrouping,
  DisciplineRow,
  FulfilmentRow,
  PagedRegionalFilter,
  RegionalFilter,
  RegionStanding,
  RegionTrendPoint,
  SessionGradeDistribution,
  SessionGradeDistributionConnection,
  VerdictDistribution,
} from './analytics.types';

@Resolver()
export class AnalyticsResolver {
  constructor(private readonly analytics: AnalyticsService) {}

  @Query(() => [RegionStanding], { description: 'Regions ranked by the mean evaluation score of their speeches, with EXCELLENT counts, overtime and fulfilment rates.' })
  async regionStandings(@Args(() => AnalyticsFilter) args: AnalyticsFilter): Promise<RegionStanding[]> {
    return this.analytics.regionStandings(await this.analytics.filter(args));
  }

  @Query(() => CadreRankingConnection, { description: 'Cadres ranked by mean evaluation score, then EXCELLENT grades, a page at a time.' })
  async cadreRankings(@Args(() => PagedRegionalFilter) args: PagedRegionalFilter) {
    return this.analytics.cadreRankings(await this.analytics.filter(args), args);
  }

  @Query(() => [RegionTrendPoint], { description: 'Each region’s score and rank session by session, oldest first.' })
  async regionTrends(@Args(() => RegionalFilter) args: RegionalFilter): Promise<RegionTrendPoint[]> {
    return this.analytics.regionTrends(await this.analytics.filter(args));
  }

  @Query(() => SessionGradeDistributionConnection, { description: 'How each session’s evaluation came out: final grades and votes, newest first.' })
  async gradeDistributions(@Args(() => PagedRegionalFilter) args: PagedRegionalFilter) {
    return this.analytics.gradeDistributions(await this.analytics.filter({ ...args, regionId: null }), args);
  }

  @Query(() => [DisciplineRow], { description: 'Speaking discipline by region or cadre: spoken vs allotted, overtime, interruptions by reason.' })
  async speakingDiscipline(
    @Args(() => RegionalFilter) args: RegionalFilter,
    @Arg('groupBy', () => DisciplineGrouping, { defaultValue: DisciplineGrouping.REGION }) groupBy: DisciplineGrouping,
  ): Promise<DisciplineRow[]> {
    return this.analytics.discipline(await this.analytics.filter(args), groupBy);
  }

  @Query(() => [FulfilmentRow], { description: 'Commitments per region: fulfilment and on-time rates from the published findings.' })
  async commitmentFulfilment(@Args(() => RegionalFilter) args: RegionalFilter): Promise<FulfilmentRow[]> {
    return this.analytics.fulfilment(await this.analytics.filter(args));
  }

  @Query(() => [VerdictDistribution], { description: 'Published audit verdicts per region, optionally of one method.' })
  async auditVerdicts(
    @Args(() => RegionalFilter) args: RegionalFilter,
    @Arg('method', () => AuditMethod, { nullable: true }) method: AuditMethod | null,
  ): Promise<VerdictDistribution[]> {
    return this.analytics.verdicts(await this.analytics.filter(args), method ?? null);
  }
}

/** Relations of the analytics rows, batched through the request's loaders. */
@Resolver(() => RegionStanding)
export class RegionStandingResolver {
  @FieldResolver(() => Region, { description: 'The region.' })
  async region(@Root() row: RegionStanding, @Ctx() ctx: AppContext): Promise<Region> {
    return row.region ?? (await ctx.loaders.region.load(row.regionId))!;
  }
}

@Resolver(() => CadreRanking)
export class CadreRankingResolver {
  @FieldResolver(() => Cadre, { description: 'The cadre.' })
  async cadre(@Root() row: CadreRanking, @Ctx() ctx: AppContext): Promise<Cadre> {
    return (await ctx.loaders.cadre.load(row.cadreId))!;
  }
}

@Resolver(() => RegionTrendPoint)
export class RegionTrendPointResolver {
  @FieldResolver(() => Region, { description: 'The region.' })
  async region(@Root() row: RegionTrendPoint, @Ctx() ctx: AppContext): Promise<Region> {
    return (await ctx.loaders.region.load(row.regionId))!;
  }

  @FieldResolver(() => Session, { description: 'The session.' })
  async session(@Root() row: RegionTrendPoint, @Ctx() ctx: AppContext): Promise<Session> {
    return (await ctx.loaders.session.load(row.sessionId))!;
  }
}

@Resolver(() => SessionGradeDistribution)
export class GradeDistributionResolver {
  @FieldResolver(() => Session, { description: 'The session.' })
  async session(@Root() row: SessionGradeDistribution, @Ctx() ctx: AppContext): Promise<Session> {
    return (await ctx.loaders.session.load(row.sessionId))!;
  }
}

@Resolver(() => DisciplineRow)
export class DisciplineRowResolver {
  @FieldResolver(() => Region, { nullable: true, description: 'The region (when grouped by region).' })
  region(@Root() row: DisciplineRow, @Ctx() ctx: AppContext): Promise<Region | null> | null {
    return row.regionId === null ? null : ctx.loaders.region.load(row.regionId);
  }

  @FieldResolver(() => Cadre, { nullable: true, description: 'The cadre (when grouped by cadre).' })
  cadre(@Root() row: DisciplineRow, @Ctx() ctx: AppContext): Promise<Cadre | null> | null {
    return row.cadreId === null ? null : ctx.loaders.cadre.load(row.cadreId);
  }
}

@Resolver(() => FulfilmentRow)
export class FulfilmentRowResolver {
  @FieldResolver(() => Region, { description: 'The region.' })
  async region(@Root() row: FulfilmentRow, @Ctx() ctx: AppContext): Promise<Region> {
    return (await ctx.loaders.region.load(row.regionId))!;
  }
}

@Resolver(() => VerdictDistribution)
export class VerdictDistributionResolver {
  @FieldResolver(() => Region, { description: 'The region.' })
  async region(@Root() row: VerdictDistribution, @Ctx() ctx: AppContext): Promise<Region> {
    return (await ctx.loaders.region.load(row.regionId))!;
  }
}

export const ANALYTICS_RESOLVERS = [
  AnalyticsResolver,
  RegionStandingResolver,
  CadreRankingResolver,
  RegionTrendPointResolver,
  GradeDistributionResolver,
  DisciplineRowResolver,
  FulfilmentRowResolver,
  VerdictDistributionResolver,
] as const;
