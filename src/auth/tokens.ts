import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { Clock } from '../common/clock';
import { UnauthenticatedError } from '../common/errors';
import type { Principal } from './principal';
import { isRole } from './roles';

const ISSUER = 'leitai';
const USER_TOKEN_TTL_S = 12 * 3600;
/** A screen stays up through a long day and the evening replay, but not for ever. */
const SCREEN_TOKEN_TTL_S = 48 * 3600;

/** How many verified tokens are remembered (a hall's phones, consoles and analysts, with room to spare). */
const VERIFIED_CACHE_SIZE = 10_000;

/** Signs and verifies bearer tokens (HS256). Time comes from the injected clock, so expiry is testable. */
export class TokenService {
  private readonly key: Uint8Array;
  /**
   * Tokens already verified, with their principal and expiry: every request carries its token again, and checking
   * the signature costs more than a small query. A token is stateless (nothing revokes one before it expires), so
   * the answer for a given token changes only with time, which each hit checks.
   */
  private readonly verified = new Map<string, { principal: Principal; exp: number }>();

  constructor(
    secret: string,
    private readonly clock: Clock,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  signUser(user: { id: number; username: string; roles: readonly string[]; regionId: number | null }): Promise<string> {
    return this.sign({ sub: `user:${user.id}`, usr: user.username, roles: [...user.roles], rid: user.regionId }, USER_TOKEN_TTL_S);
  }

  signScreen(sessionId: number): Promise<string> {
    return this.sign({ sub: `screen:${sessionId}`, roles: ['screen'] }, SCREEN_TOKEN_TTL_S);
  }

  private sign(claims: Record<string, unknown>, ttlSeconds: number): Promise<string> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .sign(this.key);
  }

  /** Resolves the principal of a token, or throws UNAUTHENTICATED saying whether it was malformed or expired. */
  async verify(token: string): Promise<Principal> {
    const hit = this.verified.get(token);
    if (hit && Math.floor(this.clock.now().getTime() / 1000) < hit.exp) return hit.principal;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        currentDate: this.clock.now(),
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('token expired: sign in again');
      throw new UnauthenticatedError('invalid token');
    }
    // Shared by every request with this token: frozen, so no request can change another's.
    const principal = Object.freeze(toPrincipal(payload));
    Object.freeze(principal.roles);
    if (typeof payload.exp === 'number') {
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { principal, exp: payload.exp });
    }
    return principal;
  }
}

function toPrincipal(payload: Record<string, unknown>): Principal {
  const [kind, rawId] = String(payload.sub ?? '').split(':');
  const id = Number(rawId);
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  if (!Number.isSafeInteger(id) || id <= 0 || !roles.every(isRole)) throw new UnauthenticatedError('invalid token');
  if (kind === 'screen') return { kind: 'screen', sessionId: id, roles: ['screen'] };
  if (kind === 'user' && typeof payload.usr === 'string' && !roles.includes('screen')) {
    const rid = typeof payload.rid === 'number' ? payload.rid : null;
    return { kind: 'user', userId: id, username: payload.usr, roles: roles.filter(isRole), regionId: rid };
  }
  throw new UnauthenticatedError('invalid token');
}

/** `Bearer <token>` → token; anything else → null. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}
