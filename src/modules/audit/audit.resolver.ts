import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AuditContext } from './audit.context';
import { hasAnyRole } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import { parseId } from '../../common/ids';
import { Claim, Commitment } from '../briefing/briefing.entity';
import { Audit, AuditStatus, Evidence, Finding } from './audit.entity';
import { AssignAuditInput, FindingInput } from './audit.inputs';
import { AuditService } from './audit.service';

@Resolver(() => Audit)
export class AuditResolver {
  constructor(private readonly auditService: AuditService) {}

  @Mutation(() => Audit, { description: 'Assigns an audit of a claim or a commitment to an auditor who is neither the cadre nor from their unit (admin).' })
  assignAudit(@Arg('input', () => AssignAuditInput) input: AssignAuditInput, @Ctx() ctx: AuditContext): Promise<Audit> {
    return this.auditService.assignAudit(ctx.principal, input);
  }

  @Mutation(() => Audit, { description: 'Withdraws an audit that has no published finding, saying why (admin).' })
  withdrawAudit(@Arg('auditId', () => ID) auditId: string, @Arg('reason') reason: string, @Ctx() ctx: AuditContext): Promise<Audit> {
    return this.auditService.withdrawAudit(ctx.principal, auditId, reason);
  }

  @Mutation(() => Finding, { description: 'The assigned auditor reports a verdict with evidence. A draft is replaced until published; a published finding is corrected by a new one with a correctionReason.' })
  submitFinding(@Arg('auditId', () => ID) auditId: string, @Arg('input', () => FindingInput) input: FindingInput, @Ctx() ctx: AuditContext): Promise<Finding> {
    return this.auditService.submitFinding(ctx.principal, auditId, input);
  }

  @Mutation(() => Finding, { description: 'Publishes a finding, which then never changes (admin, not its author).' })
  publishFinding(@Arg('findingId', () => ID) findingId: string, @Ctx() ctx: AuditContext): Promise<Finding> {
    return this.auditService.publishFinding(ctx.principal, findingId);
  }

  @Query(() => [Audit], { description: 'Audits: all for admin and secretary, your own assignments for an auditor.' })
  audits(
    @Arg('cadreId', () => ID, { nullable: true }) cadreId: string | null,
    @Arg('status', () => AuditStatus, { nullable: true }) status: AuditStatus | null,
    @Ctx() ctx: AuditContext,
  ): Promise<Audit[]> {
    return this.auditService.audits(ctx.principal, { cadreId: cadreId == null ? undefined : parseId('cadre', cadreId, 'cadreId'), status: status ?? undefined });
  }

  @FieldResolver(() => Claim, { nullable: true, description: 'The claim checked.' })
  claim(@Root() audit: Audit, @Ctx() ctx: AuditContext): Promise<Claim | null> | null {
    return audit.claimId === null ? null : ctx.loaders.claim.load(audit.claimId);
  }

  @FieldResolver(() => Commitment, { nullable: true, description: 'The commitment checked.' })
  commitment(@Root() audit: Audit, @Ctx() ctx: AuditContext): Promise<Commitment | null> | null {
    return audit.commitmentId === null ? null : ctx.loaders.commitment.load(audit.commitmentId);
  }

  @FieldResolver(() => User, { description: 'The assigned auditor.' })
  async auditor(@Root() audit: Audit, @Ctx() ctx: AuditContext): Promise<User> {
    return (await ctx.loaders.user.load(audit.auditorId))!;
  }

  @FieldResolver(() => [Finding], { description: 'Its findings, oldest first; drafts only for admin, secretary and auditors.' })
  async findings(@Root() audit: Audit, @Ctx() ctx: AuditContext): Promise<Finding[]> {
    const all = await ctx.loaders.findingsByAudit.load(audit.id);
    return hasAnyRole(ctx.principal, ['admin', 'secretary', 'auditor']) ? all : all.filter((f) => f.publishedAt !== null);
  }
}

@Resolver(() => Finding)
export class FindingResolver {
  @FieldResolver(() => [Evidence], { description: 'The evidence given.' })
  evidence(@Root() finding: Finding, @Ctx() ctx: AuditContext): Promise<Evidence[]> {
    return ctx.loaders.evidenceByFinding.load(finding.id);
  }
}
