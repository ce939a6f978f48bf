const POST = `mutation($s: ID!, $b: String!, $c: String) { postComment(sessionId: $s, body: $b, clientId: $c) { id } }`;

export interface Attempt {
  start: number;
  end: number;
  outcome: string;
  url: string;
}

export interface Ack {
  clientId: string;
  id: number;
  author: string;
  /** When the acknowledgement arrived. */
  at: number;
  url: string;
  /** Every attempt, the acknowledged one last. */
  attempts: Attempt[];
}

interface Pending {
  clientId: string;
  attempts: Attempt[];
  /** An attempt may have stored it (no clear answer): it must be retried, with the same clientId, until answered. */
  ambiguous: boolean;
}

export interface PosterOptions {
  sessionId: string;
  /**
   * Between the starts of two new comments of one commenter. The default, 6.1 s, is the fastest the server's
   * default limits (1 per 3 s, 10 per minute) allow; a server started with a looser COMMENT_RATE_LIMIT allows more.
   */
  paceMs?: number;
  /** A request without an answer after this long counts as unanswered (retried). */
  requestTimeoutMs?: number;
  retryMs?: number;
}

/**
 * One commenter (a leader: comments go straight through) posting to the first URL that answers, round robin.
 * Every comment has a clientId; a comment whose outcome is unknown is retried with the same clientId until it is
 * acknowledged, so the test knows exactly which comments the server acknowledged.
 */
class Poster {
  readonly acks: Ack[] = [];
  readonly outcomes = new Map<string, number>();
  /** The slowest answer per outcome (ms). */
  readonly slowest = new Map<string, number>();
  readonly unexpected: string[] = [];
  urls: string[] = [];
  index = 0;
  idle = false;
  private n = 0;
  private pending: Pending | null = null;
  private nextNewAt = 0;
  private wake: (() => void) | null = null;
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly username: string,
    private readonly token: string,
    private readonly crowd: PostingCrowd,
    private readonly o: Required<PosterOptions>,
  ) {}

  /** Nothing in flight and nothing of unknown outcome. */
  get settled(): boolean {
    return this.idle && !(this.pending?.ambiguous ?? false);
  }

  kick(): void {
    this.wake?.();
  }

  run(): void {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.crowd.stopped) {
      const mustFinish = this.pending?.ambiguous ?? false;
      if (!mustFinish && this.crowd.paused) {
        await this.sleepUntilWoken();
        continue;
      }
      if (!this.pending) {
        const wait = this.nextNewAt - Date.now();
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
        this.pending = { clientId: `${this.username}-${++this.n}`, attempts: [], ambiguous: false };
        this.nextNewAt = Date.now() + this.o.paceMs;
      }
      await this.attempt(this.pending);
    }
  }

  private async attempt(p: Pending): Promise<void> {
    const url = this.urls[this.index % this.urls.length];
    const t0 = Date.now();
    const attempt: Attempt = { start: t0, end: t0, outcome: '', url };
    p.attempts.push(attempt);
    let outcome: string;
    let retryAfterMs = this.o.retryMs;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ query: POST, variables: { s: this.o.sessionId, b: `故障演练 ${p.clientId}`, c: p.clientId } }),
        signal: AbortSignal.timeout(this.o.requestTimeoutMs),
      });
      const body = (await res.json().catch(() => null)) as { data?: { postComment?: { id: string } | null }; errors?: { message: string; extensions?: { code?: string; retryAfterMs?: number } }[] } | null;
      const id = body?.data?.postComment?.id;
      if (id) {
        this.acks.push({ clientId: p.clientId, id: Number(id), author: this.username, at: Date.now(), url, attempts: p.attempts });
        attempt.end = Date.now();
        attempt.outcome = 'ok';
        this.pending = null;
        outcome = 'ok';
      } else {
        const error = body?.errors?.[0];
        outcome = error?.extensions?.code ?? `HTTP ${res.status}`;
        if (outcome === 'RATE_LIMITED') {
          // Refused before anything was written (the retry check by clientId comes first): not stored by this attempt.
          retryAfterMs = (error?.extensions?.retryAfterMs ?? 1000) + 50;
        } else {
          p.ambiguous = true;
          if (outcome !== 'SERVICE_UNAVAILABLE') this.unexpected.push(`${p.clientId} → ${outcome}: ${error?.message ?? res.status} (${url})`);
          if (res.status >= 500) this.index += 1;
        }
      }
    } catch (err) {
      outcome = (err as Error).name === 'TimeoutError' ? 'timeout' : 'network';
      p.ambiguous = true;
      this.index += 1;
    }
    const ms = Date.now() - t0;
    attempt.end = t0 + ms;
    attempt.outcome = outcome;
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    this.slowest.set(outcome, Math.max(this.slowest.get(outcome) ?? 0, ms));
    if (outcome !== 'ok') await this.sleep(retryAfterMs);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).then(() => {
      this.wake = null;
    });
  }

  private async sleepUntilWoken(): Promise<void> {
    this.idle = true;
    await this.sleep(1000);
    this.idle = false;
  }
}

/** The commenters of the hall, posting in the background while a test breaks things. */
export class PostingCrowd {
  readonly posters: Poster[];
  paused = true;
  stopped = false;

  constructor(commenters: { username: string; token: string }[], options: PosterOptions) {
    const o: Required<PosterOptions> = { paceMs: 6100, requestTimeoutMs: 10_000, retryMs: 400, ...options };
    this.posters = commenters.map((c) => new Poster(c.username, c.token, this, o));
  }

  /** Spreads the commenters over these GraphQL URLs (each moves on to the next when one fails). */
  useUrls(urls: string[]): void {
    this.posters.forEach((p, i) => {
      p.urls = [...urls];
      p.index = i % urls.length;
    });
  }

  start(): void {
    this.posters.forEach((p) => p.run());
  }

  resume(): void {
    this.paused = false;
    this.posters.forEach((p) => p.kick());
  }

  pause(): void {
    this.paused = true;
  }

  /** Pauses and waits until no request is in flight and every comment of unknown outcome has been answered. */
  async quiesce(timeoutMs: number): Promise<void> {
    this.pause();
    // Cut short the waits (pace, rate limit): an idle commenter with nothing of unknown outcome is settled.
    this.posters.forEach((p) => p.kick());
    const until = Date.now() + timeoutMs;
    while (!this.posters.every((p) => p.settled)) {
      if (Date.now() > until) {
        const busy = this.posters.filter((p) => !p.settled).map((p) => `${p.username} (${[...p.outcomes].map(([k, v]) => `${k}×${v}`).join(', ')})`);
        throw new Error(`commenters still busy after ${timeoutMs} ms: ${busy.join('; ')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.posters.forEach((p) => p.kick());
    await Promise.all(this.posters.map((p) => p.done));
  }

  acks(): Ack[] {
    return this.posters.flatMap((p) => p.acks);
  }

  outcomes(): Record<string, number> {
    const all: Record<string, number> = {};
    for (const p of this.posters) for (const [k, v] of p.outcomes) all[k] = (all[k] ?? 0) + v;
    return all;
  }

  slowest(): Record<string, number> {
    const all: Record<string, number> = {};
    for (const p of this.posters) for (const [k, v] of p.slowest) all[k] = Math.max(all[k] ?? 0, v);
    return all;
  }

  unexpected(): string[] {
    return this.posters.flatMap((p) => p.unexpected);
  }
}
