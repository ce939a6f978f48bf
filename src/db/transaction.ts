import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

const MAX_ATTEMPTS = 5;
const RETRYABLE_MYSQL = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/** SQLite has one connection: transactions on it must run one after another, or they nest and fail. */
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

function isRetryable(err: unknown): boolean {
  return err instanceof QueryFailedError && RETRYABLE_MYSQL.has((err.driverError as { code?: string })?.code ?? '');
}

/**
 * Runs `work` in one transaction and hands it the EntityManager to use; every write goes through here. On MySQL a
 * deadlock or lock timeout (InnoDB picks a victim when two writers meet) is retried from the start, so `work` must
 * only touch the database. On SQLite transactions are queued. Effects others may observe (publishing to
 * subscribers) belong after this resolves, never inside.
 */
export async function inTransaction<T>(ds: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (ds.options.type !== 'mysql') {
    const previous = sqliteQueues.get(ds) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => ds.transaction(work));
    sqliteQueues.set(ds, run);
    return run;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await ds.transaction(work);
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
    }
  }
}

/**
 * The lock option for reading a row that the transaction will change. MySQL needs SELECT … FOR UPDATE; SQLite
 * has one writer at a time already and rejects the syntax.
 */
export function writeLock(m: EntityManager): { mode: 'pessimistic_write' } | undefined {
  return m.connection.options.type === 'mysql' ? { mode: 'pessimistic_write' } : undefined;
}
