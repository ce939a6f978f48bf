import type { AuthContext } from '../../auth/context';

/** What signing in reads from the request besides the caller: the address, for the per-address limit. */
export interface AccountContext extends AuthContext {
  ip: string | null;
}
