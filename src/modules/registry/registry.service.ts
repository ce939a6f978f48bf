import { DataSource, FindOptionsWhere, MoreThan } from 'typeorm';
import { User } from '../../auth/user.entity';
import { ConflictError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { inTransaction } from '../../db/transaction';
import type { Clock } from '../../common/clock';
import { journal } from '../journal/journal';
import { Connection, DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, toConnection } from '../../common/pagination';
import { Cadre } from './cadre.entity';
import { Region } from './region.entity';
import { CreateCadreInput, CreateRegionInput } from './registry.inputs';

export class RegistryService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  regions(): Promise<Region[]> {
    return this.ds.getRepository(Region).find({ order: { id: 'ASC' } });
  }

  async region(id: string | number, field?: string): Promise<Region> {
    const regionId = parseId('region', id, field);
    const region = await this.ds.getRepository(Region).findOneBy({ id: regionId });
    if (!region) throw new NotFoundError('region', regionId, field);
    return region;
  }

  async cadre(id: string): Promise<Cadre | null> {
    try {
      return await this.ds.getRepository(Cadre).findOneBy({ id: parseId('cadre', id) });
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /** Cadres in id order, optionally of one region; an unknown region is an error, not an empty page. */
  async cadres(args: { regionId?: string; first?: number; after?: string }): Promise<Connection<Cadre>> {
    const limit = args.first ?? DEFAULT_PAGE_SIZE;
    const afterId = decodeCursor('cadre', args.after);
    const where: FindOptionsWhere<Cadre> = {};
    if (args.regionId !== undefined && args.regionId !== null) where.regionId = (await this.region(args.regionId, 'regionId')).id;
    const repo = this.ds.getRepository(Cadre);
    const [rows, total] = await Promise.all([
      repo.find({ where: afterId === null ? where : { ...where, id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit + 1 }),
      repo.countBy(where),
    ]);
    return toConnection(rows, limit, total, afterId !== null, (c) => encodeCursor('cadre', c.id));
  }

  async createRegion(input: CreateRegionInput, actorId: number | null): Promise<Region> {
    const repo = this.ds.getRepository(Region);
    if (await repo.existsBy({ code: input.code })) throw new ConflictError(`region code ${input.code} is taken`, 'input.code');
    if (await repo.existsBy({ name: input.name.trim() })) throw new ConflictError(`region ${input.name} exists`, 'input.name');
    return inTransaction(this.ds, async (m) => {
      const region = await m.save(Region, m.create(Region, { code: input.code, name: input.name.trim(), nameEn: input.nameEn.trim() }));
      await journal(m, this.clock, { actorId, action: 'createRegion', entity: 'Region', entityId: region.id, after: region });
      return region;
    });
  }

  async createCadre(input: CreateCadreInput, actorId: number | null): Promise<Cadre> {
    const region = await this.region(input.regionId, 'input.regionId');
    let userId: number | null = null;
    if (input.userId !== undefined && input.userId !== null) {
      userId = parseId('user', input.userId, 'input.userId');
      if (!(await this.ds.getRepository(User).existsBy({ id: userId }))) throw new NotFoundError('user', userId, 'input.userId');
      if (await this.ds.getRepository(Cadre).existsBy({ userId })) {
        throw new ConflictError(`user ${userId} already belongs to another cadre`, 'input.userId');
      }
    }
    return inTransaction(this.ds, async (m) => {
      const cadre = await m.save(Cadre, m.create(Cadre, { name: input.name.trim(), position: input.position.trim(), regionId: region.id, userId }));
      await journal(m, this.clock, { actorId, action: 'createCadre', entity: 'Cadre', entityId: cadre.id, after: cadre });
      return cadre;
    });
  }
}
