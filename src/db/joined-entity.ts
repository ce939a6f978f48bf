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

  /**
   * An aggregate whose rows each name an entity by id (as `key`), with the entity's columns joined on, in one
   * statement: `SELECT agg.*, <columns> FROM (<aggregate>) agg JOIN <table> <alias> ON … ORDER BY <orderBy>`.
   */
  around(aggregate: string, key: string, orderBy: string): string {
    return `SELECT agg.*, ${this.select()} FROM (${aggregate}) agg ${this.joinOn(`agg.${key}`)} ORDER BY ${orderBy}`;
  }

  /** `JOIN <table> <alias> ON <alias>.<id> = <idExpression>`. */
  joinOn(idExpression: string): string {
    return `JOIN ${this.meta.tableName} ${this.alias} ON ${this.alias}.${this.meta.primaryColumns[0].databaseName} = ${idExpression}`;
  }

  /** The entity held by a raw row. */
  read(row: Record<string, unknown>): T {
    const entity = this.meta.create() as T;
    for (const column of this.columns) column.setEntityValue(entity, this.ds.driver.prepareHydratedValue(row[`${this.alias}__${column.databaseName}`], column));
    return entity;
  }
}
