import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RateRule } from '../common/rate-limiter';

export type NodeEnv = 'development' | 'test' | 'production';

export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'mysql'; readonly url: string };

/** The evaluation's scoring: points per grade and the score thresholds for GOOD and AVERAGE. */
export interface TallySettings {
  readonly weights: { readonly EXCELLENT: number; readonly GOOD: number; readonly AVERAGE: number; readonly POOR: number };
  readonly thresholds: { readonly good: number; readonly average: number };
}

/** 优秀 4, 良好 3, 一般 2, 较差 1; a mean nearer a grade earns it (GOOD from 2.5, AVERAGE from 1.5). */
export const DEFAULT_TALLY: TallySettings = Object.freeze({
  weights: Object.freeze({ EXCELLENT: 4, GOOD: 3, AVERAGE: 2, POOR: 1 }),
  thresholds: Object.freeze({ good: 2.5, average: 1.5 }),
});

/** An EXCELLENT result earns commendation priority unless an adverse finding is published within this many days. */
export const DEFAULT_COMMENDATION_WINDOW_DAYS = 180;

/** How many days after an adverse finding is published the cadre concerned may answer it (申辩). */
export const DEFAULT_RESPONSE_WINDOW_DAYS = 14;

/** The share of the entitled voters whose ballots an ordinary close needs (法定人数): two thirds. */
export const DEFAULT_EVALUATION_QUORUM = 2 / 3;

/**
 * How ballots are cast (BALLOT_MODE): `blind`, with blind-signed tokens so that nothing stored links a voter to a
 * grade (docs/blind-ballots.md), or `simple`, the first contract's `castBallot`. Each evaluation keeps the mode it
 * opened with.
 */
export type BallotModeSetting = 'blind' | 'simple';

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly redisUrl: string | null;
  /** Every Redis key and channel of this deployment starts with it, so deployments (or test runs) sharing one Redis stay apart. */
  readonly redisPrefix: string;
  readonly jwtSecret: string;
  readonly demoPassword: string;
  readonly seedDemo: boolean;
  /** How many past sessions of generated history the demo world gets (0: none). */
  readonly demoHistorySessions: number;
  readonly logLevel: string;
  readonly tally: TallySettings;
  /** The share of the entitled voters whose ballots an ordinary close of the evaluation needs, in (0, 1]. */
  readonly evaluationQuorum: number;
  /** How the evaluations opened from now on take ballots (BALLOT_MODE, default blind). */
  readonly ballotMode: BallotModeSetting;
  /** An EXCELLENT result earns COMMENDATION_PRIORITY unless an adverse finding is published within this many days. */
  readonly commendationWindowDays: number;
  /** How many days after an adverse finding is published the cadre concerned may answer it (申辩). */
  readonly responseWindowDays: number;
  /** Browser origins allowed to open WebSockets; empty allows any. */
  readonly allowedOrigins: readonly string[];
  /** On an empty database, the first admin account gets this password. */
  readonly adminPassword: string | null;
  /** How many comments one user may post per window; every rule applies at once. */
  readonly commentRateLimits: readonly RateRule[];
  /** The address people open, for links the server hands out (personal sign-in links); null: links are paths. */
  readonly publicUrl: string | null;
  /** How the notices are produced: how often the audit trail is read, how often the due-date job runs, how early DUE_SOON comes. */
  readonly notifications: NotificationTimings;
}

export interface NotificationTimings {
  readonly pollMs: number;
  readonly dueJobMs: number;
  readonly dueSoonDays: number;
}

/** Thrown for a bad environment: names the variable and what is wrong, and start-up stops. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_DATABASE_URL = 'sqlite:./data/leitai.sqlite';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** One comment per 3 seconds and ten per minute: a lively hall, not a flood. */
const DEFAULT_COMMENT_RATE_LIMIT = '1/3s,10/1m';
const RATE_WINDOW_UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The only reader of the environment. Every value is validated here so that a bad one stops start-up with one
 * message, rather than failing later somewhere far from its cause.
 */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = parseNodeEnv(env.NODE_ENV);
  const database = parseDatabaseUrl(env.DATABASE_URL);
  return Object.freeze({
    nodeEnv,
    port: parsePort(env.PORT),
    database: Object.freeze(database),
    redisUrl: parseRedisUrl(env.REDIS_URL),
    redisPrefix: parseRedisPrefix(env.REDIS_PREFIX),
    jwtSecret: resolveJwtSecret(env.JWT_SECRET, nodeEnv, database),
    demoPassword: parseDemoPassword(env.DEMO_PASSWORD),
    seedDemo: parseBoolean('SEED_DEMO', env.SEED_DEMO, nodeEnv !== 'production'),
    demoHistorySessions: parseCount('SEED_DEMO_HISTORY', env.SEED_DEMO_HISTORY, 26, 500),
    logLevel: parseLogLevel(env.LOG_LEVEL, nodeEnv),
    tally: parseTally(env.EVALUATION_WEIGHTS, env.EVALUATION_THRESHOLDS),
    evaluationQuorum: parseQuorum(env.EVALUATION_QUORUM),
    ballotMode: parseBallotMode(env.BALLOT_MODE),
    commendationWindowDays: parseDays('COMMENDATION_WINDOW_DAYS', env.COMMENDATION_WINDOW_DAYS, DEFAULT_COMMENDATION_WINDOW_DAYS),
    responseWindowDays: parseDays('FINDING_RESPONSE_DAYS', env.FINDING_RESPONSE_DAYS, DEFAULT_RESPONSE_WINDOW_DAYS),
    allowedOrigins: parseOrigins(env.ALLOWED_ORIGINS),
    adminPassword: parseAdminPassword(env.ADMIN_PASSWORD),
    commentRateLimits: parseRateLimits('COMMENT_RATE_LIMIT', env.COMMENT_RATE_LIMIT, DEFAULT_COMMENT_RATE_LIMIT),
    publicUrl: parsePublicUrl(env.PUBLIC_URL),
    notifications: Object.freeze({
      pollMs: parseMillis('NOTIFY_POLL_MS', env.NOTIFY_POLL_MS, 1000),
      dueJobMs: parseMillis('NOTIFY_DUE_JOB_MS', env.NOTIFY_DUE_JOB_MS, 60_000),
      dueSoonDays: parseCount('NOTIFY_DUE_SOON_DAYS', env.NOTIFY_DUE_SOON_DAYS, 7, 365),
    }),
  });
}

