import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { EvaluationContext } from './evaluation.context';
import { assertSessionVisible } from '../../auth/authorize.middleware';
import { parseId } from '../../common/ids';
import { Speech } from '../sessions/speech.entity';
import { Evaluation } from './evaluation.entity';
import { EvaluationService } from './evaluation.service';
import { BlindBallotService } from './blind-ballot.service';
import { EvaluationResult } from '../room/results';
import { BallotKey, BallotReceipt, GradeInput, VoterStatus } from './evaluation.types';

@Resolver(() => Evaluation)
export class EvaluationResolver {
  constructor(private readonly evaluations: EvaluationService) {}

  @Mutation(() => Evaluation, { description: 'Opens the ballot box in phase EVALUATION and freezes the attendees as the entitled voters (chair).' })
  openEvaluation(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: EvaluationContext): Promise<Evaluation> {
    return this.evaluations.openEvaluation(ctx.principal, sessionId);
  }

  @Mutation(() => BallotReceipt, {
    description:
      'Casts your secret ballot: every speaker but yourself, once each, at most a third EXCELLENT. One per voter; a retry with the same clientId returns the same receipt.',
  })
  castBallot(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('grades', () => [GradeInput]) grades: GradeInput[],
    @Arg('clientId', () => String, { nullable: true }) clientId: string | null,
    @Ctx() ctx: EvaluationContext,
  ): Promise<BallotReceipt> {
    return this.evaluations.castBallot(ctx.principal, sessionId, grades, clientId ?? null);
  }

  @Mutation(() => Evaluation, {
    description:
      'Closes the ballot box and computes the results (chair). Below the quorum it is refused with EVALUATION_QUORUM_NOT_MET unless force is true and a reason is given; the log and the archive keep the reason.',
  })
  closeEvaluation(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('force', () => Boolean, { nullable: true, description: 'Close below the quorum (with a reason).' }) force: boolean | null,
    @Arg('reason', () => String, { nullable: true, description: 'Why it closes below the quorum, 1–500 characters.' }) reason: string | null,
    @Ctx() ctx: EvaluationContext,
  ): Promise<Evaluation> {
    return this.evaluations.closeEvaluation(ctx.principal, sessionId, force ?? false, reason);
  }

  @Mutation(() => Evaluation, { description: 'Publishes the closed results to the hall, the analysts and the dossiers (chair).' })
  publishEvaluation(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: EvaluationContext): Promise<Evaluation> {
    return this.evaluations.publishEvaluation(ctx.principal, sessionId);
  }

  @Query(() => Evaluation, { nullable: true, description: 'The evaluation of a session, or null before it opens.' })
  evaluation(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: EvaluationContext): Promise<Evaluation | null> {
    assertSessionVisible(ctx.principal, parseId('session', sessionId, 'sessionId'));
    return this.evaluations.evaluation(sessionId);
  }

  @Query(() => [VoterStatus], { description: 'Who has voted — never how (chair).' })
  evaluationVoters(@Arg('sessionId', () => ID) sessionId: string): Promise<VoterStatus[]> {
    return this.evaluations.voters(sessionId);
  }

  @Query(() => Boolean, {
    description:
      'Whether a receipt belongs to a ballot cast in this session. Reveals nothing of any ballot. Needs no sign-in: the hall asks it without Authorization, so that the check does not name who holds the receipt.',
  })
  verifyBallotReceipt(@Arg('sessionId', () => ID) sessionId: string, @Arg('receipt') receipt: string): Promise<boolean> {
    return this.evaluations.verifyReceipt(sessionId, receipt);
  }

  @FieldResolver(() => Int, { description: 'Voters who have taken a ballot token (BLIND mode; 0 in SIMPLE).' })
  tokensIssued(@Root() evaluation: Evaluation): Promise<number> {
    return this.evaluations.tokensIssued(evaluation.sessionId);
  }

  @FieldResolver(() => [EvaluationResult], {
    nullable: true,
    description: 'Per-speaker results in rank order: null while open; after closing for chair, admin and secretary; after publication for all.',
  })
  results(@Root() evaluation: Evaluation, @Ctx() ctx: EvaluationContext): EvaluationResult[] | null {
    return this.evaluations.results(evaluation, ctx.principal);
  }
}

/** The blind ballot box (BLIND mode): taking a token as oneself, casting with it as nobody. */
@Resolver()
export class BlindBallotResolver {
  constructor(private readonly box: BlindBallotService) {}

  @Query(() => BallotKey, {
    description: 'While the box is open in BLIND mode: the public key you blind your ballot token with — your own if you speak in the session (your ballot skips your speech), else the general one.',
  })
  ballotKey(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: EvaluationContext): Promise<BallotKey> {
    return this.box.ballotKey(ctx.principal, sessionId);
  }

  @Mutation(() => String, {
    description:
      'Signs your blinded ballot token (base64url, RFC 9474), once per voter: the answer is the blind signature (base64url). The same blindedMessage again gets the same signature; another is refused with BALLOT_TOKEN_ALREADY_ISSUED.',
  })
  issueBallotToken(@Arg('sessionId', () => ID) sessionId: string, @Arg('blindedMessage') blindedMessage: string, @Ctx() ctx: EvaluationContext): Promise<string> {
    return this.box.issueBallotToken(ctx.principal, sessionId, blindedMessage);
  }

  @Mutation(() => BallotReceipt, {
    description:
      'Casts an anonymous ballot with a token and its unblinded signature, in a request WITHOUT Authorization (one with it is refused: BALLOT_NOT_ANONYMOUS). Each token is spent once (BALLOT_TOKEN_SPENT); a retry with the same token and clientId returns the same receipt, which derives from the token alone.',
  })
  castAnonymousBallot(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('token', { description: 'The prepared token (64 bytes, base64url).' }) token: string,
    @Arg('signature', { description: 'Its RSA blind signature, unblinded (256 bytes, base64url).' }) signature: string,
    @Arg('grades', () => [GradeInput]) grades: GradeInput[],
    @Arg('clientId', () => String, { nullable: true }) clientId: string | null,
    @Ctx() ctx: EvaluationContext,
  ): Promise<BallotReceipt> {
    return this.box.castAnonymousBallot(ctx.principal, sessionId, token, signature, grades, clientId ?? null);
  }
}

@Resolver(() => EvaluationResult)
export class EvaluationResultResolver {
  @FieldResolver(() => Speech, { description: 'The speech (and through it the speaker).' })
  async speech(@Root() result: EvaluationResult, @Ctx() ctx: EvaluationContext): Promise<Speech> {
    return (await ctx.loaders.speech.load(result.speechId))!;
  }
}
