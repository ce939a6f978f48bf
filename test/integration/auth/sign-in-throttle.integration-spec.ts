import { Writable } from 'node:stream';
import argon2 from 'argon2';
import Redis from 'ioredis';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import * as passwords from '../../../src/auth/passwords';
import { TokenService } from '../../../src/auth/tokens';
import { User } from '../../../src/auth/user.entity';
import { ManualClock } from '../../../src/common/clock';
import { MemoryRateStore, RateStore, RedisRateStore } from '../../../src/common/rate-limiter';
import { AccountService } from '../../../src/modules/account/account.service';
import { SignInFailure, SignInLink } from '../../../src/modules/account/sign-in.entity';
import { Attendee } from '../../../src/modules/sessions/attendee.entity';
import { createSession, createUser, FACTORY_PASSWORD } from '../../factories';
import { createTestDataSource, describeEachEngine } from '../../helpers/engines';
import { assertRedisServerInstalled, RedisProcess } from '../../helpers/redis-process';

/** The log lines an AccountService wrote, parsed. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const codeOf = (err: unknown) => (err as { extensions?: { code?: string } }).extensions?.code;
const settle = <T>(p: Promise<T>) => p.then(() => 'OK', (err) => codeOf(err) ?? String(err));

describeEachEngine('sign-in throttle', (engine) => {
  let ds: DataSource;
  let clock: ManualClock;
  let n = 0;

  beforeAll(async () => {
    ds = await createTestDataSource(engine);
  });
  afterAll(() => ds.destroy());

  function accounts(rates: RateStore = new MemoryRateStore(clock)) {
    const log = capturedLogger();
    const service = new AccountService(ds, new TokenService('x'.repeat(32), clock), clock, rates, log.logger);
    return { service, lines: log.lines };
  }

  async function freshUser(overrides: Partial<User> = {}): Promise<User> {
    n += 1;
    return createUser(ds.manager, { username: `throttled${n}`, ...overrides });
  }

  beforeEach(() => {
    clock = new ManualClock('2026-03-01T08:00:00Z');
  });
  afterEach(() => jest.restoreAllMocks());

  it('lets at most 5 of 100 parallel wrong passwords reach the password check, and the owner in once the window passes', async () => {
    const { service } = accounts();
    const user = await freshUser();
    const verify = jest.spyOn(passwords, 'verifyPassword');
    const request = { ip: '198.51.100.7', requestId: null };
    const answers = await Promise.all(Array.from({ length: 100 }, () => settle(service.login(user.username, 'wrong-password', request))));
    expect(verify).toHaveBeenCalledTimes(5);
    expect(answers.filter((a) => a === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(answers.every((a) => ['UNAUTHENTICATED', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'].includes(a))).toBe(true);
    // Another address is not slowed by this one's guesses.
    expect((await service.login(user.username, FACTORY_PASSWORD, { ip: '203.0.113.9', requestId: null })).user.id).toBe(user.id);
    // The guessing address, with the right password: refused, with when to come back, until that time.
    const refused = await service.login(user.username, FACTORY_PASSWORD, request).catch((err) => err);
    expect(refused.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    clock.advance(refused.extensions.retryAfterMs);
    const retry = await service.login(user.username, FACTORY_PASSWORD, request).catch((err) => err);
    // The delay has passed; what is left of the window of 5 checks is said the same way.
    expect(codeOf(retry)).toBe('RATE_LIMITED');
    clock.advance((retry as { extensions: { retryAfterMs: number } }).extensions.retryAfterMs);
    expect((await service.login(user.username, FACTORY_PASSWORD, request)).user.id).toBe(user.id);
    expect(clock.now().getTime() - new Date('2026-03-01T08:00:00Z').getTime()).toBeLessThanOrEqual(60_000);
  });

  it('grows the delay after 5 failures in a row from one address: 1 s, 2 s, 4 s, … up to 30 s', async () => {
    const { service } = accounts();
    const user = await freshUser();
    const request = { ip: '198.51.100.8', requestId: null };
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      let err = await service.login(user.username, 'wrong-password', request).catch((e) => e);
      while (codeOf(err) === 'RATE_LIMITED') {
        if (i >= 5) waits.push(err.extensions.retryAfterMs);
        clock.advance(err.extensions.retryAfterMs);
        err = await service.login(user.username, 'wrong-password', request).catch((e) => e);
      }
      expect(codeOf(err)).toBe('UNAUTHENTICATED');
    }
    // After the 5th failure: 1 s, then the rest of the 30-s window of 5 checks, then 2, 4, 8, 16 s and the 30-s cap.
    expect(waits).toEqual([1000, 29_000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('unlockAccount clears the delays and windows of every address', async () => {
    const { service, lines } = accounts();
    const user = await freshUser();
    const sources = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
    for (const ip of sources) for (let i = 0; i < 7; i++) await settle(service.login(user.username, 'wrong-password', { ip, requestId: null }));
    for (const ip of sources) expect(await settle(service.login(user.username, FACTORY_PASSWORD, { ip, requestId: null }))).toBe('RATE_LIMITED');
    expect(await ds.getRepository(SignInFailure).countBy({ account: user.username })).toBe(4);
    await service.unlockAccount(user.username, null, 'req-unlock');
    expect(await ds.getRepository(SignInFailure).countBy({ account: user.username })).toBe(0);
    for (const ip of sources) expect(await settle(service.login(user.username, FACTORY_PASSWORD, { ip, requestId: null }))).toBe('OK');
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, event: 'sign-in-unlocked', account: user.username, requestId: 'req-unlock' }));
  });

  it('logs failures and throttling at warn with account, source and request id, and never the password', async () => {
    const { service, lines } = accounts();
    const user = await freshUser();
    for (let i = 0; i < 7; i++) await settle(service.login(user.username, 'hunter2-secret', { ip: '192.0.2.50', requestId: `req-${i}` }));
    const failed = lines.filter((l) => l.event === 'sign-in-failed');
    const throttled = lines.filter((l) => l.event === 'sign-in-throttled');
    expect(failed).toHaveLength(5);
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    for (const line of [...failed, ...throttled]) {
      expect(line).toMatchObject({ level: 40, account: user.username, source: '192.0.2.50', requestId: expect.stringMatching(/^req-/) });
    }
    expect(failed.at(-1)).toMatchObject({ failures: 5, accountFailures: 5 });
    expect(JSON.stringify(lines)).not.toContain('hunter2-secret');
  });

  it('sweeps streaks idle for a day as failures go on, and keeps recent ones', async () => {
    const { service } = accounts();
    const old = new Date(clock.now().getTime() - 25 * 3600_000);
    await ds.getRepository(SignInFailure).insert([{ account: 'typo-account', source: '192.0.2.200', failures: 3, lastFailureAt: old }]);
    await Promise.all(Array.from({ length: 10 }, async (_, s) => {
      for (let i = 0; i < 10; i++) {
        // A busy hashing line (a loaded machine) refuses before counting: send it again a little later. Retrying at
        // once would only chain promises and starve the event loop of the hashes that free the line.
        while ((await settle(service.login(`nobody-${s}-${i}`, 'wrong-password', { ip: `192.0.2.${210 + s}`, requestId: null }))) === 'SERVICE_UNAVAILABLE') {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }));
    expect(await ds.getRepository(SignInFailure).countBy({ account: 'typo-account' })).toBe(0);
    expect(await ds.getRepository(SignInFailure).countBy({ source: '192.0.2.215' })).toBe(10);
  });

  it('replaces a hash made with older argon2 parameters at the next sign-in', async () => {
    const { service } = accounts();
    const old = await argon2.hash(FACTORY_PASSWORD, { type: argon2.argon2id, memoryCost: 65_536, timeCost: 3, parallelism: 4 });
    const user = await freshUser({ passwordHash: old });
    await service.login(user.username, FACTORY_PASSWORD, { ip: null, requestId: null });
    const stored = (await ds.getRepository(User).findOneByOrFail({ id: user.id })).passwordHash;
    expect(stored).not.toBe(old);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(passwords.hashIsOutdated(stored)).toBe(false);
    expect((await service.login(user.username, FACTORY_PASSWORD, { ip: null, requestId: null })).user.id).toBe(user.id);
  });

  describe('personal sign-in links', () => {
    it('sign a throttled account in without a password, until replaced or expired; only hashes are stored', async () => {
      const { service } = accounts();
      const session = await createSession(ds.manager, { startsAt: new Date('2026-03-01T09:00:00Z') });
      const [a, b] = [await freshUser(), await freshUser()];
      await ds.getRepository(Attendee).insert([{ sessionId: session.id, userId: a.id }, { sessionId: session.id, userId: b.id }]);
      for (let i = 0; i < 7; i++) await settle(service.login(a.username, 'wrong-password', { ip: '192.0.2.9', requestId: null }));
      expect(await settle(service.login(a.username, FACTORY_PASSWORD, { ip: '192.0.2.9', requestId: null }))).toBe('RATE_LIMITED');

      const links = await service.issueSignInLinks(String(session.id), null);
      expect(links.map((l) => l.user.id).sort()).toEqual([a.id, b.id].sort());
      expect(links[0].expiresAt.toISOString()).toBe('2026-03-02T09:00:00.000Z');
      const linkOf = (user: User) => links.find((l) => l.user.id === user.id)!.url.replace('/signin/', '');
      const verify = jest.spyOn(passwords, 'verifyPassword');
      const signedIn = await service.signInWithLink(linkOf(a), { ip: '192.0.2.9', requestId: null });
      expect(signedIn.user.id).toBe(a.id);
      expect(verify).not.toHaveBeenCalled();
      const stored = await ds.getRepository(SignInLink).findBy({ sessionId: session.id });
      expect(stored.some((row) => links.some((l) => l.url.includes(row.tokenHash)))).toBe(false);

      const again = await service.issueSignInLinks(String(session.id), null);
      expect(await settle(service.signInWithLink(linkOf(b), { ip: null, requestId: null }))).toBe('UNAUTHENTICATED');
      const fresh = again.find((l) => l.user.id === b.id)!.url.replace('/signin/', '');
      expect(await settle(service.signInWithLink(fresh, { ip: null, requestId: null }))).toBe('OK');
      clock.advance(25 * 3600_000 + 1);
      expect(await settle(service.signInWithLink(fresh, { ip: null, requestId: null }))).toBe('UNAUTHENTICATED');
      expect(await settle(service.signInWithLink('not-a-token', { ip: null, requestId: null }))).toBe('UNAUTHENTICATED');
    });
  });

  describe('with Redis', () => {
    const redis = new RedisProcess(16_400 + Math.floor(Math.random() * 500) + (engine === 'mysql' ? 500 : 0));
    let client: Redis;

    beforeAll(async () => {
      assertRedisServerInstalled();
      await redis.start();
      client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50, lazyConnect: false });
    });
    afterAll(async () => {
      client.disconnect();
      await redis.stop();
    });

    it('keeps a throttle through a Redis restart: the delay lives in the database', async () => {
      const { service } = accounts(new RedisRateStore(client, `throttle-${engine}:`));
      const user = await freshUser();
      const request = { ip: '192.0.2.77', requestId: null };
      for (let i = 0; i < 5; i++) expect(await settle(service.login(user.username, 'wrong-password', request))).toBe('UNAUTHENTICATED');
      await redis.stop();
      await redis.start();
      // The client reconnects on its own; until it has, a command fails fast (maxRetriesPerRequest 1).
      const until = Date.now() + 15_000;
      while (!(await client.ping().then(() => true, () => false))) {
        if (Date.now() > until) throw new Error('the client did not reconnect to the restarted Redis within 15 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await client.dbsize()).toBe(0);
      const after = await service.login(user.username, FACTORY_PASSWORD, request).catch((e) => e);
      expect(after.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000 });
      clock.advance(1000);
      expect(await settle(service.login(user.username, FACTORY_PASSWORD, request))).toBe('OK');
    });

    it('takes each check atomically from the shared window: 30 parallel guesses through Redis, 5 checked', async () => {
      const { service } = accounts(new RedisRateStore(client, `parallel-${engine}:`));
      const user = await freshUser();
      const verify = jest.spyOn(passwords, 'verifyPassword');
      await Promise.all(Array.from({ length: 30 }, () => settle(service.login(user.username, 'wrong-password', { ip: '192.0.2.78', requestId: null }))));
      expect(verify).toHaveBeenCalledTimes(5);
    });
  });
});
