import { ExecutionResult, GraphQLSchema, parse, subscribe, validate } from 'graphql';
import { createLogger } from '../../../src/common/logger';
import { buildAppSchema } from '../../../src/app/schema';
import { contextFactory } from '../../../src/app/server';
import { resolverContainer } from '../../../src/app/resolvers';
import { audienceOf, PEOPLE, POLICY } from '../../../src/auth/policy';
import type { Role } from '../../../src/auth/roles';
import { User } from '../../../src/auth/user.entity';
import { UnauthenticatedError } from '../../../src/common/errors';
import { Claim, Commitment } from '../../../src/modules/briefing/briefing.entity';
import { seedDemoWorld } from '../../../src/modules/demo/demo-seed';
import { Cadre } from '../../../src/modules/registry/cadre.entity';
import { Session } from '../../../src/modules/sessions/session.entity';
import { Speech } from '../../../src/modules/sessions/speech.entity';
import { Theme } from '../../../src/modules/themes/theme.entity';
import { createUser } from '../../factories';
import { committedSchema, FUTURE, IdsByName, minimalOperation, RootField, rootFields, ROOTS } from '../../helpers/schema-operations';
import { createTestApp, GqlResult, TestApp } from '../../helpers/test-app';

/**
 * Issue item 5: every root field of `schema.graphql`, called by every kind of caller, is allowed or refused exactly
 * as POLICY says.
 *
 * "Refused by the table" means the authorize middleware's own error: FORBIDDEN with "needs one of:" / "has no
 * access rule", or its UNAUTHENTICATED for a caller without a token. Anything else — data, null, NOT_FOUND,
 * BAD_USER_INPUT, a domain code, even a service's own FORBIDDEN ("only the assigned auditor…") — means the table
 * let the call through. Because that decision reads nothing but the token, the calls share one database: a mutation
 * that succeeds for one caller (sealArchive, createUser) can change later results but never a later decision.
 *
 * SQLite only: the decision never reaches the database, so a MySQL run would repeat the same table.
 */

type Caller = Role | 'nobody';
type Decision = 'allowed' | 'denied';
const CALLERS: readonly Caller[] = [...PEOPLE, 'screen', 'nobody'];

const GATE_FORBIDDEN = /^(\S+ needs one of: .+|\S+\.\S+ has no access rule)$/;
const GATE_UNAUTHENTICATED = new UnauthenticatedError().message;

interface Observation {
  decision: Decision | 'not run';
  detail: string;
}

/** How the access table answered, read from the errors of a one-field operation. */
function observe(result: Pick<ExecutionResult, 'data' | 'errors'> | GqlResult): Observation {
  const errors = (result.errors ?? []) as readonly { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];
  const detail = errors.length ? errors.map((e) => `${String(e.extensions?.code)}: ${e.message}`).join(' | ') : 'ok';
  // No path: a parse, validation or variable error, so the field never ran and nothing was decided.
  if (errors.some((e) => !e.path)) return { decision: 'not run', detail };
  const top = errors.filter((e) => e.path!.length === 1);
  const gate = top.some(
    (e) =>
      (e.extensions?.code === 'FORBIDDEN' && GATE_FORBIDDEN.test(e.message)) ||
      (e.extensions?.code === 'UNAUTHENTICATED' && e.message === GATE_UNAUTHENTICATED),
  );
  return { decision: gate ? 'denied' : 'allowed', detail };
}

function expected(rf: RootField, caller: Caller): Decision {
  const audience = audienceOf(rf.root, rf.name);
  if (audience === 'public') return 'allowed';
  if (audience === undefined || caller === 'nobody') return 'denied';
  return audience.includes(caller) ? 'allowed' : 'denied';
}

