import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { summarize } from '../analytics/stats';
import { Device, GqlResponse, Outcome, errorCode, pooled, sleep, untilAnswered } from './http';
import type { ProbeReport, ProbeSetup } from './probe';
import { Account, BallotSession, LOGIN, PASSWORD, countVoted, mintToken, must } from './world';

/** How long a client keeps honouring retryable answers before it gives up. */
export const CLIENT_BUDGET_MS = 60_000;
const PROBE_EVERY_MS = 100;

/** An address the server counts per (X-Forwarded-For): 10.<block>.x.y, one per device of a block. */
export const address = (block: number, i: number) => `10.${block}.${(i >> 8) & 255}.${i & 255}`;

export interface Latency {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function latency(samples: readonly number[]): Latency {
  if (!samples.length) return { n: 0, p50Ms: NaN, p99Ms: NaN, maxMs: NaN };
  const s = summarize(samples);
  return { n: s.n, p50Ms: round(s.p50), p99Ms: round(s.p99), maxMs: round(s.max) };
}

export const round = (v: number, d = 1) => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : v);

export const countBy = (codes: (string | null)[]) => codes.reduce<Record<string, number>>((acc, c) => ((acc[c ?? 'ok'] = (acc[c ?? 'ok'] ?? 0) + 1), acc), {});
const mergeCounts = (all: Record<string, number>[]) => all.reduce<Record<string, number>>((acc, r) => (Object.entries(r).forEach(([k, v]) => (acc[k] = (acc[k] ?? 0) + v)), acc), {});

/** The server's CPU time so far (user + system, all its threads), from /proc: what each phase cost it. */
export function serverCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/** Signs in `accounts` before a measurement, storm-safe (retryable answers honoured), each from its own address. */
export async function signInAll(base: string, accounts: Account[], block: number, concurrency: number): Promise<Outcome[]> {
  return pooled(accounts, concurrency, async (a, i) => {
    const device = new Device(base, address(block, i + 1));
    try {
      return await untilAnswered(() => device.post(LOGIN, { u: a.username, p: PASSWORD }), CLIENT_BUDGET_MS);
    } finally {
      device.close();
    }
  });
}

type Probe = ProbeReport['me'][number];

export interface StormResult {
  accounts: number;
  sources: 'one per account' | 'one for all';
  signIn: Latency & {
    firstDoneMs: number;
    lastDoneMs: number;
    ok: number;
    failures: number;
    failuresByCode: Record<string, number>;
    retries: number;
    retriedCodes: Record<string, number>;
    clientsThatRetried: number;
    signInsPerSecond: number;
  };
  me: Latency & { failures: number; failuresByCode: Record<string, number>; tokensFromSignIn: number; tokensMinted: number };
  anonymous: Latency & { failures: number; failuresByCode: Record<string, number> };
  serverCpuMs: number | null;
  staleSocketRetries: number;
  /** Opening every device's connection(s) before the storm (not measured; the server drops idle ones after 5 s). */
  warmMs: number;
}

/**
 * `accounts` sign in at once, each from its own device (connected beforehand), honouring retryable answers for up
 * to a minute. Meanwhile, every 100 ms, `query { me { id } }` with a token never used before (the spare accounts'
 * sign-ins made before the storm, then tokens minted as signUser makes them: each new to the server, so each is
 * verified) and an anonymous `{ __typename }`, each on its own connection, sent and timed by a process of their
 * own (probe.ts), as phones are devices of their own.
 */
