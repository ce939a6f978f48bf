import { Arg, ID, Query, Resolver } from 'type-graphql';
import { DossierService } from './dossier.service';
import { CadreDossier } from './dossier.types';

@Resolver()
export class DossierResolver {
  constructor(private readonly dossiers: DossierService) {}

  @Query(() => CadreDossier, { description: 'A cadre’s record: speeches with their discipline, commentary received, grades and ranks (admin, secretary).' })
  cadreDossier(@Arg('cadreId', () => ID) cadreId: string): Promise<CadreDossier> {
    return this.dossiers.dossier(cadreId);
  }
}
