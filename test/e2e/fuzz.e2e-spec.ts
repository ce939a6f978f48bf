import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { Client } from 'graphql-ws';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { RunningServer, startServer } from '../../src/app/server';
import { User } from '../../src/auth/user.entity';
import { ManualClock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/config';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/data-source';
import { Claim, Commitment } from '../../src/modules/briefing/briefing.entity';
import { seedDemoWorld } from '../../src/modules/demo/demo-seed';
import { Cadre } from '../../src/modules/registry/cadre.entity';
import { Region } from '../../src/modules/registry/region.entity';
import { Session } from '../../src/modules/sessions/session.entity';
import { Speech } from '../../src/modules/sessions/speech.entity';
import { committedSchema, FUTURE, minimalOperation, PAST, rootFields } from '../helpers/schema-operations';
import { ServerProcess, startServerProcess, subscribe, wsClient } from '../helpers/server-process';

/**
 * Issue item 7: a property-based fuzzer (fast-check, fixed seeds, bounded runs) against the real server in this
 * process. It throws random documents, variables and bodies over HTTP, random frames over WebSocket, and invalid
 * mutations, and checks: an answer every time (no hang), JSON with `errors` or `data`, no stack trace, internal
 * errors masked as `internal error (request <uuid>)`, the server healthy afterwards, and no state change from a
 * rejected request.
 *
 * The server runs with NODE_ENV=production, the configuration that faces the hall: outside production Apollo adds
 * stack traces to errors on purpose. The oversized-frame check runs the compiled server in a child process, because
 * what it guards against is the process exiting.
 *
 * The state check runs first: random valid mutations of the HTTP fuzz (startSpeech, sealArchive…) change the
 * database on purpose and may arm room timers, which must not land inside the before/after comparison.
 * FUZZ_STATS=1 prints what each fuzzer reached (statuses, error codes, close codes), to judge its coverage.
 */

const SEED = 7_2026_11;
const JWT_SECRET = 'fuzz-secret-fuzz-secret-fuzz-secret-fuzz';
/** Per request: an answer later than this is a hang. */
const ANSWER_MS = 10_000;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MASKED_HTTP = new RegExp(`^internal error \\(request ${UUID}\\)$`);
const MASKED_WS = new RegExp(`^internal error( \\(request ${UUID}\\))?$`);
/** What a message looks like when an internal error or a stack leaks through. */
const LEAK = /Maximum call stack|Cannot read propert|is not a function|is not iterable|SQLITE_|QueryFailedError|SqliteError|\bER_[A-Z_]{3,}|ECONNREFUSED|TypeError|RangeError|ReferenceError|node_modules|\/work\/|\/src\/|\.[jt]s:\d+|\n\s+at \S+/;
const HTTP_STATUSES = [200, 400, 403, 405, 413, 415];
/** Close codes that say "you misbehaved" (or "too big", "too many"), as opposed to "the server broke" (1006, 1011, 4500). */
const CLOSE_CODES = [1000, 1005, 1007, 1009, 1013, 4400, 4401, 4403, 4406, 4408, 4409, 4429];
/** The tables a rejected mutation must leave alone (row count and content). */
const TABLES = ['users', 'cadres', 'sessions', 'speeches', 'comments', 'room_events', 'journal_entries', 'ballot_grades', 'claims', 'audits', 'attendees', 'evaluations', 'evaluation_voters', 'findings', 'regions', 'themes'];

interface HttpAnswer {
  status: number;
  text: string;
  json: any;
}

/** Every way a JSON answer can fail the properties; empty when it is fine. */
function problemsOf(answer: HttpAnswer): string[] {
  const problems: string[] = [];
  if (!HTTP_STATUSES.includes(answer.status) && answer.status !== 500) problems.push(`status ${answer.status}`);
  const body = answer.json;
  if (body === undefined) return [...problems, `not JSON: ${answer.text.slice(0, 200)}`];
  if (typeof body !== 'object' || body === null || (!Array.isArray(body.errors) && !('data' in body))) problems.push(`neither errors nor data: ${answer.text.slice(0, 200)}`);
  const errors: any[] = Array.isArray(body?.errors) ? body.errors : [];
  for (const e of errors) {
    if (e?.extensions?.stacktrace) problems.push(`stack trace in ${JSON.stringify(e).slice(0, 200)}`);
    if (e?.extensions?.code === 'INTERNAL_SERVER_ERROR' && !MASKED_HTTP.test(e.message)) problems.push(`INTERNAL_SERVER_ERROR not masked as ours: "${e.message}"`);
    if (typeof e?.message === 'string' && LEAK.test(e.message)) problems.push(`internal detail in "${e.message.slice(0, 200)}"`);
  }
  if (answer.status === 500 && !errors.every((e) => e?.extensions?.code === 'INTERNAL_SERVER_ERROR' && MASKED_HTTP.test(e.message))) {
    problems.push(`500 without a masked error: ${answer.text.slice(0, 200)}`);
  }
  return problems;
}

/**
 * Runs a property over `numRuns` generated values (fixed seed) and gathers every problem instead of stopping at the
 * first, so one run reports each distinct defect once, with how often it occurred and its shortest example.
 */
async function fuzz<T>(arb: fc.Arbitrary<T>, numRuns: number, check: (value: T) => Promise<string[]>): Promise<Record<string, string>> {
  const found = new Map<string, { count: number; example: string; length: number }>();
  await fc.assert(
    fc.asyncProperty(arb, async (value) => {
      let problems: string[];
      try {
        problems = await check(value);
      } catch (err) {
        problems = [`no proper answer: ${(err as Error).message}`];
      }
      for (const problem of problems) {
        const key = problem.replace(new RegExp(UUID, 'g'), '<uuid>').slice(0, 200);
        const text = JSON.stringify(value) ?? String(value);
        const seen = found.get(key) ?? { count: 0, example: '', length: Infinity };
        seen.count += 1;
        if (text.length < seen.length) Object.assign(seen, { length: text.length, example: text.length > 400 ? `${text.slice(0, 400)}… (${text.length} characters)` : text });
        found.set(key, seen);
      }
    }),
    { seed: SEED, numRuns },
  );
  return Object.fromEntries([...found].map(([problem, { count, example }]) => [problem, `${count}× — shortest: ${example}`]));
}

describe('fuzzing the server', () => {
  let server: RunningServer;
  let ds: DataSource;
  let clock: ManualClock;
  const logLines: string[] = [];
  let admin: string;
  let chair: string;
  /** The user of the first speaker of the live session. */
  let speaker: string;
  const voters: string[] = [];
  let allCadreIds: string[] = [];
  /** Ids of real rows, for documents that get past validation. */
  const ids: Record<string, string> = {};
  let liveSpeeches: string[] = [];
  const clients: Client[] = [];
  const http = (path = '/graphql') => server.url.replace('/graphql', path);

  async function send(init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array; path?: string }): Promise<HttpAnswer> {
    const res = await fetch(http(init.path), { method: init.method ?? 'POST', headers: init.headers, body: init.body, signal: AbortSignal.timeout(ANSWER_MS) });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  }

  const postJson = (payload: unknown, token: string | null = admin) =>
    send({ headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(payload) });

  async function gql(token: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
    const answer = await postJson({ query, variables }, token);
    if (answer.json?.errors) throw new Error(`${query}: ${JSON.stringify(answer.json.errors)}`);
    return answer.json.data;
  }

  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'sqlite::memory:', PORT: '0', LOG_LEVEL: 'warn', JWT_SECRET, BALLOT_MODE: 'simple' });
    ds = await createDataSource(config.database, { entities: ENTITIES }).initialize();
    clock = new ManualClock(Date.now());
    await seedDemoWorld(ds, clock, 'leitai-demo');
    // Warnings and errors are kept, not printed: a masked error's cause is read back from here when a test fails.
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) }));
    server = await startServer({ config, ds, clock, logger });
    const users = ds.getRepository(User);
    admin = await server.services.tokens.signUser(await users.findOneByOrFail({ username: 'admin' }));
    chair = await server.services.tokens.signUser(await users.findOneByOrFail({ username: 'chair' }));
    for (let i = 1; i <= 40; i++) voters.push(await server.services.tokens.signUser(await users.findOneByOrFail({ username: `voter${String(i).padStart(2, '0')}` })));

    // Session 4 (the live demo) is run to an open evaluation; session 1 keeps its line-up in phase SCHEDULED.
    const live = await ds.getRepository(Session).findOneByOrFail({ number: 4 });
    const scheduled = await ds.getRepository(Session).findOneByOrFail({ number: 1 });
    liveSpeeches = (await ds.getRepository(Speech).find({ where: { sessionId: live.id }, order: { order: 'ASC' } })).map((s) => String(s.id));
    const otherSpeech = await ds.getRepository(Speech).findOneOrFail({ where: { sessionId: scheduled.id }, order: { order: 'ASC' } });
    const claim = await ds.getRepository(Claim).findOneOrFail({ where: {}, order: { id: 'ASC' } });
    const commitment = await ds.getRepository(Commitment).findOneOrFail({ where: {}, order: { id: 'ASC' } });
    const cadre = await ds.getRepository(Cadre).findOneOrFail({ where: {}, order: { id: 'ASC' } });
    const region = await ds.getRepository(Region).findOneOrFail({ where: {}, order: { id: 'ASC' } });
    const voter = await users.findOneByOrFail({ username: 'voter01' });
    const auditor = await users.findOneByOrFail({ username: 'auditor' });
    const regionalAuditor = await users.findOneByOrFail({ username: 'auditor2' });
    const sameUnit = await ds.getRepository(Cadre).findBy({ regionId: regionalAuditor.regionId! });
    const conflictClaim = await ds.getRepository(Claim).findOneOrFail({ where: sameUnit.map((c) => ({ cadreId: c.id })), order: { id: 'ASC' } });
    const firstSpeaker = await ds.getRepository(Cadre).findOneByOrFail({ id: (await ds.getRepository(Speech).findOneByOrFail({ id: Number(liveSpeeches[0]) })).cadreId });
    speaker = await server.services.tokens.signUser(await users.findOneByOrFail({ id: firstSpeaker.userId! }));
    allCadreIds = (await ds.getRepository(Cadre).find({ order: { id: 'ASC' } })).map((c) => String(c.id));
    Object.assign(ids, {
      regionalAuditorId: String(regionalAuditor.id),
      conflictClaimId: String(conflictClaim.id),
      sessionId: String(live.id),
      scheduledSessionId: String(scheduled.id),
      speechId: liveSpeeches[0],
      otherSpeechId: String(otherSpeech.id),
      cadreId: String(cadre.id),
      linkedUserId: String(cadre.userId),
      regionId: String(region.id),
      claimId: String(claim.id),
      commitmentId: String(commitment.id),
      auditorId: String(auditor.id),
      userId: String(voter.id),
      themeId: '1',
    });
    const room = (m: string, args = '') => gql(chair, `mutation($s: ID!) { ${m}(sessionId: $s${args}) { seq } }`, { s: ids.sessionId });
    await room('advancePhase', ', phase: SPEECHES');
    for (let i = 0; i < liveSpeeches.length; i++) {
      await room('startSpeech');
      await room('endSpeech');
    }
    for (const phase of ['EXCHANGE', 'SUMMARY', 'EVALUATION']) await room('advancePhase', `, phase: ${phase}`);
    // Everyone registered is in the hall: the evaluation entitles those present.
    const present = (await gql(chair, `query($s: ID!) { attendance(sessionId: $s) { entries { user { id } } } }`, { s: ids.sessionId })).attendance.entries.map((e: { user: { id: string } }) => e.user.id);
    for (let i = 0; i < present.length; i += 100) await gql(chair, `mutation($s: ID!, $u: [ID!]!) { markPresent(sessionId: $s, userIds: $u, present: true) { present } }`, { s: ids.sessionId, u: present.slice(i, i + 100) });
    await gql(chair, `mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: ids.sessionId });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await server?.stop();
    await ds?.destroy();
  });

  /** The cause logged for each masked error, to say what went wrong when a property fails. */
  const loggedErrors = () => logLines.filter((l) => /"level":50/.test(l)).map((l) => l.slice(0, 300));
  /** Runs `act` and names each error the server logged meanwhile: a masked INTERNAL_SERVER_ERROR is still a defect. */
  async function withLoggedErrors<T>(act: () => Promise<T>): Promise<[T, string[]]> {
    const from = logLines.length;
    const result = await act();
    const logged = logLines.slice(from).flatMap((line) => {
      const entry = JSON.parse(line);
      return entry.level >= 50 ? [`masked internal error in ${entry.field ?? '?'}: ${entry.err?.message ?? entry.msg}`] : [];
    });
    return [result, logged];
  }

  describe('rejected mutations change nothing', () => {
    async function snapshot(): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      for (const table of TABLES) {
        const rows = await ds.query(`SELECT * FROM "${table}"`);
        out[table] = `${rows.length} rows, ${createHash('sha1').update(JSON.stringify(rows)).digest('hex').slice(0, 12)}`;
      }
      return out;
    }

    interface FieldValues {
      good: fc.Arbitrary<unknown>;
      bad: fc.Arbitrary<unknown>;
    }
    /**
     * Arguments built from valid and invalid values per field: usually exactly one field is invalid, so each defect
     * reaches its own check deep in the service (inside the transaction, where a partial write would show), and
     * sometimes several are.
     */
    function withDefects(fields: Record<string, FieldValues>): fc.Arbitrary<{ values: Record<string, unknown>; defects: string[] }> {
      const names = Object.keys(fields);
      const defects = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names).map((n) => [n]) }, { weight: 1, arbitrary: fc.subarray(names, { minLength: 1 }) });
      return defects.chain((bad) =>
        fc.record(Object.fromEntries(names.map((n) => [n, bad.includes(n) ? fields[n].bad : fields[n].good]))).map((values) => ({ values, defects: bad })),
      );
    }
    const is = (...values: unknown[]) => fc.constantFrom(...values);
    /** Read when the case is generated (after beforeAll), not when the arbitrary is declared. */
    const id = (key: string) => fc.constant(null).map(() => ids[key]);

    const blank = fc.constantFrom('', ' ', '\t\n', '\u3000');
    const tooLong = (max: number) => fc.integer({ min: max + 1, max: max + 300 }).chain((n) => fc.constantFrom('长', 'x', '🙂').map((c) => c.repeat(n)));
    const badId = fc.oneof(fc.constantFrom('0', '-1', '00', 'abc', '1.5', '', ' 1', '999999', '99999999999999999999'), fc.string({ maxLength: 12 }).filter((v) => !/^[1-9][0-9]{0,5}$/.test(v)));
    /** A value of the wrong GraphQL type for a String or ID variable: refused before any resolver runs. */
    const wrongType = fc.oneof(fc.boolean(), fc.double({ noNaN: true, min: 0.1, max: 1e9 }).filter((d) => !Number.isInteger(d)), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { minKeys: 1, maxKeys: 2 }));
    const futureDate = fc.integer({ min: 2, max: 3650 }).map((d) => new Date(Date.now() + 86_400_000 * d).toISOString());
    const pastDate = fc.integer({ min: 1, max: 3650 }).map((d) => new Date(Date.now() - 86_400_000 * d).toISOString());

    interface Case {
      name: string;
      token: () => string;
      query: string;
      variables: Record<string, unknown>;
      /** Runs before the request (e.g. moves the clock past the comment rate limit). */
      before?: () => void;
    }

    const createCadre: fc.Arbitrary<Case> = withDefects({
      name: { good: is('测试干部', 'Zhang Wei'), bad: fc.oneof(blank, tooLong(50), wrongType) },
      position: { good: is('副县长'), bad: fc.oneof(blank, tooLong(120), wrongType) },
      regionId: { good: id('regionId'), bad: badId },
      // Unknown, or the account of a cadre already registered (at most one cadre per account).
      userId: { good: is(undefined), bad: fc.oneof(badId, id('linkedUserId')) },
    }).map(({ values, defects }) => ({ name: `createCadre (${defects})`, token: () => admin, query: `mutation($input: CreateCadreInput!) { createCadre(input: $input) { id } }`, variables: { input: values } }));

    const entry = (cadreId: unknown, allottedSeconds: unknown = 60) => ({ cadreId, allottedSeconds });
    const goodEntries = fc.integer({ min: 1, max: 6 }).chain((n) => fc.shuffledSubarray(allCadreIds, { minLength: n, maxLength: n })).chain((cs) => fc.array(fc.integer({ min: 1, max: 3600 }), { minLength: cs.length, maxLength: cs.length }).map((secs) => cs.map((c, i) => entry(c, secs[i]))));
    const setLineup: fc.Arbitrary<Case> = withDefects({
      // Unknown, or the live session, whose line-up is frozen in phase EVALUATION.
      sessionId: { good: id('scheduledSessionId'), bad: fc.oneof(badId, id('sessionId')) },
      entries: {
        good: goodEntries,
        bad: fc.oneof(
          fc.constant([]),
          fc.integer({ min: 101, max: 130 }).map((n) => Array.from({ length: n }, (_, i) => entry(String(i + 1)))),
          fc.tuple(goodEntries, fc.nat(), badId).map(([es, at, cadreId]) => es.map((e, i) => (i === at % es.length ? entry(cadreId, e.allottedSeconds) : e))),
          fc.tuple(goodEntries, fc.nat(), fc.oneof(fc.constantFrom(0, -1, 3601, 2 ** 31 - 1, -(2 ** 31)), fc.integer({ min: 3601, max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 31), max: 0 }))).map(([es, at, secs]) => es.map((e, i) => (i === at % es.length ? entry(e.cadreId, secs) : e))),
          fc.tuple(goodEntries, fc.nat()).map(([es, at]) => [...es, es[at % es.length]]),
        ),
      },
    }).map(({ values, defects }) => ({ name: `setLineup (${defects})`, token: () => admin, query: `mutation($sessionId: ID!, $entries: [LineupEntryInput!]!) { setLineup(sessionId: $sessionId, entries: $entries) { id } }`, variables: values }));

    let nextVoter = 0;
    const postComment: fc.Arbitrary<Case> = withDefects({
      sessionId: { good: id('sessionId'), bad: badId },
      body: { good: is('请问项目进度如何？', 'x'.repeat(500)), bad: fc.oneof(blank, tooLong(500), wrongType) },
      // Unknown, or a speech of another session.
      speechId: { good: fc.oneof(is(undefined), id('speechId')), bad: fc.oneof(badId, id('otherSpeechId')) },
      clientId: { good: is(undefined, 'c-1'), bad: fc.oneof(fc.constant(''), fc.integer({ min: 65, max: 200 }).map((n) => 'c'.repeat(n))) },
    }).map(({ values, defects }) => ({
      name: `postComment (${defects})`,
      token: () => voters[nextVoter++ % voters.length],
      // The rate limit (1 per 3 s, 10 a minute per voter) must not be what refuses it.
      before: () => clock.advance(3_100),
      query: `mutation($sessionId: ID!, $body: String!, $speechId: ID, $clientId: String) { postComment(sessionId: $sessionId, body: $body, speechId: $speechId, clientId: $clientId) { id } }`,
      variables: values,
    }));

    const castBallot: fc.Arbitrary<Case> = fc
      .record({
        grades: fc.array(fc.constantFrom('GOOD', 'AVERAGE', 'POOR'), { minLength: 11, maxLength: 11 }),
        defect: fc.constantFrom('missing', 'foreign', 'unknown', 'duplicate', 'quota', 'empty', 'badGrade', 'badSession', 'badClientId', 'notEntitled', 'self'),
        at: fc.nat({ max: 10 }),
        excellent: fc.integer({ min: 4, max: 11 }),
      })
      .map(({ grades, defect, at, excellent }) => {
        let lines: { speechId: unknown; grade: unknown }[] = liveSpeeches.map((speechId, i) => ({ speechId, grade: grades[i] }));
        let session: string = ids.sessionId;
        let clientId: string | undefined;
        let token = voters[0];
        if (defect === 'missing') lines.splice(at, 1);
        if (defect === 'foreign') lines[at] = { ...lines[at], speechId: ids.otherSpeechId };
        if (defect === 'unknown') lines[at] = { ...lines[at], speechId: '999999' };
        if (defect === 'duplicate') lines.push({ ...lines[at] });
        if (defect === 'quota') lines = lines.map((l, i) => (i < excellent ? { ...l, grade: 'EXCELLENT' } : l));
        if (defect === 'empty') lines = [];
        if (defect === 'badGrade') lines[at] = { ...lines[at], grade: `GRADE_${at}` };
        if (defect === 'badSession') session = ids.scheduledSessionId;
        if (defect === 'badClientId') clientId = 'x'.repeat(65 + at);
        // Admin is no attendee; the first speaker may not grade their own speech.
        if (defect === 'notEntitled') token = admin;
        if (defect === 'self') token = speaker;
        return {
          name: `castBallot (${defect})`,
          token: () => token,
          query: `mutation($s: ID!, $g: [GradeInput!]!, $c: String) { castBallot(sessionId: $s, grades: $g, clientId: $c) { receipt } }`,
          variables: { s: session, g: lines, c: clientId },
        };
      });

    const recordClaim: fc.Arbitrary<Case> = withDefects({
      speechId: { good: id('speechId'), bad: badId },
      indicator: { good: is('重点民宿村'), bad: fc.oneof(blank, tooLong(200), wrongType) },
      value: { good: is(16, 3000.5, 0, -2.5), bad: fc.oneof(is('16', 'NaN', '1e400', true), fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { minKeys: 1, maxKeys: 2 })) },
      unit: { good: is('个'), bad: fc.oneof(blank, tooLong(40)) },
      asOf: { good: fc.oneof(is(PAST), pastDate), bad: fc.oneof(futureDate, is(FUTURE, 'yesterday', '2021-13-01T00:00:00Z', '')) },
      note: { good: is(undefined, '近'), bad: tooLong(500) },
    }).map(({ values, defects }) => ({ name: `recordClaim (${defects})`, token: () => admin, query: `mutation($input: RecordClaimInput!) { recordClaim(input: $input) { id } }`, variables: { input: values } }));

    const assignAudit: fc.Arbitrary<Case> = withDefects({
      subject: {
        good: fc.oneof(id('claimId').map((claimId) => ({ claimId })), id('commitmentId').map((commitmentId) => ({ commitmentId }))),
        bad: fc.oneof(fc.constant({}), fc.constant(null).map(() => ({ claimId: ids.claimId, commitmentId: ids.commitmentId })), badId.map((claimId) => ({ claimId })), badId.map((commitmentId) => ({ commitmentId }))),
      },
      method: { good: is('DOCUMENT_CHECK', 'FIELD_VISIT', 'OPEN_INSPECTION', 'UNANNOUNCED_VISIT'), bad: is('VISIT', 'document_check', '') },
      // Unknown, not an auditor, or (for the claim of a cadre of their own unit) an auditor with a conflict of interest.
      auditorId: { good: id('auditorId'), bad: fc.oneof(badId, id('userId')) },
      dueAt: { good: fc.oneof(is(FUTURE), futureDate), bad: fc.oneof(pastDate, is(PAST, 'soon', '')) },
    }).map(({ values, defects }) => {
      const { subject, ...rest } = values;
      return { name: `assignAudit (${defects})`, token: () => admin, query: `mutation($input: AssignAuditInput!) { assignAudit(input: $input) { id } }`, variables: { input: { ...(subject as object), ...rest } } };
    });
    const conflictOfInterest: fc.Arbitrary<Case> = fc.constantFrom('DOCUMENT_CHECK', 'FIELD_VISIT').map((method) => ({
      name: 'assignAudit (auditor of the same unit)',
      token: () => admin,
      query: `mutation($input: AssignAuditInput!) { assignAudit(input: $input) { id } }`,
      variables: { input: { claimId: ids.conflictClaimId, method, auditorId: ids.regionalAuditorId, dueAt: FUTURE } },
    }));

    it('leaves every table as it was after a thousand invalid createCadre, setLineup, postComment, castBallot, recordClaim and assignAudit', async () => {
      const seen = new Map<string, number>();
      const outcomes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.oneof(...[createCadre, setLineup, postComment, castBallot, recordClaim, assignAudit].map((arbitrary) => ({ weight: 4, arbitrary })), { weight: 1, arbitrary: conflictOfInterest }), async (c) => {
          c.before?.();
          const before = await snapshot();
          const answer = await postJson({ query: c.query, variables: c.variables }, c.token());
          const after = await snapshot();
          const field = c.query.match(/\{ (\w+)\(/)![1];
          const errors: any[] = answer.json?.errors ?? [];
          seen.set(field, (seen.get(field) ?? 0) + 1);
          const outcome = `${c.name} → ${errors.map((e) => e.extensions?.code).join(', ')}`;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          expect({ case: c.name, problems: problemsOf(answer) }).toEqual({ case: c.name, problems: [] });
          // Refused: an error, and no result for the field.
          expect({ case: c.name, refused: errors.length > 0 && !answer.json?.data?.[field] }).toEqual({ case: c.name, refused: true });
          expect({ case: c.name, errors: errors.map((e) => `${e.extensions?.code}: ${e.message}`), tables: after }).toEqual({
            case: c.name,
            errors: errors.map((e) => `${e.extensions?.code}: ${e.message}`),
            tables: before,
          });
        }),
        { seed: SEED, numRuns: 1_000 },
      );
      if (process.env.FUZZ_STATS) console.log([...outcomes].sort().map(([k, n]) => `${n}\t${k}`).join('\n'));
      expect([...seen.keys()].sort()).toEqual(['assignAudit', 'castBallot', 'createCadre', 'postComment', 'recordClaim', 'setLineup']);
      expect(loggedErrors()).toEqual([]);
    }, 60_000);
  });

  describe('random documents and variables over HTTP', () => {
    const contract = committedSchema();
    const operations = () => rootFields(contract).map((rf) => minimalOperation(rf, ids));
    const idish = () => fc.oneof(fc.constantFrom(ids.sessionId, ids.scheduledSessionId, ids.speechId, ids.cadreId, ids.claimId, '1', '0', '-1', 'abc', '999999'), fc.integer(), fc.string({ maxLength: 5 }));
    const strish = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 50 }) }, { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x'.repeat(6_000), '\u0000', '🙂'.repeat(600)) });
    const dateish = fc.oneof(fc.constantFrom(PAST, FUTURE, 'yesterday', '2021-02-30T00:00:00Z', '+275760-09-13T00:00:00.000Z', '2021-01-01'), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 10 }));
    const intish = fc.oneof(fc.integer({ min: -10, max: 4_000 }), fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 2 ** 31, 1.5, 0));
    const option = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    // Everything below reads `ids`, filled in beforeAll: arbitraries are built inside the tests, by these functions.
    /** Documents that parse and validate, each with variables of roughly (often not quite) the right shape. */
    const withVariables = (): [string, fc.Arbitrary<Record<string, unknown>>][] => [
      [`query($s: ID!) { session(id: $s) { id title speeches { id cadre { name } } } }`, fc.record({ s: idish() })],
      [`query($first: Int, $after: String) { cadres(first: $first, after: $after) { totalCount edges { cursor node { id } } } }`, fc.record({ first: option(intish), after: option(fc.oneof(strish, fc.constantFrom('Y3Vyc29yOjE=', 'eyJpZCI6MX0'))) })],
      [`query($from: DateTime, $to: DateTime) { regionStandings(from: $from, to: $to) { rank score } }`, fc.record({ from: option(dateish), to: option(dateish) })],
      [`mutation($input: CreateCadreInput!) { createCadre(input: $input) { id } }`, fc.record({ input: fc.record({ name: strish, position: strish, regionId: idish(), userId: option(idish()) }) })],
      [`mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { id } }`, fc.record({ s: idish(), e: fc.array(fc.record({ cadreId: idish(), allottedSeconds: intish }), { maxLength: 5 }) })],
      [`mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`, fc.record({ s: idish(), g: fc.array(fc.record({ speechId: idish(), grade: fc.constantFrom('EXCELLENT', 'GOOD', 'AVERAGE', 'POOR', 'BEST') }), { maxLength: 12 }) })],
      [`mutation($input: RecordClaimInput!) { recordClaim(input: $input) { id } }`, fc.record({ input: fc.record({ speechId: idish(), indicator: strish, value: fc.double({ noNaN: true, noDefaultInfinity: true }), unit: strish, asOf: dateish, note: option(strish) }) })],
      [
        `mutation($a: ID!, $input: FindingInput!) { submitFinding(auditId: $a, input: $input) { id } }`,
        fc.record({ a: idish(), input: fc.record({ verdict: fc.constantFrom('VERIFIED', 'FALSIFIED', 'MAYBE'), summary: strish, evidence: option(fc.array(fc.record({ kind: strish, description: strish, sha256: fc.oneof(strish, fc.constant('a'.repeat(64))), capturedAt: dateish, location: strish }), { maxLength: 3 })) }) }),
      ],
      [`query Q($s: ID!) { room(sessionId: $s) { seq phase current { timer { endsAt remainingMs } } } }`, fc.record({ s: idish() })],
      [`mutation M($s: ID!, $b: String!) { postComment(sessionId: $s, body: $b) { id status } }`, fc.record({ s: idish(), b: strish })],
      [`mutation($s: ID!, $p: RoomPhase!) { advancePhase(sessionId: $s, phase: $p) { seq phase } }`, fc.record({ s: idish(), p: fc.constantFrom('SPEECHES', 'CLOSED', 'LATER') })],
    ];
    const TOKENS = ['{', '}', '(', ')', '[', ']', ':', '$x', '!', '...', '=', '"', '"""', '#', '\n', ',', '|', '&', '@', '@skip(if: true)', '@include(if: $v)', 'query', 'mutation', 'subscription', 'fragment F on Query { me { id } }', '...F', 'on', '__typename', '__schema { types { name } }', '__type(name: "Query") { name }', 'null', 'true', '1e309', '-0', '99999999999999999999', '"\\u0000"', '"\\uD800"', 'me', 'regions', 'sessions', 'edges', 'node', 'id', 'speeches', 'session'];
    const identifier = fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,12}$/);
    const token = fc.oneof(fc.constantFrom(...TOKENS), identifier, fc.string({ maxLength: 8 }));

    const mutate = (base: string, edits: { kind: number; at: number; len: number; text: string }[]) =>
      edits.reduce((doc, e) => {
        const at = e.at % (doc.length + 1);
        if (e.kind === 0) return doc.slice(0, at) + doc.slice(at + e.len);
        if (e.kind === 1) return doc.slice(0, at) + e.text + doc.slice(at);
        if (e.kind === 2) return doc.slice(0, at) + doc.slice(at, at + e.len).repeat(2 + (e.len % 7)) + doc.slice(at);
        return doc.replace(/\b[a-z][A-Za-z]+\b/g, (w, offset: number) => (offset === at % Math.max(doc.length, 1) ? e.text : w));
      }, base);

    const nest = (depth: number, leaf: string, open: (i: number) => string) => {
      let doc = leaf;
      for (let i = depth - 1; i >= 0; i--) doc = `${open(i)} { ${doc} }`;
      return `{ ${doc} }`;
    };
    const VALID_PATH = ['sessions', 'edges', 'node', 'speeches', 'session', 'speeches', 'cadre', 'region'];

    const document: () => fc.Arbitrary<string> = () =>
      fc.oneof(
        { weight: 2, arbitrary: fc.string({ maxLength: 300 }) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
        { weight: 3, arbitrary: fc.array(token, { maxLength: 60 }).map((t) => t.join(' ')) },
        {
          weight: 6,
          arbitrary: fc
            .tuple(fc.constantFrom(...operations(), ...withVariables().map(([doc]) => doc)), fc.array(fc.record({ kind: fc.nat({ max: 3 }), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }), text: token }), { maxLength: 3 }))
            .map(([base, edits]) => mutate(base, edits)),
        },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((d) => nest(d, 'id', () => 'a')) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }).map((d) => nest(d, 'id', (i) => VALID_PATH[i % VALID_PATH.length])) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 3_000 }).map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: regions { id }`).join(' ')} }`) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 2_000 }).map((n) => `{ ${'...on Query { me { id } } '.repeat(n)}}`) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 99_000 }).map((n) => `{ cadre(id: "${'9'.repeat(n)}") { id } }`) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 90_000 }).map((n) => `query { regions { id } } # ${'x'.repeat(n)}`) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }).map((n) => `fragment A on Query { ...B } fragment B on Query { ...A } { ...A ${'me { id } '.repeat(n)}}`) },
      );

    const randomVariables = fc.dictionary(fc.constantFrom('s', 'first', 'after', 'from', 'to', 'input', 'e', 'g', 'a', 'b', 'p', 'v', 'x'), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 2000 }), fc.integer(), fc.double()));
    /** A request body: mostly a document with variables and an operation name, sometimes a JSON value that is no request at all. */
    const request = () =>
      fc.oneof(
        { weight: 5, arbitrary: fc.oneof(...withVariables().map(([query, variables]) => fc.record({ query: fc.constant(query), variables }))) },
        {
          weight: 8,
          arbitrary: fc.record({
            query: document(),
            variables: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: randomVariables }),
            operationName: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('Q', 'M', 'F', '') }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }),
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record(
            { query: fc.oneof(document(), fc.jsonValue({ maxDepth: 2 })), variables: fc.jsonValue({ maxDepth: 3 }), operationName: fc.jsonValue({ maxDepth: 1 }), extensions: fc.jsonValue({ maxDepth: 2 }) },
            { requiredKeys: [] },
          ),
        },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      );

    it('answers every random request within the time limit with JSON errors or data, no stack trace, and no internal error (masked or not)', async () => {
      const statuses = new Map<number, number>();
      const codesSeen = new Map<string, number>();
      const requests = fc.tuple(request(), fc.nat({ max: 9 })).filter(([payload]) => Buffer.byteLength(JSON.stringify(payload)) <= 100 * 1024);
      const problems = await fuzz(requests, 2_000, async ([payload, who]) => {
        const [answer, logged] = await withLoggedErrors(() => postJson(payload, who === 0 ? null : who === 1 ? voters[0] : admin));
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        for (const e of answer.json?.errors ?? []) codesSeen.set(e?.extensions?.code, (codesSeen.get(e?.extensions?.code) ?? 0) + 1);
        if (answer.json?.data && Object.values(answer.json.data).some((v) => v !== null)) codesSeen.set('DATA', (codesSeen.get('DATA') ?? 0) + 1);
        return [...problemsOf(answer), ...logged];
      });
      if (process.env.FUZZ_STATS) console.log(statuses, codesSeen);
      expect(problems).toEqual({});
      expect(statuses.get(200)).toBeGreaterThan(0);
      expect(statuses.get(400)).toBeGreaterThan(0);
    }, 60_000);

    it('answers bodies that are not a GraphQL request (malformed or oversized JSON, other content types, GET) in JSON, without a stack', async () => {
      const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/graphql-response+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/json; charset=latin1', 'application/xml', '*/*', '');
      const body = fc.oneof(
        fc.string({ maxLength: 200 }).filter((s) => {
          try {
            JSON.parse(s);
            return false;
          } catch {
            return true;
          }
        }),
        fc.integer({ min: 100 * 1024 + 1, max: 400 * 1024 }).map((n) => JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(n) } })),
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      );
      const problems = await fuzz(fc.tuple(body, contentType, fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT')), 300, async ([raw, type, method]) => {
        const headers: Record<string, string> = { authorization: `Bearer ${admin}`, ...(type ? { 'content-type': type } : {}) };
        const answer =
          method === 'GET'
            ? await send({ method, headers: { ...headers, 'apollo-require-preflight': 'true' }, path: `/graphql?query=${encodeURIComponent(String(raw).slice(0, 500))}` })
            : await send({ method, headers, body: raw });
        return problemsOf(answer);
      });
      expect(problems).toEqual({});
    }, 60_000);

    it.each([
      ['roomState', `subscription($s: ID!) { roomState(sessionId: $s) { seq } }`],
      ['roomEvents', `subscription($s: ID!) { roomEvents(sessionId: $s, afterSeq: 0) { seq } }`],
    ])('refuses a subscription (%s) sent over HTTP as the client’s mistake (400), not as an internal error', async (_field, query) => {
      const [answer, logged] = await withLoggedErrors(() => postJson({ query, variables: { s: ids.sessionId } }));
      expect(problemsOf(answer)).toEqual([]);
      expect({ status: answer.status, codes: answer.json.errors?.map((e: any) => e.extensions?.code), logged }).toEqual({
        status: 400,
        codes: [expect.not.stringMatching(/^INTERNAL_SERVER_ERROR$/)],
        logged: [],
      });
    });

    it('is still healthy afterwards', async () => {
      expect((await send({ method: 'GET', path: '/healthz' })).status).toBe(200);
      const regions = await postJson({ query: '{ regions { id name } }' });
      expect(regions.status).toBe(200);
      expect(regions.json.data.regions.length).toBeGreaterThan(0);
    });
  });

  describe('random WebSocket frames', () => {
    interface Frame {
      data: string | Buffer;
      binary: boolean;
    }
    interface SocketRun {
      closeCode: number | null;
      messages: string[];
      answered: boolean;
    }

    const wsDocuments = () => [
      `subscription($s: ID!) { roomState(sessionId: $s) { seq phase } }`,
      `subscription($s: ID!, $a: Int) { roomEvents(sessionId: $s, afterSeq: $a) { seq type } }`,
      `subscription { roomState(sessionId: "${ids.sessionId}") { seq } }`,
      `subscription { roomEvents(sessionId: "${ids.sessionId}", afterSeq: 0) { seq } }`,
      `subscription { roomState(sessionId: "999999") { seq } }`,
      `subscription A { roomState(sessionId: "1") { seq } } subscription B { roomEvents(sessionId: "1") { seq } }`,
      `subscription { roomState(sessionId: "1") { seq } roomEvents(sessionId: "1") { seq } }`,
      `{ regions { id } }`,
      `{ __schema { types { name } } }`,
      `mutation { createRegion(input: { code: "fz", name: "某区", nameEn: "Fz" }) { id } }`,
      `mutation($s: ID!) { postComment(sessionId: $s, body: "?") { id } }`,
      `{ ${'a { '.repeat(50)}${'} '.repeat(50)}}`,
    ];
    const json = (v: unknown): Frame => ({ data: JSON.stringify(v), binary: false });
    const subscribePayload = () =>
      fc.record(
        {
          query: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...wsDocuments()) }, { weight: 1, arbitrary: fc.string({ maxLength: 100 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
          variables: fc.oneof(
            { weight: 1, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
            {
              weight: 4,
              arbitrary: fc.record(
                { s: fc.oneof({ weight: 4, arbitrary: fc.constant(ids.sessionId) }, { weight: 1, arbitrary: fc.constantFrom('0', 'x', '999999', ids.scheduledSessionId) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }), a: fc.oneof(fc.nat({ max: 40 }), fc.integer(), fc.double(), fc.string({ maxLength: 4 })) },
                { requiredKeys: [] },
              ),
            },
          ),
          operationName: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('A', 'B', null) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
        },
        { requiredKeys: ['query'] },
      );
    /** Frames the protocol allows after connection_init, with random documents and variables. */
    const protocolFrame = () =>
      fc.oneof(
        { weight: 8, arbitrary: fc.record({ id: fc.constantFrom('1', '2', '3', 'dup'), payload: subscribePayload() }).map((m) => json({ type: 'subscribe', ...m })) },
        { weight: 2, arbitrary: fc.constantFrom('1', '2', '3', 'dup', 'none').map((id) => json({ type: 'complete', id })) },
        { weight: 1, arbitrary: fc.constantFrom('ping', 'pong').map((type) => json({ type })) },
      );
    const frame = () =>
      fc.oneof(
        { weight: 2, arbitrary: fc.record({ type: fc.oneof(fc.constantFrom('connection_init', 'ping', 'pong', 'subscribe', 'complete', 'next', 'error', 'connection_ack', '', 'PING'), fc.jsonValue({ maxDepth: 1 })), id: fc.oneof(fc.constantFrom('1', '2', 'dup', ''), fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 })), payload: fc.oneof(subscribePayload(), fc.jsonValue({ maxDepth: 3 })) }, { requiredKeys: ['type'] }).map(json) },
        { weight: 8, arbitrary: fc.record({ id: fc.constantFrom('1', '2', '3', 'dup'), payload: subscribePayload() }).map((m) => json({ type: 'subscribe', ...m })) },
        { weight: 2, arbitrary: fc.constantFrom('1', '2', '3', 'dup', 'none').map((id) => json({ type: 'complete', id })) },
        { weight: 2, arbitrary: fc.record({ type: fc.constantFrom('ping', 'pong'), payload: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }) }).map(json) },
        { weight: 2, arbitrary: fc.string({ maxLength: 200 }).map((data) => ({ data, binary: false })) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ data: Buffer.from(b), binary: true })) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
        { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 60 * 1024 }).map((n) => json({ type: 'subscribe', id: 'big', payload: { query: `{ regions { id } } #${'x'.repeat(n)}` } })) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 15_000 }).map((d) => json({ type: 'subscribe', id: 'deep', payload: { query: `{${' a {'.repeat(d)}${'}'.repeat(d + 1)}` } })) },
      );

    /** How many pongs the server owes for these frames (a ping it reads before anything closes the socket). */
    const pingsIn = (frames: Frame[]) =>
      frames.filter((f) => {
        try {
          const m = JSON.parse(String(f.data));
          return typeof m === 'object' && m !== null && m.type === 'ping';
        } catch {
          return false;
        }
      }).length;

    /**
     * Connects, optionally initialises, sends the frames, then pings: the server must either have closed the socket
     * or answer every ping within the time limit. A socket the server neither closes nor answers is a hang.
     */
    async function runSocket(frames: Frame[], init: unknown | null, limitMs = 4_000): Promise<SocketRun> {
      const ws = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      const run: SocketRun = { closeCode: null, messages: [], answered: false };
      let pongs = 0;
      const closed = new Promise<void>((resolve) => ws.on('close', (code) => ((run.closeCode ??= code), resolve())));
      ws.on('error', () => undefined);
      ws.on('message', (data) => {
        const text = String(data);
        run.messages.push(text);
        if (/^\{"type":"pong"/.test(text)) pongs += 1;
      });
      const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);
      const until = async (done: () => boolean, ms: number) => {
        const end = Date.now() + ms;
        while (!done() && run.closeCode === null && Date.now() < end) await within(closed, 10);
      };
      if ((await within(new Promise<void>((r) => ws.once('open', () => r())), limitMs)) === 'timeout') throw new Error('the server did not accept the connection');
      if (init !== null) {
        ws.send(JSON.stringify(init));
        await until(() => run.messages.some((m) => m.includes('connection_ack')), limitMs);
      }
      for (const f of frames) if (ws.readyState === ws.OPEN) ws.send(f.data, { binary: f.binary });
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'ping' }));
      const owed = pingsIn(frames) + 1;
      await until(() => pongs >= owed, limitMs);
      run.answered = run.closeCode !== null || pongs >= owed;
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
      if ((await within(closed, limitMs)) === 'timeout') ws.terminate();
      return run;
    }

    function socketProblems(run: SocketRun): string[] {
      const problems: string[] = [];
      if (!run.answered) problems.push('neither answered the ping nor closed the socket');
      if (run.closeCode !== null && !CLOSE_CODES.includes(run.closeCode)) problems.push(`closed with ${run.closeCode}`);
      for (const text of run.messages) {
        let m: any;
        try {
          m = JSON.parse(text);
        } catch {
          problems.push(`not JSON: ${text.slice(0, 120)}`);
          continue;
        }
        if (!['connection_ack', 'ping', 'pong', 'next', 'error', 'complete'].includes(m?.type)) problems.push(`unknown message type: ${text.slice(0, 120)}`);
        const errors: any[] = m.type === 'error' ? (Array.isArray(m.payload) ? m.payload : []) : (m.payload?.errors ?? []);
        for (const e of errors) {
          if (e?.extensions?.stacktrace) problems.push(`stack trace in ${JSON.stringify(e).slice(0, 160)}`);
          if (e?.extensions?.code === 'INTERNAL_SERVER_ERROR' && !MASKED_WS.test(e.message)) problems.push(`INTERNAL_SERVER_ERROR not masked: "${e.message}"`);
          if (typeof e?.message === 'string' && LEAK.test(e.message)) problems.push(`internal detail in "${e.message.slice(0, 160)}"`);
        }
      }
      return problems;
    }

    it('closes misbehaving sockets with a protocol code or keeps answering, whatever arrives before or after connection_init', async () => {
      let n = 0;
      const codes = new Map<number | null, number>();
      const init = fc.oneof(
        { weight: 6, arbitrary: fc.constant(null).map(() => ({ type: 'connection_init', payload: { authorization: `Bearer ${voters[n++ % voters.length]}` } })) },
        { weight: 1, arbitrary: fc.record({ type: fc.constant('connection_init'), payload: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: ['type'] }) },
        { weight: 1, arbitrary: fc.record({ type: fc.constant('connection_init'), payload: fc.record({ authorization: fc.oneof(fc.string({ maxLength: 40 }).map((s) => `Bearer ${s}`), fc.jsonValue({ maxDepth: 1 })) }) }) },
        { weight: 2, arbitrary: fc.constant(null) },
      );
      let results = 0;
      const problems = await fuzz(fc.tuple(fc.oneof(fc.array(frame(), { maxLength: 6 }), fc.array(protocolFrame(), { maxLength: 8 })), init), 400, async ([frames, first]) => {
        const [run, logged] = await withLoggedErrors(() => runSocket(frames, first));
        codes.set(run.closeCode, (codes.get(run.closeCode) ?? 0) + 1);
        results += run.messages.filter((m) => m.startsWith('{"id"') && m.includes('"type":"next"')).length;
        return [...socketProblems(run), ...logged];
      });
      if (process.env.FUZZ_STATS) console.log(codes, results);
      expect(problems).toEqual({});
      // The fuzz reached both ends: sockets closed for misbehaving, and sockets that stayed open to the end.
      expect([...codes.keys()].some((c) => c !== null && c >= 4400)).toBe(true);
      expect(codes.get(1000) ?? codes.get(1005) ?? 0).toBeGreaterThan(0);
      expect(results).toBeGreaterThan(0);
    }, 60_000);

    it('still serves a well-behaved client afterwards: a roomState snapshot first, and no socket or subscription left behind', async () => {
      const end = Date.now() + 3_000;
      while (server.live.stats().sockets > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(server.live.stats()).toMatchObject({ sockets: 0, subscriptions: 0 });
      const client = wsClient(server.url, voters[1]);
      clients.push(client);
      const state = subscribe(client, `subscription($s: ID!) { roomState(sessionId: $s) { sessionId seq phase } }`, { s: ids.sessionId });
      expect(await state.next(3_000)).toMatchObject({ sessionId: ids.sessionId, seq: expect.any(Number), phase: expect.any(String) });
      state.dispose();
      expect((await send({ method: 'GET', path: '/healthz' })).status).toBe(200);
    });
  });

  describe('frames the WebSocket layer refuses (the compiled server, in its own process)', () => {
    let proc: ServerProcess | undefined;
    beforeAll(async () => {
      proc = await startServerProcess({ DATABASE_URL: 'sqlite::memory:', JWT_SECRET, SEED_DEMO: 'false' });
    }, 30_000);
    afterAll(() => proc?.stop('SIGKILL'));

    it('closes a socket that sends more than 64 KiB in a frame, or a text frame that is not UTF-8, and keeps running', async () => {
      const frameOf = fc.oneof(
        fc.integer({ min: 64 * 1024 + 1, max: 256 * 1024 }).map((n) => ({ data: Buffer.alloc(n, 0x61), binary: false, expect: 1009 })),
        fc.integer({ min: 64 * 1024 + 1, max: 256 * 1024 }).map((n) => ({ data: Buffer.alloc(n, 0x7b), binary: true, expect: 1009 })),
        fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x28, 0xa1], [0xed, 0xa0, 0x80], [0x80]).map((b) => ({ data: Buffer.from([0x7b, ...b, 0x7d]), binary: false, expect: 1007 })),
      );
      await fc.assert(
        fc.asyncProperty(frameOf, async (f) => {
          const ws = new WebSocket(proc!.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
          ws.on('error', () => undefined);
          await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
          const code = new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
          ws.send(f.data, { binary: f.binary });
          const closedWith = await Promise.race([code, new Promise<number>((r) => setTimeout(() => r(-1), 3_000).unref())]);
          expect(closedWith).toBe(f.expect);
          const health = await fetch(proc!.url.replace('/graphql', '/healthz'), { signal: AbortSignal.timeout(2_000) }).then(
            (r) => r.status,
            (err: Error) => `no answer (${err.message}); the process said:\n${proc!.output().slice(-600)}`,
          );
          expect(health).toBe(200);
        }),
        { seed: SEED, numRuns: 6, endOnFailure: true },
      );
    }, 30_000);
  });
});
