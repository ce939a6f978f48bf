import type { AuthContext } from '../auth/context';
import type { AccountContext } from '../modules/account/account.context';
import type { AuditContext } from '../modules/audit/audit.context';
import type { BriefingContext } from '../modules/briefing/briefing.context';
import type { EvaluationContext } from '../modules/evaluation/evaluation.context';
import type { PaperTallyContext } from '../modules/evaluation/paper/paper-tally.context';
import type { NotificationsContext } from '../modules/notifications/notifications.context';
import type { RegistryContext } from '../modules/registry/registry.context';
import type { RoomFeed } from '../modules/room/room-hub';
import type { RoomContext } from '../modules/room/room.context';
import type { SessionsContext } from '../modules/sessions/sessions.context';
import type { ThemesContext } from '../modules/themes/themes.context';
import type { Loaders } from './loaders';

/**
 * What every resolver receives: who is calling, per-request loaders, and an id that ties logs to the request.
 * Resolvers type their context with the narrow one their module declares (auth's AuthContext, plus the loaders or
 * the feed they read); this one extends them all, so a loader a module expects and app does not build fails to compile.
 */
export interface AppContext
  extends AuthContext, AccountContext, AuditContext, BriefingContext, EvaluationContext, PaperTallyContext, RegistryContext, RoomContext, SessionsContext, ThemesContext, NotificationsContext {
  loaders: Loaders;
  requestId: string;
  /** The caller's address (behind the proxy: the forwarded one), for per-address limits. */
  ip: string | null;
  /** After this instant (ms) no further field resolves: the operation timeout. */
  deadline?: number;
  /** The live room feed, for subscriptions (their `subscribe` runs outside any resolver instance). */
  feed: RoomFeed;
}
