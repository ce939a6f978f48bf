import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseRateLimits } from '../../../src/config/config';
import { DEFAULT_COMMENT_RATE_LIMITS } from '../../../src/modules/room/comment.service';

const tmp = () => mkdtempSync(join(tmpdir(), 'leitai-config-'));

describe(loadConfig.name, () => {
  it('defaults to the embedded SQLite file, port 4000 and the demo world outside production', () => {
    const dir = tmp();
    const config = loadConfig({ DATABASE_URL: `sqlite:${dir}/x.sqlite` });
    expect(config).toMatchObject({ nodeEnv: 'development', port: 4000, seedDemo: true, redisUrl: null, demoPassword: 'leitai-demo' });
    expect(config.database).toEqual({ kind: 'sqlite', path: join(dir, 'x.sqlite') });
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadConfig({}).database).toEqual({ kind: 'sqlite', path: join(process.cwd(), 'data/leitai.sqlite') });
  });

  it('generates a JWT secret once and keeps it beside the SQLite file', () => {
    const dir = tmp();
    const env = { DATABASE_URL: `sqlite:${dir}/db.sqlite` };
    const first = loadConfig(env).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig(env).jwtSecret).toBe(first);
    expect(readFileSync(join(dir, '.jwt-secret'), 'utf8').trim()).toBe(first);
  });

  it('accepts MySQL and Redis URLs', () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/leitai', REDIS_URL: 'redis://127.0.0.1:6379', PORT: '4100' });
    expect(config.database).toEqual({ kind: 'mysql', url: 'mysql://root@127.0.0.1:3306/leitai' });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.redisPrefix).toBe('leitai:');
    expect(config.port).toBe(4100);
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:', REDIS_PREFIX: ' leitai_test_e2e:' }).redisPrefix).toBe('leitai_test_e2e:');
  });

  it('reads the public address for the links it hands out, without a trailing slash', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).publicUrl).toBeNull();
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:', PUBLIC_URL: 'https://leitai.example.org/' }).publicUrl).toBe('https://leitai.example.org');
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:', PUBLIC_URL: 'http://10.0.0.5:4000/hall-server' }).publicUrl).toBe('http://10.0.0.5:4000/hall-server');
  });

  it.each([
    [{ DATABASE_URL: 'postgres://x/y' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://127.0.0.1:3306' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ REDIS_PREFIX: 'two words' }, 'REDIS_PREFIX'],
    [{ PUBLIC_URL: 'leitai.example.org' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://leitai.example.org' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://leitai.example.org/?x=1' }, 'PUBLIC_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO'],
    [{ DEMO_PASSWORD: 'short' }, 'DEMO_PASSWORD'],
    [{ JWT_SECRET: 'too-short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production', DATABASE_URL: 'mysql://root@db/leitai' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ COMMENT_RATE_LIMIT: '5' }, 'COMMENT_RATE_LIMIT'],
    [{ COMMENT_RATE_LIMIT: '0/3s' }, 'COMMENT_RATE_LIMIT'],
    [{ COMMENT_RATE_LIMIT: '1/500ms' }, 'COMMENT_RATE_LIMIT'],
    [{ COMMENT_RATE_LIMIT: '1/2d' }, 'COMMENT_RATE_LIMIT'],
    [{ COMMENT_RATE_LIMIT: '1/60s,10/1m' }, 'COMMENT_RATE_LIMIT'],
  ])('stops on %j naming %s', (env, variable) => {
    const attempt = () => loadConfig({ DATABASE_URL: 'sqlite::memory:', ...env });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^${variable}: `));
  });

  it('keeps the demo world off in production unless asked for', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'mysql://root@db/leitai', JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig(prod).seedDemo).toBe(false);
    expect(loadConfig({ ...prod, SEED_DEMO: 'true' }).seedDemo).toBe(true);
  });

  it('limits comments to one per 3 s and ten per minute unless COMMENT_RATE_LIMIT says otherwise', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).commentRateLimits).toEqual(DEFAULT_COMMENT_RATE_LIMITS);
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:', COMMENT_RATE_LIMIT: '2/1s, 60/1m' }).commentRateLimits).toEqual([
      { limit: 2, windowMs: 1_000 },
      { limit: 60, windowMs: 60_000 },
    ]);
  });
});

describe(parseRateLimits.name, () => {
  const parse = (value: string) => parseRateLimits('X', value, '1/3s');

  it('reads count per window in seconds, minutes or hours, in any order, and falls back when unset', () => {
    expect(parse('10/1m,1/3s,100/1h')).toEqual([
      { limit: 10, windowMs: 60_000 },
      { limit: 1, windowMs: 3_000 },
      { limit: 100, windowMs: 3_600_000 },
    ]);
    expect(parse(' 1 / 3 s ')).toEqual([{ limit: 1, windowMs: 3_000 }]);
    expect(parseRateLimits('X', undefined, '1/3s')).toEqual([{ limit: 1, windowMs: 3_000 }]);
    expect(parseRateLimits('X', '  ', '1/3s')).toEqual([{ limit: 1, windowMs: 3_000 }]);
    expect(Object.isFrozen(parse('1/3s'))).toBe(true);
  });

  it.each([
    ['1/3s,,10/1m', 'must be rules like 1/3s,10/1m'],
    ['1/3s,', 'must be rules like 1/3s,10/1m'],
    ['1 per 3s', 'must be rules like 1/3s,10/1m'],
    ['1.5/3s', 'must be rules like 1/3s,10/1m'],
    ['-1/3s', 'must be rules like 1/3s,10/1m'],
    ['0/3s', 'a count must be from 1 to 1000000, not 0 in "0/3s"'],
    ['1/0s', 'a window must be from 1s to 24h, not 0s in "1/0s"'],
    ['1/25h', 'a window must be from 1s to 24h, not 25h in "1/25h"'],
    ['1/3s,2/3s', 'each window may appear once'],
    ['1/1m,10/60s', 'each window may appear once'],
  ])('refuses %j: %s', (value, message) => {
    const attempt = () => parseRateLimits('COMMENT_RATE_LIMIT', value, '1/3s');
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`COMMENT_RATE_LIMIT: ${message}`);
  });
});
