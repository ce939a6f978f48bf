import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { User } from '../../auth/user.entity';
import { requireActorId } from '../../auth/principal';
import type { ReportsContext } from './reports.context';
import { ReportKind, ReportSubmission } from './report-submission.entity';
import { ReportSubmissionService } from './report-submission.service';

@Resolver(() => ReportSubmission)
export class ReportSubmissionResolver {
  constructor(private readonly submissions: ReportSubmissionService) {}

  @Mutation(() => ReportSubmission, { description: 'Marks a report as sent to the city’s party secretary (报送); kept with who and when, and in the journal (secretary, admin).' })
  markReportSent(
    @Arg('kind', () => ReportKind) kind: ReportKind,
    @Arg('subjectId', () => ID, { description: 'The session (EVALUATION, MINUTES) or the cadre (DOSSIER).' }) subjectId: string,
    @Arg('note', () => String, { nullable: true, description: 'How it was sent, at most 500 characters.' }) note: string | null,
    @Ctx() ctx: ReportsContext,
  ): Promise<ReportSubmission> {
    return this.submissions.markSent(kind, subjectId, note, requireActorId(ctx.principal));
  }

  @Query(() => [ReportSubmission], { description: 'When a report was marked sent (报送), oldest first (secretary, admin).' })
  reportSubmissions(@Arg('kind', () => ReportKind) kind: ReportKind, @Arg('subjectId', () => ID) subjectId: string): Promise<ReportSubmission[]> {
    return this.submissions.submissions(kind, subjectId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who marked it sent.' })
  sentBy(@Root() row: ReportSubmission, @Ctx() ctx: ReportsContext): Promise<User | null> {
    return ctx.loaders.user.load(row.sentById);
  }
}
