import type { User } from '../../../src/auth/user.entity';
import { ActionItem, Decision, FindingResponse, ProgressReport } from '../../../src/modules/followup/followup.entity';
import { JournalEntry } from '../../../src/modules/journal/journal.entity';
import { Review, ReviewTone } from '../../../src/modules/room/review.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession, type ScriptedSession } from '../../helpers/session-script';
import { codeOf, createTestApp, TestApp } from '../../helpers/test-app';

const DAY = 86_400_000;
const CREATE_ITEM = `mutation($input: ActionItemInput!) { createActionItem(input: $input) { id title status progress cadre { id } review { tone } } }`;
const ITEMS = `query($status: ActionItemStatus, $cadreId: ID) { actionItems(status: $status, cadreId: $cadreId) { totalCount edges { node { id status progress } } } }`;
const ITEM = `query($cadreId: ID) { actionItems(cadreId: $cadreId) { edges { node { id status progress progressReports { id status percent verification { accepted note } evidence { sha256 } } } } } }`;
const REPORT = `mutation($input: ProgressInput!) { reportProgress(input: $input) { id percent status cadre { id } } }`;
const VERIFY = `mutation($p: ID!, $ok: Boolean!, $note: String) { verifyProgress(progressId: $p, accepted: $ok, note: $note) { id status verification { accepted note } } }`;
const PENDING = `{ progressReports(status: PENDING) { totalCount edges { node { id } } } }`;
const RECORD_COMMITMENT = `mutation($input: RecordCommitmentInput!) { recordCommitment(input: $input) { id status progress } }`;
const RECORD_CLAIM = `mutation($input: RecordClaimInput!) { recordClaim(input: $input) { id } }`;
const ASSIGN = `mutation($input: AssignAuditInput!) { assignAudit(input: $input) { id } }`;
const SUBMIT = `mutation($a: ID!, $input: FindingInput!) { submitFinding(auditId: $a, input: $input) { id } }`;
const PUBLISH = `mutation($f: ID!) { publishFinding(findingId: $f) { id } }`;
const RESPOND = `mutation($f: ID!, $body: String!) { respondToFinding(findingId: $f, body: $body) { id findingId body } }`;
const DECIDE = `mutation($input: DecisionInput!) { recordDecision(input: $input) { id kind reason findingId sessionId } }`;
const AUDITS = `query($c: ID) { audits(cadreId: $c) { findings { id verdict response { body } decisions { kind reason } } } }`;

