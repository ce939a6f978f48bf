import type { DataSource } from 'typeorm';

const LOCK_NAME = 'leitai:startup';
const LOCK_TIMEOUT_S = 120;

/**
 * Runs start-up work (migrations, seeding) while holding a MySQL named lock, so that replicas starting together
 * take turns instead of racing to create the same tables and rows. SQLite has one process; it just runs.
 */
export async function withStartupLock<T>(ds: DataSource, work: () => Promise<T>): Promise<T> {
  if (ds.options.type !== 'mysql') return work();
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    const [row] = await runner.query('SELECT GET_LOCK(?, ?) AS got', [LOCK_NAME, LOCK_TIMEOUT_S]);
    if (Number(row.got) !== 1) throw new Error(`could not take the start-up lock within ${LOCK_TIMEOUT_S} s`);
    try {
      return await work();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await runner.release();
  }
}
