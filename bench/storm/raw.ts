import { performance } from 'node:perf_hooks';
import argon2 from 'argon2';
import mysql from 'mysql2/promise';
import { summarize } from '../analytics/stats';
import { pooled } from './http';
import { DATABASE, HASH_OPTIONS, MYSQL_SERVER, PASSWORD } from './world';

export interface RawArgon2 {
  verifies: number;
  parallel: number;
  wallMs: number;
  perSecond: number;
  medianMs: number;
  p99Ms: number;
  /** One verify at a time, for comparison: what a single sign-in costs on an idle machine. */
  aloneMedianMs: number;
}

/**
 * argon2id verification at the bench accounts' parameters, in this process on an otherwise idle machine: `count`
 * verifies with `parallel` in flight (the library runs them on libuv's thread pool), after a few alone.
 */
export async function rawArgon2(count: number, parallel: number): Promise<RawArgon2> {
  const hash = await argon2.hash(PASSWORD, HASH_OPTIONS);
  const alone: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    if (!(await argon2.verify(hash, PASSWORD))) throw new Error('argon2 did not verify its own hash');
    alone.push(performance.now() - t);
  }
  const each: number[] = [];
  const started = performance.now();
  await pooled(Array.from({ length: count }), parallel, async () => {
    const t = performance.now();
    await argon2.verify(hash, PASSWORD);
    each.push(performance.now() - t);
  });
  const wallMs = performance.now() - started;
  const s = summarize(each);
  return { verifies: count, parallel, wallMs, perSecond: (count * 1000) / wallMs, medianMs: s.p50, p99Ms: s.p99, aloneMedianMs: summarize(alone).p50 };
}

export interface RawInserts {
  transactions: number;
  connections: number;
  /** Each an autocommit INSERT of one row (one transaction, one commit). */
  autocommitMs: number;
  /** Each START TRANSACTION; INSERT; COMMIT on a connection taken from the pool, as an ORM's transaction does. */
  explicitMs: number;
  /** Each a transaction that locks one shared counter row first (SELECT … FOR UPDATE), inserts and increments it: one ballot box, serialised. */
  serialisedMs: number;
}

/** Raw MariaDB: `count` single-row INSERT transactions from a pool of `connections`, three ways, in a scratch table. */
export async function rawInserts(count: number, connections: number): Promise<RawInserts> {
  const pool = mysql.createPool({ ...MYSQL_SERVER, database: DATABASE, connectionLimit: connections });
  try {
    await pool.query('DROP TABLE IF EXISTS bench_raw_rows');
    await pool.query('DROP TABLE IF EXISTS bench_raw_counter');
    await pool.query('CREATE TABLE bench_raw_rows (id int NOT NULL AUTO_INCREMENT, session_id int NOT NULL, user_id int NOT NULL, voted tinyint NOT NULL DEFAULT 0, client_id varchar(64) NULL, PRIMARY KEY (id)) ENGINE=InnoDB');
    await pool.query('CREATE TABLE bench_raw_counter (id int NOT NULL, n int NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB');
    await pool.query('INSERT INTO bench_raw_counter VALUES (1, 0)');
    // Open every connection before timing.
    await Promise.all(Array.from({ length: connections }, () => pool.query('SELECT 1')));
    const items = Array.from({ length: count }, (_, i) => i);
    const timed = async (one: (i: number) => Promise<void>) => {
      const t = performance.now();
      await pooled(items, connections, async (i) => one(i));
      return performance.now() - t;
    };
    const autocommitMs = await timed(async (i) => {
      await pool.query('INSERT INTO bench_raw_rows (session_id, user_id, voted, client_id) VALUES (1, ?, 1, ?)', [i, `a-${i}`]);
    });
    const inTransaction = async (work: (c: mysql.PoolConnection) => Promise<void>) => {
      const c = await pool.getConnection();
      try {
        await c.query('START TRANSACTION');
        await work(c);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    };
    const explicitMs = await timed((i) => inTransaction(async (c) => void (await c.query('INSERT INTO bench_raw_rows (session_id, user_id, voted, client_id) VALUES (2, ?, 1, ?)', [i, `e-${i}`]))));
    const serialisedMs = await timed((i) =>
      inTransaction(async (c) => {
        await c.query('SELECT n FROM bench_raw_counter WHERE id = 1 FOR UPDATE');
        await c.query('INSERT INTO bench_raw_rows (session_id, user_id, voted, client_id) VALUES (3, ?, 1, ?)', [i, `s-${i}`]);
        await c.query('UPDATE bench_raw_counter SET n = n + 1 WHERE id = 1');
      }),
    );
    await pool.query('DROP TABLE bench_raw_rows');
    await pool.query('DROP TABLE bench_raw_counter');
    return { transactions: count, connections, autocommitMs, explicitMs, serialisedMs };
  } finally {
    await pool.end();
  }
}
