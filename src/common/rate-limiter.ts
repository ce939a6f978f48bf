import type { Clock } from './clock';
import { RateLimitedError } from './errors';

export interface RateRule {
  limit: number;
  windowMs: number;
}

/**
 * Sliding-window limits per key, in this process (a later change shares them through Redis). `take` either
 * records one use or throws RATE_LIMITED saying when to try again; a refused attempt is not counted.
 */
export class RateLimiter {
  private readonly uses = new Map<string, number[]>();
  private readonly longest: number;

  constructor(
    private readonly what: string,
    private readonly rules: readonly RateRule[],
    private readonly clock: Clock,
  ) {
    this.longest = Math.max(...rules.map((r) => r.windowMs));
  }

  take(key: string): void {
    const now = this.clock.now().getTime();
    const recent = (this.uses.get(key) ?? []).filter((t) => t > now - this.longest);
    for (const rule of this.rules) {
      const inWindow = recent.filter((t) => t > now - rule.windowMs);
      if (inWindow.length >= rule.limit) {
        const retryAfterMs = inWindow[inWindow.length - rule.limit] + rule.windowMs - now;
        throw new RateLimitedError(`too many ${this.what}: at most ${rule.limit} per ${rule.windowMs / 1000} s; try again in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs);
      }
    }
    recent.push(now);
    this.uses.set(key, recent);
  }
}
