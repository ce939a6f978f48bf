import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * An entity read in the same statement as an aggregate about it: its columns selected as `<alias>__<column>` next to
 * the aggregate's, then read back into an entity with TypeORM's own conversions (dates, transformers). A report's
 * rows then carry what they are about without a second round trip to load it.
 */
export class JoinedEntity<T extends ObjectLiteral> {
  private readonly meta: EntityMetadata;
  private readonly columns: ColumnMetadata[];

  constructor(
    private readonly ds: DataSource,
    target: EntityTarget<T>,
    readonly alias: string,
  ) {
    this.meta = ds.getMetadata(target);
    this.columns = this.meta.columns.filter((c) => !c.isVirtual);
  }

  /** `alias.col AS alias__col, …` for a SELECT list. */
  select(): string {
    return this.columns.map((c) => `${this.alias}.${c.databaseName} AS ${this.alias}__${c.databaseName}`).join(', ');
  }

  /** The columns as a GROUP BY list. */
  groupBy(): string {
    return this.columns.map((c) => `${this.alias}.${c.databaseName}`).join(', ');
  }

  /** The entity held by a raw row. */
  read(row: Record<string, unknown>): T {
    const entity = this.meta.create() as T;
    for (const column of this.columns) column.setEntityValue(entity, this.ds.driver.prepareHydratedValue(row[`${this.alias}__${column.databaseName}`], column));
    return entity;
  }
}
