import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Cadre } from '../registry/cadre.entity';
import type { SessionsContext } from './sessions.context';
import { Session } from './session.entity';
import { Speech } from './speech.entity';

@Resolver(() => Speech)
export class SpeechResolver {
  @FieldResolver(() => Cadre, { description: 'Who speaks.' })
  async cadre(@Root() speech: Speech, @Ctx() ctx: SessionsContext): Promise<Cadre> {
    return (await ctx.loaders.cadre.load(speech.cadreId))!;
  }

  @FieldResolver(() => Session, { description: 'The session it belongs to.' })
  async session(@Root() speech: Speech, @Ctx() ctx: SessionsContext): Promise<Session> {
    return (await ctx.loaders.session.load(speech.sessionId))!;
  }
}
