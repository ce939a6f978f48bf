import { UnauthenticatedError } from '../common/errors';
import type { Principal } from './principal';
import { bearerToken, TokenService } from './tokens';

/** What an HTTP request carries that may identify its caller. */
export interface TokenCarrier {
  headers: { authorization?: string };
  query: Record<string, unknown>;
}

/**
 * The principal of a plain HTTP route (a download, an upload): the bearer token, or `?token=` so a browser link or
 * form works. UNAUTHENTICATED without one or with a refused one.
 */
export function principalOfRequest(tokens: TokenService, req: TokenCarrier): Promise<Principal> {
  const token = bearerToken(req.headers.authorization) ?? (typeof req.query.token === 'string' ? req.query.token : null);
  if (!token) throw new UnauthenticatedError('send Authorization: Bearer <token>');
  return tokens.verify(token);
}