describeEachEngine('follow-up', (engine) => {
  let app: TestApp;
  let s: ScriptedSession;
  let admin: User;
  let secretaryUser: User;
  let auditor: User;
  // Tokens are signed when used: the tests move the clock on by weeks.
  const secretary = () => app.tokenFor(secretaryUser);
  const owner = () => app.tokenFor(s.voters[0]);
  const other = () => app.tokenFor(s.voters[1]);
  let directive: Review;
  const at = (days: number) => new Date(app.clock.now().getTime() + days * DAY).toISOString();
  const ok = async (query: string, variables: Record<string, unknown>, token: string) => {
    const res = await app.gql(query, variables, token);
    expect(res.errors).toBeUndefined();
    return res.data!;
  };
  const sha = (n: number) => n.toString(16).padStart(64, '0');

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    secretaryUser = await createUser(app.ds.manager, { roles: ['secretary'] });
    auditor = await createUser(app.ds.manager, { roles: ['auditor'] });
    s = await scriptSession(app, { speakers: 2, voters: 2, speakerVoters: 2, until: RoomPhase.EXCHANGE });
    const leader = await createUser(app.ds.manager, { roles: ['leader'] });
    const review = (tone: ReviewTone, body: string) =>
      app.ds.getRepository(Review).save({ sessionId: s.session.id, speechId: s.speeches[0].id, authorId: leader.id, authorName: '市领导', tone, body, at: app.clock.now() });
    directive = await review(ReviewTone.DIRECTIVE, '要提前谋划明年重大项目招商引资，超常发力。');
    await review(ReviewTone.PRAISE, '思路清晰。');
  });
  afterAll(() => app.close());

  const item = async (title: string, dueDays = 30, reviewId = String(directive.id)) =>
    (await ok(CREATE_ITEM, { input: { reviewId, title, ownerCadreId: String(s.cadres[0].id), dueAt: at(dueDays) } }, await secretary())).createActionItem;

  describe('action items', () => {
    it("turns a leader's directive into an item owned by a cadre; refuses other reviews, a past date and a voter, and stores nothing", async () => {
      const created = await item('谋划明年重大项目招商引资');
      expect(created).toMatchObject({ title: '谋划明年重大项目招商引资', status: 'OPEN', progress: 0, cadre: { id: String(s.cadres[0].id) }, review: { tone: 'DIRECTIVE' } });
      const before = await app.ds.getRepository(ActionItem).count();
      const praise = await app.ds.getRepository(Review).findOneByOrFail({ tone: ReviewTone.PRAISE, sessionId: s.session.id });
      const input = { reviewId: String(directive.id), title: 'x', ownerCadreId: String(s.cadres[0].id), dueAt: at(10) };
      expect(codeOf(await app.gql(CREATE_ITEM, { input: { ...input, reviewId: String(praise.id) } }, await secretary()))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(CREATE_ITEM, { input: { ...input, dueAt: at(-1) } }, await secretary()))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(CREATE_ITEM, { input: { ...input, title: '   ' } }, await secretary()))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(CREATE_ITEM, { input: { ...input, ownerCadreId: '999999' } }, await secretary()))).toBe('NOT_FOUND');
      expect(codeOf(await app.gql(CREATE_ITEM, { input }, await other()))).toBe('FORBIDDEN');
      expect(await app.ds.getRepository(ActionItem).count()).toBe(before);
      expect(await app.ds.getRepository(JournalEntry).existsBy({ action: 'createActionItem', entityId: created.id })).toBe(true);
    });

    it('derives the status from verified progress only: pending and rejected reports move nothing, accepted 100% is DONE', async () => {
      const created = await item('建立重大项目储备库');
      const report = async (percent: number, token?: string) =>
        app.gql(REPORT, { input: { actionItemId: created.id, note: `已完成${percent}%`, percent, evidence: [{ kind: 'DOCUMENT', description: '项目清单', sha256: sha(percent), capturedAt: at(-1), location: '平泉市' }] } }, token ?? (await owner()));
      const statusOf = async () => (await ok(ITEM, { cadreId: String(s.cadres[0].id) }, await secretary())).actionItems.edges.find((e: any) => e.node.id === created.id).node;
      const auditorToken = await app.tokenFor(auditor);

      expect(codeOf(await report(100, await other()))).toBe('FORBIDDEN');
      const full = (await report(100)).data!.reportProgress;
      expect(full).toMatchObject({ percent: 100, status: 'PENDING' });
      expect(await statusOf()).toMatchObject({ status: 'OPEN', progress: 0 });

      expect(codeOf(await app.gql(VERIFY, { p: full.id, ok: false }, auditorToken))).toBe('BAD_USER_INPUT');
      expect((await ok(VERIFY, { p: full.id, ok: false, note: '清单与台账不符' }, auditorToken)).verifyProgress).toMatchObject({ status: 'REJECTED', verification: { accepted: false, note: '清单与台账不符' } });
      expect(codeOf(await app.gql(VERIFY, { p: full.id, ok: true }, auditorToken))).toBe('CONFLICT');
      expect(await statusOf()).toMatchObject({ status: 'OPEN', progress: 0 });

      const half = (await report(50)).data!.reportProgress;
      expect(codeOf(await app.gql(VERIFY, { p: half.id, ok: true }, await owner()))).toBe('FORBIDDEN');
      const sameUnit = await app.tokenFor(await createUser(app.ds.manager, { roles: ['auditor'], regionId: s.cadres[0].regionId }));
      expect(codeOf(await app.gql(VERIFY, { p: half.id, ok: true }, sameUnit))).toBe('AUDIT_CONFLICT_OF_INTEREST');
      await ok(VERIFY, { p: half.id, ok: true }, auditorToken);
      expect(await statusOf()).toMatchObject({ status: 'OPEN', progress: 50 });

      const done = (await report(100)).data!.reportProgress;
      const pending = (await ok(PENDING, {}, auditorToken)).progressReports.edges.map((e: any) => e.node.id);
      expect(pending).toContain(done.id);
      await ok(VERIFY, { p: done.id, ok: true, note: '现场核实' }, auditorToken);
      const final = await statusOf();
      expect(final).toMatchObject({ status: 'DONE', progress: 100 });
      expect(final.progressReports.map((r: any) => r.status)).toEqual(['REJECTED', 'ACCEPTED', 'ACCEPTED']);
      expect(final.progressReports[0].evidence).toEqual([{ sha256: sha(100) }]);
      expect(await app.ds.getRepository(ProgressReport).countBy({ actionItemId: Number(created.id) })).toBe(3);
    });

    it('is OVERDUE past its date until done, and the list filters by the derived status', async () => {
      const late = await item('完成招商推介会筹备', 2);
      app.clock.advance(3 * DAY);
      const overdue = (await ok(ITEMS, { status: 'OVERDUE' }, await secretary())).actionItems.edges.map((e: any) => e.node.id);
      expect(overdue).toContain(late.id);
      const open = (await ok(ITEMS, { status: 'OPEN' }, await secretary())).actionItems.edges.map((e: any) => e.node.id);
      expect(open).not.toContain(late.id);
      const done = (await ok(ITEMS, { status: 'DONE' }, await secretary())).actionItems.edges.map((e: any) => e.node.status);
      expect(done.length).toBeGreaterThan(0);
      expect(done.every((st: string) => st === 'DONE')).toBe(true);
      // The analysts' fulfilment counts them per region of the owning cadre.
      const analyst = await app.tokenFor(await createUser(app.ds.manager, { roles: ['analyst'] }));
      const rows = (await ok(`{ commitmentFulfilment { region { id } actionItems actionItemsDone actionItemsOverdue } }`, {}, analyst)).commitmentFulfilment;
      expect(rows.find((r: any) => r.region.id === String(s.cadres[0].regionId))).toEqual({ region: { id: String(s.cadres[0].regionId) }, actionItems: 3, actionItemsDone: 1, actionItemsOverdue: 1 });
    });

    it("shows a cadre only their own items", async () => {
      expect((await ok(ITEMS, {}, await other())).actionItems.totalCount).toBe(0);
      expect((await ok(ITEMS, {}, await owner())).actionItems.totalCount).toBeGreaterThan(0);
    });
  });

  describe('progress on a commitment', () => {
    it('counts accepted progress without changing the status that findings derive', async () => {
      const c = (await ok(RECORD_COMMITMENT, { input: { speechId: String(s.speeches[0].id), title: '打造民宿床位', target: '超10万张', dueAt: at(90) } }, await owner())).recordCommitment;
      const p = (await ok(REPORT, { input: { commitmentId: c.id, note: '新增床位3000张', percent: 30 } }, await owner())).reportProgress;
      await ok(VERIFY, { p: p.id, ok: true }, await app.tokenFor(auditor));
      const dossier = await ok(`query($c: ID!) { cadreDossier(cadreId: $c) { commitments { id status progress } } }`, { c: String(s.cadres[0].id) }, await secretary());
      expect(dossier.cadreDossier.commitments.find((x: any) => x.id === c.id)).toEqual({ id: c.id, status: 'OPEN', progress: 30 });
      expect(codeOf(await app.gql(REPORT, { input: { commitmentId: c.id, actionItemId: '1', note: 'x', percent: 1 } }, await owner()))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(REPORT, { input: { commitmentId: c.id, note: 'x', percent: 101 } }, await owner()))).toBe('BAD_USER_INPUT');
    });
  });

  describe('the response and the decision', () => {
    /** A claim of the first cadre found FALSIFIED (or as given) and published. */
    async function publishedFinding(verdict = 'FALSIFIED'): Promise<string> {
      const claim = (await ok(RECORD_CLAIM, { input: { speechId: String(s.speeches[0].id), indicator: '床位', value: 3000, unit: '张', asOf: at(-2) } }, await owner())).recordClaim;
      const adminToken = await app.tokenFor(admin);
      const audit = (await ok(ASSIGN, { input: { claimId: claim.id, method: 'DOCUMENT_CHECK', auditorId: String(auditor.id), dueAt: at(14) } }, adminToken)).assignAudit;
      const evidence = [{ kind: 'DOCUMENT', description: '台账', sha256: sha(7), capturedAt: at(-1), location: '承德' }];
      const finding = (await ok(SUBMIT, { a: audit.id, input: { verdict, summary: '床位数与台账不符', evidence } }, await app.tokenFor(auditor))).submitFinding;
      await ok(PUBLISH, { f: finding.id }, await app.tokenFor(await createUser(app.ds.manager, { roles: ['admin'] })));
      return finding.id;
    }

    it('lets the cadre concerned answer once; a decision then rests on finding and answer, in order', async () => {
      const findingId = await publishedFinding();
      const adminToken = await app.tokenFor(admin);
      const decision = { cadreId: String(s.cadres[0].id), kind: 'ACCOUNTABILITY', reason: '弄虚作假，依规追责', findingId };
      expect(codeOf(await app.gql(DECIDE, { input: decision }, adminToken))).toBe('FOLLOWUP_AWAITING_RESPONSE');
      expect(codeOf(await app.gql(RESPOND, { f: findingId, body: '不是我' }, await other()))).toBe('FORBIDDEN');
      expect((await ok(RESPOND, { f: findingId, body: '统计口径有误，已补充台账。' }, await owner())).respondToFinding).toMatchObject({ findingId, body: '统计口径有误，已补充台账。' });
      expect(codeOf(await app.gql(RESPOND, { f: findingId, body: '再说一次' }, await owner()))).toBe('CONFLICT');

      const before = await app.ds.getRepository(Decision).count();
      expect(codeOf(await app.gql(DECIDE, { input: { ...decision, reason: '  ' } }, adminToken))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(DECIDE, { input: { ...decision, findingId: null } }, adminToken))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(DECIDE, { input: { ...decision, cadreId: String(s.cadres[1].id) } }, adminToken))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(DECIDE, { input: decision }, await secretary()))).toBe('FORBIDDEN');
      expect(await app.ds.getRepository(Decision).count()).toBe(before);
      expect((await ok(DECIDE, { input: decision }, adminToken)).recordDecision).toMatchObject({ kind: 'ACCOUNTABILITY', findingId });

      const findings = (await ok(AUDITS, { c: String(s.cadres[0].id) }, adminToken)).audits.flatMap((a: any) => a.findings);
      expect(findings.find((f: any) => f.id === findingId)).toEqual({
        id: findingId, verdict: 'FALSIFIED', response: { body: '统计口径有误，已补充台账。' }, decisions: [{ kind: 'ACCOUNTABILITY', reason: '弄虚作假，依规追责' }],
      });
      for (const action of ['respondToFinding', 'recordDecision']) expect(await app.ds.getRepository(JournalEntry).existsBy({ action })).toBe(true);

      // The dossier shows the whole chain: the finding, the answer, the decision; and the directives owned.
      const dossier = (await ok(
        `query($c: ID!) { cadreDossier(cadreId: $c) { findings { id response { body } decisions { kind } } decisions { kind findingId } actionItems { title status } } }`,
        { c: String(s.cadres[0].id) },
        await owner(),
      )).cadreDossier;
      expect(dossier.findings.find((f: any) => f.id === findingId)).toEqual({ id: findingId, response: { body: '统计口径有误，已补充台账。' }, decisions: [{ kind: 'ACCOUNTABILITY' }] });
      expect(dossier.decisions).toEqual([{ kind: 'ACCOUNTABILITY', findingId }]);
      expect(dossier.actionItems.map((i: any) => i.status).sort()).toEqual(['DONE', 'OPEN', 'OVERDUE']);
    });

    it('refuses an answer after the window, and then lets the decision go ahead without one', async () => {
      const findingId = await publishedFinding('NOT_FULFILLED');
      app.clock.advance(15 * DAY);
      const before = await app.ds.getRepository(FindingResponse).count();
      expect(codeOf(await app.gql(RESPOND, { f: findingId, body: '迟到的申辩' }, await owner()))).toBe('FOLLOWUP_RESPONSE_WINDOW_CLOSED');
      expect(await app.ds.getRepository(FindingResponse).count()).toBe(before);
      const decided = await ok(DECIDE, { input: { cadreId: String(s.cadres[0].id), kind: 'NO_ACTION', reason: '情节轻微', findingId, sessionId: String(s.session.id) } }, await app.tokenFor(admin));
      expect(decided.recordDecision).toMatchObject({ kind: 'NO_ACTION', sessionId: String(s.session.id) });
    });

    it("gives a cadre their own dossier with each finding's answer deadline, and nothing to someone who is not one", async () => {
      const findingId = await publishedFinding('PARTIAL');
      const mine = (await ok(`{ myDossier { cadre { id } findings { id verdict respondBy } } }`, {}, await owner())).myDossier;
      expect(mine.cadre.id).toBe(String(s.cadres[0].id));
      expect(new Date(mine.findings.find((f: any) => f.id === findingId).respondBy).getTime()).toBe(app.clock.now().getTime() + 14 * DAY);
      const voter = await app.tokenFor(await createUser(app.ds.manager, { roles: ['voter'] }));
      expect((await ok(`{ myDossier { cadre { id } } }`, {}, voter)).myDossier).toBeNull();
    });

    it('needs no answer to a VERIFIED finding', async () => {
      const findingId = await publishedFinding('VERIFIED');
      expect(codeOf(await app.gql(RESPOND, { f: findingId, body: '谢谢' }, await owner()))).toBe('BAD_USER_INPUT');
    });
  });
});
