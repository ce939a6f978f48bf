import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface GqlError {
  message: string;
  extensions?: { code?: string; retryAfterMs?: unknown; [key: string]: unknown };
}

export interface GqlResponse {
  status: number;
  data?: Record<string, any> | null;
  errors?: GqlError[];
  /** From a `Retry-After` header on a 429 or 503 without a GraphQL body (a proxy's answer, say). */
  retryAfterHeaderMs?: number;
}

/** The codes a client sends again after `extensions.retryAfterMs`: a full hashing queue, a throttle. */
export const RETRYABLE = new Set(['SERVICE_UNAVAILABLE', 'RATE_LIMITED']);
/** An abandoned keep-alive socket the server closed just as we wrote: sent once more on a new connection. */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE']);

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * One phone, console or attacker: its own keep-alive connection(s), opened before the measurement (a phone that
 * shows the sign-in page is already connected), and its own source address. The server trusts X-Forwarded-For
 * from loopback (its proxy), so `source` is the address it sees and counts per.
 */
export class Device {
  private readonly agent: Agent;
  /** Requests sent again because a kept-alive socket had been closed under them. */
  staleRetries = 0;

  /** `sockets` are opened by warm(); up to `maxSockets` (default: as many) may be open at once. */
  constructor(
    private readonly base: string,
    readonly source: string | null,
    private readonly sockets = 1,
    maxSockets = sockets,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Opens the device's sockets (one GET /healthz on each), so the measured requests find them connected. */
  async warm(): Promise<void> {
    await Promise.all(Array.from({ length: this.sockets }, () => this.raw('GET', '/healthz', null)));
  }

  /** One GraphQL request over HTTP POST /graphql; never throws for a GraphQL error, only for a broken transport. */
  async post(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResponse> {
    const body = JSON.stringify({ query, variables });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    let answer: { status: number; text: string; retryAfter: string | undefined };
    try {
      answer = await this.raw('POST', '/graphql', body, headers);
    } catch (err) {
      if (!STALE_SOCKET.has((err as NodeJS.ErrnoException).code ?? '') || !(err as { reused?: boolean }).reused) throw err;
      this.staleRetries += 1;
      answer = await this.raw('POST', '/graphql', body, headers);
    }
    let parsed: { data?: Record<string, any> | null; errors?: GqlError[] } = {};
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      parsed = { errors: [{ message: answer.text.slice(0, 200), extensions: { code: `HTTP_${answer.status}` } }] };
    }
    const header = answer.retryAfter !== undefined && (answer.status === 429 || answer.status === 503) ? Number(answer.retryAfter) * 1000 : NaN;
    return { status: answer.status, data: parsed.data, errors: parsed.errors, ...(Number.isFinite(header) ? { retryAfterHeaderMs: header } : {}) };
  }

  close(): void {
    this.agent.destroy();
  }

  private raw(method: string, path: string, body: string | null, headers: Record<string, string> = {}) {
    if (this.source) headers['x-forwarded-for'] = this.source;
    if (body !== null) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise<{ status: number; text: string; retryAfter: string | undefined }>((resolve, reject) => {
      const req = request(`${this.base}${path}`, { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), retryAfter: res.headers['retry-after'] }));
        res.on('error', reject);
      });
      req.on('error', (err) => reject(Object.assign(err, { reused: req.reusedSocket })));
      req.end(body ?? undefined);
    });
  }
}

/** The first error's code, or null for an answer with data and no errors. */
export function errorCode(res: GqlResponse): string | null {
  if (!res.errors?.length) return res.data ? null : `HTTP_${res.status}`;
  return String(res.errors[0].extensions?.code ?? `HTTP_${res.status}`);
}

/** How long the answer asks the client to wait before sending the same request again, or null if it does not. */
export function retryAfterMs(res: GqlResponse): number | null {
  const err = res.errors?.[0];
  const code = err?.extensions?.code;
  if (err && typeof code === 'string' && RETRYABLE.has(code) && typeof err.extensions?.retryAfterMs === 'number') return Math.max(0, err.extensions.retryAfterMs);
  return res.retryAfterHeaderMs ?? null;
}

/** A few ms, more for longer waits, so that clients told the same time do not all come back in the same instant. */
export const jitter = (waitMs: number) => Math.random() * Math.min(250, 20 + waitMs * 0.1);

export interface Outcome {
  ok: boolean;
  /** From the first send to the final answer, the waits included. */
  ms: number;
  /** Performance-clock time of the final answer. */
  doneAt: number;
  /** Answers honoured by waiting and sending again. */
  retries: number;
  /** The final answer's code (null when it succeeded); TRANSPORT for a broken connection. */
  code: string | null;
  /** The codes of the answers that were retried, with their counts. */
  retriedCodes: Record<string, number>;
  /** The client stopped because the next wait would pass its budget. */
  gaveUp: boolean;
  /** The last wait asked for. */
  lastRetryAfterMs: number | null;
  data?: Record<string, any> | null;
  message?: string;
}

/**
 * Sends a request until it gets a final answer, honouring every retryable one (SERVICE_UNAVAILABLE or RATE_LIMITED
 * with retryAfterMs: wait that long plus a little jitter, send again), within `budgetMs` from the first send.
 */
export async function untilAnswered(send: () => Promise<GqlResponse>, budgetMs: number): Promise<Outcome> {
  const start = performance.now();
  const retriedCodes: Record<string, number> = {};
  let retries = 0;
  let lastRetryAfterMs: number | null = null;
  for (;;) {
    let res: GqlResponse;
    try {
      res = await send();
    } catch (err) {
      const now = performance.now();
      return { ok: false, ms: now - start, doneAt: now, retries, code: 'TRANSPORT', retriedCodes, gaveUp: false, lastRetryAfterMs, message: (err as Error).message };
    }
    const now = performance.now();
    const code = errorCode(res);
    if (code === null) return { ok: true, ms: now - start, doneAt: now, retries, code: null, retriedCodes, gaveUp: false, lastRetryAfterMs, data: res.data };
    const wait = retryAfterMs(res);
    const final = { ok: false, ms: now - start, doneAt: now, retries, code, retriedCodes, lastRetryAfterMs: wait ?? lastRetryAfterMs, data: res.data, message: res.errors?.[0]?.message };
    if (wait === null) return { ...final, gaveUp: false };
    const pause = wait + jitter(wait);
    if (now - start + pause > budgetMs) return { ...final, gaveUp: true };
    lastRetryAfterMs = wait;
    retriedCodes[code] = (retriedCodes[code] ?? 0) + 1;
    retries += 1;
    await sleep(pause);
  }
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function pooled<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
