import { DataSource, QueryFailedError } from 'typeorm';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner';

/**
 * How long one SQL statement may wait for the server before the connection is given up (a silent network). A
 * mutation then answers SERVICE_UNAVAILABLE within 5 s with two seconds to spare for a loaded machine; the
 * slowest analytics query takes under 10 ms at p99 over five years of history (bench/results/analytics-*.json).
 */
export const QUERY_TIMEOUT_MS = 3000;

let patched = false;

/**
 * Arms statement timeouts on MySQL/MariaDB once start-up (migrations, seeding, which may legitimately take longer)
 * is done. mysql2 reports a statement that got no answer in time, but leaves the connection in the pool, where the
 * next query would hang on it too; such a connection is destroyed instead, so the pool opens a fresh one (or fails
 * fast with a connect timeout while the database stays away).
 */
export function armQueryTimeouts(ds: DataSource): void {
  if (ds.options.type !== 'mysql') return;
  Object.assign(ds.driver.options, { enableQueryTimeout: true, maxQueryExecutionTime: QUERY_TIMEOUT_MS });
  if (patched) return;
  patched = true;
  const query = MysqlQueryRunner.prototype.query;
  MysqlQueryRunner.prototype.query = async function timedQuery(this: MysqlQueryRunner, ...args: Parameters<typeof query>) {
    try {
      return await query.apply(this, args);
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string })?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
        (this.databaseConnection as { destroy?: () => void } | undefined)?.destroy?.();
      }
      throw err;
    }
  } as typeof query;
}
