/**
 * The speech timer as instants (docs/room-log.md): when it started, how long it was given, the extensions, the pauses
 * so far and, while paused, since when. Nothing ticks; every reading is computed from `now`.
 */
export interface TimerState {
  startedAt: number;
  allottedMs: number;
  extendedMs: number;
  pausedMs: number;
  pausedAt: number | null;
}

export interface TimerReading {
  running: boolean;
  allottedMs: number;
  extendedMs: number;
  elapsedMs: number;
  remainingMs: number;
  overtimeMs: number;
  /** When the allowance runs out, while running; null while paused. */
  endsAt: number | null;
}

export function startTimer(at: number, allottedMs: number): TimerState {
  return { startedAt: at, allottedMs, extendedMs: 0, pausedMs: 0, pausedAt: null };
}

/** Time spoken: wall time since start, minus the pauses (including the one in progress). */
export function elapsedMs(t: TimerState, now: number): number {
  const until = t.pausedAt ?? now;
  return Math.max(0, until - t.startedAt - t.pausedMs);
}

export function readTimer(t: TimerState, now: number): TimerReading {
  const budget = t.allottedMs + t.extendedMs;
  const elapsed = elapsedMs(t, now);
  return {
    running: t.pausedAt === null,
    allottedMs: t.allottedMs,
    extendedMs: t.extendedMs,
    elapsedMs: elapsed,
    remainingMs: Math.max(0, budget - elapsed),
    overtimeMs: Math.max(0, elapsed - budget),
    endsAt: t.pausedAt === null ? t.startedAt + t.pausedMs + budget : null,
  };
}

export function pauseTimer(t: TimerState, at: number): TimerState {
  return t.pausedAt !== null ? t : { ...t, pausedAt: at };
}

export function resumeTimer(t: TimerState, at: number): TimerState {
  return t.pausedAt === null ? t : { ...t, pausedMs: t.pausedMs + (at - t.pausedAt), pausedAt: null };
}

export function extendTimer(t: TimerState, ms: number): TimerState {
  return { ...t, extendedMs: t.extendedMs + ms };
}
