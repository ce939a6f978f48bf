import argon2 from 'argon2';
import { jwtVerify, SignJWT } from 'jose';
import { bearerToken, TokenService } from '../../../src/auth/tokens';
import { ManualClock } from '../../../src/common/clock';

describe(TokenService.name, () => {
  const clock = new ManualClock('2026-05-01T00:00:00Z');
  const tokens = new TokenService('a'.repeat(32), clock);
  const user = { id: 7, username: 'chair', roles: ['chair', 'leader'], regionId: null };

  it('signs a user token that verifies to the same principal', async () => {
    expect(await tokens.verify(await tokens.signUser(user))).toEqual({ kind: 'user', userId: 7, username: 'chair', roles: ['chair', 'leader'], regionId: null });
  });

  it('binds a screen token to one session and the screen role only', async () => {
    expect(await tokens.verify(await tokens.signScreen(3))).toEqual({ kind: 'screen', sessionId: 3, roles: ['screen'] });
  });

  it('refuses a token signed with another secret, a tampered one and an expired one', async () => {
    const other = new TokenService('b'.repeat(32), clock);
    await expect(tokens.verify(await other.signUser(user))).rejects.toThrow('invalid token');
    const token = await tokens.signUser(user);
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'user:1', usr: 'admin', roles: ['admin'], iss: 'leitai', exp: 9e9 })).toString('base64url');
    await expect(tokens.verify(`${h}.${forged}.${s}`)).rejects.toThrow('invalid token');
    clock.advance(12 * 3600 * 1000 + 1000);
    await expect(tokens.verify(token)).rejects.toThrow('token expired');
  });

  it('remembers a verified token only until it expires, and shares a frozen principal', async () => {
    const clock2 = new ManualClock('2026-05-01T00:00:00Z');
    const service = new TokenService('c'.repeat(32), clock2);
    const token = await service.signUser(user);
    const first = await service.verify(token);
    expect(await service.verify(token)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
    clock2.advance(12 * 3600 * 1000 - 1000);
    expect(await service.verify(token)).toBe(first);
    clock2.advance(1000);
    await expect(service.verify(token)).rejects.toThrow('token expired');
  });

  it('writes standard HS256 JWTs: one of ours verifies in jose, and one jose signs verifies here', async () => {
    const secret = 'd'.repeat(32);
    const service = new TokenService(secret, clock);
    const key = new TextEncoder().encode(secret);
    const { payload, protectedHeader } = await jwtVerify(await service.signUser(user), key, { issuer: 'leitai', algorithms: ['HS256'], currentDate: clock.now() });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'user:7', usr: 'chair', iss: 'leitai', exp: (payload.iat as number) + 12 * 3600 });
    const now = Math.floor(clock.now().getTime() / 1000);
    const theirs = await new SignJWT({ sub: 'screen:4', roles: ['screen'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer('leitai').setIssuedAt(now).setExpirationTime(now + 60).sign(key);
    expect(await service.verify(theirs)).toEqual({ kind: 'screen', sessionId: 4, roles: ['screen'] });
  });

  it('refuses unsigned and foreign-issuer tokens, and tokens without an expiry', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = { sub: 'user:1', usr: 'admin', roles: ['admin'], iss: 'leitai', iat: 1, exp: 9e9 };
    await expect(tokens.verify(`${b64({ alg: 'none' })}.${b64(claims)}.`)).rejects.toThrow('invalid token');
    const key = new TextEncoder().encode('a'.repeat(32));
    const foreign = await new SignJWT({ ...claims, iss: 'elsewhere' }).setProtectedHeader({ alg: 'HS256' }).sign(key);
    await expect(tokens.verify(foreign)).rejects.toThrow('invalid token');
    const { exp: _exp, ...forever } = claims;
    await expect(tokens.verify(await new SignJWT(forever).setProtectedHeader({ alg: 'HS256' }).sign(key))).rejects.toThrow('invalid token');
  });

  it('checks a token without waiting behind password hashing in the worker pool', async () => {
    const token = await new TokenService('e'.repeat(32), clock).signUser(user);
    const fresh = new TokenService('e'.repeat(32), clock);
    // More slow hashes than libuv has threads: anything that needs the pool now waits for them.
    // (argon2 first draws its salt from the pool; by 100 ms every hash holds or awaits a thread.) With jose's
    // WebCrypto HMAC the token loses this race.
    const hashes = Array.from({ length: 8 }, () => argon2.hash('x', { type: argon2.argon2id, memoryCost: 65_536, timeCost: 3 }).then(() => 'hash'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const first = await Promise.race([fresh.verify(token).then(() => 'token'), ...hashes]);
    await Promise.all(hashes);
    expect(first).toBe('token');
  });

  it('reads only well-formed bearer headers', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer x')).toBe('x');
    expect(bearerToken('Basic x')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
