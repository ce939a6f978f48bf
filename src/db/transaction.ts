import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `work` in one transaction and hands it the EntityManager to use. Effects that others may observe (publishing
 * to subscribers) belong after this resolves, never inside.
 */
export function inTransaction<T>(ds: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return ds.transaction(work);
}

/**
 * The lock option for reading a row that the transaction will change. MySQL needs SELECT … FOR UPDATE; SQLite
 * has one writer at a time already and rejects the syntax.
 */
export function writeLock(m: EntityManager): { mode: 'pessimistic_write' } | undefined {
  return m.connection.options.type === 'mysql' ? { mode: 'pessimistic_write' } : undefined;
}
