import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Clock } from '../../common/clock';
import { Claim, Commitment } from '../briefing/briefing.entity';
import type { AuditContext } from './audit.context';
import { Audit } from './audit.entity';
import { commitmentStatusOf, CommitmentStatus } from './consequences';

/** A claim's audits: what audit adds to briefing's Claim type. */
@Resolver(() => Claim)
export class ClaimAuditsResolver {
  @FieldResolver(() => [Audit], { description: 'Audits of it visible to you (a cadre does not see an unannounced visit of their own before its finding is published).' })
  audits(@Root() claim: Claim, @Ctx() ctx: AuditContext): Promise<Audit[]> {
    return ctx.loaders.visibleAuditsByClaim.load(claim.id);
  }
}

/** A commitment's audits and the status their verdicts give it: what audit adds to briefing's Commitment type. */
@Resolver(() => Commitment)
export class CommitmentAuditsResolver {
  constructor(private readonly clock: Clock) {}

  @FieldResolver(() => CommitmentStatus, { description: 'Derived from the latest published verdict (across its versions), else from the due date.' })
  status(@Root() commitment: Commitment): CommitmentStatus {
    return commitmentStatusOf(commitment, this.clock.now().getTime());
  }

  @FieldResolver(() => [Audit], { description: 'Audits of it visible to you.' })
  audits(@Root() commitment: Commitment, @Ctx() ctx: AuditContext): Promise<Audit[]> {
    return ctx.loaders.visibleAuditsByCommitment.load(commitment.id);
  }
}
