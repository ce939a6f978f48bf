import type { Request } from 'express';
import { HttpError } from '../common/http-error';
import type { Principal } from './principal';
import { bearerToken, TokenService } from './tokens';

/**
 * The caller of a file route: `Authorization: Bearer <token>`, or `?token=` so that a plain link (a browser, a
 * printed QR code) works too. No token is 401; a bad or expired one is the token service's UNAUTHENTICATED.
 */
export async function authenticateRequest(tokens: TokenService, req: Request): Promise<Principal> {
  const token = bearerToken(req.headers.authorization) ?? (typeof req.query.token === 'string' ? req.query.token : null);
  if (!token) throw new HttpError(401, 'UNAUTHENTICATED', 'send Authorization: Bearer <token>');
  return tokens.verify(token);
}
