import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import mysql from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { User } from '../../src/auth/user.entity';
import { ManualClock } from '../../src/common/clock';
import type { DatabaseConfig } from '../../src/config/config';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/data-source';
import { generateHistory } from '../../src/modules/demo/demo-history';
import { seedDemoWorld } from '../../src/modules/demo/demo-seed';
import { Session } from '../../src/modules/sessions/session.entity';

export type Engine = 'mariadb' | 'sqlite';

/** The MariaDB server the bench uses; only the `leitai_bench` database on it is ever touched. */
export const MYSQL_SERVER = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
export const BENCH_DATABASE = 'leitai_bench';

const DAY = 86_400_000;
/** --reuse keeps the SQLite file here between runs (a development aid; real runs start from a fresh temp dir). */
const REUSED_SQLITE = join(tmpdir(), 'leitai-bench-reuse', 'bench.sqlite');
type Row = Record<string, any>;
/** Fresh statistics for the tables the analytics read, as InnoDB's background recalculation would give them. */
const ANALYZE = 'ANALYZE TABLE sessions, speeches, speech_results, interruptions, commitments, audits, findings, evaluations, cadres, regions';
/** Just after the article's three sessions (and the seeded live one), like the demo's own history. */
const FIRST_AT = new Date('2021-10-23T01:00:00Z');
/** The seed's clock: the seeded "upcoming" session lands before FIRST_AT and becomes part of the history. */
const SEEDED_AT = new Date('2021-10-20T00:00:00Z');

export interface HistoryProfile {
  /** Sessions in the history in total, the article's three and the seeded live one included. */
  sessions: number;
  voters: number;
  commentsPerSession: number;
  commitmentsPerSpeech: number;
  claimAuditRate: number;
  commitmentAuditRate: number;
  seed: number;
}

export interface Counts {
  sessions: number;
  speeches: number;
  speechResults: number;
  comments: number;
  commitments: number;
  claims: number;
  audits: number;
  findings: number;
  interruptions: number;
  roomEvents: number;
  ballotGrades: number;
  users: number;
  cadres: number;
  regions: number;
}

export interface World {
  engine: Engine;
  ds: DataSource;
  /** The present of the history: two years after its last session, so commitments are due and audited. */
  clock: ManualClock;
  /** Where the raw side connects: the MariaDB database name, or the SQLite file. */
  database: string;
  counts: Counts;
  timings: { schemaMs: number; seedMs: number; votersMs: number; historyMs: number; totalMs: number };
  close(): Promise<void>;
}

/** Drops and re-creates `leitai_bench`, so every run starts from the same empty database. */
async function freshMariaDb(): Promise<void> {
  const conn = await mysql.createConnection(MYSQL_SERVER);
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${BENCH_DATABASE}\``);
    await conn.query(`CREATE DATABASE \`${BENCH_DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

export function mariaDbUrl(): string {
  return `mysql://${MYSQL_SERVER.user}@${MYSQL_SERVER.host}:${MYSQL_SERVER.port}/${BENCH_DATABASE}`;
}

/** The generated history's row counts, read back from the database rather than trusted from the generator. */
export async function countRows(ds: DataSource): Promise<Counts> {
  const one = async (sql: string) => Number((await ds.query(sql))[0].n);
  return {
    sessions: await one(`SELECT COUNT(*) AS n FROM sessions WHERE phase = 'CLOSED'`),
    speeches: await one('SELECT COUNT(*) AS n FROM speeches'),
    speechResults: await one('SELECT COUNT(*) AS n FROM speech_results WHERE published = 1'),
    comments: await one('SELECT COUNT(*) AS n FROM comments'),
    commitments: await one('SELECT COUNT(*) AS n FROM commitments'),
    claims: await one('SELECT COUNT(*) AS n FROM claims'),
    audits: await one('SELECT COUNT(*) AS n FROM audits'),
    findings: await one('SELECT COUNT(*) AS n FROM findings'),
    interruptions: await one('SELECT COUNT(*) AS n FROM interruptions'),
    roomEvents: await one('SELECT COUNT(*) AS n FROM room_events'),
    ballotGrades: await one('SELECT COUNT(*) AS n FROM ballot_grades'),
    users: await one('SELECT COUNT(*) AS n FROM users'),
    cadres: await one('SELECT COUNT(*) AS n FROM cadres'),
    regions: await one('SELECT COUNT(*) AS n FROM regions'),
  };
}

/**
 * voter41…voterN for histories with more voters than the demo's forty. They reuse voter01's argon2 hash: hashing
 * forty passwords would only time argon2.
 */
async function addVoters(ds: DataSource, voters: number): Promise<void> {
  const users = ds.getRepository(User);
  const template = await users.findOneByOrFail({ username: 'voter01' });
  const existing = new Set((await users.find({ select: { username: true } })).map((u) => u.username));
  const missing: Partial<User>[] = [];
  for (let n = 1; n <= voters; n++) {
    const username = `voter${String(n).padStart(2, '0')}`;
    if (!existing.has(username)) missing.push({ username, displayName: `与会干部${n}`, roles: ['voter'], regionId: null, passwordHash: template.passwordHash });
  }
  if (missing.length) await users.insert(missing);
}

