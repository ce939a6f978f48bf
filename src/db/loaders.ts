import DataLoader from 'dataloader';
import { DataSource, EntityTarget, In, ObjectLiteral } from 'typeorm';

/** Rows by id, one statement per batch; a missing id resolves to null. */
export type ByIdLoader<T> = DataLoader<number, T | null>;

/** Rows grouped by a foreign key, one statement per batch; a key without rows resolves to []. */
export type ManyLoader<T> = DataLoader<number, T[]>;

export function byId<T extends ObjectLiteral & { id: number }>(ds: DataSource, entity: EntityTarget<T>): ByIdLoader<T> {
  return new DataLoader(async (ids) => {
    const rows = await ds.getRepository(entity).findBy({ id: In([...ids]) } as never);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

/** The one row (or none) per key of a column unique among the rows looked up, one statement per batch. */
export function oneBy<T extends ObjectLiteral>(ds: DataSource, entity: EntityTarget<T>, key: keyof T & string): ByIdLoader<T> {
  return new DataLoader(async (keys) => {
    const rows = await ds.getRepository(entity).find({ where: { [key]: In([...keys]) } as never });
    const map = new Map(rows.map((r) => [r[key] as number, r]));
    return keys.map((k) => map.get(k) ?? null);
  });
}

export function manyBy<T extends ObjectLiteral>(
  ds: DataSource,
  entity: EntityTarget<T>,
  key: keyof T & string,
  order: Partial<Record<keyof T & string, 'ASC' | 'DESC'>>,
): ManyLoader<T> {
  return new DataLoader(async (keys) => {
    const rows = await ds.getRepository(entity).find({ where: { [key]: In([...keys]) } as never, order: order as never });
    const groups = new Map<number, T[]>(keys.map((k) => [k, []]));
    for (const row of rows) groups.get(row[key] as number)?.push(row);
    return keys.map((k) => groups.get(k) ?? []);
  });
}
