import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../app/context';
import { Cadre } from '../registry/cadre.entity';
import { Review } from '../room/review.entity';
import { Interruption, InterruptionReason } from '../room/room.types';
import { Session } from './session.entity';
import { Speech } from './speech.entity';

@Resolver(() => Speech)
export class SpeechResolver {
  @FieldResolver(() => Cadre, { description: 'Who speaks.' })
  async cadre(@Root() speech: Speech, @Ctx() ctx: AppContext): Promise<Cadre> {
    return (await ctx.loaders.cadre.load(speech.cadreId))!;
  }

  @FieldResolver(() => Session, { description: 'The session it belongs to.' })
  async session(@Root() speech: Speech, @Ctx() ctx: AppContext): Promise<Session> {
    return (await ctx.loaders.session.load(speech.sessionId))!;
  }

  @FieldResolver(() => [Interruption], { description: 'The chair’s interruptions of this speech, from the room’s log.' })
  async interruptions(@Root() speech: Speech, @Ctx() ctx: AppContext): Promise<Interruption[]> {
    const events = await ctx.loaders.interruptionsBySpeech.load(speech.id);
    return events.flatMap((e) =>
      e.type === 'SPEECH_INTERRUPTED' ? [{ id: `${speech.sessionId}:${e.seq}`, reason: e.reason as InterruptionReason, note: e.note, at: new Date(e.at), cutOff: e.cutOff }] : [],
    );
  }

  @FieldResolver(() => [Review], { description: 'Leaders’ commentary on this speech.' })
  reviews(@Root() speech: Speech, @Ctx() ctx: AppContext): Promise<Review[]> {
    return ctx.loaders.reviewsBySpeech.load(speech.id);
  }
}