/**
 * A fresh database of `engine` with the demo world (accounts, regions, cadres, themes) and `profile.sessions`
 * sessions of history generated through the real room, evaluation, archive and audit code. MariaDB gets its
 * schema from the migrations, SQLite from the entities, exactly as the server does.
 */
export async function buildWorld(engine: Engine, profile: HistoryProfile, log: (line: string) => void, reuse = false): Promise<World> {
  const started = performance.now();
  let tmp: string | null = null;
  let db: DatabaseConfig;
  let database: string;
  if (engine === 'mariadb') {
    if (!reuse) await freshMariaDb();
    db = { kind: 'mysql', url: mariaDbUrl() };
    database = BENCH_DATABASE;
  } else if (reuse) {
    database = REUSED_SQLITE;
    db = { kind: 'sqlite', path: database };
  } else {
    tmp = mkdtempSync(join(tmpdir(), 'leitai-bench-'));
    database = join(tmp, 'bench.sqlite');
    db = { kind: 'sqlite', path: database };
  }
  let ds = await createDataSource(db, { entities: ENTITIES, synchronize: engine === 'sqlite' }).initialize();
  if (engine === 'mariadb') await ds.runMigrations();
  if (reuse) {
    const counts = await countRows(ds);
    if (counts.sessions < profile.sessions) {
      // Nothing (or too little) to reuse: start from empty after all.
      await ds.destroy();
      if (engine === 'mariadb') await freshMariaDb();
      else rmSync(dirname(database), { recursive: true, force: true });
      ds = await createDataSource(db, { entities: ENTITIES, synchronize: engine === 'sqlite' }).initialize();
      if (engine === 'mariadb') await ds.runMigrations();
    } else {
      log(`  --reuse: kept the ${engine} history of the previous run (${counts.sessions} sessions; pending migrations applied)`);
      if (engine === 'mariadb') await ds.query(ANALYZE);
      const last: Row[] = await ds.query(`SELECT MAX(starts_at) AS at FROM sessions`);
      const at = last[0].at instanceof Date ? last[0].at : new Date(`${String(last[0].at).replace(' ', 'T')}Z`);
      const clock = new ManualClock(new Date(at.getTime() + 2 * 365 * DAY));
      const reused = ds;
      return { engine, ds, clock, database, counts, timings: { schemaMs: 0, seedMs: 0, votersMs: 0, historyMs: 0, totalMs: performance.now() - started }, close: () => reused.destroy() };
    }
  }
  const schemaMs = performance.now() - started;

  let t = performance.now();
  const clock = new ManualClock(SEEDED_AT);
  await seedDemoWorld(ds, clock, 'leitai-bench-password', 0);
  const seedMs = performance.now() - t;

  t = performance.now();
  await addVoters(ds, profile.voters);
  const votersMs = performance.now() - t;

  // The seed leaves the article's sessions and one "upcoming" session, all before FIRST_AT: generateHistory runs
  // those first, then creates the rest of the fortnightly sessions.
  const seeded = await ds.getRepository(Session).count();
  const generated = Math.max(0, profile.sessions - seeded);
  const lastAt = FIRST_AT.getTime() + Math.max(0, generated - 1) * 14 * DAY;
  const now = new Date(lastAt + 2 * 365 * DAY);
  clock.set(now);
  t = performance.now();
  let lastReport = t;
  const progress = setInterval(async () => {
    if (performance.now() - lastReport < 10_000) return;
    lastReport = performance.now();
    try {
      const done = Number((await ds.query(`SELECT COUNT(*) AS n FROM sessions WHERE phase = 'CLOSED'`))[0].n);
      log(`    … ${engine}: ${done}/${profile.sessions} sessions after ${((performance.now() - t) / 1000).toFixed(0)} s`);
    } catch {
      // SQLite is busy in the generator's transaction; the next tick reports.
    }
  }, 2_000);
  try {
    await generateHistory(ds, {
      sessions: generated,
      firstAt: FIRST_AT,
      everyDays: 14,
      voters: profile.voters,
      commentsPerSession: profile.commentsPerSession,
      commitmentsPerSpeech: profile.commitmentsPerSpeech,
      claimAuditRate: profile.claimAuditRate,
      commitmentAuditRate: profile.commitmentAuditRate,
      seed: profile.seed,
      now,
    });
  } finally {
    clearInterval(progress);
  }
  const historyMs = performance.now() - t;
  if (engine === 'mariadb') await ds.query(ANALYZE);
  const counts = await countRows(ds);
  return {
    engine,
    ds,
    clock,
    database,
    counts,
    timings: { schemaMs, seedMs, votersMs, historyMs, totalMs: performance.now() - started },
    async close() {
      await ds.destroy();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    },
  };
}
