import DataLoader from 'dataloader';
import { DataSource, EntityTarget, In, ObjectLiteral } from 'typeorm';
import { User } from '../auth/user.entity';
import { Cadre } from '../modules/registry/cadre.entity';
import { Region } from '../modules/registry/region.entity';
import { Session } from '../modules/sessions/session.entity';
import { Speech } from '../modules/sessions/speech.entity';
import { Theme } from '../modules/themes/theme.entity';

function byId<T extends ObjectLiteral & { id: number }>(ds: DataSource, entity: EntityTarget<T>): DataLoader<number, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await ds.getRepository(entity).findBy({ id: In([...ids]) } as never);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

function manyBy<T extends ObjectLiteral>(
  ds: DataSource,
  entity: EntityTarget<T>,
  key: keyof T & string,
  order: Partial<Record<keyof T & string, 'ASC' | 'DESC'>>,
): DataLoader<number, T[]> {
  return new DataLoader(async (keys) => {
    const rows = await ds.getRepository(entity).find({ where: { [key]: In([...keys]) } as never, order: order as never });
    const groups = new Map<number, T[]>(keys.map((k) => [k, []]));
    for (const row of rows) groups.get(row[key] as number)?.push(row);
    return keys.map((k) => groups.get(k) ?? []);
  });
}

/** Per-request batching: a page of 100 rows resolves each relation in one statement, not one per row. */
export function createLoaders(ds: DataSource) {
  return {
    user: byId(ds, User),
    region: byId(ds, Region),
    cadre: byId(ds, Cadre),
    theme: byId(ds, Theme),
    session: byId(ds, Session),
    speechesBySession: manyBy(ds, Speech, 'sessionId', { order: 'ASC' }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
