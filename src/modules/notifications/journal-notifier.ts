import type { DataSource } from 'typeorm';
import type { Clock } from '../../common/clock';
import { inTransaction } from '../../db/transaction';
import { JournalEntry } from '../journal/journal.entity';
import { noticesForEntries, NOTIFYING_ACTIONS } from './journal-notices';
import { insertNotices, lockCursor } from './notice-store';
import type { NotificationFeed } from './notification-feed';
import { NotificationCursor, type Notification } from './notification.entity';

export const JOURNAL_CURSOR = 'journal';
/** Entries handled per transaction. */
const BATCH = 200;

/**
 * The outbox reader: tails the audit trail after the last seq handled (the `journal` cursor row, shared by every
 * instance and kept across restarts), turns the entries that notify into notices, stores them with their dedupe
 * keys and moves the cursor — in one transaction — then publishes the rows it stored.
 *
 * The trail's seqs are taken under the journal head's lock and committed in that order, so everything up to the
 * highest seq a transaction sees is there to read: the cursor never passes an entry that commits later.
 */
export class JournalNotifier {
  private running: Promise<Notification[]> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly feed: NotificationFeed,
  ) {}

  /** Handles every entry committed so far; returns the notices this call stored (and published). Calls overlapping one share it. */
  runOnce(): Promise<Notification[]> {
    // One run at a time per instance; a call during a run runs again after it, to see what committed meanwhile.
    if (this.running) return this.running.catch(() => undefined).then(() => this.runOnce());
    this.running = this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<Notification[]> {
    const stored: Notification[] = [];
    for (;;) {
      const { inserted, more } = await inTransaction(this.ds, async (m) => {
        const cursor = await lockCursor(m, JOURNAL_CURSOR);
        const top = await m.getRepository(JournalEntry).createQueryBuilder('e').select('MAX(e.seq)', 'seq').getRawOne<{ seq: number | string | null }>();
        const upTo = top?.seq == null ? 0 : Number(top.seq);
        if (upTo <= cursor.seq) return { inserted: [] as Notification[], more: false };
        const window = await m
          .getRepository(JournalEntry)
          .createQueryBuilder('e')
          .where('e.seq > :after AND e.seq <= :upTo', { after: cursor.seq, upTo })
          .andWhere('e.action IN (:...actions)', { actions: [...NOTIFYING_ACTIONS] })
          .orderBy('e.seq', 'ASC')
          .take(BATCH)
          .getMany();
        const full = window.length === BATCH;
        const reached = full ? window[window.length - 1].seq : upTo;
        const rows = await insertNotices(m, await noticesForEntries(m, window), this.clock.now());
        await m.getRepository(NotificationCursor).update({ name: JOURNAL_CURSOR }, { seq: reached, ranAt: this.clock.now() });
        return { inserted: rows, more: full };
      });
      await this.feed.published(inserted);
      stored.push(...inserted);
      if (!more) return stored;
    }
  }
}
