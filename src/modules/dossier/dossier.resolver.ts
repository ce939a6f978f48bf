import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { AuthContext } from '../../auth/context';
import { DossierService } from './dossier.service';
import { CadreDossier } from './dossier.types';

@Resolver()
export class DossierResolver {
  constructor(private readonly dossiers: DossierService) {}

  @Query(() => CadreDossier, {
    description: 'A cadre’s record: speeches and their discipline, commentary, grades and ranks, claims, commitments, published findings, flags. A speaker reads only their own; voters none.',
  })
  cadreDossier(@Arg('cadreId', () => ID) cadreId: string, @Ctx() ctx: AuthContext): Promise<CadreDossier> {
    return this.dossiers.dossier(ctx.principal, cadreId);
  }

  @Query(() => CadreDossier, { nullable: true, description: 'The caller’s own record as a cadre (what the hall shows a speaker: commitments, action items, findings); null for someone who is not one.' })
  myDossier(@Ctx() ctx: AuthContext): Promise<CadreDossier | null> {
    return this.dossiers.own(ctx.principal);
  }
}
