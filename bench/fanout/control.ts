import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * The tiny HTTP control channel every bench server exposes beside its WebSocket port, so that the load generator
 * (another process) can trigger events and read the server's own CPU, memory and event-loop lag. Kept identical
 * for the three servers, so its (small) cost falls on all of them alike.
 */

/** The subscription every bench client sends: the big screen's selection, trimmed to what a screen draws. */
export const ROOM_SELECTION =
  'subscription Room($s: ID!) { roomState(sessionId: $s) { seq phase serverNow current { speech { order cadre { name position region { name } } } timer { running remainingMs endsAt } interruptions { reason } } upcoming { order cadre { name } } comments { body authorName } } }';

export interface ServerInfo {
  /** One token per client for connection_init (none for the raw server). */
  tokens: string[];
  sessionId: string;
  seq: number;
  pid: number;
}

export interface ServerStats {
  pid: number;
  /** process.cpuUsage(), user + system, in ms since the process started. */
  cpuMs: number;
  rss: number;
  heapUsed: number;
  external: number;
  /** Event-loop lag since the last reset (monitorEventLoopDelay, sampled every 10 ms), in ms. */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** Open WebSocket connections (as the server counts them). */
  sockets: number;
}

export interface ControlHandlers {
  /** What `clients` clients need to connect and subscribe. */
  info(clients: number): Promise<ServerInfo>;
  /** Causes one room change and resolves with its seq once the server has committed (and started broadcasting) it. */
  emit(): Promise<number>;
  sockets(): number;
}

/** Starts the control server on an ephemeral port; prints `control <port>` on stdout once listening. */
export async function serveControl(handlers: ControlHandlers, port = 0): Promise<Server> {
  const RESOLUTION_MS = 10;
  const lag = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  // The histogram holds the intervals between its timer's wake-ups: the lag is what exceeds the resolution.
  const lagMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  lag.enable();
  const gc = (globalThis as { gc?: () => void }).gc;
  const stats = (query: URLSearchParams): ServerStats => {
    const cpu = process.cpuUsage();
    const result = {
      pid: process.pid,
      cpuMs: (cpu.user + cpu.system) / 1000,
      lagP50Ms: lagMs(lag.percentile(50)),
      lagP99Ms: lagMs(lag.percentile(99)),
      lagMaxMs: lagMs(lag.max),
      sockets: handlers.sockets(),
    };
    if (query.get('gc') === '1' && gc) {
      gc();
      gc();
    }
    if (query.get('reset') === '1') lag.reset();
    const mem = process.memoryUsage();
    return { ...result, rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external };
  };
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://control');
    req.resume();
    const run = async (): Promise<unknown> => {
      switch (url.pathname) {
        case '/info':
          return handlers.info(Number(url.searchParams.get('clients') ?? 0));
        case '/emit':
          return { seq: await handlers.emit() };
        case '/stats':
          return stats(url.searchParams);
        default:
          throw new Error(`no such control route: ${url.pathname}`);
      }
    };
    run().then(
      (body) => reply(res, 200, body),
      (err: Error) => reply(res, 500, { error: err.message }),
    );
  });
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** The line the orchestrator waits for: `ready {"ws": "...", "control": "..."}`. */
export function announce(wsUrl: string, controlUrl: string): void {
  process.stdout.write(`ready ${JSON.stringify({ ws: wsUrl, control: controlUrl })}\n`);
}

/**
 * A bench server's last steps: the control endpoint beside it, the `ready` line, and `stop` on SIGTERM or SIGINT
 * (by default an immediate exit).
 */
export async function serveAndAnnounce(wsPort: number, handlers: ControlHandlers, stop: (control: Server) => void = () => process.exit(0)): Promise<void> {
  const control = await serveControl(handlers);
  announce(`ws://127.0.0.1:${wsPort}/graphql`, `http://127.0.0.1:${portOf(control)}`);
  const onSignal = () => stop(control);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Runs a bench server's `main`: a failure is printed and exits with 1. */
export function runServer(name: string, main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(`${name} failed`, err);
    process.exit(1);
  });
}

/** Minimal argv reader: `--name value` and bare `--flag`. */
export function args(argv = process.argv.slice(2)): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out.set(a.slice(2), next);
      i++;
    } else out.set(a.slice(2), '1');
  }
  return out;
}
