import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Device, GqlResponse, Outcome, errorCode, pooled, sleep, untilAnswered } from '../storm/http';
import { CLIENT_BUDGET_MS, Latency, address, latency, round, serverCpuMs } from '../storm/phases';
import { Account, LOGIN, PASSWORD, countVoted, must } from '../storm/world';
import type { Hall } from './phones';
import { ATTENDANCE, CAST, CHECK_IN, CHECK_IN_CODE, DATABASE, EVALUATION, HallSession, ISSUE_LINKS, LOGIN_USER, MY_SEAT, People, SIGN_IN_LINK, VERIFY } from './world';

/** Address blocks (10.<block>.x.y): one address per phone, the same phone in every round. */
const LINK_BLOCK = 50;
const PASSWORD_BLOCK = 51;

export const countBy = (codes: (string | null)[]) => codes.reduce<Record<string, number>>((acc, c) => ((acc[c ?? 'ok'] = (acc[c ?? 'ok'] ?? 0) + 1), acc), {});
const mergeCounts = (all: Record<string, number>[]) => all.reduce<Record<string, number>>((acc, r) => (Object.entries(r).forEach(([k, v]) => (acc[k] = (acc[k] ?? 0) + v)), acc), {});

/** One step's requests, all sent at once (or one after another for a serial baseline), each honouring retryable answers. */
export interface Step extends Latency {
  requests: number;
  ok: number;
  /** From the step's first send until its first and its last final answer. */
  firstDoneMs: number;
  lastDoneMs: number;
  retries: number;
  clientsThatRetried: number;
  /** Every answer the server gave, by extensions.code ('ok' for data without errors), retried ones included. */
  answersByCode: Record<string, number>;
  /** Final answers that were not successes, by code ('(gave up)' when the next wait would pass the client's budget). */
  failuresByCode: Record<string, number>;
  /** Answers with a code this step's rules do not explain (every refusal but the retryable ones the step allows). */
  unexplained: Record<string, number>;
  serverCpuMs: number | null;
}

export function step(outcomes: Outcome[], t0: number, cpu: [number | null, number | null], allowedRetried: readonly string[] = []): Step {
  const ok = outcomes.filter((o) => o.ok);
  const failed = outcomes.filter((o) => !o.ok);
  const retried = mergeCounts(outcomes.map((o) => o.retriedCodes));
  const finals = countBy(outcomes.map((o) => o.code));
  const answersByCode = mergeCounts([finals, retried]);
  // A retried answer the step allows (a full hashing queue) is the rules at work; any other refusal, or a final one, is not.
  const unexplained = mergeCounts([countBy(failed.map((o) => o.code)), Object.fromEntries(Object.entries(retried).filter(([code]) => !allowedRetried.includes(code)))]);
  return {
    ...latency(outcomes.map((o) => o.ms)),
    requests: outcomes.length,
    ok: ok.length,
    firstDoneMs: outcomes.length ? round(Math.min(...outcomes.map((o) => o.doneAt - t0))) : NaN,
    lastDoneMs: outcomes.length ? round(Math.max(...outcomes.map((o) => o.doneAt - t0))) : NaN,
    retries: outcomes.reduce((t, o) => t + o.retries, 0),
    clientsThatRetried: outcomes.filter((o) => o.retries > 0).length,
    answersByCode,
    failuresByCode: countBy(failed.map((o) => (o.gaveUp ? `${o.code} (gave up)` : o.code))),
    unexplained,
    serverCpuMs: cpu[0] === null || cpu[1] === null ? null : cpu[1] - cpu[0],
  };
}

/** Devices for `n` phones, one address each from `block`, warmed (connected) just before they are used. */
export async function phones(base: string, n: number, block: number, sockets = 1): Promise<Device[]> {
  const devices = Array.from({ length: n }, (_, i) => new Device(base, address(block, i + 1), sockets));
  await Promise.all(devices.map((d) => d.warm()));
  return devices;
}

