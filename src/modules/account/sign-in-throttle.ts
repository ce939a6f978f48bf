/**
 * How guessing is slowed (OWASP's authentication guidance: throttle by account and by source, with growing delays,
 * never a hard lock anyone can aim). Pure: the guard around it (sign-in-guard.ts) reads and writes the counts.
 *
 * - Before a password is checked, the attempt is taken atomically from two windows: the account from this source
 *   (`checksPerSource`) and the account from anywhere (`checksPerAccount`). N parallel guesses get at most the
 *   window's worth of checks; the rest are refused unchecked and count for nothing.
 * - After `freeFailures` failures in a row from one source, that source waits before each further check: one second,
 *   then twice as long each time, up to `maxDelayMs`. Other sources are not slowed by it, and a personal sign-in
 *   link is not throttled at all, so an attacker who knows a name can delay their own guesses but lock nobody out.
 * - One source failing against many accounts (`sourceFailures` in `sourceWindowMs`) is refused for all of them.
 */
export interface SignInRules {
  windowMs: number;
  checksPerSource: number;
  checksPerAccount: number;
  freeFailures: number;
  firstDelayMs: number;
  maxDelayMs: number;
  sourceFailures: number;
  sourceWindowMs: number;
}

export const SIGN_IN_RULES: SignInRules = {
  windowMs: 30_000,
  checksPerSource: 5,
  checksPerAccount: 20,
  freeFailures: 5,
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  sourceFailures: 100,
  sourceWindowMs: 600_000,
};

/** The wait imposed after `failures` failures in a row. */
export function delayAfter(failures: number, rules: SignInRules = SIGN_IN_RULES): number {
  if (failures < rules.freeFailures) return 0;
  return Math.min(rules.firstDelayMs * 2 ** (failures - rules.freeFailures), rules.maxDelayMs);
}

/** Milliseconds until the next check is allowed for a streak (0: now). */
export function waitBeforeCheck(streak: { failures: number; lastFailureAt: number } | null, now: number, rules: SignInRules = SIGN_IN_RULES): number {
  if (!streak) return 0;
  return Math.max(0, streak.lastFailureAt + delayAfter(streak.failures, rules) - now);
}

/** The account as counted: lower case, at most 64 characters (so `Chair` and `chair` share a count). */
export function accountKey(username: string): string {
  return username.toLowerCase().slice(0, 64);
}

/** The source as counted: the address, or 'unknown' without one. */
export function sourceKey(ip: string | null): string {
  return (ip ?? 'unknown').slice(0, 64);
}

/** The source that stands for "from anywhere" in the failure rows. */
export const ANY_SOURCE = '*';
