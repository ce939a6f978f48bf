/**
 * The server owns time (docs/room-log.md): pages never trust their own clock for the countdown. Each RoomState carries
 * `serverNow`; the difference to the local clock at receipt is the offset, and the countdown is `endsAt` against
 * `Date.now() + offset`. Two screens with skewed clocks therefore show the same remaining time.
 */
export class ServerClock {
  private offset: number | null = null;
  private samples: { offset: number; at: number }[] = [];

  /** Offsets further apart than this are a changed clock (or a new server), not jitter: start over from it. */
  static readonly JUMP_MS = 1000;
  /** How many recent samples, and how recent, the estimate is taken from. */
  static readonly WINDOW = 8;
  static readonly WINDOW_MS = 5 * 60_000;

  /**
   * One observation of the server's clock. `sentAt`/`receivedAt` bracket a request (use the midpoint); for a
   * pushed message pass the receipt time only. A message can only arrive late, never early, so a delayed sample
   * reads the offset too low: the estimate is the highest of the recent samples, which smooths out network and
   * event-loop jitter without averaging the delays in.
   */
  sample(serverNowMs: number, receivedAt: number, sentAt: number = receivedAt): void {
    if (!Number.isFinite(serverNowMs)) return;
    const observed = serverNowMs - (sentAt + receivedAt) / 2;
    if (this.offset !== null && Math.abs(observed - this.offset) > ServerClock.JUMP_MS) this.samples = [];
    this.samples.push({ offset: observed, at: receivedAt });
    this.samples = this.samples.filter((s) => Math.abs(receivedAt - s.at) <= ServerClock.WINDOW_MS).slice(-ServerClock.WINDOW);
    this.offset = Math.max(...this.samples.map((s) => s.offset));
  }

  get synced(): boolean {
    return this.offset !== null;
  }

  /** Milliseconds to add to the local clock to read the server's. */
  get offsetMs(): number {
    return this.offset ?? 0;
  }

  /** The server's time now, as best known. Date.now() only: it is what a skewed machine gets wrong. */
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

export interface TimerView {
  running: boolean;
  remainingMs: number;
  overtimeMs: number;
  endsAt: string | null;
}

export type Tone = 'normal' | 'warn' | 'over';

export interface Countdown {
  /** mm:ss while time is left, +mm:ss in overtime. */
  text: string;
  tone: Tone;
  running: boolean;
  /** Remaining milliseconds; negative in overtime. */
  remainingMs: number;
}

/** The last minute turns amber. */
export const WARN_MS = 60_000;

/**
 * What the clock shows now. While running it is computed locally from `endsAt`; while paused the server's frozen
 * reading is shown as is. Remaining time rounds up (05:00 until a whole second has gone), overtime rounds down.
 */
export function countdown(timer: TimerView, serverNow: number): Countdown {
  const remainingMs =
    timer.running && timer.endsAt ? Date.parse(timer.endsAt) - serverNow : timer.overtimeMs > 0 ? -timer.overtimeMs : timer.remainingMs;
  if (remainingMs > 0) {
    return { text: mmss(Math.ceil(remainingMs / 1000)), tone: remainingMs <= WARN_MS ? 'warn' : 'normal', running: timer.running, remainingMs };
  }
  return { text: `+${mmss(Math.floor(-remainingMs / 1000))}`, tone: 'over', running: timer.running, remainingMs };
}

export function mmss(totalSeconds: number): string {
  const s = Math.max(0, totalSeconds);
  const minutes = Math.floor(s / 60);
  const seconds = s % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}