describe('authorization matrix [sqlite]', () => {
  const contract = committedSchema();
  const fields = rootFields(contract);
  let app: TestApp;
  let serverSchema: GraphQLSchema;
  let contextFor: ReturnType<typeof contextFactory>;
  const tokens = new Map<Caller, string | null>();
  const ids: Record<string, string> = {};
  /** `Query.cadre` → caller → what happened, for every root field and caller; filled once, before the tests. */
  const observed = new Map<string, Map<Caller, Observation>>();

  beforeAll(async () => {
    app = await createTestApp('sqlite');
    serverSchema = await buildAppSchema({ container: resolverContainer(app.services), logger: createLogger('silent') });
    contextFor = contextFactory(app.ds, app.services);
    await seedDemoWorld(app.ds, app.clock, 'leitai-demo');
    const m = app.ds.manager;

    // Real rows for the arguments, so allowed calls get past "not found" where they can.
    const session = await m.getRepository(Session).findOneOrFail({ where: {}, order: { number: 'DESC' } });
    const speech = await m.getRepository(Speech).findOneOrFail({ where: { sessionId: session.id }, order: { order: 'ASC' } });
    const cadre = await m.getRepository(Cadre).findOneByOrFail({ id: speech.cadreId });
    const claim = await m.getRepository(Claim).findOneOrFail({ where: {}, order: { id: 'ASC' } });
    const commitment = await m.getRepository(Commitment).findOneOrFail({ where: {}, order: { id: 'ASC' } });
    const theme = await m.getRepository(Theme).findOneOrFail({ where: {}, order: { id: 'ASC' } });
    const auditor = await m.getRepository(User).findOneByOrFail({ username: 'auditor' });
    const voter = await m.getRepository(User).findOneByOrFail({ username: 'voter01' });
    Object.assign(ids, {
      sessionId: String(session.id),
      speechId: String(speech.id),
      cadreId: String(cadre.id),
      regionId: String(cadre.regionId),
      themeId: String(theme.id),
      claimId: String(claim.id),
      commitmentId: String(commitment.id),
      auditorId: String(auditor.id),
      userId: String(voter.id),
    });

    for (const role of PEOPLE) {
      tokens.set(role, await app.tokenFor(await createUser(m, { username: `matrix-${role}`, roles: [role] })));
    }
    tokens.set('screen', await app.services.tokens.signScreen(session.id));
    tokens.set('nobody', null);

    // An audit with a draft finding and a comment, made through the API by those entitled to, for their ids.
    const admin = await app.tokenFor(await m.getRepository(User).findOneByOrFail({ username: 'admin' }));
    const audit = await app.gql(
      `mutation($c: ID!, $a: ID!) { assignAudit(input: { claimId: $c, method: DOCUMENT_CHECK, auditorId: $a, dueAt: "${FUTURE}" }) { id } }`,
      { c: ids.claimId, a: ids.auditorId },
      admin,
    );
    expect(audit.errors).toBeUndefined();
    ids.auditId = audit.data!.assignAudit.id;
    const finding = await app.gql(
      `mutation($a: ID!) { submitFinding(auditId: $a, input: { verdict: VERIFIED, summary: "属实" }) { id } }`,
      { a: ids.auditId },
      await app.tokenFor(auditor),
    );
    expect(finding.errors).toBeUndefined();
    ids.findingId = finding.data!.submitFinding.id;
    const chair = await app.tokenFor(await m.getRepository(User).findOneByOrFail({ username: 'chair' }));
    const comment = await app.gql(`mutation($s: ID!) { postComment(sessionId: $s, body: "请介绍一下进度") { id } }`, { s: ids.sessionId }, chair);
    expect(comment.errors).toBeUndefined();
    ids.commentId = comment.data!.postComment.id;

    await callAll();
  }, 60_000);
  afterAll(() => app?.close());

  const operationOf = (rf: RootField) => minimalOperation(rf, ids as IdsByName);

  /** Queries and subscriptions first, mutations last: only results change with the state, never decisions. */
  async function callAll(): Promise<void> {
    const ordered = [...fields.filter((rf) => rf.root !== 'Mutation'), ...fields.filter((rf) => rf.root === 'Mutation')];
    for (const rf of ordered) {
      const row = new Map<Caller, Observation>();
      observed.set(`${rf.root}.${rf.name}`, row);
      for (const caller of CALLERS) row.set(caller, await call(rf, caller));
    }
  }

  async function call(rf: RootField, caller: Caller): Promise<Observation> {
    const token = tokens.get(caller) ?? null;
    const query = operationOf(rf);
    if (rf.root !== 'Subscription') return observe(await app.gql(query, {}, token));
    // Subscriptions authorise in their `subscribe` (the path graphql-ws takes), not in a resolver.
    const contextValue = await contextFor(token ? `Bearer ${token}` : undefined);
    const result = await subscribe({ schema: serverSchema, document: parse(query), contextValue });
    if (Symbol.asyncIterator in result) {
      await result.return?.();
      return { decision: 'allowed', detail: 'subscribed' };
    }
    return observe(result);
  }

  it('builds, for every root field of schema.graphql, an operation the server accepts', () => {
    const invalid = fields
      .map((rf) => ({ field: `${rf.root}.${rf.name}`, errors: validate(serverSchema, parse(operationOf(rf))).map((e) => e.message) }))
      .filter((r) => r.errors.length);
    expect(invalid).toEqual([]);
    expect(fields.filter((f) => f.root === 'Mutation').length).toBeGreaterThan(30);
  });

  it('has an access rule for every root field of schema.graphql, and none for fields it does not have', () => {
    const inSchema = fields.map((rf) => `${rf.root}.${rf.name}`).sort();
    const inPolicy = ROOTS.flatMap((root) => Object.keys(POLICY[root]).map((name) => `${root}.${name}`)).sort();
    expect({ missingFromPolicy: inSchema.filter((f) => !inPolicy.includes(f)), notInSchema: inPolicy.filter((f) => !inSchema.includes(f)) }).toEqual({
      missingFromPolicy: [],
      notInSchema: [],
    });
  });

  it('allows and refuses every (field, caller) pair exactly as POLICY says', () => {
    const mismatches: string[] = [];
    const notRun: string[] = [];
    for (const rf of fields) {
      const key = `${rf.root}.${rf.name}`;
      for (const caller of CALLERS) {
        const seen = observed.get(key)!.get(caller)!;
        if (seen.decision === 'not run') notRun.push(`${key} as ${caller}: ${seen.detail}`);
        else if (seen.decision !== expected(rf, caller)) {
          mismatches.push(`${key.padEnd(34)} ${caller.padEnd(9)} expected ${expected(rf, caller).padEnd(7)} observed ${seen.decision.padEnd(7)} (${seen.detail.slice(0, 160)})`);
        }
      }
    }
    expect(notRun).toEqual([]);
    expect(mismatches).toEqual([]);
    // Every caller reached something and was refused something, so the table is neither all-open nor all-shut.
    for (const caller of CALLERS) {
      const decisions = fields.map((rf) => observed.get(`${rf.root}.${rf.name}`)!.get(caller)!.decision);
      expect({ caller, allowedSome: decisions.includes('allowed') }).toEqual({ caller, allowedSome: true });
      expect({ caller, deniedSome: decisions.includes('denied') }).toEqual({ caller, deniedSome: true });
    }
  });

  it('lets the screen token succeed at no mutation (login, signInWithLink and castAnonymousBallot, being public, are the ones it may call: two only sign someone in, the third refuses any caller who names themselves)', async () => {
    expect(observed.size).toBe(fields.length);
    const mutations = fields.filter((rf) => rf.root === 'Mutation');
    const publicOnes = mutations.filter((rf) => audienceOf('Mutation', rf.name) === 'public').map((rf) => rf.name);
    expect(publicOnes.sort()).toEqual(['castAnonymousBallot', 'login', 'signInWithLink']);
    const screenSucceeded = mutations
      .filter((rf) => !publicOnes.includes(rf.name))
      .map((rf) => ({ field: rf.name, seen: observed.get(`Mutation.${rf.name}`)!.get('screen')! }))
      .filter(({ seen }) => seen.decision !== 'denied' || seen.detail === 'ok')
      .map(({ field, seen }) => `${field}: ${seen.detail}`);
    expect(screenSucceeded).toEqual([]);
    // The token adds nothing to login: without valid credentials a screen signs in as nobody.
    const login = await app.gql(`mutation { login(username: "screen", password: "screen-token-is-no-password") { token } }`, {}, tokens.get('screen'));
    expect(login.data).toBeNull();
    expect(login.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const link = await app.gql(`mutation { signInWithLink(token: "screen-token-is-no-link") { token } }`, {}, tokens.get('screen'));
    expect(link.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const ballot = await app.gql(`mutation { castAnonymousBallot(sessionId: "1", token: "t", signature: "s", grades: []) { receipt } }`, {}, tokens.get('screen'));
    expect(ballot.errors?.[0].extensions?.code).toBe('BALLOT_NOT_ANONYMOUS');
  });

  it('lets the screen token read its own session but not another one (a check of the services, after the table)', async () => {
    const screen = tokens.get('screen')!;
    const own = await app.gql(`query($s: ID!) { room(sessionId: $s) { sessionId } }`, { s: ids.sessionId }, screen);
    expect(own.errors).toBeUndefined();
    const other = await app.services.tokens.signScreen(Number(ids.sessionId) - 1);
    const res = await app.gql(`query($s: ID!) { room(sessionId: $s) { sessionId } }`, { s: ids.sessionId }, other);
    expect(res.errors?.[0]).toMatchObject({ message: 'this screen token is for another session', extensions: { code: 'FORBIDDEN' } });
    expect(observe(res).decision).toBe('allowed');
  });
});
