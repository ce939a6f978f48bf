import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/config';

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
    expect(config.port).toBe(4100);
  });

  it.each([
    [{ DATABASE_URL: 'postgres://x/y' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://127.0.0.1:3306' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO'],
    [{ DEMO_PASSWORD: 'short' }, 'DEMO_PASSWORD'],
    [{ JWT_SECRET: 'too-short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production', DATABASE_URL: 'mysql://root@db/leitai' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
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
});
