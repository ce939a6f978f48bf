import type Redis from 'ioredis';
import type { Clock } from './clock';
import { RateLimitedError } from './errors';

/** Counts per key in fixed windows; shared between instances when it lives in Redis. */
export interface RateStore {
  /** Adds one to the key's count in its current window and returns the count and the ms left in the window. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  /** The key's count in its current window, without adding. */
  peek(key: string): Promise<number>;
  reset(key: string): Promise<void>;
}

/** One process: counts in a map, windows from the injected clock. */
export class MemoryRateStore implements RateStore {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly clock: Clock) {}

  async hit(key: string, windowMs: number) {
    const now = this.clock.now().getTime();
    let w = this.windows.get(key);
    if (!w || w.endsAt <= now) {
      w = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, w);
      if (this.windows.size > 100_000) this.sweep(now);
    }
    w.count += 1;
    return { count: w.count, resetInMs: w.endsAt - now };
  }

  async peek(key: string) {
    const w = this.windows.get(key);
    return w && w.endsAt > this.clock.now().getTime() ? w.count : 0;
  }

  async reset(key: string) {
    this.windows.delete(key);
  }

  private sweep(now: number) {
    for (const [k, w] of this.windows) if (w.endsAt <= now) this.windows.delete(k);
  }
}

/** Several instances: INCR with an expiry set by the first hit of each window. */
export class RedisRateStore implements RateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'leitai:rate:',
  ) {}

  async hit(key: string, windowMs: number) {
    const k = this.prefix + key;
    const [[, count], [, ttl]] = (await this.redis.multi().incr(k).pttl(k).exec()) as [[null, number], [null, number]];
    if (ttl < 0) await this.redis.pexpire(k, windowMs);
    return { count, resetInMs: ttl < 0 ? windowMs : ttl };
  }

  async peek(key: string) {
    return Number((await this.redis.get(this.prefix + key)) ?? 0);
  }

  async reset(key: string) {
    await this.redis.del(this.prefix + key);
  }
}

export interface RateRule {
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Limits per key over one or more windows. `take` records one use or throws RATE_LIMITED saying when to try again.
 * (Fixed windows: a burst at a window's edge may pass twice the limit once, which these limits tolerate.)
 */
export class RateLimiter {
  constructor(
    private readonly what: string,
    private readonly rules: readonly RateRule[],
    private readonly store: RateStore,
  ) {}

  async take(key: string): Promise<void> {
    for (const rule of this.rules) {
      const { count, resetInMs } = await this.store.hit(`${this.what}:${rule.windowMs}:${key}`, rule.windowMs);
      if (count > rule.limit) {
        throw new RateLimitedError(`too many ${this.what}: at most ${rule.limit} per ${rule.windowMs / 1000} s; try again in ${Math.ceil(resetInMs / 1000)} s`, resetInMs);
      }
    }
  }
}

/**
 * Counts in the primary store (Redis) and, while it is unreachable, in the fallback (this process): limits keep
 * working through a Redis outage, per instance instead of shared.
 */
export class FallbackRateStore implements RateStore {
  constructor(
    private readonly primary: RateStore,
    private readonly fallback: RateStore,
    private readonly logger: { warn(obj: object, msg: string): void },
  ) {}

  private async either<T>(op: (s: RateStore) => Promise<T>): Promise<T> {
    try {
      return await op(this.primary);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'rate store unreachable; counting locally');
      return op(this.fallback);
    }
  }

  hit(key: string, windowMs: number) {
    return this.either((s) => s.hit(key, windowMs));
  }

  peek(key: string) {
    return this.either((s) => s.peek(key));
  }

  async reset(key: string) {
    await Promise.allSettled([this.primary.reset(key), this.fallback.reset(key)]);
  }
}
