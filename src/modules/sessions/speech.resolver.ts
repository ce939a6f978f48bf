import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../app/context';
import { Cadre } from '../registry/cadre.entity';
import { Speech } from './speech.entity';

@Resolver(() => Speech)
export class SpeechResolver {
  @FieldResolver(() => Cadre, { description: 'Who speaks.' })
  async cadre(@Root() speech: Speech, @Ctx() ctx: AppContext): Promise<Cadre> {
    return (await ctx.loaders.cadre.load(speech.cadreId))!;
  }
}
