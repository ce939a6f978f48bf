import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { User } from '../../../auth/user.entity';
import { Speech } from '../../sessions/speech.entity';
import { Evaluation } from '../evaluation.entity';
import type { PaperTallyContext } from './paper-tally.context';
import { PaperSpeechCount, PaperTally } from './paper-tally.entity';
import { PaperTallyInput } from './paper-tally.inputs';
import { PaperTallyService } from './paper-tally.service';

@Resolver(() => PaperTally)
export class PaperTallyResolver {
  constructor(private readonly paper: PaperTallyService) {}

  @Mutation(() => PaperTally, {
    description:
      'Enters the hand count of the paper ballots (纸质票) while the evaluation is OPEN (secretary, admin); before confirmation a new entry replaces the last. Counts no real ballots could give are refused with PAPER_TALLY_INVALID; a confirmed count with PAPER_TALLY_CONFIRMED.',
  })
  enterPaperTally(@Arg('sessionId', () => ID) sessionId: string, @Arg('input', () => PaperTallyInput) input: PaperTallyInput, @Ctx() ctx: PaperTallyContext): Promise<PaperTally> {
    return this.paper.enter(ctx.principal, sessionId, input);
  }

  @Mutation(() => PaperTally, {
    description:
      'Confirms the entered paper count (admin, chair), by someone other than who entered it (PAPER_TALLY_SAME_PERSON). Then it is fixed, and the close adds it to the electronic ballots.',
  })
  confirmPaperTally(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: PaperTallyContext): Promise<PaperTally> {
    return this.paper.confirm(ctx.principal, sessionId);
  }

  @FieldResolver(() => [PaperSpeechCount], { description: 'Every graded speaker’s counts, in line-up order.' })
  counts(@Root() tally: PaperTally): Promise<PaperSpeechCount[]> {
    return this.paper.counts(tally);
  }

  @FieldResolver(() => User, { description: 'Who entered the counts (last).' })
  async enteredBy(@Root() tally: PaperTally, @Ctx() ctx: PaperTallyContext): Promise<User> {
    return (await ctx.loaders.user.load(tally.enteredById))!;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who confirmed them; null until confirmed.' })
  confirmedBy(@Root() tally: PaperTally, @Ctx() ctx: PaperTallyContext): Promise<User | null> {
    return tally.confirmedById === null ? Promise.resolve(null) : ctx.loaders.user.load(tally.confirmedById);
  }
}

@Resolver(() => PaperSpeechCount)
export class PaperSpeechCountResolver {
  @FieldResolver(() => Speech, { description: 'The speech (and through it the speaker).' })
  async speech(@Root() row: PaperSpeechCount, @Ctx() ctx: PaperTallyContext): Promise<Speech> {
    return (await ctx.loaders.speech.load(row.speechId))!;
  }
}

@Resolver(() => Evaluation)
export class EvaluationPaperTallyResolver {
  constructor(private readonly paper: PaperTallyService) {}

  @FieldResolver(() => PaperTally, { nullable: true, description: 'The hand-counted paper ballots (纸质票), for chair, admin and secretary; null for others or when none were entered.' })
  paperTally(@Root() evaluation: Evaluation, @Ctx() ctx: PaperTallyContext): Promise<PaperTally | null> {
    return this.paper.of(evaluation, ctx.principal);
  }
}
