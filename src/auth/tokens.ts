import { createHmac, timingSafeEqual } from 'node:crypto';
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

/** The one header this server writes and accepts: HS256, nothing else (no `none`, no key ids). */
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Signs and verifies bearer tokens (compact JWS, HS256, RFC 7519 claims iss, iat, exp). Time comes from the injected
 * clock, so expiry is testable. The HMAC runs synchronously on this thread (microseconds): a token check never
 * waits in libuv's pool behind password hashing, as WebCrypto's asynchronous HMAC would.
 */
export class TokenService {
  private readonly key: Buffer;
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
    this.key = Buffer.from(secret, 'utf8');
  }

  signUser(user: { id: number; username: string; roles: readonly string[]; regionId: number | null }): Promise<string> {
    return this.sign({ sub: `user:${user.id}`, usr: user.username, roles: [...user.roles], rid: user.regionId }, USER_TOKEN_TTL_S);
  }

  signScreen(sessionId: number): Promise<string> {
    return this.sign({ sub: `screen:${sessionId}`, roles: ['screen'] }, SCREEN_TOKEN_TTL_S);
  }

  private async sign(claims: Record<string, unknown>, ttlSeconds: number): Promise<string> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const body = `${HEADER}.${base64url(JSON.stringify({ ...claims, iss: ISSUER, iat: now, exp: now + ttlSeconds }))}`;
    return `${body}.${this.mac(body)}`;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  /** Resolves the principal of a token, or throws UNAUTHENTICATED saying whether it was malformed or expired. */
  async verify(token: string): Promise<Principal> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const hit = this.verified.get(token);
    if (hit && now < hit.exp) return hit.principal;
    const payload = this.checkedPayload(token);
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number' || payload.iss !== ISSUER) throw new UnauthenticatedError('invalid token');
    if (typeof payload.nbf === 'number' && now < payload.nbf) throw new UnauthenticatedError('invalid token');
    if (now >= payload.exp) throw new UnauthenticatedError('token expired: sign in again');
    // Shared by every request with this token: frozen, so no request can change another's.
    const principal = Object.freeze(toPrincipal(payload));
    Object.freeze(principal.roles);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, exp: payload.exp });
    return principal;
  }

  /** The claims of a well-formed token signed with this server's key; UNAUTHENTICATED otherwise. */
  private checkedPayload(token: string): Record<string, unknown> {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) throw new UnauthenticatedError('invalid token');
    const [header, body, signature] = parts;
    const expected = Buffer.from(this.mac(`${header}.${body}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new UnauthenticatedError('invalid token');
    // Signed by this server, so the header is one it wrote; checked anyway, as a verifier must.
    const head = parseJson(header);
    if (head?.alg !== 'HS256' || 'crit' in head) throw new UnauthenticatedError('invalid token');
    const payload = parseJson(body);
    if (!payload) throw new UnauthenticatedError('invalid token');
    return payload;
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function parseJson(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
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
