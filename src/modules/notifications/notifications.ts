import type { DataSource } from 'typeorm';
import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { PubSub } from '../../pubsub/pubsub';
import { DEFAULT_DUE_SOON_DAYS, DueDateJob } from './due-date-job';
import { JournalNotifier } from './journal-notifier';
import { NotificationFeed } from './notification-feed';
import { NotificationService } from './notification.service';

export interface NotificationSettings {
  /** How often the notifier reads the audit trail for new entries (ms). */
  pollMs: number;
  /** How often the due-date job runs (ms); it also runs at start. */
  dueJobMs: number;
  /** DUE_SOON this many days before the due date. */
  dueSoonDays: number;
}

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = Object.freeze({ pollMs: 1000, dueJobMs: 60_000, dueSoonDays: DEFAULT_DUE_SOON_DAYS });

/** Runs `work` now and then `ms` after each run ends (never two at once); the returned stop waits for a run under way. */
function every(ms: number, work: () => Promise<unknown>, onError: (err: unknown) => void): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    current = work()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, ms);
        timer?.unref();
      });
  };
  tick();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await current;
  };
}

/**
 * Notices (站内通知) in one place: the live feed, the notifier tailing the audit trail, the due-date job and the
 * queries. The producers run only once `start` is called (the server does; tests call their `runOnce`).
 */
export class Notifications {
  readonly feed: NotificationFeed;
  readonly notifier: JournalNotifier;
  readonly dueDates: DueDateJob;
  readonly service: NotificationService;
  private stops: (() => Promise<void>)[] = [];

  constructor(
    ds: DataSource,
    clock: Clock,
    pubsub: PubSub,
    private readonly logger: Logger,
    private readonly settings: NotificationSettings = DEFAULT_NOTIFICATION_SETTINGS,
  ) {
    this.feed = new NotificationFeed(pubsub, logger);
    this.notifier = new JournalNotifier(ds, clock, this.feed);
    this.dueDates = new DueDateJob(ds, clock, this.feed, settings.dueSoonDays);
    this.service = new NotificationService(ds, clock);
  }

  /** Starts both producers; the due-date job's first run, at once, catches up on what came due while no instance ran. */
  start(): void {
    if (this.stops.length) return;
    this.stops.push(
      every(this.settings.pollMs, () => this.notifier.runOnce(), (err) => this.logger.warn({ err }, 'notifier run failed; the next one retries')),
      every(this.settings.dueJobMs, () => this.dueDates.runOnce(), (err) => this.logger.warn({ err }, 'due-date job failed; the next run retries')),
    );
  }

  /** Stops the producers (after a run under way ends) and the feed. */
  async close(): Promise<void> {
    await Promise.all(this.stops.splice(0).map((stop) => stop()));
    this.feed.close();
  }
}