const closeAll = (devices: Device[]) => devices.forEach((d) => d.close());

export interface SignInPhase {
  links: { issued: number; issueMs: number };
  link: Step & { sessionIdMatches: number };
  password: Step & { sessionIdNull: number };
  /** The tokens the attendees got by their links, in attendee order (null where a sign-in failed). */
  tokens: (string | null)[];
  /** The links' own tokens, in attendee order. */
  linkTokens: string[];
  /** A token one of the others got by password (not registered for the session), for the rule checks. */
  otherToken: string | null;
}

/**
 * The secretary issues the session's personal links; then every attendee signs in by link and, at the same moment,
 * the others by password. Retryable answers (SERVICE_UNAVAILABLE from a full hashing queue) are honoured.
 */
export async function signInPhase(base: string, pid: number, session: HallSession, people: People, secretaryToken: string, console: Device): Promise<SignInPhase> {
  const ti = performance.now();
  const issued = (await must(console, ISSUE_LINKS, { s: session.sessionId }, secretaryToken)).issueSignInLinks as { user: { id: string }; url: string }[];
  const issueMs = round(performance.now() - ti);
  const tokenOf = new Map(issued.map((l) => [Number(l.user.id), l.url.slice(l.url.lastIndexOf('/signin/') + '/signin/'.length)]));
  const missing = people.attendees.filter((a) => !tokenOf.has(a.id));
  if (missing.length) throw new Error(`issueSignInLinks gave no link to ${missing.length} attendees (${missing[0].username}, …)`);

  const [linkPhones, passwordPhones] = await Promise.all([phones(base, people.attendees.length, LINK_BLOCK), phones(base, people.others.length, PASSWORD_BLOCK)]);
  const cpu0 = serverCpuMs(pid);
  const t0 = performance.now();
  const byLink = Promise.all(people.attendees.map((a, i) => untilAnswered(() => linkPhones[i].post(SIGN_IN_LINK, { t: tokenOf.get(a.id) }), CLIENT_BUDGET_MS)));
  const byPassword = Promise.all(people.others.map((a, i) => untilAnswered(() => passwordPhones[i].post(LOGIN_USER, { u: a.username, p: PASSWORD }), CLIENT_BUDGET_MS)));
  const [link, password] = await Promise.all([byLink, byPassword]);
  const cpu1 = serverCpuMs(pid);
  closeAll([...linkPhones, ...passwordPhones]);

  const tokens = link.map((o, i) => (o.ok && o.data?.signInWithLink?.user?.id === String(people.attendees[i].id) ? (o.data.signInWithLink.token as string) : null));
  return {
    links: { issued: issued.length, issueMs },
    link: { ...step(link, t0, [cpu0, cpu1]), sessionIdMatches: link.filter((o) => o.ok && String(o.data?.signInWithLink?.sessionId) === session.sessionId).length },
    password: { ...step(password, t0, [cpu0, cpu1], ['SERVICE_UNAVAILABLE']), sessionIdNull: password.filter((o) => o.ok && o.data?.login?.sessionId === null).length },
    tokens,
    linkTokens: people.attendees.map((a) => tokenOf.get(a.id)!),
    otherToken: (password.find((o) => o.ok)?.data?.login?.token as string | undefined) ?? null,
  };
}

/** Baseline: the same attendees signing in by password, all at once, nobody else: the hall without personal links. */
export async function passwordOnly(base: string, pid: number, attendees: Account[]): Promise<Step & { tokens: (string | null)[] }> {
  const devices = await phones(base, attendees.length, LINK_BLOCK);
  const cpu0 = serverCpuMs(pid);
  const t0 = performance.now();
  const outcomes = await Promise.all(attendees.map((a, i) => untilAnswered(() => devices[i].post(LOGIN, { u: a.username, p: PASSWORD }), CLIENT_BUDGET_MS)));
  const cpu1 = serverCpuMs(pid);
  closeAll(devices);
  return { ...step(outcomes, t0, [cpu0, cpu1], ['SERVICE_UNAVAILABLE']), tokens: outcomes.map((o) => (o.ok ? (o.data?.login?.token as string) : null)) };
}

