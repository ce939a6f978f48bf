import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { ApolloServer } from '@apollo/server';
import type { AppContext } from '../src/app/context';
import { createLogger } from '../src/common/logger';
import { graphqlHttpOptions } from '../src/app/graphql-http';
import { createMetrics } from '../src/app/metrics';
import { buildAppSchema } from '../src/app/schema';
import { contextFactory } from '../src/app/server';
import { resolverContainer } from '../src/app/resolvers';
import { createServices } from '../src/app/services';
import { User } from '../src/auth/user.entity';
import { rng } from '../src/modules/demo/demo-history';
import { LocalPubSub } from '../src/pubsub/local-pubsub';
import { allCases, BenchCase, differences } from './analytics/cases';
import { NAIVE } from './analytics/naive';
import { openRaw, RawDb } from './analytics/raw';
import { ms, shuffled, summarize, timeOnce } from './analytics/stats';
import { buildWorld, Engine, HistoryProfile, World } from './analytics/world';

/**
 * `npm run bench:analytics [-- --quick] [-- --engine mariadb|sqlite|both]`
 *
 * Generates years of history through the real code into a fresh MariaDB database (`leitai_bench`) and a fresh
 * SQLite file, then times every analytics query three ways in one run, interleaved so that the machine's noise
 * falls on all of them alike: ours (GraphQL through Apollo's executeOperation, the real schema, an analyst's
 * token), raw (the same aggregation hand-written over the bare driver, the floor) and, for two queries, a naive
 * baseline (rows loaded through TypeORM, aggregated in JS). Ours and raw must return the same numbers, or the
 * bench fails. Writes bench/results/analytics-<date>[-quick].json and prints a table.
 */

const TARGET_P99_MS = 50;
/** `npm run bench:analytics` runs as a deployed server does, NODE_ENV=production (graphql-js skips its development checks). */
const PRODUCTION = process.env.NODE_ENV === 'production';
const TARGET_RATIO = 1.5;

interface Options {
  quick: boolean;
  engines: Engine[];
  iterations: number;
  warmup: number;
  profile: HistoryProfile;
  only: string | null;
  /** Development aid: keep the previous run's databases (applying pending migrations) instead of regenerating. */
  reuse: boolean;
}

