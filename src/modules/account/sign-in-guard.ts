import { DataSource, EntityManager, LessThan } from 'typeorm';
import type { Clock } from '../../common/clock';
import { RateLimitedError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { RateStore } from '../../common/rate-limiter';
import { isUniqueViolation } from '../../db/errors';
import { inTransaction } from '../../db/transaction';
import { SignInFailure } from './sign-in.entity';
import { ANY_SOURCE, SIGN_IN_RULES, SignInRules, waitBeforeCheck } from './sign-in-throttle';

/** Who is trying, for the counts and the security log (never the password). */
export interface Attempt {
  account: string;
  source: string;
  requestId: string | null;
}

/**
 * The I/O around sign-in-throttle.ts: streaks in the database (they outlive Redis), windows in the rate store
 * (Redis when configured, so every instance takes from the same window), and a warn line for every security event.
 */
export class SignInGuard {
  private failuresSeen = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly rates: RateStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly rules: SignInRules = SIGN_IN_RULES,
  ) {}

  /**
   * Refuses with RATE_LIMITED while this source must wait for this account, or is failing against many. Returns
   * whether this source has failed for this account since its last success.
   */
  async admit(attempt: Attempt): Promise<boolean> {
    const streak = await this.ds.getRepository(SignInFailure).findOneBy({ account: attempt.account, source: attempt.source });
    const wait = waitBeforeCheck(streak && { failures: streak.failures, lastFailureAt: streak.lastFailureAt.getTime() }, this.clock.now().getTime(), this.rules);
    if (wait > 0) this.refuse(attempt, 'delay', wait, `${streak!.failures} failed sign-ins in a row`);
    if ((await this.rates.peek(sprayKey(attempt.source))) >= this.rules.sourceFailures) {
      this.refuse(attempt, 'source', this.rules.sourceWindowMs, 'too many failed sign-ins from this address');
    }
    return streak !== null;
  }

  /** Takes this check from the windows, atomically, just before the password is checked. */
  async take(attempt: Attempt): Promise<void> {
    const pair = await this.rates.hit(pairWindow(attempt.account, attempt.source), this.rules.windowMs);
    if (pair.count > this.rules.checksPerSource) this.refuse(attempt, 'source-window', pair.resetInMs, 'too many sign-ins for this account from this address');
    const any = await this.rates.hit(accountWindow(attempt.account), this.rules.windowMs);
    if (any.count > this.rules.checksPerAccount) this.refuse(attempt, 'account-window', any.resetInMs, 'too many sign-ins for this account');
  }

  async failed(attempt: Attempt): Promise<void> {
    const now = this.clock.now();
    const [failures, accountFailures] = await inTransaction(this.ds, (m) =>
      Promise.all([bump(m, attempt.account, attempt.source, now), bump(m, attempt.account, ANY_SOURCE, now)]),
    );
    await this.rates.hit(sprayKey(attempt.source), this.rules.sourceWindowMs);
    // Names that never sign in (typos, sprayed guesses) leave rows behind; every hundredth failure sweeps those
    // idle for a day, long after any delay they imposed has passed.
    if (++this.failuresSeen % 100 === 0) {
      await inTransaction(this.ds, (m) => m.getRepository(SignInFailure).delete({ lastFailureAt: LessThan(new Date(now.getTime() - STALE_STREAK_MS)) }));
    }
    this.logger.warn({ event: 'sign-in-failed', ...attempt, failures, accountFailures }, 'sign-in failed');
  }

  /**
   * A success gives this source its window back (a chair signing in on three devices is not guessing) and ends its
   * streak; other sources keep theirs.
   */
  async succeeded(attempt: Attempt, hadFailures: boolean): Promise<void> {
    await this.rates.reset(pairWindow(attempt.account, attempt.source));
    if (!hadFailures) return;
    await inTransaction(this.ds, (m) => m.getRepository(SignInFailure).delete([{ account: attempt.account, source: attempt.source }, { account: attempt.account, source: ANY_SOURCE }]));
    this.logger.info({ event: 'sign-in-after-failures', ...attempt }, 'signed in after failed attempts');
  }

  /** Clears every count of an account: its streaks from every source and their windows. Returns the streaks cleared. */
  async clear(account: string, actor: { actorId: number | null; requestId: string | null }): Promise<number> {
    const rows = await this.ds.getRepository(SignInFailure).findBy({ account });
    await inTransaction(this.ds, (m) => m.getRepository(SignInFailure).delete({ account }));
    const sources = rows.map((r) => r.source).filter((s) => s !== ANY_SOURCE);
    await Promise.all([this.rates.reset(accountWindow(account)), ...sources.map((s) => this.rates.reset(pairWindow(account, s)))]);
    this.logger.warn({ event: 'sign-in-unlocked', account, ...actor, sources }, 'sign-in counts cleared by an admin');
    return rows.length;
  }

  private refuse(attempt: Attempt, reason: string, retryAfterMs: number, why: string): never {
    this.logger.warn({ event: 'sign-in-throttled', ...attempt, reason, retryAfterMs }, 'sign-in throttled');
    throw new RateLimitedError(`${why}; try again in ${Math.ceil(retryAfterMs / 1000)} s, or use your personal sign-in link`, retryAfterMs);
  }
}

const STALE_STREAK_MS = 24 * 3600_000;
const pairWindow = (account: string, source: string) => `sign-in checks:${account}@${source}`;
const accountWindow = (account: string) => `sign-in checks:${account}`;
const sprayKey = (source: string) => `sign-in failures:${source}`;

/** Adds one failure to a streak, creating it at one; returns the new count. */
async function bump(m: EntityManager, account: string, source: string, at: Date): Promise<number> {
  const repo = m.getRepository(SignInFailure);
  for (;;) {
    const updated = await repo.createQueryBuilder().update().set({ failures: () => 'failures + 1', lastFailureAt: at }).where({ account, source }).execute();
    if (updated.affected) return (await repo.findOneByOrFail({ account, source })).failures;
    try {
      await repo.insert({ account, source, failures: 1, lastFailureAt: at });
      return 1;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
}
