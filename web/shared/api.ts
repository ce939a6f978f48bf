import { createClient, type Client } from 'graphql-ws';

/** A GraphQL error as the server reports it, with its stable `extensions.code`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** When the server said to come back (RATE_LIMITED, or a busy SERVICE_UNAVAILABLE), in ms. */
    readonly retryAfterMs: number | null = null,
    /** The server did nothing and the same request may simply be sent again (a full queue, a lock not granted). */
    readonly retryable = false,
  ) {
    super(message);
  }
}

interface GraphQLErrorLike {
  message: string;
  extensions?: { code?: string; retryAfterMs?: unknown; retryable?: unknown };
}

function firstError(errors: readonly GraphQLErrorLike[]): ApiError {
  const e = errors[0];
  const retryAfterMs = typeof e?.extensions?.retryAfterMs === 'number' ? e.extensions.retryAfterMs : null;
  return new ApiError(e?.message ?? 'unknown error', e?.extensions?.code ?? 'UNKNOWN', retryAfterMs, e?.extensions?.retryable === true);
}

/**
 * `send()` again while the server answers that it is busy and nothing was done (retryable, with when to come
 * back), for at most `budgetMs`; `waiting` is told each time. Any other answer, or the budget spent, is final.
 */
export async function whileBusy<T>(send: () => Promise<T>, waiting: (ms: number) => void, budgetMs = 30_000): Promise<T> {
  const until = Date.now() + budgetMs;
  for (;;) {
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof ApiError && err.retryable && err.retryAfterMs !== null && Date.now() + err.retryAfterMs < until)) throw err;
      waiting(err.retryAfterMs);
      await new Promise((resolve) => setTimeout(resolve, err.retryAfterMs! + Math.random() * 100));
    }
  }
}

/**
 * POST /graphql on the page's own origin. `anonymous` sends nothing that could name the caller: no Authorization,
 * no cookies, no Referer (castAnonymousBallot).
 */
export async function graphql<T>(query: string, variables: Record<string, unknown> = {}, token?: string | null, options: { anonymous?: boolean } = {}): Promise<T> {
  let res: Response;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token && !options.anonymous) headers.authorization = `Bearer ${token}`;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      ...(options.anonymous ? { credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store' } : {}),
    });
  } catch {
    throw new ApiError('the server is unreachable', 'NETWORK');
  }
  let body: { data?: T; errors?: GraphQLErrorLike[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`the server answered ${res.status}`, 'NETWORK');
  }
  if (body.errors?.length) throw firstError(body.errors);
  if (!body.data) throw new ApiError('empty answer', 'UNKNOWN');
  return body.data;
}

export type LinkStatus = 'connecting' | 'online' | 'offline';

export interface LiveOptions<T> {
  token: string;
  query: string;
  variables: Record<string, unknown>;
  /** Every payload of the subscription; after a reconnect the first one is a full snapshot again. */
  onData(data: T, receivedAt: number): void;
  onStatus(status: LinkStatus): void;
  /**
   * A GraphQL error on the subscription (e.g. FORBIDDEN), retried after a while all the same; or the token refused
   * at connection_init (UNAUTHENTICATED), tried again only once a minute.
   */
  onError(error: ApiError): void;
  /** Called after each (re)connection, e.g. to read what the subscription does not carry. */
  onConnected?(client: Client): void;
}

/** Backoff between reconnection attempts: doubling from 250 ms, capped at 5 s, with jitter so screens spread out. */
export function backoffMs(attempt: number): number {
  const base = Math.min(5000, 250 * 2 ** Math.min(attempt, 10));
  return base / 2 + Math.random() * (base / 2);
}

const PING_EVERY_MS = 10_000;
const PONG_WITHIN_MS = 5_000;
/** The close code with which the server refuses the token sent in connection_init (reason `Forbidden: <why>`). */
const FORBIDDEN = 4403;
/**
 * A refused token stays refused: it is tried again this rarely (with jitter), only so that a screen left on the wall
 * recovers by itself if the server comes to accept it (a secret restored), without hammering the server meanwhile.
 */
const REFUSED_RETRY_MS = 60_000;

/** The server's refusal of this socket (close 4403), as an error the pages show; null for any other close. */
function refusalOf(err: unknown): ApiError | null {
  if (typeof err !== 'object' || err === null || (err as { code?: unknown }).code !== FORBIDDEN) return null;
  const reason = String((err as { reason?: unknown }).reason ?? '');
  const why = /^Forbidden: (.+)$/.exec(reason);
  return why ? new ApiError(why[1], 'UNAUTHENTICATED') : new ApiError(reason || 'forbidden', 'FORBIDDEN');
}

