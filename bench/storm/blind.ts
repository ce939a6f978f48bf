import { randomUUID } from 'node:crypto';
import { importPublicKey } from '../../src/modules/evaluation/blind/ballot-keys';
import { blindToken, expectedReceipt, finalizeToken, prepareToken } from '../../src/modules/evaluation/blind/ballot-client';
import { address, CLIENT_BUDGET_MS, countBy, gradesFor, latency, Latency, round, serverCpuMs, watchCount } from './phases';
import { Device, Outcome, untilAnswered } from './http';
import { countSpent, must, type Account, type BallotSession } from './world';

/**
 * The ballot storm in BLIND mode (docs/blind-ballots.md), as the hall's phones do it: every voter takes a token the
 * moment the box opens (ballotKey, then issueBallotToken with a blinded message: the voter-bound write), and later
 * casts with it in a request without Authorization (castAnonymousBallot), twice at once with the same clientId as
 * a phone retrying a slow answer. The blinding and unblinding, the phones' own work, run before and between the
 * timed parts, so the times are the server's.
 */

export interface BlindBallotResult {
  voters: number;
  speeches: number;
  /** All voters asking for their token at once. */
  issue: { wallMs: number; perRequest: Latency; errorsByCode: Record<string, number> };
  requests: number;
  /** From the first cast until every cast was answered and ballotsCast read back equalled the voters; null if never. */
  wallMs: number | null;
  lastAnswerMs: number;
  countedMs: number | null;
  perRequest: Latency;
  first: Latency;
  duplicate: Latency;
  ballotsCast: number;
  spentTokens: number;
  gradeRows: number;
  distinctVoters: number;
  countedEqualsDistinct: boolean;
  /** Receipts the server answered that differ from the one the voter computed from the token. */
  receiptMismatches: number;
  errorsByCode: Record<string, number>;
  retries: number;
  serverCpuMs: number | null;
}

const KEY = 'query($s: ID!) { ballotKey(sessionId: $s) { publicKeyPem } }';
const ISSUE = 'mutation($s: ID!, $b: String!) { issueBallotToken(sessionId: $s, blindedMessage: $b) }';
const CAST = 'mutation($s: ID!, $t: String!, $sig: String!, $g: [GradeInput!]!, $c: String) { castAnonymousBallot(sessionId: $s, token: $t, signature: $sig, grades: $g, clientId: $c) { receipt } }';

const codes = (outcomes: Outcome[]) => countBy(outcomes.filter((o) => !o.ok).map((o) => o.code));

export async function blindBallotStorm(base: string, pid: number, session: BallotSession, voters: Account[], tokens: string[], adminToken: string): Promise<BlindBallotResult> {
  // Fresh devices, their connections opened, right before each timed part: the blinding between takes longer than
  // a kept-alive connection waits.
  const connect = async () => {
    const made = voters.map((_, i) => new Device(base, address(41, i + 1), 2));
    await Promise.all(made.map((d) => d.warm()));
    return made;
  };
  const setup = new Device(base, null);
  // Every voter here is an attendee who does not speak: one key for all.
  const pem = (await must(setup, KEY, { s: session.sessionId }, tokens[0])).ballotKey.publicKeyPem as string;
  setup.close();
  const key = await importPublicKey(pem);
  const prepared = await Promise.all(voters.map(async () => {
    const token = prepareToken();
    return { token, ...(await blindToken(key, token)) };
  }));

  const issuers = await connect();
  const i0 = performance.now();
  const issued = await Promise.all(voters.map((_, i) => untilAnswered(() => issuers[i].post(ISSUE, { s: session.sessionId, b: prepared[i].blindedMessage }, tokens[i]), CLIENT_BUDGET_MS)));
  const issueWallMs = performance.now() - i0;
  for (const d of issuers) d.close();
  const held = await Promise.all(
    issued.map(async (o, i) =>
      o.ok ? { token: prepared[i].token, signature: await finalizeToken(key, prepared[i].token, o.data!.issueBallotToken as string, prepared[i].inv), receipt: await expectedReceipt(prepared[i].token) } : null,
    ),
  );

  const bodies = held.map((h, i) => h && { s: session.sessionId, t: h.token, sig: h.signature, g: gradesFor(i, session.speechIds), c: `storm-${randomUUID()}` });
  const target = held.filter(Boolean).length;
  const devices = await connect();
  const poller = new Device(base, null, 2);
  await poller.warm();
  const cpuBefore = serverCpuMs(pid);
  const t0 = performance.now();
  const pairs = bodies.map((body, i) => {
    if (!body) return null;
    // No token: the anonymous ballot carries no Authorization.
    const send = () => devices[i].post(CAST, body);
    return Promise.all([untilAnswered(send, CLIENT_BUDGET_MS), untilAnswered(send, CLIENT_BUDGET_MS)]);
  });
  const count = watchCount(poller, session.sessionId, adminToken, target, t0);
  const outcomes = (await Promise.all(pairs.map((p) => p ?? Promise.resolve(null)))).filter((p): p is [Outcome, Outcome] => p !== null);
  const lastAnswerMs = performance.now() - t0;
  const seen = await count.answered();
  const cpuAfter = serverCpuMs(pid);
  for (const d of [...devices, poller]) d.close();

  const receipt = (o: Outcome) => (o.ok ? (o.data?.castAnonymousBallot?.receipt as string | undefined) : undefined);
  const expected = held.filter((h): h is NonNullable<typeof h> => h !== null).map((h) => h.receipt);
  const distinct = outcomes.filter(([a, b]) => receipt(a) || receipt(b)).length;
  const mismatches = outcomes.filter(([a, b], i) => [a, b].some((o) => receipt(o) && receipt(o) !== expected[i])).length;
  const db = await countSpent(Number(session.sessionId));
  const all = outcomes.flat();
  return {
    voters: voters.length,
    speeches: session.speechIds.length,
    issue: { wallMs: round(issueWallMs), perRequest: latency(issued.map((o) => o.ms)), errorsByCode: codes(issued) },
    requests: all.length,
    wallMs: seen.countedAt === null ? null : round(Math.max(lastAnswerMs, seen.countedAt)),
    lastAnswerMs: round(lastAnswerMs),
    countedMs: seen.countedAt === null ? null : round(seen.countedAt),
    perRequest: latency(all.map((o) => o.ms)),
    first: latency(outcomes.map(([a]) => a.ms)),
    duplicate: latency(outcomes.map(([, b]) => b.ms)),
    ballotsCast: seen.last,
    spentTokens: db.spent,
    gradeRows: db.gradeRows,
    distinctVoters: distinct,
    countedEqualsDistinct: seen.last === distinct && db.spent === distinct && db.gradeRows === distinct * session.speechIds.length && distinct === voters.length,
    receiptMismatches: mismatches,
    errorsByCode: codes(all.filter((o) => !receipt(o))),
    retries: all.reduce((t, o) => t + o.retries, 0),
    serverCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
  };
}