export interface CodeRead {
  code: string;
  /** How long the code was still accepted when it was read (ms). */
  validForMs: number;
  /** Whether the bench waited for the next code because this one would have expired within the step. */
  waitedForNext: boolean;
  url: string;
}

/** The chair reads the hall's check-in code; one that would expire within `needMs` is replaced by waiting for the next. */
export async function readCode(console: Device, sessionId: string, chairToken: string, needMs: number): Promise<CodeRead> {
  let c = (await must(console, CHECK_IN_CODE, { s: sessionId }, chairToken)).checkInCode as { code: string; rotatesAt: string; expiresAt: string; url: string };
  let waited = false;
  if (Date.parse(c.expiresAt) - Date.now() < needMs) {
    await sleep(Math.max(0, Date.parse(c.rotatesAt) - Date.now()) + 200);
    c = (await must(console, CHECK_IN_CODE, { s: sessionId }, chairToken)).checkInCode;
    waited = true;
  }
  if (!/^\d{6}$/.test(c.code)) throw new Error(`checkInCode gave ${JSON.stringify(c.code)}, not six digits`);
  return { code: c.code, validForMs: Date.parse(c.expiresAt) - Date.now(), waitedForNext: waited, url: c.url };
}

export interface CheckInPhase {
  code: Omit<CodeRead, 'code'>;
  checkIn: Step & {
    /** From the first request until every attendee's check-in was answered present; null if some never were. */
    allPresentMs: number | null;
  };
  /** Read by the chair after the step: attendance(sessionId) and the room's own count. */
  attendance: { expected: number; present: number };
  room: { expected: number; present: number };
}

/** The chair reads the code once; every attendee checks in with it at once, on a phone of their own. */
export async function checkInPhase(base: string, pid: number, session: HallSession, tokens: string[], chairToken: string, console: Device): Promise<CheckInPhase> {
  const { code, ...read } = await readCode(console, session.sessionId, chairToken, 20_000);
  const devices = await phones(base, tokens.length, LINK_BLOCK);
  const cpu0 = serverCpuMs(pid);
  const t0 = performance.now();
  const outcomes = await Promise.all(tokens.map((token, i) => untilAnswered(() => devices[i].post(CHECK_IN, { s: session.sessionId, c: code }, token), CLIENT_BUDGET_MS)));
  const cpu1 = serverCpuMs(pid);
  closeAll(devices);
  const present = outcomes.filter((o) => o.ok && o.data?.checkIn?.present === true);
  const counts = await must(console, ATTENDANCE, { s: session.sessionId }, chairToken);
  return {
    code: read,
    checkIn: { ...step(outcomes, t0, [cpu0, cpu1], ['SERVICE_UNAVAILABLE']), allPresentMs: present.length === tokens.length ? round(Math.max(...present.map((o) => o.doneAt - t0))) : null },
    attendance: counts.attendance,
    room: counts.room.attendance,
  };
}

/**
 * Baseline, the serial floor: the same attendees check in to another session strictly one after another over one
 * kept-alive connection. A code that goes stale on the way is read again (counted).
 */
export async function serialCheckIn(base: string, pid: number, session: HallSession, tokens: string[], chairToken: string, console: Device): Promise<Step & { codeReads: number; present: number }> {
  let { code } = await readCode(console, session.sessionId, chairToken, 30_000);
  let codeReads = 1;
  const device = new Device(base, null);
  await device.warm();
  const outcomes: Outcome[] = [];
  const cpu0 = serverCpuMs(pid);
  const t0 = performance.now();
  for (const token of tokens) {
    let o = await untilAnswered(() => device.post(CHECK_IN, { s: session.sessionId, c: code }, token), CLIENT_BUDGET_MS);
    if (o.code === 'CHECK_IN_CODE_INVALID') {
      ({ code } = await readCode(console, session.sessionId, chairToken, 5_000));
      codeReads += 1;
      o = await untilAnswered(() => device.post(CHECK_IN, { s: session.sessionId, c: code }, token), CLIENT_BUDGET_MS);
    }
    outcomes.push(o);
  }
  const cpu1 = serverCpuMs(pid);
  device.close();
  const counts = await must(console, ATTENDANCE, { s: session.sessionId }, chairToken);
  return { ...step(outcomes, t0, [cpu0, cpu1]), codeReads, present: counts.attendance.present };
}