/**
 * A subscription that lives for ever: graphql-ws retries lost connections (and resubscribes, so the first message
 * after a reconnect is a new full snapshot); a silent socket is detected by ping/pong; anything graphql-ws gives up
 * on (a fatal close code, an error result) starts a fresh client after a backoff. A refused token (close 4403) is
 * the exception: it is reported through `onError` and tried again only after REFUSED_RETRY_MS.
 */
export function liveSubscription<T>(opts: LiveOptions<T>): { dispose(): void } {
  let disposed = false;
  let client: Client | null = null;
  let stopSubscription: (() => void) | null = null;
  let failures = 0;
  let restartTimer: number | undefined;

  const start = () => {
    if (disposed) return;
    let pongTimer: number | undefined;
    let socket: WebSocket | null = null;
    const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    const c = createClient({
      url: wsUrl,
      connectionParams: { authorization: `Bearer ${opts.token}` },
      lazy: true,
      keepAlive: PING_EVERY_MS,
      retryAttempts: Infinity,
      // Network losses, 1001/1012/1013 and the rest are retried; 4403 goes to the subscription's error handler.
      shouldRetry: (err) => refusalOf(err) === null,
      retryWait: async (retries) => {
        await new Promise((resolve) => setTimeout(resolve, backoffMs(retries)));
      },
      on: {
        connecting: () => opts.onStatus('connecting'),
        opened: (s) => {
          socket = s as WebSocket;
        },
        connected: () => {
          failures = 0;
          opts.onConnected?.(c);
        },
        closed: () => {
          socket = null;
          clearTimeout(pongTimer);
          if (!disposed) opts.onStatus('offline');
        },
        ping: (received) => {
          if (received) return;
          clearTimeout(pongTimer);
          // 4408: graphql-ws retries it; a half-open TCP connection would otherwise go unnoticed for minutes.
          pongTimer = window.setTimeout(() => socket?.readyState === WebSocket.OPEN && socket.close(4408, 'pong timeout'), PONG_WITHIN_MS);
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
      },
    });
    client = c;
    let online = false;
    let finished = false;
    const restart = (why: ApiError | null, waitMs?: number) => {
      if (finished) return;
      finished = true;
      if (why) opts.onError(why);
      if (disposed) return;
      opts.onStatus('offline');
      stopSubscription = null;
      void c.dispose();
      clearTimeout(restartTimer);
      restartTimer = window.setTimeout(start, waitMs ?? (why ? Math.max(5000, backoffMs(failures++)) : backoffMs(failures++)));
    };
    stopSubscription = c.subscribe<T>(
      { query: opts.query, variables: opts.variables },
      {
        next: (result) => {
          if (result.errors?.length) {
            restart(firstError(result.errors as GraphQLErrorLike[]));
            return;
          }
          if (!online) {
            online = true;
            opts.onStatus('online');
          }
          if (result.data) opts.onData(result.data as T, Date.now());
        },
        error: (err) => {
          online = false;
          const refused = refusalOf(err);
          if (refused) return restart(refused, REFUSED_RETRY_MS * (0.75 + Math.random() / 2));
          restart(Array.isArray(err) && err.length ? firstError(err as GraphQLErrorLike[]) : null);
        },
        complete: () => {
          // The server completes a room subscription only when it goes away; come back.
          online = false;
          if (!disposed) restart(null);
        },
      },
    );
    // graphql-ws resubscribes by itself after a retried close: mark us offline until the next snapshot arrives.
    c.on('closed', () => {
      online = false;
    });
  };

  start();
  return {
    dispose() {
      disposed = true;
      clearTimeout(restartTimer);
      stopSubscription?.();
      void client?.dispose();
    },
  };
}

/** A one-off query over an open graphql-ws client (the screen has no HTTP session of its own). */
export function queryOver<T>(client: Client, query: string, variables: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    let data: T | undefined;
    client.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          if (r.errors?.length) reject(firstError(r.errors as GraphQLErrorLike[]));
          else data = r.data as T;
        },
        error: (err) => reject(Array.isArray(err) && err.length ? firstError(err as GraphQLErrorLike[]) : new ApiError('connection lost', 'NETWORK')),
        complete: () => (data ? resolve(data) : reject(new ApiError('no answer', 'UNKNOWN'))),
      },
    );
  });
}
