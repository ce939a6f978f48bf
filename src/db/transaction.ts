import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { ServiceBusyError } from '../common/errors';

const MAX_ATTEMPTS = 5;
const RETRYABLE_MYSQL = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
/** What a client is told to wait before sending a refused write again. */
const BUSY_RETRY_AFTER_MS = 500;

/** SQLite has one connection: transactions on it must run one after another, or they nest and fail. */
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

function mysqlCode(err: unknown): string {
  return err instanceof QueryFailedError ? ((err.driverError as { code?: string })?.code ?? '') : '';
}

function isRetryable(err: unknown): boolean {
  return RETRYABLE_MYSQL.has(mysqlCode(err));
}

export interface TransactionOptions {
  /**
   * How long the transaction may wait, in whole seconds: for the database to take it up (its turn in SQLite's
   * queue, a pooled MySQL connection), and then for each row lock (InnoDB's `innodb_lock_wait_timeout`, for this
   * transaction only). Past either the caller gets ServiceBusyError (reason `queue` or `lock-wait`) and nothing
   * was done; a lock not granted in time is not retried. Without it the server's default lock wait applies,
   * bounded by the statement timeout (db/query-timeouts.ts).
   */
  lockWaitSeconds?: number;
}

/**
 * Runs `work` in one transaction and hands it the EntityManager to use; every write goes through here. On MySQL a
 * deadlock or lock timeout (InnoDB picks a victim when two writers meet) is retried from the start, so `work` must
 * only touch the database; once the retries are spent the caller gets the retryable ServiceBusyError (reason
 * `lock-wait`). On SQLite transactions are queued. Effects others may observe (publishing to subscribers) belong
 * after this resolves, never inside.
 */
export async function inTransaction<T>(ds: DataSource, work: (manager: EntityManager) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const { lockWaitSeconds } = options;
  if (lockWaitSeconds === undefined) return runTransaction(ds, work);
  // Give up on a transaction still waiting for its turn; once `work` has begun it runs to its end.
  let started = false;
  let gaveUp = false;
  const refused = () => busy('queue', `the database did not take this write up within ${lockWaitSeconds} s`);
  const guarded = (m: EntityManager) => {
    if (gaveUp) throw refused();
    started = true;
    return work(m);
  };
  const running = runTransaction(ds, guarded, lockWaitSeconds);
  running.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      if (started) return;
      gaveUp = true;
      reject(refused());
    }, lockWaitSeconds * 1000);
  });
  try {
    return await Promise.race([running, waited]);
  } finally {
    clearTimeout(timer);
  }
}

async function runTransaction<T>(ds: DataSource, work: (manager: EntityManager) => Promise<T>, lockWaitSeconds?: number): Promise<T> {
  if (ds.options.type !== 'mysql') {
    const previous = sqliteQueues.get(ds) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => ds.transaction(work));
    sqliteQueues.set(ds, run);
    return run;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await (lockWaitSeconds === undefined ? ds.transaction(work) : withLockWait(ds, lockWaitSeconds, work));
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const timedOut = mysqlCode(err) === 'ER_LOCK_WAIT_TIMEOUT';
      if (attempt >= MAX_ATTEMPTS || (timedOut && lockWaitSeconds !== undefined)) {
        throw busy('lock-wait', timedOut ? 'a row this write needs stayed locked too long' : 'this write kept meeting others (deadlock)');
      }
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
    }
  }
}

function busy(reason: string, why: string): ServiceBusyError {
  return new ServiceBusyError(`the server is busy: ${why}; nothing was changed, send it again shortly`, BUSY_RETRY_AFTER_MS, reason);
}

/** One MySQL transaction on a connection whose lock wait is set for its length, then put back to the server's default. */
async function withLockWait<T>(ds: DataSource, seconds: number, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  try {
    await runner.query(`SET SESSION innodb_lock_wait_timeout = ${Math.max(1, Math.ceil(seconds))}`);
    return await runner.manager.transaction(work);
  } finally {
    await runner.query('SET SESSION innodb_lock_wait_timeout = DEFAULT').catch(() => undefined);
    await runner.release();
  }
}

/**
 * The lock option for reading a row that the transaction will change. MySQL needs SELECT … FOR UPDATE; SQLite
 * has one writer at a time already and rejects the syntax.
 */
export function writeLock(m: EntityManager): { mode: 'pessimistic_write' } | undefined {
  return m.connection.options.type === 'mysql' ? { mode: 'pessimistic_write' } : undefined;
}

/**
 * The clause ending a SELECT that must read the newest committed rows and keep them from changing until commit
 * (a shared lock): `LOCK IN SHARE MODE`, which MySQL 8 and MariaDB both accept (TypeORM's `pessimistic_read`
 * writes `FOR SHARE` for any server it takes for version 8 or later, MariaDB 10 included, which rejects it).
 * Empty on SQLite, whose transactions already run one at a time.
 */
export function shareLockClause(m: EntityManager): string {
  return m.connection.options.type === 'mysql' ? ' LOCK IN SHARE MODE' : '';
}
