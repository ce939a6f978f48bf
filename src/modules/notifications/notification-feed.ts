import { LiveQueue } from '../../common/live-queue';
import type { Logger } from '../../common/logger';
import type { PubSub } from '../../pubsub/pubsub';
import { Notification, type NotificationKind } from './notification.entity';

/** A stored notice as it travels between instances (dates as ISO text). */
export interface NotificationMessage {
  id: number;
  userId: number;
  kind: NotificationKind;
  subjectType: string;
  subjectId: number;
  text: string;
  createdAt: string;
  readAt: string | null;
}

declare module '../../pubsub/pubsub' {
  interface Topics {
    /** Notices just stored, by whichever instance stored them; every instance hands each to its own subscribers. */
    notificationsAdded: { notices: NotificationMessage[] };
  }
}

const toMessage = (n: Notification): NotificationMessage => ({
  id: n.id,
  userId: n.userId,
  kind: n.kind,
  subjectType: n.subjectType,
  subjectId: n.subjectId,
  text: n.text,
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt ? n.readAt.toISOString() : null,
});

const fromMessage = (m: NotificationMessage): Notification =>
  Object.assign(new Notification(), { ...m, createdAt: new Date(m.createdAt), readAt: m.readAt === null ? null : new Date(m.readAt) });

/**
 * The live side of notices. The instance that stored a notice publishes it once on pub/sub (in-process, or Redis
 * with several instances); every instance, that one included, receives it there and hands it to the subscribers of
 * its person on this instance. Nothing here is the record: a notice missed live is in `myNotifications`.
 */
export class NotificationFeed {
  private readonly listeners = new Map<number, Set<(n: Notification) => void>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly pubsub: PubSub,
    private readonly logger?: Logger,
  ) {
    this.unsubscribe = pubsub.subscribe('notificationsAdded', ({ notices }) => {
      for (const message of notices ?? []) {
        const listeners = this.listeners.get(message.userId);
        if (!listeners?.size) continue;
        let notice: Notification;
        try {
          notice = fromMessage(message);
        } catch (err) {
          this.logger?.warn({ err }, 'dropped a malformed notice message');
          continue;
        }
        for (const listener of listeners) listener(notice);
      }
    });
  }

  /** Announces rows just committed. */
  async published(rows: readonly Notification[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 100) await this.pubsub.publish('notificationsAdded', { notices: rows.slice(i, i + 100).map(toMessage) });
  }

  /** The person's new notices from now on, as they are stored by any instance. */
  added(userId: number): AsyncIterableIterator<Notification> {
    let set = this.listeners.get(userId);
    if (!set) this.listeners.set(userId, (set = new Set()));
    const listener = (n: Notification) => queue.push(n);
    const queue = new LiveQueue<Notification>(() => {
      set!.delete(listener);
      if (set!.size === 0 && this.listeners.get(userId) === set) this.listeners.delete(userId);
    });
    set.add(listener);
    return queue;
  }

  /** The person's subscribers on this instance. */
  listening(userId: number): number {
    return this.listeners.get(userId)?.size ?? 0;
  }

  /** Subscribers on this instance, for tests and metrics. */
  get size(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }
}
