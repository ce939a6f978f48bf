import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/config';
import { MIGRATIONS } from './migrations';
import { SnakeNamingStrategy } from './naming';

export interface DataSourceTuning {
  /** The model: the entity classes, listed once where the application is wired (app/entities.ts); db imports no module. */
  entities: NonNullable<DataSourceOptions['entities']>;
  /** Build the schema from the entities instead of running migrations (SQLite, and tests on a scratch SQLite). */
  synchronize?: boolean;
  /** Drop every table first; tests only. */
  dropSchema?: boolean;
}

/**
 * MySQL/MariaDB always get their schema from the reviewed migrations; SQLite, the embedded default, may build it
 * from the entities. Instants are UTC on both engines.
 */
export function dataSourceOptions(db: DatabaseConfig, tuning: DataSourceTuning): DataSourceOptions {
  const common = {
    entities: tuning.entities,
    namingStrategy: new SnakeNamingStrategy(),
    dropSchema: tuning.dropSchema ?? false,
  };
  if (db.kind === 'sqlite') {
    if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: db.path,
      synchronize: tuning.synchronize ?? true,
      enableWAL: db.path !== ':memory:',
      // The live room's writes are short; waiting beats failing when two of them meet.
      timeout: 5000,
      prepareDatabase: (sqlite: { pragma(sql: string): unknown }) => {
        sqlite.pragma('foreign_keys = ON');
      },
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: db.url,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    migrations: MIGRATIONS,
    // Run by the caller under a start-up lock (db/startup.ts), so replicas starting together do not race.
    migrationsRun: false,
    synchronize: tuning.synchronize ?? false,
    // Fail fast when the database is away: mutations answer SERVICE_UNAVAILABLE instead of hanging.
    extra: { connectionLimit: 20, connectTimeout: 2000 },
  };
}

export function createDataSource(db: DatabaseConfig, tuning: DataSourceTuning): DataSource {
  return new DataSource(dataSourceOptions(db, tuning));
}
