import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { Device, sleep, untilAnswered } from './storm/http';
import { CLIENT_BUDGET_MS, round } from './storm/phases';
import { ADMIN_PASSWORD, dropDatabase, freshDatabase, HASH_OPTIONS, insertAccounts, LOGIN, PASSWORD, startServer } from './storm/world';
import {
  ballotRuleChecks,
  ballotStorm,
  checkInRuleChecks,
  BallotPhase,
  checkInPhase,
  CheckInPhase,
  passwordOnly,
  readSeats,
  RuleCheck,
  ruleChecks,
  SeatCheck,
  serialCheckIn,
  signInPhase,
  SignInPhase,
  Step,
  walkRoom,
  WalkPhase,
} from './hall/phases';
import { Hall, subscribeAll, SubscribePhase } from './hall/phones';
import { accountGroups, DATABASE, peopleOf, prepareCast, scheduleHall } from './hall/world';

/**
 * `npm run bench:hall [-- --quick] [-- --rounds N] [-- --keep]`
 *
 * A cadre meeting's hall against one real server (`node dist/src/main.js`, NODE_ENV=production, on MariaDB), through
 * the public GraphQL API only, in rounds (a fresh session each, the same people): (1) every attendee signs in by
 * their personal link while as many others sign in by password; (2) every attendee checks in with the code the
 * chair reads; (3) every attendee's phone subscribes to roomState over graphql-ws; (4) the chair walks the room to
 * the evaluation and opens it, and every attendee casts a ballot and sends it again with the same clientId. Beside
 * them, in the same round: the attendees signing in by password alone, and checking in to another session one
 * after another. Then requests the rules must refuse, one of each. Writes bench/results/hall-<date>[-quick].json.
 */

interface Profile {
  name: 'standard' | 'quick';
  attendees: number;
  others: number;
  speakers: number;
  rounds: number;
}

const PROFILES: Record<Profile['name'], Profile> = {
  standard: { name: 'standard', attendees: 300, others: 300, speakers: 10, rounds: 3 },
  quick: { name: 'quick', attendees: 30, others: 30, speakers: 10, rounds: 2 },
};

const ROOT = resolve(__dirname, '..', '..');

