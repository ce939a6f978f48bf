import type { Request } from 'express';
import { UnauthenticatedError } from '../common/errors';
import type { Principal } from './principal';
import { bearerToken, TokenService } from './tokens';

/**
 * The caller of a file route: `Authorization: Bearer <token>`, or `?token=` so that a plain link (a browser, a
 * printed QR code) works too. UNAUTHENTICATED (401) without one, or with a bad or expired one.
 */
export async function authenticateRequest(tokens: TokenService, req: Request): Promise<Principal> {
  const token = bearerToken(req.headers.authorization) ?? (typeof req.query.token === 'string' ? req.query.token : null);
  if (!token) throw new UnauthenticatedError('send Authorization: Bearer <token>');
  return tokens.verify(token);
}