function blank(value: string | undefined): value is undefined {
  return value === undefined || value.trim() === '';
}

function parseNodeEnv(value: string | undefined): NodeEnv {
  if (blank(value)) return 'development';
  if (value === 'development' || value === 'test' || value === 'production') return value;
  throw new ConfigError('NODE_ENV', `must be development, test or production, not "${value}"`);
}

function parseBallotMode(value: string | undefined): BallotModeSetting {
  if (blank(value)) return 'blind';
  if (value === 'blind' || value === 'simple') return value;
  throw new ConfigError('BALLOT_MODE', `must be blind or simple, not "${value}"`);
}

function parsePublicUrl(value: string | undefined): string | null {
  if (blank(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('PUBLIC_URL', `must be an http(s) URL such as https://leitai.example.org, not "${value}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new ConfigError('PUBLIC_URL', `must be an http(s) URL without query or fragment, not "${value}"`);
  }
  return url.href.replace(/\/+$/, '');
}

function parsePort(value: string | undefined): number {
  if (blank(value)) return 4000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', `must be an integer from 0 to 65535, not "${value}"`);
  }
  return port;
}

export function parseDatabaseUrl(value: string | undefined): DatabaseConfig {
  const url = blank(value) ? DEFAULT_DATABASE_URL : value.trim();
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/leitai.sqlite');
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL', `is not a valid URL: "${url}"`);
    }
    if (!parsed.hostname) throw new ConfigError('DATABASE_URL', 'mysql:// needs a host');
    if (parsed.pathname.length <= 1) throw new ConfigError('DATABASE_URL', 'mysql:// needs a database name, e.g. mysql://root@127.0.0.1:3306/leitai');
    parsed.protocol = 'mysql:';
    return { kind: 'mysql', url: parsed.toString() };
  }
  throw new ConfigError('DATABASE_URL', `must start with sqlite: or mysql://, not "${url}"`);
}

function parseRedisPrefix(value: string | undefined): string {
  if (blank(value)) return 'leitai:';
  const prefix = value.trim();
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(prefix)) throw new ConfigError('REDIS_PREFIX', `must be 1–64 letters, digits or _ . : -, not "${value}"`);
  return prefix;
}

function parseRedisUrl(value: string | undefined): string | null {
  if (blank(value)) return null;
  let parsed: URL;
  try {
    parsed = new URL(value.trim());
  } catch {
    throw new ConfigError('REDIS_URL', `is not a valid URL: "${value}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL', `must start with redis:// or rediss://, not "${value}"`);
  }
  return parsed.toString();
}

function parseDemoPassword(value: string | undefined): string {
  if (blank(value)) return 'leitai-demo';
  if (value.length < 8) throw new ConfigError('DEMO_PASSWORD', 'must be at least 8 characters');
  return value;
}

function parseBoolean(variable: string, value: string | undefined, fallback: boolean): boolean {
  if (blank(value)) return fallback;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  throw new ConfigError(variable, `must be true or false, not "${value}"`);
}

function parseLogLevel(value: string | undefined, nodeEnv: NodeEnv): string {
  if (blank(value)) return nodeEnv === 'test' ? 'silent' : 'info';
  if (!LOG_LEVELS.includes(value)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

function parseOrigins(value: string | undefined): readonly string[] {
  if (blank(value)) return Object.freeze([]);
  const origins = value.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError('ALLOWED_ORIGINS', `"${origin}" is not an origin like https://leitai.example.org`);
    }
    if (url.origin !== origin) throw new ConfigError('ALLOWED_ORIGINS', `"${origin}" is not an origin (scheme://host[:port], no path)`);
  }
  return Object.freeze(origins);
}

function parseAdminPassword(value: string | undefined): string | null {
  if (blank(value)) return null;
  if (value.length < 12) throw new ConfigError('ADMIN_PASSWORD', 'must be at least 12 characters');
  return value;
}

function parseCount(variable: string, value: string | undefined, fallback: number, max: number): number {
  if (blank(value)) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new ConfigError(variable, `must be a whole number from 0 to ${max}, not "${value}"`);
  return n;
}

/** A period in whole milliseconds, from 50 ms to an hour. */
function parseMillis(variable: string, value: string | undefined, fallback: number): number {
  if (blank(value)) return fallback;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 50 || ms > 3_600_000) throw new ConfigError(variable, `must be a whole number of milliseconds from 50 to 3600000, not "${value}"`);
  return ms;
}

function parseDays(variable: string, value: string | undefined, fallback: number): number {
  if (blank(value)) return fallback;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 0 || days > 3650) throw new ConfigError(variable, `must be a whole number of days from 0 to 3650, not "${value}"`);
  return days;
}

function numbers(variable: string, value: string, count: number): number[] {
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (parts.length !== count || parts.some((n) => !Number.isFinite(n))) {
    throw new ConfigError(variable, `must be ${count} comma-separated numbers, not "${value}"`);
  }
  return parts;
}

/**
 * Rules like `1/3s,10/1m`: at most <count> per <window>, the window in whole seconds, minutes or hours (up to a
 * day). Each window may appear once, because the limiter counts per key and window.
 */
export function parseRateLimits(variable: string, value: string | undefined, fallback: string): readonly RateRule[] {
  const source = blank(value) ? fallback : value;
  const rules = source.split(',').map((part) => {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*([smh])\s*$/.exec(part);
    if (!m) throw new ConfigError(variable, `must be rules like 1/3s,10/1m (count per window in s, m or h), not "${source}"`);
    const limit = Number(m[1]);
    const windowMs = Number(m[2]) * RATE_WINDOW_UNITS_MS[m[3]];
    if (limit < 1 || limit > 1_000_000) throw new ConfigError(variable, `a count must be from 1 to 1000000, not ${m[1]} in "${part.trim()}"`);
    if (windowMs < 1000 || windowMs > 86_400_000) throw new ConfigError(variable, `a window must be from 1s to 24h, not ${m[2]}${m[3]} in "${part.trim()}"`);
    return Object.freeze({ limit, windowMs });
  });
  const windows = rules.map((r) => r.windowMs);
  if (new Set(windows).size !== windows.length) throw new ConfigError(variable, `each window may appear once, not "${source}"`);
  return Object.freeze(rules);
}

/** A fraction in (0, 1], written `2/3` or `0.5`; blank: two thirds. */
function parseQuorum(value: string | undefined): number {
  if (blank(value)) return DEFAULT_EVALUATION_QUORUM;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?))?\s*$/.exec(value);
  const share = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : NaN;
  if (!(share > 0 && share <= 1)) throw new ConfigError('EVALUATION_QUORUM', 'must be a share of the entitled voters above 0 and at most 1, e.g. 2/3 or 0.5');
  return share;
}

