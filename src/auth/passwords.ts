import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { ServiceBusyError } from '../common/errors';

/**
 * argon2id at OWASP's minimum for it (19 MiB, two passes, one lane): about 25 ms of one core here, against 0.45 s
 * for the library's defaults (64 MiB, three passes, four lanes), which let a hall's 200 sign-ins queue for 45 s.
 * Hashes made with other parameters still verify and are replaced at their owner's next sign-in.
 */
export const PASSWORD_HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, PASSWORD_HASH_OPTIONS);
}

/**
 * What an account with no password yet stores (one made by a roster import): it is no argon2 hash, so no password
 * ever verifies against it. Its owner signs in with a personal link, or after an admin sets a password.
 */
export const NO_PASSWORD_HASH = '!no-password';

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (hash.startsWith('!')) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** True when the hash was made with other parameters than today's: the caller stores a new one. */
export function hashIsOutdated(hash: string): boolean {
  try {
    return argon2.needsRehash(hash, PASSWORD_HASH_OPTIONS);
  } catch {
    return true;
  }
}

/**
 * A hash of nothing anyone knows, checked when the username does not exist so that an unknown user and a wrong
 * password take the same time and get the same answer.
 */
let decoyHash: Promise<string> | null = null;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(`decoy-${Math.random()}`);
  return decoyHash;
}

export interface HasherLimits {
  /**
   * Hashes computed at once; default: one fewer than the cores (at least one), so that while a storm hashes the
   * event loop keeps a core of its own for everyone else's requests (bench/storm.ts measures both).
   */
  concurrency?: number;
  /**
   * How long a request may expect to wait in line (ms, from the hashes ahead of it); beyond that it is refused at
   * once with SERVICE_UNAVAILABLE. Default one second: a hall's storm is served from the first millisecond, and
   * nobody waits long on a request that may be abandoned.
   */
  maxWaitMs?: number;
}

/**
 * Password hashing with a bound: `concurrency` hashes run at once (on libuv's pool, which argon2 uses), those who
 * can expect a slot within `maxWaitMs` wait in line, and the next is refused at once with a retryable
 * SERVICE_UNAVAILABLE saying when to come back. Those times are handed out as a schedule, one hash's worth apart
 * from the time the line will be half as long, so the refused come back at the rate the line drains instead of all
 * together into a full line again.
 */
export class PasswordHasher {
  private readonly concurrency: number;
  private readonly maxWaitMs: number;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** A moving average of one hash's wall time (ms), to say how long the line is. */
  private averageMs = 30;
  /** The next free time in the come-back schedule (performance.now() ms). */
  private comeBackAt = 0;

  constructor(limits: HasherLimits = {}) {
    this.concurrency = Math.max(1, limits.concurrency ?? availableParallelism() - 1);
    this.maxWaitMs = Math.max(0, limits.maxWaitMs ?? 1000);
  }

  /** Throws ServiceBusyError now if a request arriving now would be refused: lets a caller refuse before other work. */
  admit(): void {
    const wait = this.expectedWaitMs();
    if (wait > this.maxWaitMs) {
      const now = performance.now();
      const at = Math.max(now + wait - this.maxWaitMs / 2, this.comeBackAt);
      this.comeBackAt = at + this.averageMs / this.concurrency;
      const retryAfterMs = Math.ceil(at - now);
      throw new ServiceBusyError(`the server is checking ${this.running + this.waiting.length} passwords; try again in ${retryAfterMs} ms`, retryAfterMs, 'password-hashing');
    }
  }

  /**
   * Runs `work` (which hashes or verifies) in a slot; throws ServiceBusyError at once when the line is full, before
   * `work` has done anything.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      this.admit();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.averageMs = 0.8 * this.averageMs + 0.2 * (performance.now() - started);
      const next = this.waiting.shift();
      // The slot passes straight to the next in line, so `running` never dips and lets a newcomer jump the queue.
      if (next) next();
      else this.running -= 1;
    }
  }

  /** How many hashes run and wait now. */
  load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** What a request arriving now would wait for a slot (0 with one free). */
  private expectedWaitMs(): number {
    if (this.running < this.concurrency) return 0;
    return ((this.waiting.length + 1) / this.concurrency) * this.averageMs;
  }
}