export interface Command {
  name: string;
  ms: number;
}

export interface WalkPhase {
  commands: Command[];
  perCommand: Latency;
  wallMs: number;
  entitledVoters: number;
  quorum: number | null;
  /** From openEvaluation's send until every phone's roomState showed the evaluation open. */
  openSeenByAllMs: number | null;
}

/**
 * The chair moves the room through the speeches (each started and ended at once), the exchange, the summary and
 * the evaluation, and opens the ballot box, while every phone follows roomState.
 */
export async function walkRoom(session: HallSession, chairToken: string, console: Device, hall: Hall | null): Promise<WalkPhase> {
  const commands: Command[] = [];
  const run = async (name: string, query: string, variables: Record<string, unknown>) => {
    const t = performance.now();
    const data = await must(console, query, variables, chairToken);
    commands.push({ name, ms: round(performance.now() - t) });
    return data;
  };
  const s = session.sessionId;
  const room = (field: string, extra = '') => run(field + extra.replace(/[^A-Z]/g, ''), `mutation($s: ID!) { ${field}(sessionId: $s${extra}) { seq } }`, { s });
  const t0 = performance.now();
  await room('advancePhase', ', phase: SPEECHES');
  for (let i = 0; i < session.speechIds.length; i++) {
    await room('startSpeech');
    await room('endSpeech');
  }
  for (const phase of ['EXCHANGE', 'SUMMARY', 'EVALUATION']) await room('advancePhase', `, phase: ${phase}`);
  const open = hall?.until((state) => state?.evaluation?.status === 'OPEN', 30_000);
  const opened = (await run('openEvaluation', 'mutation($s: ID!) { openEvaluation(sessionId: $s) { status entitledVoters } }', { s })).openEvaluation;
  const seen = await open;
  const wallMs = round(performance.now() - t0);
  const state = hall ? hall.phones[0].state : (await must(console, 'query($s: ID!) { room(sessionId: $s) { evaluation { quorum } } }', { s }, chairToken)).room;
  return {
    commands,
    perCommand: latency(commands.map((c) => c.ms)),
    wallMs,
    entitledVoters: opened.entitledVoters,
    quorum: typeof state?.evaluation?.quorum === 'number' ? state.evaluation.quorum : null,
    openSeenByAllMs: seen?.all ? round(seen.lastMs) : null,
  };
}

/** A valid ballot: every speech in `toGrade` once, at most ⌊n/3⌋ EXCELLENT, grades spread over the hall. */
export function gradesFor(i: number, toGrade: string[], excellent = Math.floor(toGrade.length / 3)): { speechId: string; grade: string }[] {
  const others = ['GOOD', 'AVERAGE', 'POOR', 'GOOD'];
  return toGrade.map((speechId, j) => ({ speechId, grade: excellent > 0 && (i + j) % toGrade.length < excellent ? 'EXCELLENT' : others[(i + 2 * j) % others.length] }));
}

export interface SeatCheck {
  read: number;
  /** Seats whose ownSpeechIds differ from the line-up's cadres' accounts, or that are not registered, present and entitled. */
  mismatches: number;
  example: unknown;
}

