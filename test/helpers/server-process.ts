import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createClient, Client } from 'graphql-ws';
import WebSocket from 'ws';

const ROOT = join(__dirname, '..', '..');

export interface ServerProcess {
  url: string;
  port: number;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the compiled server (`npm start` without the build) and waits for the line that says where it serves. */
export function startServerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', SEED_DEMO_HISTORY: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /serving (http:\/\/localhost:(\d+)\/graphql)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          port: Number(m[2]),
          output: () => out,
          stop: (signal = 'SIGTERM') =>
            new Promise((done) => {
              if (child.exitCode !== null) return done(child.exitCode);
              child.once('exit', (code) => done(code));
              child.kill(signal);
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before serving:\n${out}`));
    });
  });
}

export async function postGraphQL(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[] } };
}

export function wsClient(httpUrl: string, token?: string): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

/** One result of an operation over a graphql-ws client. */
export function wsOnce(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: any; errors?: any[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: any; errors?: any[] } | undefined;
    client.subscribe({ query, variables }, {
      next: (value) => {
        result = value as typeof result;
      },
      error: reject,
      complete: () => (result ? resolve(result) : reject(new Error('completed without a result'))),
    });
  });
}

export interface LiveSubscription<T = any> {
  /** The next payload, or a rejection after `timeoutMs` without one. */
  next(timeoutMs?: number): Promise<T>;
  /** Everything received so far and not yet taken. */
  drain(): T[];
  dispose(): void;
}

/** Subscribes over graphql-ws and queues what arrives, so a test reads with a timeout instead of sleeping. */
export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): LiveSubscription<T> {
  const items: T[] = [];
  const waiters: { resolve: (v: T) => void; reject: (e: unknown) => void }[] = [];
  let failure: unknown = null;
  const fail = (err: unknown) => {
    failure = err;
    for (const w of waiters.splice(0)) w.reject(err);
  };
  const dispose = client.subscribe({ query, variables }, {
    next: (value) => {
      if (value.errors) return fail(new Error(JSON.stringify(value.errors)));
      const data = (value.data ? Object.values(value.data)[0] : undefined) as T;
      const waiter = waiters.shift();
      if (waiter) waiter.resolve(data);
      else items.push(data);
    },
    error: (err) => fail(err instanceof Error ? err : new Error(JSON.stringify(err))),
    complete: () => undefined,
  });
  return {
    next(timeoutMs = 2000) {
      if (items.length) return Promise.resolve(items.shift()!);
      if (failure) return Promise.reject(failure);
      return new Promise<T>((resolve, reject) => {
        const waiter = {
          resolve: (v: T) => {
            clearTimeout(timer);
            resolve(v);
          },
          reject: (e: unknown) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(failure ?? new Error(`no message within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    drain: () => items.splice(0),
    dispose,
  };
}

/** A port nobody listens on now, for a server process of a test. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
