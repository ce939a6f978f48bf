import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Clock } from '../../common/clock';
import { ConnectionType } from '../../common/pagination';
import { Finding } from '../audit/audit.entity';
import { Commitment } from '../briefing/briefing.entity';
import { Cadre } from '../registry/cadre.entity';
import { Review } from '../room/review.entity';
import type { FollowUpContext } from './followup.context';
import { ActionItem, ActionItemStatus, Decision, FindingResponse, ProgressEvidence, ProgressReport, ProgressStatus, ProgressVerification } from './followup.entity';
import { ActionItemInput, ActionItemsArgs, DecisionInput, ProgressInput, ProgressReportsArgs } from './followup.inputs';
import { FollowUpService } from './followup.service';
import { acceptedPercent, actionItemStatusOf, isAdverse, progressStatusOf, responseWindowEnd, type ProgressFact } from './followup-status';

const ActionItemConnection = ConnectionType(ActionItem, 'A page of action items, soonest due first.');
const ProgressReportConnection = ConnectionType(ProgressReport, 'A page of progress reports, newest first.');

/** The reports on one subject with their verdicts, as the derivations read them. */
async function factsOf(reports: ProgressReport[], ctx: FollowUpContext): Promise<ProgressFact[]> {
  const verifications = await ctx.loaders.verificationByProgress.loadMany(reports.map((r) => r.id));
  return reports.map((r, i) => {
    const v = verifications[i];
    return { percent: r.percent, accepted: v instanceof Error || v === null ? null : v.accepted };
  });
}

@Resolver()
export class FollowUpResolver {
  constructor(private readonly followUp: FollowUpService) {}

  @Mutation(() => ActionItem, { description: 'Turns a leader’s DIRECTIVE review into an action item with an owning cadre and a due date (secretary, admin).' })
  createActionItem(@Arg('input', () => ActionItemInput) input: ActionItemInput, @Ctx() ctx: FollowUpContext): Promise<ActionItem> {
    return this.followUp.createActionItem(ctx.principal, input);
  }

  @Query(() => ActionItemConnection, { description: 'Action items, soonest due first, optionally of one derived status or one cadre; a cadre sees their own.' })
  actionItems(@Args(() => ActionItemsArgs) args: ActionItemsArgs, @Ctx() ctx: FollowUpContext) {
    return this.followUp.actionItems(ctx.principal, args);
  }

  @Mutation(() => ProgressReport, { description: 'The owning cadre reports progress on a commitment or an action item; a new row each time.' })
  reportProgress(@Arg('input', () => ProgressInput) input: ProgressInput, @Ctx() ctx: FollowUpContext): Promise<ProgressReport> {
    return this.followUp.reportProgress(ctx.principal, input);
  }

  @Mutation(() => ProgressReport, { description: 'An auditor accepts or rejects a progress report, once (a rejection says why); only accepted progress counts.' })
  verifyProgress(
    @Arg('progressId', () => ID) progressId: string,
    @Arg('accepted', () => Boolean) accepted: boolean,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: FollowUpContext,
  ): Promise<ProgressReport> {
    return this.followUp.verifyProgress(ctx.principal, progressId, accepted, note);
  }

  @Query(() => ProgressReportConnection, { description: 'Progress reports, newest first; PENDING ones await an auditor. A cadre sees their own.' })
  progressReports(@Args(() => ProgressReportsArgs) args: ProgressReportsArgs, @Ctx() ctx: FollowUpContext) {
    return this.followUp.progressReports(ctx.principal, args);
  }

  @Mutation(() => FindingResponse, { description: 'The cadre concerned answers a published adverse finding (申辩), once, within the window after publication.' })
  respondToFinding(@Arg('findingId', () => ID) findingId: string, @Arg('body', () => String) body: string, @Ctx() ctx: FollowUpContext): Promise<FindingResponse> {
    return this.followUp.respondToFinding(ctx.principal, findingId, body);
  }

  @Mutation(() => Decision, { description: 'Records the decision taken about a cadre, with its reason and what it rests on (admin).' })
  recordDecision(@Arg('input', () => DecisionInput) input: DecisionInput, @Ctx() ctx: FollowUpContext): Promise<Decision> {
    return this.followUp.recordDecision(ctx.principal, input);
  }

}

@Resolver(() => ActionItem)
export class ActionItemResolver {
  constructor(private readonly clock: Clock) {}

  @FieldResolver(() => ActionItemStatus, { description: 'OPEN, DONE (accepted progress reached 100%) or OVERDUE; derived.' })
  async status(@Root() item: ActionItem, @Ctx() ctx: FollowUpContext): Promise<ActionItemStatus> {
    return actionItemStatusOf(item, await factsOf(await ctx.loaders.progressByActionItem.load(item.id), ctx), this.clock.now().getTime());
  }