/** Every voter's mySeat before the vote: what the server says each one grades (all but their own speeches). */
export async function readSeats(base: string, session: HallSession, voters: Account[], tokens: string[]): Promise<{ toGrade: string[][]; check: SeatCheck }> {
  const device = new Device(base, null, 8);
  let mismatches = 0;
  let example: unknown = null;
  const toGrade = await pooled(voters, 8, async (v, i) => {
    const seat = (await must(device, MY_SEAT, { s: session.sessionId }, tokens[i])).mySeat;
    const own = (session.ownSpeeches.get(v.id) ?? []).slice().sort();
    const said = [...(seat.ownSpeechIds as string[])].sort();
    if (JSON.stringify(own) !== JSON.stringify(said) || !seat.registered || !seat.present || !seat.entitled || seat.voted) {
      mismatches += 1;
      example ??= { user: v.username, expectedOwn: own, seat };
    }
    return session.speechIds.filter((id) => !own.includes(id));
  });
  device.close();
  return { toGrade, check: { read: voters.length, mismatches, example } };
}

export interface BallotPhase {
  voters: number;
  /** All first sends and all second sends. */
  perBallot: Latency;
  first: Latency;
  /** The second send, with the same clientId: in flight together with the first, and right after the first answer. */
  retryInFlight: Latency;
  retryAfterAnswer: Latency;
  /** From the first send until the watched phone's roomState showed ballotsCast = voters; null if it never did. */
  countedOnSubscriptionMs: number | null;
  /** Until every phone's roomState showed it. */
  countedOnAllPhonesMs: number | null;
  lastAnswerMs: number;
  /** max(last answer, counted on the watched phone). */
  wallMs: number | null;
  ballotsCast: number;
  votedRows: number;
  gradeRows: number;
  expectedGradeRows: number;
  distinctVoters: number;
  countedEqualsDistinct: boolean;
  /** Voters whose two answers carried different receipts (must be 0), and retries answered with the same one. */
  receiptMismatches: number;
  retriesWithSameReceipt: number;
  receiptsVerified: number;
  receiptsRejected: number;
  step: Step;
  serverCpuMs: number | null;
}

/**
 * Every voter casts a valid ballot at once and sends it once more with the same clientId: half of them while the
 * first is in flight, half right after its answer. Each voter has a phone with two connections, warmed first.
 */
