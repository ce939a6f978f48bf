import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../src/config/config';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/data-source';

export type EngineName = 'sqlite' | 'mysql';

/** The engines this run tests on: SQLite always, MySQL/MariaDB when global-setup reached it. */
export function engines(): EngineName[] {
  return process.env.LEITAI_TEST_MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
}

export function databaseConfig(engine: EngineName): DatabaseConfig {
  return engine === 'sqlite' ? { kind: 'sqlite', path: ':memory:' } : { kind: 'mysql', url: process.env.LEITAI_TEST_MYSQL_URL! };
}

/**
 * A clean database: SQLite in memory built from the entities; MySQL emptied and rebuilt by the real migrations, so
 * the migrations are tested on every run.
 */
export async function createTestDataSource(engine: EngineName): Promise<DataSource> {
  if (engine === 'sqlite') return createDataSource(databaseConfig(engine), { entities: ENTITIES, synchronize: true }).initialize();
  const ds = await createDataSource(databaseConfig(engine), { entities: ENTITIES, dropSchema: true }).initialize();
  await ds.runMigrations();
  return ds;
}

/** `describe` once per engine, named after it. */
export function describeEachEngine(title: string, body: (engine: EngineName) => void): void {
  for (const engine of engines()) describe(`${title} [${engine}]`, () => body(engine));
}

/**
 * A database of its own for a suite's server processes, emptied: named after this run's test database
 * (TEST_MYSQL_URL's, e.g. `leitai_test_e2e_room`), so two checkouts testing at once on one MariaDB do not drop each
 * other's. Returns its URL.
 */
export async function freshMysqlDatabase(suffix: string): Promise<string> {
  const url = new URL(process.env.LEITAI_TEST_MYSQL_URL!);
  const name = `${url.pathname.replace(/^\//, '')}_${suffix}`;
  const root = new URL(url);
  root.pathname = '/';
  const conn = await createConnection({ uri: root.toString() });
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  url.pathname = `/${name}`;
  return url.toString();
}