interface Round {
  round: number;
  sessionId: string;
  baselineSessionId: string;
  /** Whether the baselines ran before ours in this round (they alternate, so drift falls on both alike). */
  baselineFirst: boolean;
  signIn: Omit<SignInPhase, 'tokens' | 'linkTokens' | 'otherToken'>;
  passwordOnly: Omit<Step, never>;
  /** The attendees signing in by link with nobody beside them (links issued again for it). */
  linkOnly: Step;
  /** Attendees whose link sign-in failed and who went on with their password token (should be 0). */
  tokensFromPassword: number;
  checkIn: CheckInPhase;
  serialCheckIn: Step & { codeReads: number; present: number };
  subscribe: SubscribePhase;
  walk: WalkPhase;
  seats: SeatCheck;
  ballots: BallotPhase;
  /** Baseline: the same walk and vote in the baseline session with no phone subscribed (the count polled by the chair). */
  unwatched: { walk: WalkPhase; ballots: BallotPhase };
  ruleChecks: RuleCheck[];
  /** Messages each phone received over the round, min and max. */
  phoneMessages: { min: number; max: number };
  phoneErrors: Record<string, number>;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const base = argv.includes('--quick') ? PROFILES.quick : PROFILES.standard;
  const roundsArg = argv.find((a) => a.startsWith('--rounds'));
  const rounds = roundsArg ? Number(roundsArg.split('=')[1] ?? argv[argv.indexOf(roundsArg) + 1]) : base.rounds;
  const profile: Profile = { ...base, rounds: Number.isInteger(rounds) && rounds > 0 ? rounds : base.rounds };
  const keep = argv.includes('--keep');
  const started = Date.now();
  const log = (line: string) => console.log(`${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s  ${line}`);
  const loadBefore = os.loadavg();
  console.log(`hall bench, ${profile.name} profile (${profile.attendees} attendees, ${profile.others} by password beside them, ${profile.speakers} speakers, ${profile.rounds} rounds): ${os.cpus().length} cores, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);

  await freshDatabase(DATABASE);
  // The hall's ballots here are castBallot's (SIMPLE); bench:storm measures the blind box beside it.
  const server = await startServer(null, DATABASE, { BALLOT_MODE: 'simple' });
  log(`server pid ${server.pid} on ${server.base} (MariaDB ${DATABASE}, NODE_ENV=production)`);
  const results: Round[] = [];
  try {
    const groups = await insertAccounts(accountGroups(profile.attendees, profile.others, profile.speakers), DATABASE);
    const people = peopleOf(groups, profile.speakers);
    const console_ = new Device(server.base, null);
    const signIn = async (u: string, p: string) => {
      const o = await untilAnswered(() => console_.post(LOGIN, { u, p }), CLIENT_BUDGET_MS);
      if (!o.ok) throw new Error(`${u} could not sign in: ${o.code} ${o.message ?? ''}`);
      return o.data!.login.token as string;
    };
    const adminToken = await signIn('admin', ADMIN_PASSWORD);
    const chairToken = await signIn(people.chair.username, PASSWORD);
    const secretaryToken = await signIn(people.secretary.username, PASSWORD);
    const leaderToken = await signIn(people.leader.username, PASSWORD);
    const cast = await prepareCast(console_, adminToken, leaderToken, people);
    log(`${[...groups.values()].reduce((t, g) => t + g.length, 0)} accounts inserted; admin, chair, secretary and leader signed in; ${cast.cadres.length} cadres, each an attendee's own`);

    for (let r = 1; r <= profile.rounds; r++) {
      const baselineFirst = r % 2 === 0;
      const session = await scheduleHall(console_, adminToken, cast, people, `会堂评议 第${r}轮`);
      const other = await scheduleHall(console_, adminToken, cast, people, `会堂评议 第${r}轮 对照`);
      log(`round ${r}: session ${session.sessionId} (${session.speechIds.length} speeches, ${people.attendees.length} attendees), baseline session ${other.sessionId}${baselineFirst ? '; baselines first' : ''}`);

      const runPasswordOnly = async () => {
        const p = await passwordOnly(server.base, server.pid, people.attendees);
        log(`  baseline, ${p.requests} attendees by password alone: first ${p.firstDoneMs} ms, last ${p.lastDoneMs} ms, p50 ${p.p50Ms} / p99 ${p.p99Ms} ms, ${p.retries} retries ${JSON.stringify(p.answersByCode)}`);
        await sleep(1000);
        return p;
      };
      const runSignIn = async () => {
        const s = await signInPhase(server.base, server.pid, session, people, secretaryToken, console_);
        log(`  1. ${s.link.requests} by link: first ${s.link.firstDoneMs} ms, last ${s.link.lastDoneMs} ms, p50 ${s.link.p50Ms} / p99 ${s.link.p99Ms} ms ${JSON.stringify(s.link.answersByCode)}; sessionId right ${s.link.sessionIdMatches}`);
        log(`     ${s.password.requests} by password beside them: first ${s.password.firstDoneMs} ms, last ${s.password.lastDoneMs} ms, p50 ${s.password.p50Ms} / p99 ${s.password.p99Ms} ms, ${s.password.retries} retries ${JSON.stringify(s.password.answersByCode)}`);
        await sleep(1000);
        return s;
      };
      const runLinkOnly = async () => {
        const l = (await signInPhase(server.base, server.pid, session, { ...people, others: [] }, secretaryToken, console_)).link;
        log(`  baseline, ${l.requests} by link alone: first ${l.firstDoneMs} ms, last ${l.lastDoneMs} ms, p50 ${l.p50Ms} / p99 ${l.p99Ms} ms ${JSON.stringify(l.answersByCode)}`);
        await sleep(1000);
        return l;
      };
      let pw: Awaited<ReturnType<typeof passwordOnly>>;
      let lo: Step;
      let si: SignInPhase;
      if (baselineFirst) {
        pw = await runPasswordOnly();
        lo = await runLinkOnly();
        si = await runSignIn();
      } else {
        si = await runSignIn();
        lo = await runLinkOnly();
        pw = await runPasswordOnly();
      }
      let tokensFromPassword = 0;
      const tokens = si.tokens.map((t, i) => {
        if (t) return t;
        tokensFromPassword += 1;
        const fallback = pw.tokens[i];
        if (!fallback) throw new Error(`${people.attendees[i].username} got no token by link or by password`);
        return fallback;
      });

      const refusedCheckIns = await checkInRuleChecks(server.base, session, tokens[1], chairToken, console_);
      const runCheckIn = async () => {
        const c = await checkInPhase(server.base, server.pid, session, tokens, chairToken, console_);
        log(`  2. ${c.checkIn.requests} check-ins at once: all present after ${c.checkIn.allPresentMs ?? 'never'} ms, p50 ${c.checkIn.p50Ms} / p99 ${c.checkIn.p99Ms} ms ${JSON.stringify(c.checkIn.answersByCode)}; attendance ${c.attendance.present}/${c.attendance.expected}, room ${c.room.present}/${c.room.expected}`);
        return c;
      };
      const runSerial = async () => {
        const b = await serialCheckIn(server.base, server.pid, other, tokens, chairToken, console_);
        log(`  baseline, ${b.requests} check-ins one after another: all in ${b.lastDoneMs} ms, p50 ${b.p50Ms} / p99 ${b.p99Ms} ms ${JSON.stringify(b.answersByCode)}; present ${b.present}`);
        return b;
      };
      let ci: CheckInPhase;
      let serial: Awaited<ReturnType<typeof serialCheckIn>>;
      if (baselineFirst) {
        serial = await runSerial();
        ci = await runCheckIn();
      } else {
        ci = await runCheckIn();
        serial = await runSerial();
      }

      const runUnwatched = async () => {
        const walk = await walkRoom(other, chairToken, console_, null);
        const { toGrade } = await readSeats(server.base, other, people.attendees, tokens);
        const ballots = await ballotStorm(server.base, server.pid, other, people.attendees, tokens, toGrade, chairToken, console_, null);
        log(`  baseline, nobody subscribed: the chair's commands p50 ${walk.perCommand.p50Ms} / p99 ${walk.perCommand.p99Ms} ms; ${ballots.voters} ballots × 2: p50 ${ballots.perBallot.p50Ms} / p99 ${ballots.perBallot.p99Ms} ms, counted (polled) after ${ballots.countedOnSubscriptionMs ?? 'never'} ms ${JSON.stringify(ballots.step.answersByCode)}`);
        return { walk, ballots };
      };
      const unwatchedFirst = baselineFirst ? await runUnwatched() : null;
      const hall = new Hall(`${server.base.replace(/^http/, 'ws')}/graphql`, tokens);
      try {
        const sub = await subscribeAll(hall, session.sessionId);
        log(`  3. ${sub.phones} phones subscribe: first snapshot p50 ${sub.firstSnapshot.p50Ms} / p99 ${sub.firstSnapshot.p99Ms} ms, all in ${sub.allMs} ms, ${sub.withSnapshot} with a snapshot ${JSON.stringify(sub.errorsByCode)}`);

        const walk = await walkRoom(session, chairToken, console_, hall);
        log(`  4. the chair's ${walk.commands.length} commands: p50 ${walk.perCommand.p50Ms} / p99 ${walk.perCommand.p99Ms} ms, ${walk.wallMs} ms in all; ${walk.entitledVoters} entitled, quorum ${walk.quorum}; every phone saw the box open after ${walk.openSeenByAllMs ?? 'never'} ms`);
        const { toGrade, check: seats } = await readSeats(server.base, session, people.attendees, tokens);
        const refusedBallots = await ballotRuleChecks(server.base, session, people.attendees[0], tokens[0], toGrade[0]);
        const b = await ballotStorm(server.base, server.pid, session, people.attendees, tokens, toGrade, chairToken, console_, hall);
        log(
          `     ${b.voters} ballots × 2: p50 ${b.perBallot.p50Ms} / p99 ${b.perBallot.p99Ms} ms (first p99 ${b.first.p99Ms}), counted on a phone after ${b.countedOnSubscriptionMs ?? 'never'} ms, on all after ${b.countedOnAllPhonesMs ?? 'never'} ms; ballotsCast ${b.ballotsCast}, voted rows ${b.votedRows}, distinct ${b.distinctVoters}; same receipt ${b.retriesWithSameReceipt}, mismatches ${b.receiptMismatches}; ${JSON.stringify(b.step.answersByCode)}`,
        );
        const checks = [...refusedCheckIns, ...refusedBallots, ...(await ruleChecks(server.base, session, tokens[1], si.otherToken ?? pw.tokens[0]!, toGrade[1], si.linkTokens[1], { chair: chairToken, secretary: secretaryToken }, console_))];
        const missed = checks.filter((c) => !c.met);
        log(`     rule checks: ${checks.length - missed.length} of ${checks.length} refused as the rules say${missed.length ? `; not: ${missed.map((c) => `${c.check} (${c.got ?? 'ok'})`).join('; ')}` : ''}`);
        const counts = hall.phones.map((p) => p.messages);
        const phoneErrors = hall.phones.map((p) => p.error).filter((e): e is string => e !== null);
        await hall.close();
        const unwatched = unwatchedFirst ?? (await runUnwatched());
        results.push({
          round: r,
          sessionId: session.sessionId,
          baselineSessionId: other.sessionId,
          baselineFirst,
          signIn: { links: si.links, link: si.link, password: si.password },
          passwordOnly: (({ tokens: _t, ...rest }) => rest)(pw),
          linkOnly: lo,
          tokensFromPassword,
          checkIn: ci,
          serialCheckIn: serial,
          subscribe: sub,
          walk,
          seats,
          ballots: b,
          ruleChecks: checks,
          unwatched,
          phoneMessages: { min: Math.min(...counts), max: Math.max(...counts) },
          phoneErrors: phoneErrors.reduce<Record<string, number>>((acc, c) => ((acc[c] = (acc[c] ?? 0) + 1), acc), {}),
        });
      } finally {
        await hall.close();
      }
    }
    console_.close();
  } catch (err) {
    console.error(`server output:\n${server.output().slice(-4000)}`);
    throw err;
  } finally {
    await server.stop();
    if (!keep) await dropDatabase(DATABASE);
  }

