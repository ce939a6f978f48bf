import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { AuthContext } from '../../auth/context';
import { Speech } from '../sessions/speech.entity';
import { ProceedingsService } from './proceedings.service';
import { Summary } from './room.types';

@Resolver()
export class ProceedingsResolver {
  constructor(private readonly proceedings: ProceedingsService) {}

  @Mutation(() => Speech, {
    description: 'Takes a speech out of the line-up before it starts (缺席 / 取消), with a reason (chair, secretary, admin): startSpeech skips it, no ballot grades it, it is outside the one-third base.',
  })
  withdrawSpeech(@Arg('speechId', () => ID) speechId: string, @Arg('reason') reason: string, @Ctx() ctx: AuthContext): Promise<Speech> {
    return this.proceedings.withdrawSpeech(ctx.principal, speechId, reason);
  }

  @Mutation(() => Summary, { description: 'Records the 总结讲话 in phase SUMMARY (the presiding leader or the chair), 1–5000 characters; a later one replaces it.' })
  async recordSummary(@Arg('sessionId', () => ID) sessionId: string, @Arg('body') body: string, @Ctx() ctx: AuthContext): Promise<Summary> {
    const summary = await this.proceedings.recordSummary(ctx.principal, sessionId, body);
    return { body: summary.body, author: summary.author, at: new Date(summary.at) };
  }
}
