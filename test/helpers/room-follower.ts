import { createClient, Client } from 'graphql-ws';
import WebSocket from 'ws';

const EVENTS = `subscription($s: ID!, $a: Int) { roomEvents(sessionId: $s, afterSeq: $a) { seq type data } }`;

export interface ReceivedEvent {
  seq: number;
  type: string;
  commentId: number | null;
  at: number;
}

export interface FollowerOptions {
  name: string;
  /** WebSocket URLs, tried round robin: a failed connection or a dropped one moves to the next. */
  urls: string[];
  token: string;
  sessionId: string;
  /** graphql-ws ping interval (ms). */
  keepAliveMs?: number;
  /** A ping unanswered for this long means the network is gone: the socket is dropped and the client reconnects. */
  pongTimeoutMs?: number;
  /** Base wait between reconnection attempts (ms); each wait adds up to the same again at random. */
  retryWaitMs?: number;
}

/**
 * A phone in the hall following `roomEvents`: graphql-ws with endless retries, a pong timeout that notices a silent
 * network, and a subscription that always resumes with `afterSeq` = the last seq it saw. It records what it
 * received exactly as received (no de-duplication), so a test can tell gaps and duplicates from the server's.
 */
export class RoomFollower {
  readonly name: string;
  urls: string[];
  readonly events: ReceivedEvent[] = [];
  /** Out-of-order deliveries, as they happened: duplicates and gaps. */
  readonly anomalies: string[] = [];
  /** GraphQL errors the server sent on the subscription, and why it had to be started again. */
  readonly serverErrors: string[] = [];
  readonly resubscribes: { at: number; why: string }[] = [];
  readonly closes: { code: number; reason: string; at: number; url: string | null }[] = [];
  readonly connections: { url: string; at: number }[] = [];
  readonly pongTimeouts: number[] = [];
  /** When each comment's COMMENT_POSTED arrived (first time). */
  readonly commentSeenAt = new Map<number, number>();
  lastSeq = 0;
  connected = false;
  currentUrl: string | null = null;

  private index = 0;
  private attemptUrl: string | null = null;
  private keepIndexOnce = false;
  private disposed = false;
  private unsubscribe: (() => void) | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private readonly client: Client;
  private readonly waiters = new Set<() => void>();
  private readonly options: Required<FollowerOptions>;

  constructor(options: FollowerOptions) {
    this.options = { keepAliveMs: 2000, pongTimeoutMs: 3000, retryWaitMs: 250, ...options };
    this.name = options.name;
    this.urls = [...options.urls];
    const o = this.options;
    this.client = createClient({
      url: () => {
        this.attemptUrl = this.urls[this.index % this.urls.length];
        return this.attemptUrl;
      },
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${o.token}` },
      lazy: true,
      lazyCloseTimeout: 1000,
      keepAlive: o.keepAliveMs,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, o.retryWaitMs + Math.random() * o.retryWaitMs)),
      on: {
        connected: () => {
          this.connected = true;
          this.currentUrl = this.attemptUrl;
          this.connections.push({ url: this.attemptUrl!, at: Date.now() });
        },
        closed: (event) => {
          const e = event as { code?: number; reason?: string };
          this.closes.push({ code: e.code ?? 0, reason: e.reason ?? '', at: Date.now(), url: this.attemptUrl });
          this.connected = false;
          this.currentUrl = null;
          this.clearPongTimer();
          // Round robin: whatever failed (the connection or the attempt), try the next URL.
          if (this.keepIndexOnce) this.keepIndexOnce = false;
          else this.index = (this.index + 1) % this.urls.length;
        },
        ping: (received) => {
          if (received) return;
          this.clearPongTimer();
          this.pongTimer = setTimeout(() => {
            this.pongTimeouts.push(Date.now());
            this.client.terminate();
          }, o.pongTimeoutMs);
        },
        pong: (received) => {
          if (received) this.clearPongTimer();
        },
      },
    });
  }

  /** Subscribes from the start of the log (afterSeq 0). */
  start(): this {
    this.subscribe();
    return this;
  }

  /** Whether the client is connected through this URL now. */
  isOn(url: string): boolean {
    return this.connected && this.currentUrl === url;
  }

  /** A load balancer moving the client: drops the socket and reconnects to `urls[index]`, resuming with afterSeq. */
  moveTo(index: number): void {
    this.index = index % this.urls.length;
    this.keepIndexOnce = true;
    this.client.terminate();
  }

  /** Resolves with the time this follower had seen `seq`, or rejects after `timeoutMs`. */
  waitForSeq(seq: number, timeoutMs: number): Promise<number> {
    if (this.lastSeq >= seq) return Promise.resolve(Date.now());
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.lastSeq >= seq) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(Date.now());
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.name} saw seq ${this.lastSeq}, not ${seq}, within ${timeoutMs} ms (connected: ${this.connected})`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Resolves once connected through `url`. */
  async waitOn(url: string, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.isOn(url)) {
      if (Date.now() > until) throw new Error(`${this.name} is not on ${url} after ${timeoutMs} ms (on ${this.currentUrl})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.clearPongTimer();
    this.unsubscribe?.();
    // While reconnecting, graphql-ws rejects the pending connection with "All Subscriptions Gone": expected here.
    await Promise.resolve(this.client.dispose()).catch(() => undefined);
  }

  private subscribe(): void {
    if (this.disposed) return;
    const self = this;
    const payload = {
      query: EVENTS,
      // Read each time graphql-ws (re)sends the subscription, i.e. after every reconnect: resume after the last seq.
      get variables() {
        return { s: self.options.sessionId, a: self.lastSeq };
      },
    };
    let ended = false;
    const again = (why: string) => {
      if (ended || this.disposed) return;
      ended = true;
      this.resubscribes.push({ at: Date.now(), why });
      setTimeout(() => this.subscribe(), this.options.retryWaitMs);
    };
    this.unsubscribe = this.client.subscribe(payload, {
      next: (value) => {
        if (value.errors) {
          this.serverErrors.push(JSON.stringify(value.errors));
          return;
        }
        const e = (value.data as { roomEvents?: { seq: number; type: string; data: { commentId?: number } | null } } | null)?.roomEvents;
        if (e) this.receive(e);
      },
      error: (err) => again(`error: ${err instanceof Error ? err.message : JSON.stringify(err)}`),
      complete: () => again('complete'),
    });
  }

  private receive(e: { seq: number; type: string; data: { commentId?: number } | null }): void {
    const at = Date.now();
    if (e.seq <= this.lastSeq) this.anomalies.push(`duplicate: seq ${e.seq} after ${this.lastSeq}`);
    else if (e.seq > this.lastSeq + 1) this.anomalies.push(`gap: seqs ${this.lastSeq + 1}..${e.seq - 1} skipped`);
    const commentId = typeof e.data?.commentId === 'number' ? e.data.commentId : null;
    this.events.push({ seq: e.seq, type: e.type, commentId, at });
    if (e.type === 'COMMENT_POSTED' && commentId !== null && !this.commentSeenAt.has(commentId)) this.commentSeenAt.set(commentId, at);
    this.lastSeq = Math.max(this.lastSeq, e.seq);
    for (const waiter of [...this.waiters]) waiter();
  }

  private clearPongTimer(): void {
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }
}