const FULL_PROFILE: HistoryProfile = { sessions: 130, voters: 80, commentsPerSession: 240, commitmentsPerSpeech: 1.4, claimAuditRate: 0.8, commitmentAuditRate: 0.95, seed: 7 };

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    if (i < 0) return null;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const known = new Set(['--quick', '--engine', '--iterations', '--sessions', '--only', '--reuse']);
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a} (known: ${[...known].join(' ')})`);
  const quick = argv.includes('--quick');
  const engine = value('--engine') ?? 'both';
  if (!['mariadb', 'sqlite', 'both'].includes(engine)) throw new Error('--engine must be mariadb, sqlite or both');
  const sessions = Number(value('--sessions') ?? (quick ? 40 : FULL_PROFILE.sessions));
  // A p99 is the 10th-worst of 1,000 samples: a few stalls of a shared machine do not decide it alone.
  const iterations = Number(value('--iterations') ?? (quick ? 50 : 1000));
  if (!Number.isInteger(sessions) || sessions < 5) throw new Error('--sessions must be a whole number ≥ 5');
  if (!Number.isInteger(iterations) || iterations < 10) throw new Error('--iterations must be a whole number ≥ 10');
  return {
    quick,
    engines: engine === 'both' ? ['mariadb', 'sqlite'] : [engine as Engine],
    iterations,
    warmup: Math.max(5, Math.round(iterations / 5)),
    profile: { ...FULL_PROFILE, sessions },
    only: value('--only'),
    reuse: argv.includes('--reuse'),
  };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The server's GraphQL stack without the HTTP layer: same schema, middlewares, services and context factory. */
async function benchApp(world: World) {
  const logger = createLogger('silent');
  const services = createServices({ ds: world.ds, config: { jwtSecret: 'bench-secret-bench-secret-bench-secret!' }, clock: world.clock, pubsub: new LocalPubSub(), logger });
  const schema = await buildAppSchema({ container: resolverContainer(services), logger });
  // As the server runs it over HTTP (limits, guard, masking, metrics), without the HTTP layer itself.
  const apollo = new ApolloServer<AppContext>(graphqlHttpOptions({ schema, logger, production: PRODUCTION, mayIntrospect: () => false, plugins: [createMetrics(() => null).plugin] }));
  await apollo.start();
  const contextFor = contextFactory(world.ds, services);
  const analyst = await world.ds.getRepository(User).findOneByOrFail({ username: 'analyst' });
  const authorization = `Bearer ${await services.tokens.signUser(analyst)}`;
  return {
    services,
    /** One request as the server runs it: verify the token, fresh loaders, execute. Throws on any GraphQL error. */
    async run(c: BenchCase): Promise<Record<string, any>> {
      const res = await apollo.executeOperation({ query: c.query, variables: c.variables }, { contextValue: await contextFor(authorization) });
      if (res.body.kind !== 'single') throw new Error(`${c.name}: expected a single result`);
      const { data, errors } = res.body.singleResult;
      if (errors?.length) throw new Error(`${c.name}: ${JSON.stringify(errors)}`);
      return data as Record<string, any>;
    },
    async close() {
      await apollo.stop();
      await services.close();
    },
  };
}

interface QueryResult {
  name: string;
  rows: number;
  p50Ms: number;
  p99Ms: number;
  rawP50Ms: number;
  rawP99Ms: number;
  /** p99(ours) / p99(raw): the required figure. */
  ratio: number;
  /** p50(ours) / p50(raw): steadier on a noisy machine. */
  ratioP50: number;
  serviceP50Ms: number;
  serviceP99Ms: number;
  naiveP50Ms?: number;
  naiveP99Ms?: number;
  meetsTargets: boolean;
}

interface EngineRun {
  engine: Engine;
  queries: QueryResult[];
  iterations: number;
  warmup: number;
  generation: { parameters: HistoryProfile & { everyDays: number; now: string }; counts: World['counts']; timings: World['timings'] };
  databaseVersion: string;
  /** 1-minute load average when this engine's timing started and ended: other work on the machine shows here. */
  loadAverage: { timingStarted: number; timingEnded: number };
}

const r2 = (v: number) => Math.round(v * 1000) / 1000;

/** Ours against raw (and naive where there is one) for every case: the bench fails on the first difference. */
async function checkEquivalence(world: World, app: Awaited<ReturnType<typeof benchApp>>, raw: RawDb, cases: BenchCase[]): Promise<Map<string, number>> {
  const rows = new Map<string, number>();
  const failures: string[] = [];
  for (const c of cases) {
    const ours = c.canon(await app.run(c));
    const hand = await c.raw(raw, world.clock.now());
    const diff = differences(ours, hand);
    if (diff.length) failures.push(`${world.engine} ${c.name}: ours and raw differ:\n      ${diff.join('\n      ')}`);
    const naive = NAIVE[c.name];
    if (naive) {
      const nd = differences(ours, await naive(world.ds, c.filter));
      if (nd.length) failures.push(`${world.engine} ${c.name}: ours and naive differ:\n      ${nd.join('\n      ')}`);
    }
    if (ours.length === 0) failures.push(`${world.engine} ${c.name}: returned no rows (the filter selects nothing?)`);
    rows.set(c.name, ours.length);
  }
  if (failures.length) {
    log(`\n!!! RESULTS DIFFER — the numbers below would be meaningless:\n  ${failures.join('\n  ')}\n`);
    throw new Error(`${failures.length} case(s) return different numbers`);
  }
  log(`  ✓ ours = raw${Object.keys(NAIVE).length ? ' = naive' : ''} on all ${cases.length} cases`);
  return rows;
}

async function timeCases(world: World, app: Awaited<ReturnType<typeof benchApp>>, raw: RawDb, cases: BenchCase[], o: Options, rows: Map<string, number>): Promise<QueryResult[]> {
  const out: QueryResult[] = [];
  const now = world.clock.now();
  for (const c of cases) {
    const naive = NAIVE[c.name];
    const sides: [string, () => Promise<unknown>][] = [
      ['ours', () => app.run(c)],
      ['raw', () => c.raw(raw, now)],
      ['service', () => c.service(app.services.analytics)],
      ...(naive ? [['naive', () => naive(world.ds, c.filter)] as [string, () => Promise<unknown>]] : []),
    ];
    const samples = new Map<string, number[]>(sides.map(([k]) => [k, []]));
    // A fresh random order every iteration: each side follows each other side (and its garbage: the naive side
    // leaves a lot) equally often. A rotation would not do: it keeps the same neighbours, only shifted.
    const random = rng(cases.indexOf(c) + 1);
    for (let i = 0; i < o.warmup + o.iterations; i++) {
      for (const [key, fn] of shuffled(sides, random)) {
        const t = await timeOnce(fn);
        if (i >= o.warmup) samples.get(key)!.push(t);
      }
    }
    const s = Object.fromEntries([...samples].map(([k, v]) => [k, summarize(v)]));
    const result: QueryResult = {
      name: c.name,
      rows: rows.get(c.name) ?? 0,
      p50Ms: r2(s.ours.p50),
      p99Ms: r2(s.ours.p99),
      rawP50Ms: r2(s.raw.p50),
      rawP99Ms: r2(s.raw.p99),
      ratio: r2(s.ours.p99 / s.raw.p99),
      ratioP50: r2(s.ours.p50 / s.raw.p50),
      serviceP50Ms: r2(s.service.p50),
      serviceP99Ms: r2(s.service.p99),
      ...(s.naive ? { naiveP50Ms: r2(s.naive.p50), naiveP99Ms: r2(s.naive.p99) } : {}),
      meetsTargets: s.ours.p99 <= TARGET_P99_MS && s.ours.p99 / s.raw.p99 <= TARGET_RATIO,
    };
    out.push(result);
    log(`  ${c.name.padEnd(38)} ours p50 ${ms(result.p50Ms)} p99 ${ms(result.p99Ms)} | raw p50 ${ms(result.rawP50Ms)} p99 ${ms(result.rawP99Ms)} | ratio ${ms(result.ratio)} (p50 ${ms(result.ratioP50)}) | service p50 ${ms(result.serviceP50Ms)}${result.naiveP50Ms === undefined ? '' : ` | naive p50 ${ms(result.naiveP50Ms)}`}`);
  }
  return out;
}

async function runEngine(engine: Engine, o: Options): Promise<EngineRun> {
  log(`\n== ${engine}: generating ${o.profile.sessions} sessions × 11 speakers × ${o.profile.voters} voters …`);
  const world = await buildWorld(engine, o.profile, log, o.reuse);
  const c = world.counts;
  const t = world.timings;
  log(
    `  generated in ${(t.historyMs / 1000).toFixed(1)} s (${(t.historyMs / Math.max(1, c.sessions)).toFixed(0)} ms/session; schema ${(t.schemaMs / 1000).toFixed(1)} s, seed ${(t.seedMs / 1000).toFixed(1)} s): ` +
      `${c.sessions} sessions, ${c.speeches} speeches, ${c.comments} comments, ${c.commitments} commitments, ${c.claims} claims, ${c.audits} audits, ` +
      `${c.findings} findings, ${c.interruptions} interruptions, ${c.roomEvents} room events, ${c.ballotGrades} ballot grades`,
  );
  const app = await benchApp(world);
  const raw = await openRaw(engine, world.database);
  try {
    let cases = await allCases(world.ds);
    if (o.only) cases = cases.filter((x) => x.name.includes(o.only!));
    const rows = await checkEquivalence(world, app, raw, cases);
    log(`  timing ${cases.length} cases × ${o.iterations} iterations (after ${o.warmup} warm-up), ours / raw / service${Object.keys(NAIVE).length ? ' / naive' : ''} interleaved …`);
    const loadStarted = os.loadavg()[0];
    const queries = await timeCases(world, app, raw, cases, o, rows);
    const loadEnded = os.loadavg()[0];
    const version = (await raw.all(engine === 'mariadb' ? 'SELECT VERSION() AS v' : 'SELECT sqlite_version() AS v', []))[0].v;
    return {
      engine,
      queries,
      iterations: o.iterations,
      warmup: o.warmup,
      generation: { parameters: { ...o.profile, everyDays: 14, now: world.clock.now().toISOString() }, counts: world.counts, timings: mapValues(world.timings, (v) => Math.round(v)) },
      databaseVersion: `${engine} ${String(version)}`,
      loadAverage: { timingStarted: Math.round(loadStarted * 100) / 100, timingEnded: Math.round(loadEnded * 100) / 100 },
    };
  } finally {
    await raw.close();
    await app.close();
    await world.close();
  }
}

function mapValues<T extends Record<string, number>>(o: T, f: (v: number) => number): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as T;
}

function printTable(runs: EngineRun[]): void {
  const head = ['engine', 'query', 'rows', 'p50', 'p99', 'raw p50', 'raw p99', 'ratio', 'ratio p50', 'svc p99', 'naive p99', 'target'];
  const lines = runs.flatMap((run) =>
    run.queries.map((q) => [
      run.engine,
      q.name,
      String(q.rows),
      ms(q.p50Ms),
      ms(q.p99Ms),
      ms(q.rawP50Ms),
      ms(q.rawP99Ms),
      ms(q.ratio),
      ms(q.ratioP50),
      ms(q.serviceP99Ms),
      ms(q.naiveP99Ms),
      run.engine === 'mariadb' ? (q.meetsTargets ? 'ok' : 'MISSED') : '(n/a)',
    ]),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  log(`\n${fmt(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const l of lines) log(fmt(l));
  log(`\ntimes in ms; ratio = p99(ours through GraphQL) / p99(raw SQL over the driver); targets on MariaDB: p99 ≤ ${TARGET_P99_MS} ms, ratio ≤ ${TARGET_RATIO}`);
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = new Date();
  const loadBefore = os.loadavg();
  log(`analytics bench: ${o.quick ? 'quick' : 'full'} profile, engines ${o.engines.join(', ')}, ${o.iterations} iterations; NODE_ENV=${process.env.NODE_ENV ?? "(unset)"}; node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const runs: EngineRun[] = [];
  for (const engine of o.engines) runs.push(await runEngine(engine, o));
  printTable(runs);

  const cpus = os.cpus();
  const [first, ...rest] = runs;
  const report = {
    engine: first.engine,
    queries: first.queries,
    profile: o.quick ? 'quick' : 'full',
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    targets: { p99Ms: TARGET_P99_MS, ratio: TARGET_RATIO, engine: 'mariadb' },
    method:
      'ours = Apollo executeOperation on the real schema with the server\'s HTTP options and plugins and an analyst token (context, loaders, middlewares as the server); raw = the same aggregation in one hand-written SQL statement (names joined) over one mysql2 connection / a read-only better-sqlite3 handle; service = AnalyticsService alone (no GraphQL); naive = TypeORM repositories + JS aggregation. All sides interleaved, in a fresh seeded random order each iteration, after warm-up; percentiles are nearest-rank.',
    nodeEnv: process.env.NODE_ENV ?? null,
    iterations: first.iterations,
    warmup: first.warmup,
    generation: first.generation,
    databaseVersion: first.databaseVersion,
    loadAverage: first.loadAverage,
    other: rest,
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model,
      cpuSpeedMHz: cpus[0]?.speed,
      totalMemGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverageBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
      loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
  };
  const dir = resolve(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `analytics-${started.toISOString().slice(0, 10)}${o.quick ? '-quick' : ''}${o.only || o.reuse ? '-dev' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`\nwrote ${file}`);
  const missed = runs.filter((r) => r.engine === 'mariadb').flatMap((r) => r.queries.filter((q) => !q.meetsTargets).map((q) => q.name));
  if (missed.length) log(`targets missed on MariaDB by: ${missed.join(', ')}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
