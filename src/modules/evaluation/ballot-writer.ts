import { ServiceBusyError } from '../../common/errors';

export interface BallotWriterOptions {
  /** The most ballots one transaction stores. */
  maxBatch: number;
  /** How long a ballot may wait for its group before it is refused with the retryable SERVICE_UNAVAILABLE (ms). */
  maxWaitMs: number;
  now?: () => number;
}

export const DEFAULT_BALLOT_WRITING: BallotWriterOptions = { maxBatch: 200, maxWaitMs: 2000 };

interface Pending<T, R> {
  item: T;
  since: number;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * The ballot box's group commit: per session, one transaction at a time stores every ballot that arrived while the
 * previous one ran (up to `maxBatch`). Under a storm a thousand ballots take a handful of transactions instead of a
 * thousand turns at the database; a lone ballot is written at once. `write` gets the group and answers for each
 * ballot (in order); if it throws, every ballot of the group gets its error.
 */
export class BallotWriter<T, R> {
  private readonly queues = new Map<number, Pending<T, R>[]>();
  private readonly now: () => number;

  constructor(
    private readonly write: (sessionId: number, items: T[]) => Promise<R[]>,
    private readonly options: BallotWriterOptions = DEFAULT_BALLOT_WRITING,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Resolves once the ballot's group has committed, with `write`'s answer for it. */
  submit(sessionId: number, item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(sessionId);
      const pending = { item, since: this.now(), resolve, reject };
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(sessionId, [pending]);
      void this.drain(sessionId);
    });
  }

  private async drain(sessionId: number): Promise<void> {
    const queue = this.queues.get(sessionId)!;
    while (queue.length) {
      const group = queue.splice(0, this.options.maxBatch);
      const now = this.now();
      const live = group.filter((p) => {
        if (now - p.since <= this.options.maxWaitMs) return true;
        p.reject(new ServiceBusyError('the ballot box is busy: nothing was stored, send the same ballot again shortly', 500, 'queue'));
        return false;
      });
      if (!live.length) continue;
      try {
        const results = await this.write(sessionId, live.map((p) => p.item));
        live.forEach((p, i) => p.resolve(results[i]));
      } catch (err) {
        for (const p of live) p.reject(err);
      }
    }
    this.queues.delete(sessionId);
  }
}
