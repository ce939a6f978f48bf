import { Arg, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { AuthContext } from '../../auth/context';
import { Cadre } from '../registry/cadre.entity';
import { Speech } from '../sessions/speech.entity';
import { Theme } from '../themes/theme.entity';
import { Claim, Commitment } from './briefing.entity';
import { Indicator } from './indicator.entity';
import { IndicatorInput, RecordClaimInput, RecordCommitmentInput, ReviseClaimInput, ReviseCommitmentInput } from './briefing.inputs';
import type { BriefingContext } from './briefing.context';
import { BriefingService } from './briefing.service';

@ObjectType({ simpleResolvers: true, description: 'What one speaker filed before the session: figures and promises.' })
class SpeechBriefing {
  @Field(() => Speech, { description: 'The speech.' })
  speech: Speech;

  @Field(() => [Claim], { description: 'Current versions of the figures reported.' })
  claims: Claim[];

  @Field(() => [Commitment], { description: 'Current versions of the promises made.' })
  commitments: Commitment[];
}

@Resolver()
export class BriefingResolver {
  constructor(private readonly briefingService: BriefingService) {}

  @Mutation(() => Claim, { description: 'Files a figure for a speech (the speaker, or an admin on their behalf), before the session is sealed.' })
  recordClaim(@Arg('input', () => RecordClaimInput) input: RecordClaimInput, @Ctx() ctx: AuthContext): Promise<Claim> {
    return this.briefingService.recordClaim(ctx.principal, input);
  }

  @Mutation(() => Claim, { description: 'Revises a claim as a new version; after sealing only an admin, with a reason.' })
  reviseClaim(@Arg('id', () => ID) id: string, @Arg('input', () => ReviseClaimInput) input: ReviseClaimInput, @Ctx() ctx: AuthContext): Promise<Claim> {
    return this.briefingService.reviseClaim(ctx.principal, id, input);
  }

  @Mutation(() => Indicator, { description: 'Defines an indicator shared by every claim of a theme (admin, secretary, analyst); its name is unique within the theme.' })
  defineIndicator(@Arg('themeId', () => ID) themeId: string, @Arg('input', () => IndicatorInput) input: IndicatorInput, @Ctx() ctx: AuthContext): Promise<Indicator> {
    return this.briefingService.defineIndicator(ctx.principal, themeId, input);
  }

  @Mutation(() => Commitment, { description: 'Files a promise with a measurable target and a future due date (the speaker, or an admin).' })
  recordCommitment(@Arg('input', () => RecordCommitmentInput) input: RecordCommitmentInput, @Ctx() ctx: AuthContext): Promise<Commitment> {
    return this.briefingService.recordCommitment(ctx.principal, input);
  }

  @Mutation(() => Commitment, { description: 'Revises a commitment as a new version; after sealing only an admin, with a reason.' })
  reviseCommitment(@Arg('id', () => ID) id: string, @Arg('input', () => ReviseCommitmentInput) input: ReviseCommitmentInput, @Ctx() ctx: AuthContext): Promise<Commitment> {
    return this.briefingService.reviseCommitment(ctx.principal, id, input);
  }

  @Query(() => [SpeechBriefing], { description: 'The briefings of a session, for the leaders and the chair to read ahead; a speaker sees their own.' })
  briefings(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: AuthContext) {
    return this.briefingService.briefings(ctx.principal, sessionId);
  }
}

@Resolver(() => Claim)
export class ClaimResolver {
  @FieldResolver(() => Cadre, { description: 'Who reported it.' })
  async cadre(@Root() claim: Claim, @Ctx() ctx: BriefingContext): Promise<Cadre> {
    return (await ctx.loaders.cadre.load(claim.cadreId))!;
  }
}

@Resolver(() => Commitment)
export class CommitmentResolver {
  @FieldResolver(() => Cadre, { description: 'Who promised it.' })
  async cadre(@Root() commitment: Commitment, @Ctx() ctx: BriefingContext): Promise<Cadre> {
    return (await ctx.loaders.cadre.load(commitment.cadreId))!;
  }
}

@Resolver(() => Theme)
export class ThemeIndicatorsResolver {
  @FieldResolver(() => [Indicator], { description: 'The indicators shared by the claims of this theme, in the order they were defined.' })
  indicators(@Root() theme: Theme, @Ctx() ctx: BriefingContext): Promise<Indicator[]> {
    return ctx.loaders.indicatorsByTheme.load(theme.id);
  }
}
