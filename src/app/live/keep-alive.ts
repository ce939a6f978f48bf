import type { Connection } from './connection';

/** Sockets pinged in one go by a keep-alive round before yielding to other work. */
const PING_SLICE = 250;

/**
 * Keep-alive: a peer that stops answering pings (a phone that lost Wi-Fi) is terminated, which completes its
 * subscriptions and frees what they hold. A round goes through the sockets in slices, yielding in between, so that
 * pinging a hall of thousands does not hold a room broadcast back for tens of milliseconds.
 */
export function startKeepAlive(connections: Set<Connection>, everyMs: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    const round = [...connections];
    let i = 0;
    const slice = () => {
      for (const end = Math.min(round.length, i + PING_SLICE); i < end; i++) {
        const c = round[i];
        if (!connections.has(c)) continue;
        if (!c.alive) {
          c.socket.terminate();
          continue;
        }
        c.alive = false;
        c.socket.ping();
      }
      if (i < round.length) setImmediate(slice);
    };
    slice();
  }, everyMs);
  timer.unref();
  return timer;
}
