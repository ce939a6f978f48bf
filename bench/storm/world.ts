import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import argon2 from 'argon2';
import { SignJWT } from 'jose';
import mysql from 'mysql2/promise';
import { Device, GqlResponse } from './http';

/** The MariaDB server the bench uses; only the `leitai_bench_storm` database on it is ever touched (by bench:storm). */
export const MYSQL_SERVER = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
/** The bench's own database; STORM_DATABASE names another so that two checkouts can run it at once. */
export const DATABASE = process.env.STORM_DATABASE ?? 'leitai_bench_storm';
export const JWT_SECRET = 'storm-bench-secret-'.padEnd(48, 'x');
export const ADMIN_PASSWORD = 'storm-bench-admin-password';
/** Every bench account's password; the wrong guesses are variations of it. */
export const PASSWORD = 'storm-bench-password';
/**
 * The shared hash's parameters (argon2id at OWASP's first recommended setting: 19 MiB, 2 passes, 1 lane).
 * Verification reads them from the hash, so the server checks every bench account at exactly these.
 */
export const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

const ROOT = resolve(__dirname, '..', '..', '..');

export async function freshDatabase(database = DATABASE): Promise<void> {
  const conn = await mysql.createConnection(MYSQL_SERVER);
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await conn.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

export async function dropDatabase(database = DATABASE): Promise<void> {
  const conn = await mysql.createConnection(MYSQL_SERVER);
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await conn.end();
  }
}

export const databaseUrl = (database = DATABASE) => `mysql://${MYSQL_SERVER.user}@${MYSQL_SERVER.host}:${MYSQL_SERVER.port}/${database}`;

