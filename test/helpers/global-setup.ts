import { createConnection } from 'mysql2/promise';

export const DEFAULT_TEST_MYSQL_URL = 'mysql://root@127.0.0.1:3306/leitai_test';

/**
 * Finds the MySQL/MariaDB server the integration tests also run on and creates the test database if missing.
 * In CI an unreachable server fails the run; elsewhere the MySQL half is skipped with a notice.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.TEST_MYSQL_URL || DEFAULT_TEST_MYSQL_URL;
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.slice(1));
  parsed.pathname = '/';
  try {
    const conn = await createConnection({ uri: parsed.toString(), connectTimeout: 5000 });
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.end();
    process.env.LEITAI_TEST_MYSQL_URL = url;
  } catch (err) {
    const why = `MySQL/MariaDB at ${url} is unreachable (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${why}; CI requires it: start it or set TEST_MYSQL_URL`);
    process.env.LEITAI_TEST_MYSQL_URL = '';
    console.warn(`\n[leitai] ${why}: the MySQL half of the integration tests is skipped.\n`);
  }
}