  @FieldResolver(() => Int, { description: 'The furthest accepted progress, 0–100.' })
  async progress(@Root() item: ActionItem, @Ctx() ctx: FollowUpContext): Promise<number> {
    return acceptedPercent(await factsOf(await ctx.loaders.progressByActionItem.load(item.id), ctx));
  }

  @FieldResolver(() => [ProgressReport], { description: 'Its progress reports, oldest first.' })
  progressReports(@Root() item: ActionItem, @Ctx() ctx: FollowUpContext): Promise<ProgressReport[]> {
    return ctx.loaders.progressByActionItem.load(item.id);
  }

  @FieldResolver(() => Cadre, { description: 'The owning cadre.' })
  async cadre(@Root() item: ActionItem, @Ctx() ctx: FollowUpContext): Promise<Cadre> {
    return (await ctx.loaders.cadre.load(item.cadreId))!;
  }

  @FieldResolver(() => Review, { description: 'The directive it tracks.' })
  async review(@Root() item: ActionItem, @Ctx() ctx: FollowUpContext): Promise<Review> {
    return (await ctx.loaders.review.load(item.reviewId))!;
  }
}

@Resolver(() => ProgressReport)
export class ProgressReportResolver {
  @FieldResolver(() => ProgressStatus, { description: 'PENDING, ACCEPTED or REJECTED.' })
  async status(@Root() report: ProgressReport, @Ctx() ctx: FollowUpContext): Promise<ProgressStatus> {
    return progressStatusOf((await ctx.loaders.verificationByProgress.load(report.id))?.accepted);
  }

  @FieldResolver(() => ProgressVerification, { nullable: true, description: 'The auditor’s verification; null while pending.' })
  verification(@Root() report: ProgressReport, @Ctx() ctx: FollowUpContext): Promise<ProgressVerification | null> {
    return ctx.loaders.verificationByProgress.load(report.id);
  }

  @FieldResolver(() => [ProgressEvidence], { description: 'Its evidence.' })
  evidence(@Root() report: ProgressReport, @Ctx() ctx: FollowUpContext): Promise<ProgressEvidence[]> {
    return ctx.loaders.evidenceByProgress.load(report.id);
  }

  @FieldResolver(() => Cadre, { description: 'The owning cadre.' })
  async cadre(@Root() report: ProgressReport, @Ctx() ctx: FollowUpContext): Promise<Cadre> {
    return (await ctx.loaders.cadre.load(report.cadreId))!;
  }

  @FieldResolver(() => Commitment, { nullable: true, description: 'The commitment reported on.' })
  commitment(@Root() report: ProgressReport, @Ctx() ctx: FollowUpContext): Promise<Commitment | null> | null {
    return report.commitmentId === null ? null : ctx.loaders.commitment.load(report.commitmentId);
  }

  @FieldResolver(() => ActionItem, { nullable: true, description: 'The action item reported on.' })
  actionItem(@Root() report: ProgressReport, @Ctx() ctx: FollowUpContext): Promise<ActionItem | null> | null {
    return report.actionItemId === null ? null : ctx.loaders.actionItem.load(report.actionItemId);
  }
}

@Resolver(() => Commitment)
export class CommitmentProgressResolver {
  @FieldResolver(() => [ProgressReport], { description: 'Progress reported on it, oldest first.' })
  progressReports(@Root() commitment: Commitment, @Ctx() ctx: FollowUpContext): Promise<ProgressReport[]> {
    return ctx.loaders.progressByCommitment.load(commitment.id);
  }

  @FieldResolver(() => Int, { description: 'The furthest accepted progress, 0–100; its status still comes from the published findings.' })
  async progress(@Root() commitment: Commitment, @Ctx() ctx: FollowUpContext): Promise<number> {
    return acceptedPercent(await factsOf(await ctx.loaders.progressByCommitment.load(commitment.id), ctx));
  }
}

@Resolver(() => Finding)
export class FindingChainResolver {
  constructor(private readonly responseWindowDays: number) {}

  @FieldResolver(() => Date, { nullable: true, description: 'Until when the cadre concerned may answer it; null when it needs no answer (VERIFIED) or is not published.' })
  respondBy(@Root() finding: Finding): Date | null {
    return finding.publishedAt && isAdverse(finding.verdict) ? responseWindowEnd(finding.publishedAt, this.responseWindowDays) : null;
  }

  @FieldResolver(() => FindingResponse, { nullable: true, description: 'The answer of the cadre concerned (申辩), if any.' })
  response(@Root() finding: Finding, @Ctx() ctx: FollowUpContext): Promise<FindingResponse | null> {
    return ctx.loaders.responseByFinding.load(finding.id);
  }

  @FieldResolver(() => [Decision], { description: 'The decisions that rest on it, oldest first.' })
  decisions(@Root() finding: Finding, @Ctx() ctx: FollowUpContext): Promise<Decision[]> {
    return ctx.loaders.decisionsByFinding.load(finding.id);
  }
}
