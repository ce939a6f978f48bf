import { Column, ColumnOptions, CreateDateColumn } from 'typeorm';

/**
 * An instant with millisecond precision on both engines (the timer and the ordering of events depend on the
 * milliseconds). TypeORM stores it as DATETIME(3) in UTC on MySQL/MariaDB and as an ISO-like text on SQLite.
 */
export function InstantColumn(options: Pick<ColumnOptions, 'nullable' | 'name'> = {}): PropertyDecorator {
  return Column({ type: 'datetime', precision: 3, ...options });
}

/**
 * The creation instant, set by the database on insert. Precision 6 because TypeORM's default is
 * CURRENT_TIMESTAMP(6), and MySQL requires the column and its default to agree.
 */
export function CreatedAtColumn(): PropertyDecorator {
  return CreateDateColumn({ type: 'datetime', precision: 6 });
}
