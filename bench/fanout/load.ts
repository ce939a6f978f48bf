import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { args, ROOM_SELECTION, type ServerInfo, type ServerStats } from './control';

/**
 * The load generator, a process of its own: N graphql-transport-ws clients on bare `ws` (a minimal protocol client,
 * so that the generator's own cost stays small and equal for every server), all subscribed to the screen's
 * roomState selection, each with its own subscription id as graphql-ws clients have. It measures the subscribe
 * storm, then triggers E events at a fixed rate over the servers' control channel, timestamping each emit here
 * and each receipt on every client, and reads the servers' CPU, memory and event-loop lag around the run.
 *
 *   --ws <url,url>       WebSocket endpoint(s); clients are split between them round-robin
 *   --control <url,url>  control endpoint(s); events are emitted on the first, stats read from all
 *   --n N --rate R --events E [--warmup W] [--slow 0.01] [--drain-ms D] [--storms 3]
 * Prints one line: `result {json}`.
 */

const SEQ = Buffer.from('"seq":');
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function call<T>(base: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as T & { error?: string };
        if (res.statusCode !== 200) reject(new Error(`${path}: ${body.error}`));
        else resolve(body);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

interface Client {
  index: number;
  ws: WebSocket;
  subscriptionId: string;
  subscribe: string;
  slow: boolean;
  lastSeq: number;
  firstAt: number;
  gaps: number;
  disorder: number;
  errors: number;
  /** Receipts of measured events. */
  measured: number;
  acked: () => void;
}

interface Delivery {
  count: number;
  first: number;
  last: number;
  /** Every receipt time, for measured events only. */
  times: number[] | null;
}

/** Busy CPU time of the whole machine so far (all cores, from /proc/stat), in ms; null where there is none. */
function machineCpuMs(): number | null {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
    return ((user + nice + system + irq + softirq + steal) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const a = args();
  const wsUrls = a.get('ws')!.split(',');
  const controls = a.get('control')!.split(',');
  const n = Number(a.get('n'));
  const rate = Number(a.get('rate'));
  const events = Number(a.get('events'));
  const warmup = Number(a.get('warmup') ?? Math.max(5, rate));
  const slowFraction = Number(a.get('slow') ?? 0);
  const drainMs = Number(a.get('drain-ms') ?? 15_000);
  const storms = Number(a.get('storms') ?? 3);
  const log = (msg: string) => process.stderr.write(`[load n=${n}] ${msg}\n`);

  const info = await call<ServerInfo>(controls[0], `/info?clients=${n}`);
  const stats = (query = '') => Promise.all(controls.map((c) => call<ServerStats>(c, `/stats${query}`)));
  const sum = (list: ServerStats[], key: 'cpuMs' | 'rss' | 'heapUsed' | 'external') => list.reduce((s, x) => s + x[key], 0);
  const mem0 = await stats('?gc=1');

  // Per seq: how many clients have it, first and last receipt.
  const deliveries = new Map<number, Delivery>();
  /** Clients still waiting for their first message in the current storm. */
  let awaitingFirst = 0;
  let measuredFrom = Infinity;
  let sample: string | null = null;
  let samplingFrom = Infinity;

  const onMessage = (c: Client, data: Buffer) => {
    const now = performance.now();
    const at = data.indexOf(SEQ);
    if (at < 0) {
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type === 'connection_ack') c.acked();
      else if (message.type === 'next' || message.type === 'error') c.errors += 1;
      else if (message.type === 'complete') c.errors += 1;
      return;
    }
    let seq = 0;
    for (let i = at + SEQ.length; i < data.length; i++) {
      const d = data[i];
      if (d < 48 || d > 57) break;
      seq = seq * 10 + d - 48;
    }
    if (c.firstAt === 0) {
      c.firstAt = now;
      awaitingFirst -= 1;
    } else if (seq <= c.lastSeq) c.disorder += 1;
    else if (seq > c.lastSeq + 1) c.gaps += 1;
    if (seq > c.lastSeq) c.lastSeq = seq;
    if (c.index === 0 && seq >= samplingFrom) sample = data.toString();
    let d = deliveries.get(seq);
    if (!d) deliveries.set(seq, (d = { count: 0, first: now, last: now, times: seq >= measuredFrom ? [] : null }));
    d.count += 1;
    d.last = now;
    if (d.times) {
      c.measured += 1;
      d.times.push(now);
    }
  };

  const subscribeMessage = (id: string) =>
    JSON.stringify({ id, type: 'subscribe', payload: { query: ROOM_SELECTION, variables: { s: info.sessionId }, operationName: 'Room' } });

  // 1. Connect and initialise every client (not timed: the storm is the subscribes).
  const clients: Client[] = [];
  const tConnect = performance.now();
  const BATCH = 250;
  for (let start = 0; start < n; start += BATCH) {
    const batch: Promise<void>[] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      batch.push(
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(wsUrls[i % wsUrls.length], 'graphql-transport-ws', { perMessageDeflate: false });
          const id = randomUUID();
          const c: Client = {
            index: i,
            ws,
            subscriptionId: id,
            subscribe: subscribeMessage(id),
            slow: slowFraction > 0 && i % Math.round(1 / slowFraction) === Math.round(1 / slowFraction) - 1,
            lastSeq: 0,
            firstAt: 0,
            gaps: 0,
            disorder: 0,
            errors: 0,
            measured: 0,
            acked: resolve,
          };
          clients.push(c);
          ws.on('open', () => {
            const token = info.tokens.length ? info.tokens[i % info.tokens.length] : '';
            ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
          });
          ws.on('message', (data: Buffer) => onMessage(c, data));
          ws.on('error', reject);
          ws.on('close', (code) => {
            if (code !== 1000 && code !== 1005) c.errors += 1;
          });
        }),
      );
    }
    await Promise.all(batch);
  }
  const connectMs = performance.now() - tConnect;
  log(`connected ${n} in ${Math.round(connectMs)} ms`);

  // 2. The subscribe storm: every client subscribes at once; done when all have their first message (the snapshot).
  // The first storm meets a server whose subscribe path is not yet compiled (reported as coldStormMs); then `storms`
  // more (all unsubscribe in between, so each starts from no subscriber), reporting their median as stormMs: a storm
  // lasts a few hundred ms, within reach of the machine's noise.
  const stormTimes: number[] = [];
  for (let round = 0; round <= storms; round++) {
    if (round > 0) {
      for (const c of clients) c.ws.send(JSON.stringify({ id: c.subscriptionId, type: 'complete' }));
      await sleep(300);
      for (const c of clients) {
        c.subscriptionId = randomUUID();
        c.subscribe = subscribeMessage(c.subscriptionId);
        c.firstAt = 0;
        c.lastSeq = 0;
      }
    }
    awaitingFirst = clients.length;
    const tStorm = performance.now();
    for (const c of clients) c.ws.send(c.subscribe);
    const stormDeadline = tStorm + 120_000;
    while (awaitingFirst > 0 && performance.now() < stormDeadline) await sleep(2);
    stormTimes.push(Math.max(...clients.map((c) => (c.firstAt || Infinity) - tStorm)));
  }
  const warm = stormTimes.slice(1).sort((x, y) => x - y);
  const stormMs = warm.length ? warm[Math.floor(warm.length / 2)] : stormTimes[0];
  log(`storms ${stormTimes.map((t) => Math.round(t)).join(', ')} ms`);
  const memStorm = await stats('?gc=1');

  // 3. Emits at a fixed rate; each emit's send time is taken here, just before the request.
  const run = async (count: number, readers: Client[]): Promise<{ sentAt: number[]; seqs: number[]; tEnd: number }> => {
    const sentAt: number[] = [];
    const seqs: number[] = [];
    const pending: Promise<void>[] = [];
    const interval = 1000 / rate;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const wait = t0 + i * interval - performance.now();
      if (wait > 0) await sleep(wait);
      sentAt.push(performance.now());
      pending.push(
        call<{ seq: number }>(controls[0], '/emit').then(({ seq }) => {
          seqs[i] = seq;
        }),
      );
    }
    await Promise.all(pending);
    const deadline = performance.now() + drainMs;
    const done = () => seqs.every((s) => (deliveries.get(s)?.count ?? 0) >= readers.length);
    while (!done() && performance.now() < deadline) await sleep(10);
    return { sentAt, seqs, tEnd: performance.now() };
  };

  /** One measured run of `events` events, counting only `readers` for latency and completeness. */
  const measure = async (readers: Client[]) => {
    for (const c of clients) {
      c.measured = 0;
      c.gaps = 0;
      c.disorder = 0;
    }
    const memBefore = await stats('?gc=1');
    const cpuBefore = await stats('?reset=1');
    const machineBefore = machineCpuMs();
    const ownBefore = process.cpuUsage();
    measuredFrom = Math.max(...clients.map((c) => c.lastSeq)) + 1;
    const tRun = performance.now();
    const { sentAt, seqs, tEnd } = await run(events, readers);
    const cpuAfter = await stats();
    const machineAfter = machineCpuMs();
    const own = process.cpuUsage(ownBefore);
    const memAfter = await stats('?gc=1');
    const perEvent = seqs.map((seq, i) => {
      const d = deliveries.get(seq);
      return { complete: (d?.count ?? 0) >= readers.length, first: d ? d.first - sentAt[i] : NaN, last: d ? d.last - sentAt[i] : NaN };
    });
    const worst = perEvent
      .map((e, i) => ({ at: Math.round(sentAt[i] - tRun), last: Math.round(e.last) }))
      .sort((p, q) => q.last - p.last)
      .slice(0, 5);
    log(`slowest events (ms into the run → ms to last delivery): ${worst.map((w) => `${w.at}→${w.last}`).join(', ')}`);
    // Event → last delivery, over the events every reader got (the rest show in `complete`).
    const lastLatencies = perEvent.filter((e) => e.complete).map((e) => e.last).sort((x, y) => x - y);
    const firstLatencies = perEvent.filter((e) => !Number.isNaN(e.first)).map((e) => e.first).sort((x, y) => x - y);
    const deliveryLatencies = seqs.flatMap((seq, i) => (deliveries.get(seq)?.times ?? []).map((t) => t - sentAt[i])).sort((x, y) => x - y);
    const received = readers.reduce((s, c) => s + c.measured, 0);
    const lastMeasured = Math.max(...seqs);
    const cpuMs = sum(cpuAfter, 'cpuMs') - sum(cpuBefore, 'cpuMs');
    const heapOf = (list: ServerStats[]) => sum(list, 'heapUsed') + sum(list, 'external');
    return {
      p50Ms: round(percentile(lastLatencies, 50)),
      p99Ms: round(percentile(lastLatencies, 99)),
      maxMs: round(lastLatencies[lastLatencies.length - 1] ?? NaN),
      eventsComplete: lastLatencies.length,
      firstP50Ms: round(percentile(firstLatencies, 50)),
      deliveryP50Ms: round(percentile(deliveryLatencies, 50)),
      deliveryP99Ms: round(percentile(deliveryLatencies, 99)),
      deliveredPerSec: Math.round(seqs.reduce((s, seq) => s + (deliveries.get(seq)?.count ?? 0), 0) / ((tEnd - tRun) / 1000)),
      complete: round(received / (readers.length * events), 4),
      inOrder: readers.every((c) => c.disorder === 0 && c.gaps === 0 && c.lastSeq === lastMeasured),
      cpuMsPerEvent: round(cpuMs / events),
      cpuBusy: round(cpuMs / (tEnd - tRun), 3),
      loadGeneratorCpuMs: Math.round((own.user + own.system) / 1000),
      // CPU the rest of the machine (other processes, not this bench's server and generator) used during the run,
      // in % of one core: the noise these numbers were taken under.
      othersCpuPct:
        machineBefore === null || machineAfter === null
          ? null
          : round((100 * Math.max(0, machineAfter - machineBefore - cpuMs - (own.user + own.system) / 1000)) / (tEnd - tRun), 1),
      memGrowthKb: { heap: Math.round((heapOf(memAfter) - heapOf(memBefore)) / 1024), rss: Math.round((sum(memAfter, 'rss') - sum(memBefore, 'rss')) / 1024) },
      lagP50Ms: round(Math.max(...cpuAfter.map((s) => s.lagP50Ms))),
      lagP99Ms: round(Math.max(...cpuAfter.map((s) => s.lagP99Ms))),
      lagMaxMs: round(Math.max(...cpuAfter.map((s) => s.lagMaxMs))),
      serverSockets: cpuAfter.map((s) => s.sockets),
      memAfter,
    };
  };

  samplingFrom = info.seq + 1;
  await run(warmup, clients);
  // With --slow: first a run with every client reading, then the same with 1 % of them not reading (their sockets
  // paused, so the server's writes to them back up), back to back in one server process so that the comparison is
  // not blurred by another process's start or the machine's noise.
  const allReading = slowFraction > 0 ? await measure(clients) : null;
  for (const c of clients) if (c.slow) (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const { memAfter, ...measured } = await measure(clients.filter((c) => !c.slow));

  // 4. Results.
  const heapOf = (list: ServerStats[]) => sum(list, 'heapUsed') + sum(list, 'external');
  const result = {
    n,
    rate,
    events,
    slowClients: clients.filter((c) => c.slow).length,
    connectMs: Math.round(connectMs),
    stormMs: round(stormMs, 1),
    coldStormMs: round(stormTimes[0], 1),
    stormsMs: stormTimes.map((t) => round(t, 1)),
    ...measured,
    errors: clients.reduce((s, c) => s + c.errors, 0),
    gaps: clients.reduce((s, c) => s + (c.slow ? 0 : c.gaps), 0),
    disorder: clients.reduce((s, c) => s + c.disorder, 0),
    // What the server's JS holds per client after a full GC (heap + Buffers), from before the first connection to the
    // end of the run. RSS is reported too, but a server that freed a large start-up heap (ours, naive) reuses those
    // pages and looks cheaper by it than a fresh small process (raw), so it is not the measure compared.
    kbPerConn: round((heapOf(memAfter) - heapOf(mem0)) / 1024 / n),
    rssKbPerConn: round((sum(memAfter, 'rss') - sum(mem0, 'rss')) / 1024 / n),
    stormKbPerConn: round((heapOf(memStorm) - heapOf(mem0)) / 1024 / n),
    ...(allReading
      ? {
          allReading: { p50Ms: allReading.p50Ms, p99Ms: allReading.p99Ms, cpuMsPerEvent: allReading.cpuMsPerEvent, memGrowthKb: allReading.memGrowthKb },
          p99VsAllReading: round(measured.p99Ms / allReading.p99Ms),
        }
      : {}),
    sample: sample ? JSON.parse(sample).payload : null,
  };
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
  for (const c of clients) c.ws.terminate();
  process.exit(0);
}

main().catch((err) => {
  console.error('load failed', err);
  process.exit(1);
});
