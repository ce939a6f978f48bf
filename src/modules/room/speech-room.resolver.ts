import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Speech } from '../sessions/speech.entity';
import type { RoomContext } from './room.context';
import { Review } from './review.entity';
import { Interruption, InterruptionReason } from './room.types';

/** What happened to a speech in the room: what the room adds to the sessions' Speech type. */
@Resolver(() => Speech)
export class SpeechRoomResolver {
  @FieldResolver(() => [Interruption], { description: 'The chair’s interruptions of this speech, from the room’s log.' })
  async interruptions(@Root() speech: Speech, @Ctx() ctx: RoomContext): Promise<Interruption[]> {
    const events = await ctx.loaders.interruptionsBySpeech.load(speech.id);
    return events.flatMap((e) =>
      e.type === 'SPEECH_INTERRUPTED' ? [{ id: `${speech.sessionId}:${e.seq}`, reason: e.reason as InterruptionReason, note: e.note, at: new Date(e.at), cutOff: e.cutOff }] : [],
    );
  }

  @FieldResolver(() => [Review], { description: 'Leaders’ commentary on this speech.' })
  reviews(@Root() speech: Speech, @Ctx() ctx: RoomContext): Promise<Review[]> {
    return ctx.loaders.reviewsBySpeech.load(speech.id);
  }
}