export interface Server {
  base: string;
  port: number;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `node dist/src/main.js` as production runs it, on the bench database (migrated at start; the first admin made
 * from ADMIN_PASSWORD, since the database is empty), and waits for the line that says where it serves. `database`
 * lets another bench run the same server on a database of its own.
 */
export function startServer(redisUrl: string | null, database = DATABASE, extraEnv: Record<string, string> = {}): Promise<Server> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl(database),
    JWT_SECRET,
    ADMIN_PASSWORD,
    PORT: '0',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  if (redisUrl) Object.assign(env, { REDIS_URL: redisUrl, REDIS_PREFIX: `${database}:` });
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`the server did not start within 120 s:\n${out}`));
    }, 120_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /serving http:\/\/localhost:(\d+)\/graphql/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.removeAllListeners('exit');
      const port = Number(m[1]);
      done({
        base: `http://127.0.0.1:${port}`,
        port,
        pid: child.pid!,
        output: () => out,
        stop: () =>
          new Promise((stopped) => {
            if (child.exitCode !== null || child.signalCode !== null) return stopped();
            const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(kill);
              stopped();
            });
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the server exited with ${code} before serving:\n${out}`));
    });
  });
}

export interface Account {
  id: number;
  username: string;
  roles: string[];
}

/**
 * Bench accounts inserted straight into `users` (the server reads them from there at sign-in), all sharing one
 * argon2id hash of PASSWORD: hashing a thousand passwords would only time argon2. `roles` is the entity's
 * comma-separated column.
 */
export async function insertAccounts(groups: { prefix: string; count: number; roles: string[]; width?: number }[], database = DATABASE): Promise<Map<string, Account[]>> {
  const hash = await argon2.hash(PASSWORD, HASH_OPTIONS);
  const conn = await mysql.createConnection({ ...MYSQL_SERVER, database });
  const out = new Map<string, Account[]>();
  try {
    for (const g of groups) {
      const width = g.width ?? String(g.count).length;
      const names = Array.from({ length: g.count }, (_, i) => (g.count === 1 && !g.width ? g.prefix : `${g.prefix}${String(i + 1).padStart(width, '0')}`));
      for (let i = 0; i < names.length; i += 500) {
        const rows = names.slice(i, i + 500).map((u, j) => [u, `${g.prefix} ${i + j + 1}`, hash, g.roles.join(','), null]);
        await conn.query('INSERT INTO users (username, display_name, password_hash, roles, region_id) VALUES ?', [rows]);
      }
      const [found] = await conn.query<mysql.RowDataPacket[]>('SELECT id, username FROM users WHERE username IN (?) ORDER BY id', [names]);
      out.set(g.prefix, found.map((r) => ({ id: Number(r.id), username: String(r.username), roles: g.roles })));
    }
  } finally {
    await conn.end();
  }
  return out;
}

/**
 * A token exactly as the server's signUser makes it (HS256 with JWT_SECRET: sub user:<id>, usr, roles, rid, iss
 * leitai, iat, exp 12 h later). `ageS` backdates it, so tokens for one account made in the same second still differ
 * and each one is new to the server's cache of verified tokens.
 */
export async function mintToken(account: Account, ageS = 0): Promise<string> {
  const iat = Math.floor(Date.now() / 1000) - ageS;
  return new SignJWT({ sub: `user:${account.id}`, usr: account.username, roles: account.roles, rid: null })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('leitai')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 12 * 3600)
    .sign(new TextEncoder().encode(JWT_SECRET));
}

/** Counts straight from the database, to check the API's own numbers against. */
export async function countVoted(sessionId: number, database = DATABASE): Promise<{ voted: number; entitled: number; gradeRows: number }> {
  const conn = await mysql.createConnection({ ...MYSQL_SERVER, database });
  try {
    const [[v]] = await conn.query<mysql.RowDataPacket[]>('SELECT SUM(voted = 1) AS voted, COUNT(*) AS entitled FROM evaluation_voters WHERE session_id = ?', [sessionId]);
    const [[g]] = await conn.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM ballot_grades WHERE session_id = ?', [sessionId]);
    return { voted: Number(v.voted ?? 0), entitled: Number(v.entitled), gradeRows: Number(g.n) };
  } finally {
    await conn.end();
  }
}

/** BLIND mode: the tokens spent and the grade rows of a session. */
export async function countSpent(sessionId: number, database = DATABASE): Promise<{ spent: number; gradeRows: number }> {
  const conn = await mysql.createConnection({ ...MYSQL_SERVER, database });
  try {
    const [[t]] = await conn.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM spent_ballot_tokens WHERE session_id = ?', [sessionId]);
    const [[g]] = await conn.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM ballot_grades WHERE session_id = ?', [sessionId]);
    return { spent: Number(t.n), gradeRows: Number(g.n) };
  } finally {
    await conn.end();
  }
}

/** A request that must succeed (setting up): its data, or an error naming the operation. */
export async function must(device: Device, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Record<string, any>> {
  const res: GqlResponse = await device.post(query, variables, token);
  if (res.errors?.length || !res.data) throw new Error(`${query.slice(0, 80)}…: ${JSON.stringify(res.errors ?? res.status)}`);
  return res.data;
}

export const LOGIN = 'mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';

export interface BallotSession {
  sessionId: string;
  speechIds: string[];
}

/**
 * A session through the public API, as the organisers' console builds one: a county, `speakers` cadres, a theme a
 * leader proposes and the admin approves, the session scheduled an hour ahead, its line-up, the attendees (100 per
 * call), every speech given, the phases walked to EVALUATION and the ballot box opened.
 */
export async function prepareBallotSession(
  device: Device,
  adminToken: string,
  leaderToken: string,
  voters: Account[],
  speakers: number,
  /** `tag` keeps a second session's region apart; `opener` opens the evaluation (a server of another BALLOT_MODE). */
  options: { tag?: string; opener?: Device } = {},
): Promise<BallotSession> {
  const tag = options.tag ?? '';
  const region = (await must(device, 'mutation($i: CreateRegionInput!) { createRegion(input: $i) { id } }', { i: { code: `storm-county${tag}`, name: `风暴县${tag}`, nameEn: `Storm County${tag}` } }, adminToken)).createRegion.id;
  const cadres: string[] = [];
  for (let i = 1; i <= speakers; i++) {
    const input = { name: `发言人${i}`, position: `风暴县第${i}局局长`, regionId: region };
    cadres.push((await must(device, 'mutation($i: CreateCadreInput!) { createCadre(input: $i) { id } }', { i: input }, adminToken)).createCadre.id);
  }
  const theme = (await must(device, 'mutation($i: ProposeThemeInput!) { proposeTheme(input: $i) { id } }', { i: { title: '千人评议', description: '一千名与会干部同时投票。' } }, leaderToken)).proposeTheme.id;
  await must(device, 'mutation($id: ID!) { approveTheme(id: $id) { id } }', { id: theme }, adminToken);
  const schedule = { themeId: theme, title: '风暴评议会', venue: '大会堂', startsAt: new Date(Date.now() + 3_600_000).toISOString() };
  const s = (await must(device, 'mutation($i: ScheduleSessionInput!) { scheduleSession(input: $i) { id } }', { i: schedule }, adminToken)).scheduleSession.id as string;
  const lineup = cadres.map((cadreId) => ({ cadreId, allottedSeconds: 300 }));
  const speechIds = ((await must(device, 'mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { speeches { id } } }', { s, e: lineup }, adminToken)).setLineup.speeches as { id: string }[]).map((sp) => sp.id);
  for (let i = 0; i < voters.length; i += 100) {
    const ids = voters.slice(i, i + 100).map((v) => String(v.id));
    await must(device, 'mutation($s: ID!, $u: [ID!]!) { registerAttendees(sessionId: $s, userIds: $u) { id } }', { s, u: ids }, adminToken);
    // Present in the hall: the evaluation entitles those present when it opens.
    await must(device, 'mutation($s: ID!, $u: [ID!]!) { markPresent(sessionId: $s, userIds: $u, present: true) { present } }', { s, u: ids }, adminToken);
  }
  const room = (field: string, extra = '') => must(device, `mutation($s: ID!) { ${field}(sessionId: $s${extra}) { seq } }`, { s }, adminToken);
  await room('advancePhase', ', phase: SPEECHES');
  for (let i = 0; i < speechIds.length; i++) {
    await room('startSpeech');
    await room('endSpeech');
  }
  for (const phase of ['EXCHANGE', 'SUMMARY', 'EVALUATION']) await room('advancePhase', `, phase: ${phase}`);
  const opened = (await must(options.opener ?? device, 'mutation($s: ID!) { openEvaluation(sessionId: $s) { status entitledVoters } }', { s }, adminToken)).openEvaluation;
  if (opened.entitledVoters !== voters.length) throw new Error(`the evaluation opened with ${opened.entitledVoters} entitled voters, not ${voters.length}`);
  return { sessionId: s, speechIds };
}