  const summary = summarise(results);
  const targets = printTable(profile, summary);
  const result = {
    profile: profile.name,
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
    server: { database: `MariaDB ${DATABASE}`, nodeEnv: 'production', redis: false, hash: { ...HASH_OPTIONS, type: 'argon2id' } },
    sizes: { attendees: profile.attendees, others: profile.others, speakers: profile.speakers, rounds: profile.rounds },
    note: 'one server process on MariaDB; the clients run in the bench process on the same 2 cores; each phone has its own keep-alive connection(s), opened just before its step, and its own address (X-Forwarded-For, trusted from loopback); clients honour SERVICE_UNAVAILABLE/RATE_LIMITED with retryAfterMs (plus a little jitter) for up to 60 s; summary = median over rounds, with min and max',
    summary,
    targets,
    rounds: results,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  const day = new Date().toISOString().slice(0, 10);
  const file = join(ROOT, 'bench', 'results', `hall-${day}${profile.name === 'quick' ? '-quick' : ''}.json`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${file} in ${result.seconds} s`);
}

function gitCommit(): string | null {
  try {
    return execSync('git describe --always --dirty', { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

/** Median, min and max over the rounds (nulls, a measure that never happened, are counted apart). */
interface Spread {
  median: number | null;
  min: number | null;
  max: number | null;
  never: number;
}

function spread(values: (number | null)[]): Spread {
  const got = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (!got.length) return { median: null, min: null, max: null, never: values.length };
  const mid = got.length >> 1;
  const median = got.length % 2 ? got[mid] : (got[mid - 1] + got[mid]) / 2;
  return { median: round(median), min: got[0], max: got[got.length - 1], never: values.length - got.length };
}

const sum = (all: Record<string, number>[]) => all.reduce<Record<string, number>>((acc, r) => (Object.entries(r).forEach(([k, v]) => (acc[k] = (acc[k] ?? 0) + v)), acc), {});

function summarise(rs: Round[]) {
  const of = (f: (r: Round) => number | null) => spread(rs.map(f));
  const stepOf = (f: (r: Round) => Step) => ({
    p50Ms: of((r) => f(r).p50Ms),
    p99Ms: of((r) => f(r).p99Ms),
    firstDoneMs: of((r) => f(r).firstDoneMs),
    lastDoneMs: of((r) => f(r).lastDoneMs),
    retries: of((r) => f(r).retries),
    ok: of((r) => f(r).ok),
    answersByCode: sum(rs.map((r) => f(r).answersByCode)),
    unexplained: sum(rs.map((r) => f(r).unexplained)),
  });
  return {
    rounds: rs.length,
    signInByLink: stepOf((r) => r.signIn.link),
    signInByPasswordBeside: stepOf((r) => r.signIn.password),
    baselinePasswordOnly: stepOf((r) => r.passwordOnly),
    baselineLinkOnly: stepOf((r) => r.linkOnly),
    linkSessionIdMatches: of((r) => r.signIn.link.sessionIdMatches),
    checkIn: { ...stepOf((r) => r.checkIn.checkIn), allPresentMs: of((r) => r.checkIn.checkIn.allPresentMs), present: of((r) => r.checkIn.room.present), attendancePresent: of((r) => r.checkIn.attendance.present) },
    baselineSerialCheckIn: { ...stepOf((r) => r.serialCheckIn), codeReads: of((r) => r.serialCheckIn.codeReads) },
    subscribe: { p50Ms: of((r) => r.subscribe.firstSnapshot.p50Ms), p99Ms: of((r) => r.subscribe.firstSnapshot.p99Ms), allMs: of((r) => r.subscribe.allMs), withSnapshot: of((r) => r.subscribe.withSnapshot), errorsByCode: sum(rs.map((r) => r.subscribe.errorsByCode)) },
    walk: { p50Ms: of((r) => r.walk.perCommand.p50Ms), p99Ms: of((r) => r.walk.perCommand.p99Ms), wallMs: of((r) => r.walk.wallMs), openSeenByAllMs: of((r) => r.walk.openSeenByAllMs), quorum: of((r) => r.walk.quorum), entitledVoters: of((r) => r.walk.entitledVoters) },
    seatMismatches: of((r) => r.seats.mismatches),
    baselineUnwatched: {
      walkP50Ms: of((r) => r.unwatched.walk.perCommand.p50Ms),
      walkP99Ms: of((r) => r.unwatched.walk.perCommand.p99Ms),
      p50Ms: of((r) => r.unwatched.ballots.perBallot.p50Ms),
      p99Ms: of((r) => r.unwatched.ballots.perBallot.p99Ms),
      countedPolledMs: of((r) => r.unwatched.ballots.countedOnSubscriptionMs),
      wallMs: of((r) => r.unwatched.ballots.wallMs),
      answersByCode: sum(rs.map((r) => r.unwatched.ballots.step.answersByCode)),
      unexplained: sum(rs.map((r) => r.unwatched.ballots.step.unexplained)),
    },
    ballots: {
      p50Ms: of((r) => r.ballots.perBallot.p50Ms),
      p99Ms: of((r) => r.ballots.perBallot.p99Ms),
      firstP99Ms: of((r) => r.ballots.first.p99Ms),
      retryInFlightP99Ms: of((r) => r.ballots.retryInFlight.p99Ms),
      retryAfterAnswerP99Ms: of((r) => r.ballots.retryAfterAnswer.p99Ms),
      countedOnSubscriptionMs: of((r) => r.ballots.countedOnSubscriptionMs),
      countedOnAllPhonesMs: of((r) => r.ballots.countedOnAllPhonesMs),
      wallMs: of((r) => r.ballots.wallMs),
      countedEqualsDistinct: rs.every((r) => r.ballots.countedEqualsDistinct && r.unwatched.ballots.countedEqualsDistinct),
      ballotsCast: of((r) => r.ballots.ballotsCast),
      distinctVoters: of((r) => r.ballots.distinctVoters),
      retriesWithSameReceipt: of((r) => r.ballots.retriesWithSameReceipt),
      receiptMismatches: of((r) => r.ballots.receiptMismatches),
      receiptsVerified: of((r) => r.ballots.receiptsVerified),
      answersByCode: sum(rs.map((r) => r.ballots.step.answersByCode)),
      unexplained: sum(rs.map((r) => r.ballots.step.unexplained)),
    },
    ruleChecks: { met: rs.reduce((t, r) => t + r.ruleChecks.filter((c) => c.met).length, 0), of: rs.reduce((t, r) => t + r.ruleChecks.length, 0), missed: rs.flatMap((r) => r.ruleChecks.filter((c) => !c.met).map((c) => ({ round: r.round, ...c }))) },
    phoneErrors: sum(rs.map((r) => r.phoneErrors)),
  };
}

type Summary = ReturnType<typeof summarise>;

interface Target {
  measure: string;
  value: string;
  target: string;
  met: boolean;
}

function printTable(p: Profile, s: Summary): Target[] {
  const ms = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
  const sp = (x: Spread) => (x.median === null ? 'never' : s.rounds > 1 && x.min !== x.max ? `${ms(x.median)} (${ms(x.min)}–${ms(x.max)})` : ms(x.median)) + (x.never && x.median !== null ? ` never ×${x.never}` : '');
  const n = (x: Spread) => (x.median === null ? '—' : s.rounds > 1 && x.min !== x.max ? `${x.median} (${x.min}–${x.max})` : String(x.median));
  const codes = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const N = p.attendees;
  const refusals = codes(sum([s.signInByLink.unexplained, s.signInByPasswordBeside.unexplained, s.baselinePasswordOnly.unexplained, s.baselineLinkOnly.unexplained, s.checkIn.unexplained, s.baselineSerialCheckIn.unexplained, s.ballots.unexplained, s.baselineUnwatched.unexplained, s.subscribe.errorsByCode, s.phoneErrors]));
  type Row = [string, string, string, string];
  const rows: Row[] = [
    [`1. sign-in by link (${N}), ${p.others} by password beside`, '', '', ''],
    ['   by link: p50 / p99', `${sp(s.signInByLink.p50Ms)} / ${sp(s.signInByLink.p99Ms)}`, `${sp(s.baselineLinkOnly.p50Ms)} / ${sp(s.baselineLinkOnly.p99Ms)} alone`, ''],
    ['   by link: first / last done', `${sp(s.signInByLink.firstDoneMs)} / ${sp(s.signInByLink.lastDoneMs)}`, `${sp(s.baselineLinkOnly.firstDoneMs)} / ${sp(s.baselineLinkOnly.lastDoneMs)} alone`, ''],
    ['   the attendees by password instead: first / last', '', `${sp(s.baselinePasswordOnly.firstDoneMs)} / ${sp(s.baselinePasswordOnly.lastDoneMs)}`, ''],
    ['   by password beside: p50 / p99', `${sp(s.signInByPasswordBeside.p50Ms)} / ${sp(s.signInByPasswordBeside.p99Ms)}`, `${sp(s.baselinePasswordOnly.p50Ms)} / ${sp(s.baselinePasswordOnly.p99Ms)} attendees alone`, ''],
    ['   by password beside: first / last done', `${sp(s.signInByPasswordBeside.firstDoneMs)} / ${sp(s.signInByPasswordBeside.lastDoneMs)}`, '', ''],
    ['   retries (password beside; baseline)', n(s.signInByPasswordBeside.retries), n(s.baselinePasswordOnly.retries), ''],
    [`2. check-in (${N} at once): p50 / p99`, `${sp(s.checkIn.p50Ms)} / ${sp(s.checkIn.p99Ms)}`, `${sp(s.baselineSerialCheckIn.p50Ms)} / ${sp(s.baselineSerialCheckIn.p99Ms)}`, ''],
    ['   all present', sp(s.checkIn.allPresentMs), `${sp(s.baselineSerialCheckIn.lastDoneMs)} serial`, '≤ 10 s'],
    ['   attendance.present', n(s.checkIn.present), '', `= ${N}`],
    [`3. subscribe (${N}): first snapshot p50 / p99`, `${sp(s.subscribe.p50Ms)} / ${sp(s.subscribe.p99Ms)}`, '', ''],
    ['   all with a snapshot', sp(s.subscribe.allMs), '', ''],
    [`4. the chair's walk: p50 / p99 per command`, `${sp(s.walk.p50Ms)} / ${sp(s.walk.p99Ms)}`, `${sp(s.baselineUnwatched.walkP50Ms)} / ${sp(s.baselineUnwatched.walkP99Ms)} unwatched`, ''],
    ['   box open on every phone', sp(s.walk.openSeenByAllMs), '', ''],
    [`   ballots (${N} × 2): p50 / p99`, `${sp(s.ballots.p50Ms)} / ${sp(s.ballots.p99Ms)}`, `${sp(s.baselineUnwatched.p50Ms)} / ${sp(s.baselineUnwatched.p99Ms)} unwatched`, '≤ 500 ms (p99)'],
    ['   first send p99; retry in flight / after answer p99', `${sp(s.ballots.firstP99Ms)}; ${sp(s.ballots.retryInFlightP99Ms)} / ${sp(s.ballots.retryAfterAnswerP99Ms)}`, '', ''],
    ['   all counted (ballotsCast on a phone)', sp(s.ballots.wallMs), `${sp(s.baselineUnwatched.wallMs)} unwatched, polled`, ''],
    ['   counted on every phone', sp(s.ballots.countedOnAllPhonesMs), '', ''],
    ['   counted = distinct voters', `${n(s.ballots.ballotsCast)} = ${n(s.ballots.distinctVoters)}`, '', 'equal'],
    ['   retries with the same receipt', `${n(s.ballots.retriesWithSameReceipt)} of ${N}`, '', `${N}`],
    ['refusals outside the rules', refusals, '', 'none'],
    ['rule checks refused as the rules say', `${s.ruleChecks.met} of ${s.ruleChecks.of}`, '', 'all'],
  ];
  const met: Record<string, boolean> = {
    '   all present': s.checkIn.allPresentMs.never === 0 && (s.checkIn.allPresentMs.median ?? Infinity) <= 10_000,
    '   attendance.present': s.checkIn.present.min === N && s.checkIn.present.max === N,
    [`   ballots (${N} × 2): p50 / p99`]: s.ballots.p99Ms.median !== null && s.ballots.p99Ms.median <= 500,
    '   counted = distinct voters': s.ballots.countedEqualsDistinct,
    '   retries with the same receipt': s.ballots.retriesWithSameReceipt.min === N && s.ballots.receiptMismatches.max === 0,
    'refusals outside the rules': refusals === 'none',
    'rule checks refused as the rules say': s.ruleChecks.met === s.ruleChecks.of,
  };
  const head: Row = ['measure', 'ours (median over rounds)', 'baseline', 'target'];
  const cells = rows.map(([m, v, b, t]) => [m, v, b, t ? `${t} ${met[m] ? '(met)' : '(missed)'}` : '']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  console.log(`\n${[line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n')}`);
  console.log('baseline: sign-in = the attendees by link, or by password, with nobody beside them; check-in = the same attendees one after another into another session; walk and ballots = the same in that session with no phone subscribed');
  if (s.ruleChecks.missed.length) console.log(`rule checks not refused as expected: ${s.ruleChecks.missed.map((c) => `round ${c.round}: ${c.check} → ${c.got ?? 'ok'} (expected ${c.expected ?? 'ok'})`).join('; ')}`);
  return rows.filter(([, , , t]) => t).map(([m, v, , t]) => ({ measure: m.trim(), value: v, target: t, met: met[m] ?? false }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
