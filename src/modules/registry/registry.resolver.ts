import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RegistryContext } from './registry.context';
import { actorIdOf } from '../../auth/principal';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { Cadre } from './cadre.entity';
import { Region } from './region.entity';
import { CreateCadreInput, CreateRegionInput } from './registry.inputs';
import { RegistryService } from './registry.service';

export const CadreConnection = ConnectionType(Cadre, 'A page of cadres.');

@ArgsType()
class CadresArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only cadres of this region.' })
  regionId?: string;
}

@Resolver(() => Cadre)
export class RegistryResolver {
  constructor(private readonly registry: RegistryService) {}

  @Query(() => [Region], { description: 'The county-level units, in their official order.' })
  regions(): Promise<Region[]> {
    return this.registry.regions();
  }

  @Query(() => Cadre, { nullable: true, description: 'One cadre, or null if there is none with this id.' })
  cadre(@Arg('id', () => ID) id: string): Promise<Cadre | null> {
    return this.registry.cadre(id);
  }

  @Query(() => CadreConnection, { description: 'Cadres in registration order, a page at a time.' })
  cadres(@Args(() => CadresArgs) args: CadresArgs) {
    return this.registry.cadres(args);
  }

  @Mutation(() => Region, { description: 'Registers a county-level unit (admin).' })
  createRegion(@Arg('input', () => CreateRegionInput) input: CreateRegionInput, @Ctx() ctx: RegistryContext): Promise<Region> {
    return this.registry.createRegion(input, actorIdOf(ctx.principal));
  }

  @Mutation(() => Cadre, { description: 'Registers an official of a unit (admin).' })
  createCadre(@Arg('input', () => CreateCadreInput) input: CreateCadreInput, @Ctx() ctx: RegistryContext): Promise<Cadre> {
    return this.registry.createCadre(input, actorIdOf(ctx.principal));
  }

  @FieldResolver(() => Region, { description: 'The unit the cadre serves in.' })
  async region(@Root() cadre: Cadre, @Ctx() ctx: RegistryContext): Promise<Region> {
    return (await ctx.loaders.region.load(cadre.regionId))!;
  }
}
