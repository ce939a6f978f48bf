import type { AuthContext } from '../../auth/context';

/** What signing in reads from the request besides the caller: the address and the request id, for the throttle and its log. */
export interface AccountContext extends AuthContext {
  ip: string | null;
  requestId: string;
}
