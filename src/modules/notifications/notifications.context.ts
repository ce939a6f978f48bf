import type { AuthContext } from '../../auth/context';
import type { Notification } from './notification.entity';

/** What the notices' subscription reads from its context: the caller, and the live feed of this instance. */
export interface NotificationsContext extends AuthContext {
  notices: { added(userId: number): AsyncIterableIterator<Notification> };
}
