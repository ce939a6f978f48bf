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

  it('reads only well-formed bearer headers', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer x')).toBe('x');
    expect(bearerToken('Basic x')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