export async function ballotStorm(base: string, pid: number, session: HallSession, voters: Account[], tokens: string[], toGrade: string[][], chairToken: string, console: Device, hall: Hall | null): Promise<BallotPhase> {
  const devices = await phones(base, voters.length, LINK_BLOCK, 2);
  const bodies = voters.map((v, i) => ({ s: session.sessionId, g: gradesFor(i, toGrade[i]), c: `hall-${v.id}-${randomUUID()}` }));
  // With nobody subscribed, the chair's console polls the count every 50 ms instead, as bench:storm does.
  const poller = hall ? null : new Device(base, null, 2);
  if (poller) await poller.warm();
  const counted = hall ? hall.until((state) => (state?.evaluation?.ballotsCast ?? 0) >= voters.length, 60_000) : pollCount(poller!, session.sessionId, chairToken, voters.length, 60_000);
  const cpu0 = serverCpuMs(pid);
  const t0 = performance.now();
  const pairs = voters.map((_, i) => {
    const send = () => devices[i].post(CAST, bodies[i], tokens[i]);
    const first = untilAnswered(send, CLIENT_BUDGET_MS);
    const second = i % 2 === 0 ? untilAnswered(send, CLIENT_BUDGET_MS) : first.then(() => untilAnswered(send, CLIENT_BUDGET_MS));
    return Promise.all([first, second]);
  });
  const outcomes = await Promise.all(pairs);
  const lastAnswerMs = performance.now() - t0;
  const seen = await counted;
  const cpu1 = serverCpuMs(pid);
  closeAll(devices);
  poller?.close();

  const receipt = (o: Outcome) => (o.ok ? (o.data?.castBallot?.receipt as string | undefined) : undefined);
  const distinct = outcomes.filter(([a, b]) => receipt(a) || receipt(b)).length;
  const mismatches = outcomes.filter(([a, b]) => receipt(a) && receipt(b) && receipt(a) !== receipt(b)).length;
  const same = outcomes.filter(([a, b]) => receipt(a) && receipt(a) === receipt(b)).length;
  const db = await countVoted(Number(session.sessionId), DATABASE);
  const cast = (await must(console, EVALUATION, { s: session.sessionId }, chairToken)).evaluation.ballotsCast as number;
  const verifier = new Device(base, null, 8);
  const verdicts = await pooled(outcomes, 8, async ([a, b], i) => {
    const r = receipt(a) ?? receipt(b);
    if (!r) return null;
    const res = await verifier.post(VERIFY, { s: session.sessionId, r }, tokens[i]);
    return res.data?.verifyBallotReceipt === true;
  });
  verifier.close();
  const expectedGradeRows = toGrade.reduce((t, g, i) => t + (receipt(outcomes[i][0]) || receipt(outcomes[i][1]) ? g.length : 0), 0);
  const countedMs = seen.firstMs === null ? null : round(seen.firstOf(0) ?? seen.firstMs);
  return {
    voters: voters.length,
    perBallot: latency(outcomes.flat().map((o) => o.ms)),
    first: latency(outcomes.map(([a]) => a.ms)),
    retryInFlight: latency(outcomes.filter((_, i) => i % 2 === 0).map(([, b]) => b.ms)),
    retryAfterAnswer: latency(outcomes.filter((_, i) => i % 2 === 1).map(([, b]) => b.ms)),
    countedOnSubscriptionMs: countedMs,
    countedOnAllPhonesMs: seen.all ? round(seen.lastMs) : null,
    lastAnswerMs: round(lastAnswerMs),
    wallMs: countedMs === null ? null : round(Math.max(lastAnswerMs, countedMs)),
    ballotsCast: cast,
    votedRows: db.voted,
    gradeRows: db.gradeRows,
    expectedGradeRows,
    distinctVoters: distinct,
    countedEqualsDistinct: cast === distinct && db.voted === distinct && db.gradeRows === expectedGradeRows,
    receiptMismatches: mismatches,
    retriesWithSameReceipt: same,
    receiptsVerified: verdicts.filter((v) => v === true).length,
    receiptsRejected: verdicts.filter((v) => v === false).length,
    step: step(outcomes.flat(), t0, [cpu0, cpu1], ['SERVICE_UNAVAILABLE']),
    serverCpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
  };
}

/** Polls evaluation.ballotsCast until it reaches `target`: a Seen with one watcher, the poller. */
async function pollCount(device: Device, sessionId: string, token: string, target: number, timeoutMs: number) {
  const started = performance.now();
  let at: number | null = null;
  while (performance.now() - started < timeoutMs) {
    const r = await device.post(EVALUATION, { s: sessionId }, token).catch(() => null);
    if ((r?.data?.evaluation?.ballotsCast ?? 0) >= target) {
      at = performance.now() - started;
      break;
    }
    await sleep(50);
  }
  return { times: [at], firstMs: at, lastMs: at ?? NaN, all: at !== null, firstOf: (i: number) => (i === 0 ? at : null) };
}

export interface RuleCheck {
  check: string;
  /** The code a rule must answer with; null where the rules say the request succeeds. */
  expected: string | null;
  got: string | null;
  met: boolean;
}

/** One request that a rule must refuse with `expected` (or, with null, let through), sent on its own. */
async function expectCode(device: Device, check: string, expected: string | null, send: () => Promise<GqlResponse>): Promise<RuleCheck> {
  let got: string | null;
  try {
    got = errorCode(await send());
  } catch (err) {
    got = `TRANSPORT ${(err as Error).message}`;
  }
  return { check, expected, got, met: got === expected };
}

/** A code that is not the hall's: the current one shifted by half the range. */
const wrongCode = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');