/** Blank variables take DEFAULT_TALLY's values. */
function parseTally(weights: string | undefined, thresholds: string | undefined): TallySettings {
  const [e, g, a, p] = blank(weights) ? [DEFAULT_TALLY.weights.EXCELLENT, DEFAULT_TALLY.weights.GOOD, DEFAULT_TALLY.weights.AVERAGE, DEFAULT_TALLY.weights.POOR] : numbers('EVALUATION_WEIGHTS', weights, 4);
  if (!(e > g && g > a && a > p && p > 0)) throw new ConfigError('EVALUATION_WEIGHTS', 'must be positive and fall strictly from EXCELLENT to POOR');
  const [good, average] = blank(thresholds) ? [DEFAULT_TALLY.thresholds.good, DEFAULT_TALLY.thresholds.average] : numbers('EVALUATION_THRESHOLDS', thresholds, 2);
  if (!(good > average)) throw new ConfigError('EVALUATION_THRESHOLDS', 'the GOOD threshold must be above the AVERAGE one');
  return Object.freeze({ weights: Object.freeze({ EXCELLENT: e, GOOD: g, AVERAGE: a, POOR: p }), thresholds: Object.freeze({ good, average }) });
}

/**
 * Production must be given a secret. Elsewhere one is generated on first start and kept beside the SQLite file,
 * so tokens survive a restart without anyone having to configure anything.
 */
function resolveJwtSecret(value: string | undefined, nodeEnv: NodeEnv, database: DatabaseConfig): string {
  if (!blank(value)) {
    if (value.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
    return value;
  }
  if (nodeEnv === 'production') throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production');
  if (database.kind === 'mysql' || database.path === ':memory:') return randomBytes(32).toString('base64url');
  const file = resolve(dirname(database.path), '.jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
