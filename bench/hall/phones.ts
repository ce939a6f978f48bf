import { performance } from 'node:perf_hooks';
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Latency, latency, round } from '../storm/phases';
import { ROOM_STATE } from './world';

/** One attendee's phone following roomState over graphql-ws (graphql-transport-ws), signed in by its token. */
export class Phone {
  state: any = null;
  messages = 0;
  /** When the first snapshot arrived, from the subscription's start (ms); null until then. */
  firstMs: number | null = null;
  error: string | null = null;
  completed = false;
  private readonly client: Client;
  private stop: (() => void) | null = null;

  constructor(
    url: string,
    token: string,
    private readonly onState: (phone: Phone) => void,
  ) {
    this.client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: true, retryAttempts: 0 });
  }

  subscribe(sessionId: string, started: number, done: () => void): void {
    let first = true;
    this.stop = this.client.subscribe<any>(
      { query: ROOM_STATE, variables: { s: sessionId } },
      {
        next: (result) => {
          this.messages += 1;
          if (result.errors?.length) {
            this.error ??= String(result.errors[0].extensions?.code ?? 'GRAPHQL_ERROR');
          } else if (result.data?.roomState) {
            this.state = result.data.roomState;
            this.onState(this);
          }
          if (first) {
            first = false;
            this.firstMs = performance.now() - started;
            done();
          }
        },
        error: (err) => {
          this.error ??= describe(err);
          if (first) {
            first = false;
            done();
          }
        },
        complete: () => {
          this.completed = true;
          if (first) {
            first = false;
            done();
          }
        },
      },
    );
  }

  async close(): Promise<void> {
    this.stop?.();
    await this.client.dispose();
  }
}

function describe(err: unknown): string {
  if (Array.isArray(err)) return String(err[0]?.extensions?.code ?? 'GRAPHQL_ERROR');
  if (err && typeof err === 'object' && 'code' in err && 'reason' in err) return `CLOSE_${(err as { code: number }).code}`;
  if (err instanceof Error) return `TRANSPORT ${err.message.slice(0, 80)}`;
  return 'UNKNOWN';
}

export interface Seen {
  /** Per phone: when its state first satisfied the condition, from until()'s call (ms); null if not within the timeout. */
  times: (number | null)[];
  firstMs: number | null;
  lastMs: number;
  all: boolean;
  firstOf(i: number): number | null;
}

interface Waiter {
  test: (state: any) => boolean;
  started: number;
  times: (number | null)[];
  left: number;
  done: () => void;
}

/** Every attendee's phone in the hall, following one session's roomState. */
export class Hall {
  readonly phones: Phone[];
  private readonly waiters = new Set<Waiter>();

  constructor(url: string, tokens: string[]) {
    this.phones = tokens.map((t) => new Phone(url, t, (p) => this.check(p)));
  }

  /** Resolves once every phone's latest state satisfies `test` (or after `timeoutMs`), with when each one did. */
  until(test: (state: any) => boolean, timeoutMs: number): Promise<Seen> {
    return new Promise((resolve) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        test,
        started,
        times: this.phones.map(() => null),
        left: this.phones.length,
        done: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          const got = waiter.times.filter((t): t is number => t !== null);
          resolve({
            times: waiter.times,
            firstMs: got.length ? Math.min(...got) : null,
            lastMs: got.length ? Math.max(...got) : NaN,
            all: got.length === this.phones.length,
            firstOf: (i) => waiter.times[i],
          });
        },
      };
      this.waiters.add(waiter);
      this.phones.forEach((p, i) => {
        if (p.state && test(p.state)) {
          waiter.times[i] = 0;
          waiter.left -= 1;
        }
      });
      if (waiter.left === 0) return waiter.done();
      timer = setTimeout(waiter.done, timeoutMs);
    });
  }

  private check(phone: Phone): void {
    const i = this.phones.indexOf(phone);
    for (const w of [...this.waiters]) {
      if (w.times[i] === null && w.test(phone.state)) {
        w.times[i] = performance.now() - w.started;
        if (--w.left === 0) w.done();
      }
    }
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.phones.map((p) => p.close()));
  }
}

export interface SubscribePhase {
  phones: number;
  firstSnapshot: Latency;
  /** From the first subscribe until every phone had its first snapshot. */
  allMs: number;
  withSnapshot: number;
  errorsByCode: Record<string, number>;
  /** The attendance the snapshots showed (the first phone's). */
  attendance: { expected: number; present: number } | null;
}

/** Every phone opens its WebSocket and subscribes to roomState at once; time to each one's first snapshot. */
export async function subscribeAll(hall: Hall, sessionId: string): Promise<SubscribePhase> {
  const started = performance.now();
  await Promise.all(hall.phones.map((p) => new Promise<void>((done) => p.subscribe(sessionId, started, done))));
  const allMs = performance.now() - started;
  const firsts = hall.phones.filter((p) => p.firstMs !== null && p.state).map((p) => p.firstMs!);
  const errors = hall.phones.map((p) => p.error).filter((e): e is string => e !== null);
  return {
    phones: hall.phones.length,
    firstSnapshot: latency(firsts),
    allMs: round(allMs),
    withSnapshot: firsts.length,
    errorsByCode: errors.reduce<Record<string, number>>((acc, c) => ((acc[c] = (acc[c] ?? 0) + 1), acc), {}),
    attendance: hall.phones[0].state?.attendance ?? null,
  };
}