/** Before the check-in: a wrong code from an attendee not yet present (a refused check-in changes nothing). */
export async function checkInRuleChecks(base: string, session: HallSession, attendeeToken: string, chairToken: string, console: Device): Promise<RuleCheck[]> {
  const d = new Device(base, null);
  const s = session.sessionId;
  const { code } = await readCode(console, s, chairToken, 5_000);
  const checks = [await expectCode(d, 'a wrong check-in code', 'CHECK_IN_CODE_INVALID', () => d.post(CHECK_IN, { s, c: wrongCode(code) }, attendeeToken))];
  d.close();
  return checks;
}

/** Before the ballot storm: ballots the rules refuse, from a speaker who will then vote properly (a refused ballot changes nothing). */
export async function ballotRuleChecks(base: string, session: HallSession, speaker: Account, token: string, toGrade: string[]): Promise<RuleCheck[]> {
  const d = new Device(base, null);
  const s = session.sessionId;
  const own = session.ownSpeeches.get(speaker.id) ?? [];
  const tooMany = toGrade.map((speechId, j) => ({ speechId, grade: j <= Math.floor(toGrade.length / 3) ? 'EXCELLENT' : 'GOOD' }));
  const checks = [
    await expectCode(d, 'a ballot with one EXCELLENT over ⌊n/3⌋', 'EVALUATION_QUOTA_EXCEEDED', () => d.post(CAST, { s, g: tooMany, c: `rule-${randomUUID()}` }, token)),
    await expectCode(d, 'a speaker grading their own speech', 'BAD_USER_INPUT', () => d.post(CAST, { s, g: gradesFor(0, [...toGrade, ...own]), c: `rule-${randomUUID()}` }, token)),
    await expectCode(d, 'a ballot missing a speech', 'BAD_USER_INPUT', () => d.post(CAST, { s, g: gradesFor(0, toGrade.slice(1)), c: `rule-${randomUUID()}` }, token)),
  ];
  d.close();
  return checks;
}

/** After the storms: requests the rules refuse, one of each, each on its own. */
export async function ruleChecks(
  base: string,
  session: HallSession,
  attendeeToken: string,
  otherToken: string,
  toGrade: string[],
  linkToken: string,
  tokens: { chair: string; secretary: string },
  console: Device,
): Promise<RuleCheck[]> {
  const d = new Device(base, null);
  const s = session.sessionId;
  const { code } = await readCode(console, s, tokens.chair, 5_000);
  const checks = [
    await expectCode(d, 'an attendee reads the check-in code', 'FORBIDDEN', () => d.post(CHECK_IN_CODE, { s }, attendeeToken)),
    // Checking in twice is harmless: an attendee already present gets their entry back, whatever the code.
    await expectCode(d, 'an attendee already present sends a wrong code', null, () => d.post(CHECK_IN, { s, c: wrongCode(code) }, attendeeToken)),
    await expectCode(d, 'someone not registered checks in with the right code', 'FORBIDDEN', () => d.post(CHECK_IN, { s, c: code }, otherToken)),
    await expectCode(d, 'a voter votes again with another clientId', 'EVALUATION_ALREADY_VOTED', () => d.post(CAST, { s, g: gradesFor(1, toGrade), c: `rule-${randomUUID()}` }, attendeeToken)),
    await expectCode(d, 'someone not entitled casts a ballot', 'EVALUATION_NOT_ENTITLED', () => d.post(CAST, { s, g: gradesFor(1, session.speechIds), c: `rule-${randomUUID()}` }, otherToken)),
    await expectCode(d, 'an attendee issues sign-in links', 'FORBIDDEN', () => d.post(ISSUE_LINKS, { s }, attendeeToken)),
  ];
  // Issuing again replaces every attendee's link for the session: the one used in the storm signs nobody in any more.
  await must(console, ISSUE_LINKS, { s }, tokens.secretary);
  checks.push(await expectCode(d, 'a link replaced by a later issue', 'UNAUTHENTICATED', () => d.post(SIGN_IN_LINK, { t: linkToken })));
  checks.push(await expectCode(d, 'a made-up link token', 'UNAUTHENTICATED', () => d.post(SIGN_IN_LINK, { t: 'x'.repeat(43) })));
  d.close();
  return checks;
}