export async function signInStorm(base: string, pid: number, accounts: Account[], spares: Account[], oneSource: boolean): Promise<StormResult> {
  const spareSignIns = await signInAll(base, spares, 30, 4);
  const probeTokens: { token: string; account: Account }[] = [];
  spareSignIns.forEach((o, i) => o.ok && probeTokens.push({ token: o.data!.login.token, account: spares[i] }));
  const fromSignIn = probeTokens.length;
  // Enough for a storm that lasts every client's whole budget; made now, so no signing happens during the storm.
  const needed = Math.ceil(CLIENT_BUDGET_MS / PROBE_EVERY_MS) + 50;
  for (let k = 0; probeTokens.length < needed; k++) {
    const account = spares[k % spares.length];
    probeTokens.push({ token: await mintToken(account, 60 + Math.floor(k / spares.length)), account });
  }

  const devices = accounts.map((_, i) => new Device(base, oneSource ? address(20, 1) : address(20, i + 1)));
  const prober = fork(join(__dirname, 'probe.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const setup: ProbeSetup = { base, everyMs: PROBE_EVERY_MS, meSource: address(31, 1), anonSource: address(31, 2), tokens: probeTokens.map((p) => ({ token: p.token, userId: p.account.id })) };
  prober.send(setup);
  const warmStart = performance.now();
  await Promise.all([...devices.map((d) => d.warm()), once(prober, 'message')]);
  const warmMs = round(performance.now() - warmStart);

  const cpuBefore = serverCpuMs(pid);
  const t0 = performance.now();
  const storm = Promise.all(accounts.map((a, i) => untilAnswered(() => devices[i].post(LOGIN, { u: a.username, p: PASSWORD }), CLIENT_BUDGET_MS)));
  prober.send('start');
  const outcomes = await storm;
  prober.send('stop');
  const [probes] = (await once(prober, 'message')) as [ProbeReport];
  const meProbes = probes.me;
  const anonProbes = probes.anonymous;
  const cpuAfter = serverCpuMs(pid);
  const staleSocketRetries = devices.reduce((t, d) => t + d.staleRetries, 0);
  for (const d of devices) d.close();

  const ok = outcomes.filter((o) => o.ok && typeof o.data?.login?.token === 'string');
  const failed = outcomes.filter((o) => !(o.ok && typeof o.data?.login?.token === 'string'));
  const done = outcomes.map((o) => o.doneAt - t0);
  const firstOk = ok.length ? Math.min(...ok.map((o) => o.doneAt - t0)) : NaN;
  const lastDone = Math.max(...done);
  const probeSummary = (p: Probe[]) => {
    const bad = p.filter((x) => !x.ok);
    // The slowest probes and when they were sent (from the storm's start): whether the arrival burst or later work held them.
    const slowest = [...p].sort((a, b) => b.ms - a.ms).slice(0, 3).map((x) => ({ sentAtMs: round(x.at), ms: round(x.ms) }));
    return { ...latency(p.map((x) => x.ms)), failures: bad.length, failuresByCode: countBy(bad.map((x) => x.code)), slowest };
  };
  return {
    accounts: accounts.length,
    sources: oneSource ? 'one for all' : 'one per account',
    signIn: {
      ...latency(outcomes.map((o) => o.ms)),
      firstDoneMs: round(firstOk),
      lastDoneMs: round(lastDone),
      ok: ok.length,
      failures: failed.length,
      failuresByCode: countBy(failed.map((o) => (o.gaveUp ? `${o.code} (gave up)` : o.code))),
      retries: outcomes.reduce((t, o) => t + o.retries, 0),
      retriedCodes: mergeCounts(outcomes.map((o) => o.retriedCodes)),
      clientsThatRetried: outcomes.filter((o) => o.retries > 0).length,
      signInsPerSecond: round((ok.length * 1000) / lastDone),
    },
    me: { ...probeSummary(meProbes), tokensFromSignIn: Math.min(fromSignIn, meProbes.length), tokensMinted: Math.max(0, meProbes.length - fromSignIn) },
    anonymous: probeSummary(anonProbes),
    serverCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    staleSocketRetries,
    warmMs,
  };
}

export interface GuessRound {
  guesses: number;
  account: string;
  source: string;
  /** Answers that reached the password check (UNAUTHENTICATED: wrong username or password). */
  checked: number;
  throttled: number;
  byCode: Record<string, number>;
  wallMs: number;
  /** The retryAfterMs the throttled answers asked for (min and max). */
  retryAfterMs: { min: number; max: number } | null;
}

export interface RealUser {
  account: string;
  source: string;
  gotIn: boolean;
  timeToInMs: number | null;
  attempts: number;
  lastCode: string | null;
  lastRetryAfterMs: number | null;
  gaveUp: boolean;
  budgetMs: number;
}

/** `n` wrong passwords for one account sent at once from one address (one attacker, n connections). */
async function guessRound(base: string, account: Account, source: string, n: number): Promise<GuessRound> {
  const device = new Device(base, source, n);
  await device.warm();
  const t = performance.now();
  const answers = await Promise.all(Array.from({ length: n }, (_, k) => device.post(LOGIN, { u: account.username, p: `${PASSWORD}-guess-${k}` }).catch(() => ({ status: 0 }) as GqlResponse)));
  const wallMs = performance.now() - t;
  device.close();
  const codes = answers.map((a) => (a.status === 0 ? 'TRANSPORT' : errorCode(a)));
  const waits = answers.map((a) => a.errors?.[0]?.extensions?.retryAfterMs).filter((w): w is number => typeof w === 'number');
  return {
    guesses: n,
    account: account.username,
    source,
    checked: codes.filter((c) => c === 'UNAUTHENTICATED').length,
    throttled: codes.filter((c) => c === 'RATE_LIMITED' || c === 'SERVICE_UNAVAILABLE').length,
    byCode: countBy(codes),
    wallMs: round(wallMs),
    retryAfterMs: waits.length ? { min: Math.min(...waits), max: Math.max(...waits) } : null,
  };
}

/**
 * Parallel guessing: `rounds[0]` wrong passwords at once for one account, then `rounds[1]` for a second account
 * from a second address (the first round's per-minute counters would otherwise answer the second round); then the
 * second account's owner, from the attacker's address, signs in with the right password, honouring retryable
 * answers, until in or `realBudgetMs`.
 */
export async function parallelGuessing(base: string, targets: Account[], rounds: number[], realBudgetMs: number): Promise<{ rounds: GuessRound[]; realUser: RealUser }> {
  const results: GuessRound[] = [];
  for (const [i, n] of rounds.entries()) results.push(await guessRound(base, targets[i], `198.51.100.${i + 1}`, n));
  const owner = targets[rounds.length - 1];
  const source = results[results.length - 1].source;
  const device = new Device(base, source);
  await device.warm();
  let attempts = 0;
  const outcome = await untilAnswered(() => {
    attempts += 1;
    return device.post(LOGIN, { u: owner.username, p: PASSWORD });
  }, realBudgetMs);
  device.close();
  const gotIn = outcome.ok && typeof outcome.data?.login?.token === 'string';
  return {
    rounds: results,
    realUser: {
      account: owner.username,
      source,
      gotIn,
      timeToInMs: gotIn ? round(outcome.ms) : null,
      attempts,
      lastCode: outcome.code,
      lastRetryAfterMs: outcome.lastRetryAfterMs,
      gaveUp: outcome.gaveUp,
      budgetMs: realBudgetMs,
    },
  };
}

export interface VoterTokens {
  signedIn: number;
  minted: number;
  ms: number;
  retries: number;
  failuresByCode: Record<string, number>;
}

/**
 * The voters' tokens, by signing each in (storm-safe, `concurrency` at a time, each from its own address) until
 * `budgetMs` has passed; the rest are minted with the server's secret exactly as signUser makes them.
 */
export async function voterTokens(base: string, voters: Account[], budgetMs: number, concurrency: number): Promise<{ tokens: string[]; stats: VoterTokens }> {
  const t = performance.now();
  const tokens = new Array<string>(voters.length);
  const failures: (string | null)[] = [];
  let retries = 0;
  let signedIn = 0;
  let minted = 0;
  await pooled(voters, concurrency, async (v, i) => {
    if (performance.now() - t < budgetMs) {
      const device = new Device(base, address(40, i + 1));
      const o = await untilAnswered(() => device.post(LOGIN, { u: v.username, p: PASSWORD }), Math.max(1000, budgetMs - (performance.now() - t)));
      device.close();
      retries += o.retries;
      if (o.ok && typeof o.data?.login?.token === 'string') {
        tokens[i] = o.data.login.token;
        signedIn += 1;
        return;
      }
      failures.push(o.code);
    }
    tokens[i] = await mintToken(v);
    minted += 1;
  });
  return { tokens, stats: { signedIn, minted, ms: round(performance.now() - t), retries, failuresByCode: countBy(failures) } };
}

export interface BallotResult {
  voters: number;
  speeches: number;
  requests: number;
  /** From the first send until every request was answered and the count read back equalled the voters; null if it never did. */
  wallMs: number | null;
  lastAnswerMs: number;
  /** When the evaluation's ballotsCast (polled every 50 ms) first equalled the number of voters; null if never. */
  countedMs: number | null;
  perRequest: Latency;
  first: Latency;
  duplicate: Latency;
  ballotsCast: number;
  votedRows: number;
  gradeRows: number;
  distinctVoters: number;
  countedEqualsDistinct: boolean;
  receiptMismatches: number;
  errorsByCode: Record<string, number>;
  retries: number;
  retriedCodes: Record<string, number>;
  serverCpuMs: number | null;
  staleSocketRetries: number;
  warmMs: number;
}

/** A valid ballot for voter `i`: every speech once, at most one third EXCELLENT, grades spread over the hall. */
export function gradesFor(i: number, speechIds: string[]): { speechId: string; grade: string }[] {
  const quota = Math.floor(speechIds.length / 3);
  const others = ['GOOD', 'AVERAGE', 'POOR', 'GOOD'];
  return speechIds.map((speechId, j) => ({ speechId, grade: quota > 0 && (i + j) % speechIds.length < quota ? 'EXCELLENT' : others[(i + 2 * j) % others.length] }));
}

/**
 * Polls the evaluation's ballotsCast every 50 ms from `t0` on: when it first reached `target` (ms after `t0`, null
 * if never) and the last value read. `answered()` says every ballot has its answer and resolves once the count
 * has reached the target, or ten seconds later (counting may lag the answers).
 */
export function watchCount(poller: Device, sessionId: string, adminToken: string, target: number, t0: number) {
  let answered = false;
  const seen = { countedAt: null as number | null, last: 0 };
  const poll = (async () => {
    let settledAt: number | null = null;
    for (;;) {
      const r = await poller.post('query($s: ID!) { evaluation(sessionId: $s) { ballotsCast } }', { s: sessionId }, adminToken).catch(() => null);
      const cast = r?.data?.evaluation?.ballotsCast;
      if (typeof cast === 'number') seen.last = cast;
      if (typeof cast === 'number' && target > 0 && cast >= target && seen.countedAt === null) seen.countedAt = performance.now() - t0;
      if (seen.countedAt !== null && answered) return;
      if (answered) settledAt ??= performance.now();
      if (settledAt !== null && performance.now() - settledAt > 10_000) return;
      await sleep(50);
    }
  })();
  return {
    async answered() {
      answered = true;
      await poll;
      return seen;
    },
  };
}

const CAST = 'mutation Cast($s: ID!, $g: [GradeInput!]!, $c: String) { castBallot(sessionId: $s, grades: $g, clientId: $c) { receipt } }';

/**
 * Every voter casts a valid ballot at once and sends it a second time with the same clientId right after the
 * first (both in flight, as a phone that retries a slow request does), each from its own device with two
 * connections opened beforehand. Retryable answers are honoured. Meanwhile the admin polls ballotsCast.
 */
export async function ballotStorm(base: string, pid: number, session: BallotSession, voters: Account[], tokens: string[], adminToken: string): Promise<BallotResult> {
  const devices = voters.map((_, i) => new Device(base, address(40, i + 1), 2));
  const poller = new Device(base, null, 2);
  const warmStart = performance.now();
  await Promise.all([...devices, poller].map((d) => d.warm()));
  const warmMs = round(performance.now() - warmStart);
  const bodies = voters.map((v, i) => ({ s: session.sessionId, g: gradesFor(i, session.speechIds), c: `storm-${v.id}-${randomUUID()}` }));
  const target = voters.length;
  const cpuBefore = serverCpuMs(pid);

  const t0 = performance.now();
  const pairs = voters.map((_, i) => {
    const send = () => devices[i].post(CAST, bodies[i], tokens[i]);
    return [untilAnswered(send, CLIENT_BUDGET_MS), untilAnswered(send, CLIENT_BUDGET_MS)] as const;
  });
  const count = watchCount(poller, session.sessionId, adminToken, target, t0);
  const outcomes = await Promise.all(pairs.map((p) => Promise.all(p)));
  const lastAnswerMs = performance.now() - t0;
  const seen = await count.answered();
  const cpuAfter = serverCpuMs(pid);
  const staleSocketRetries = [...devices, poller].reduce((t, d) => t + d.staleRetries, 0);
  for (const d of [...devices, poller]) d.close();

  const all = outcomes.flat();
  const receipt = (o: Outcome) => (o.ok ? (o.data?.castBallot?.receipt as string | undefined) : undefined);
  const distinct = outcomes.filter(([a, b]) => receipt(a) || receipt(b)).length;
  const mismatches = outcomes.filter(([a, b]) => receipt(a) && receipt(b) && receipt(a) !== receipt(b)).length;
  const db = await countVoted(Number(session.sessionId));
  const finalCast = (await must(poller, 'query($s: ID!) { evaluation(sessionId: $s) { ballotsCast } }', { s: session.sessionId }, adminToken).catch(() => null))?.evaluation?.ballotsCast ?? seen.last;
  const failed = all.filter((o) => !receipt(o));
  return {
    voters: voters.length,
    speeches: session.speechIds.length,
    requests: all.length,
    wallMs: seen.countedAt === null ? null : round(Math.max(lastAnswerMs, seen.countedAt)),
    lastAnswerMs: round(lastAnswerMs),
    countedMs: seen.countedAt === null ? null : round(seen.countedAt),
    perRequest: latency(all.map((o) => o.ms)),
    first: latency(outcomes.map(([a]) => a.ms)),
    duplicate: latency(outcomes.map(([, b]) => b.ms)),
    ballotsCast: finalCast,
    votedRows: db.voted,
    gradeRows: db.gradeRows,
    distinctVoters: distinct,
    countedEqualsDistinct: finalCast === distinct && db.voted === distinct && db.gradeRows === distinct * session.speechIds.length,
    receiptMismatches: mismatches,
    errorsByCode: countBy(failed.map((o) => (o.gaveUp ? `${o.code} (gave up)` : o.code))),
    retries: all.reduce((t, o) => t + o.retries, 0),
    retriedCodes: mergeCounts(all.map((o) => o.retriedCodes)),
    serverCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    staleSocketRetries,
    warmMs,
  };
}
