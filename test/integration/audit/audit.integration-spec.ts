import { createHash } from 'node:crypto';
import { User } from '../../../src/auth/user.entity';
import { Audit, Evidence, Finding } from '../../../src/modules/audit/audit.entity';
import { JournalEntry } from '../../../src/modules/journal/journal.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession, ScriptedSession } from '../../helpers/session-script';
import { codeOf, createTestApp, TEST_NOW, TestApp } from '../../helpers/test-app';

const RECORD_CLAIM = `mutation($input: RecordClaimInput!) { recordClaim(input: $input) { id indicator value unit } }`;
const RECORD_COMMITMENT = `mutation($input: RecordCommitmentInput!) { recordCommitment(input: $input) { id title target dueAt status } }`;
const REVISE_CLAIM = `mutation($id: ID!, $input: ReviseClaimInput!) { reviseClaim(id: $id, input: $input) { id } }`;
const REVISE_COMMITMENT = `mutation($id: ID!, $input: ReviseCommitmentInput!) { reviseCommitment(id: $id, input: $input) { id status } }`;
const ASSIGN = `mutation($input: AssignAuditInput!) { assignAudit(input: $input) { id method dueAt status claimId commitmentId cadreId sessionId auditorId assignedAt } }`;
const WITHDRAW = `mutation($a: ID!, $r: String!) { withdrawAudit(auditId: $a, reason: $r) { id status withdrawReason } }`;
const SUBMIT = `mutation($a: ID!, $input: FindingInput!) {
  submitFinding(auditId: $a, input: $input) {
    id auditId cadreId verdict summary submittedAt publishedAt supersedesId correctionReason supersededAt
    evidence { kind description sha256 capturedAt location }
  }
}`;
const PUBLISH = `mutation($f: ID!) { publishFinding(findingId: $f) { id verdict publishedAt supersedesId supersededAt } }`;
const AUDITS = `query($c: ID) { audits(cadreId: $c) { id status method findings { id verdict publishedAt supersedesId correctionReason supersededAt } } }`;
const BRIEFINGS = `query($s: ID!) {
  briefings(sessionId: $s) {
    speech { id }
    claims { id audits { id method status findings { id verdict publishedAt } } }
    commitments { id status audits { id method status findings { id verdict publishedAt } } }
  }
}`;
const DOSSIER = `query($c: ID!) {
  cadreDossier(cadreId: $c) {
    cadre { id }
    claims { id indicator }
    commitments { id title status }
    findings { id verdict publishedAt supersedesId correctionReason }
    fulfilmentRate
    flags { kind reason at findingId sessionId evidence }
  }
}`;

const DAY = 86_400_000;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describeEachEngine('audits', (engine) => {
  let app: TestApp;
  let admin: User;
  let admin2: User;
  let auditor: User;
  let auditor2: User;
  let leader: User;
  let voter: User;

  /** An instant `days` from the test clock's now (negative: in the past). */
  const at = (days: number) => new Date(app.clock.now().getTime() + days * DAY).toISOString();
  const token = (u: User) => app.tokenFor(u);
  const counts = async () => ({
    audits: await app.ds.getRepository(Audit).count(),
    findings: await app.ds.getRepository(Finding).count(),
    evidence: await app.ds.getRepository(Evidence).count(),
    journal: await app.ds.getRepository(JournalEntry).count(),
  });

  interface Briefed {
    s: ScriptedSession;
    speaker: User;
    claim: { id: string };
    commitment: { id: string; dueAt: string };
  }

  /** A scheduled session whose first speaker (with an account) filed one claim and one commitment due in 30 days. */
  async function briefed(): Promise<Briefed> {
    const s = await scriptSession(app, { speakers: 2, voters: 3, speakerVoters: 2, until: RoomPhase.SCHEDULED });
    const speaker = s.voters[0];
    const claim = await app.gql(RECORD_CLAIM, { input: { speechId: String(s.speeches[0].id), indicator: '重点民宿村', value: 16, unit: '个', asOf: at(-3) } }, await token(speaker));
    const commitment = await app.gql(RECORD_COMMITMENT, { input: { speechId: String(s.speeches[0].id), title: '打造民宿床位', target: '超10万张', dueAt: at(30) } }, await token(speaker));
    expect(claim.errors ?? commitment.errors).toBeUndefined();
    return { s, speaker, claim: claim.data!.recordClaim, commitment: commitment.data!.recordCommitment };
  }

  async function assign(target: { claimId?: string; commitmentId?: string }, overrides: Record<string, unknown> = {}) {
    const res = await app.gql(ASSIGN, { input: { method: 'DOCUMENT_CHECK', auditorId: String(auditor.id), dueAt: at(14), ...target, ...overrides } }, await token(admin));
    expect(res.errors).toBeUndefined();
    return res.data!.assignAudit as { id: string; status: string };
  }

  const evidence = (text: string, overrides: Record<string, unknown> = {}) => ({
    kind: 'PHOTO',
    description: `现场照片：${text}`,
    sha256: sha(text),
    capturedAt: at(-1),
    location: '平泉市某民宿村',
    ...overrides,
  });
  const findingInput = (verdict: string, overrides: Record<string, unknown> = {}) => ({ verdict, summary: `核查结论：${verdict}`, evidence: [evidence(`${verdict}-1`)], ...overrides });

  async function submit(auditId: string, input: Record<string, unknown>, by: User = auditor) {
    const res = await app.gql(SUBMIT, { a: auditId, input }, await token(by));
    expect(res.errors).toBeUndefined();
    return res.data!.submitFinding;
  }

  async function publish(findingId: string, by: User = admin2) {
    const res = await app.gql(PUBLISH, { f: findingId }, await token(by));
    expect(res.errors).toBeUndefined();
    return res.data!.publishFinding;
  }

  /** Assigns, submits and publishes one verdict on a claim or commitment. */
  async function verdictOn(target: { claimId?: string; commitmentId?: string }, verdict: string, input: Record<string, unknown> = {}) {
    const audit = await assign(target);
    const finding = await submit(audit.id, findingInput(verdict, input));
    return { audit, finding: await publish(finding.id) };
  }

  const dossier = async (cadreId: number, by: User = admin) => {
    const res = await app.gql(DOSSIER, { c: String(cadreId) }, await token(by));
    expect(res.errors).toBeUndefined();
    return res.data!.cadreDossier;
  };
  const statusOf = async (b: Briefed) => (await app.gql(BRIEFINGS, { s: String(b.s.session.id) }, await token(leader))).data!.briefings[0].commitments[0].status;

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    admin2 = await createUser(app.ds.manager, { roles: ['admin'] });
    auditor = await createUser(app.ds.manager, { roles: ['auditor'] });
    auditor2 = await createUser(app.ds.manager, { roles: ['auditor'] });
    leader = await createUser(app.ds.manager, { roles: ['leader'] });
    voter = await createUser(app.ds.manager, { roles: ['voter'] });
  });
  afterEach(() => app.clock.set(TEST_NOW));
  afterAll(() => app.close());

  describe('assignAudit', () => {
    it('assigns a check of a claim to an auditor from outside the cadre’s unit', async () => {
      const b = await briefed();
      const before = await counts();
      const res = await app.gql(ASSIGN, { input: { claimId: b.claim.id, method: 'FIELD_VISIT', auditorId: String(auditor.id), dueAt: at(14) } }, await token(admin));
      expect(res.errors).toBeUndefined();
      expect(res.data!.assignAudit).toMatchObject({
        method: 'FIELD_VISIT',
        status: 'ASSIGNED',
        claimId: b.claim.id,
        commitmentId: null,
        cadreId: String(b.s.cadres[0].id),
        sessionId: String(b.s.session.id),
        auditorId: String(auditor.id),
        dueAt: at(14),
        assignedAt: app.clock.now().toISOString(),
      });
      expect(await counts()).toEqual({ ...before, audits: before.audits + 1, journal: before.journal + 1 });
    });

    it('assigns a check of a commitment', async () => {
      const b = await briefed();
      const res = await app.gql(ASSIGN, { input: { commitmentId: b.commitment.id, method: 'OPEN_INSPECTION', auditorId: String(auditor2.id), dueAt: at(40) } }, await token(admin));
      expect(res.errors).toBeUndefined();
      expect(res.data!.assignAudit).toMatchObject({ method: 'OPEN_INSPECTION', status: 'ASSIGNED', claimId: null, commitmentId: b.commitment.id, cadreId: String(b.s.cadres[0].id), auditorId: String(auditor2.id) });
    });

    it.each([
      ['both a claim and a commitment', 'BAD_USER_INPUT', async (b: Briefed) => ({ claimId: b.claim.id, commitmentId: b.commitment.id })],
      ['neither a claim nor a commitment', 'BAD_USER_INPUT', async () => ({})],
      ['a due date in the past', 'BAD_USER_INPUT', async (b: Briefed) => ({ claimId: b.claim.id, dueAt: at(-1) })],
      ['the audited cadre’s own account as auditor', 'AUDIT_CONFLICT_OF_INTEREST', async (b: Briefed) => {
        await app.ds.getRepository(User).update({ id: b.speaker.id }, { roles: ['speaker', 'voter', 'auditor'] });
        return { claimId: b.claim.id, auditorId: String(b.speaker.id) };
      }],
      ['an auditor from the cadre’s own region', 'AUDIT_CONFLICT_OF_INTEREST', async (b: Briefed) => {
        const local = await createUser(app.ds.manager, { roles: ['auditor'], regionId: b.s.cadres[0].regionId });
        return { commitmentId: b.commitment.id, auditorId: String(local.id) };
      }],
      ['a user who is not an auditor', 'BAD_USER_INPUT', async (b: Briefed) => ({ claimId: b.claim.id, auditorId: String(leader.id) })],
      ['an unknown claim', 'NOT_FOUND', async () => ({ claimId: '999999' })],
    ] as const)('refuses %s with %s and stores no audit', async (_what, code, override) => {
      const b = await briefed();
      const input = { method: 'UNANNOUNCED_VISIT', auditorId: String(auditor.id), dueAt: at(14), ...(await override(b)) };
      const before = await counts();
      const res = await app.gql(ASSIGN, { input }, await token(admin));
      expect(codeOf(res)).toBe(code);
      expect(await counts()).toEqual(before);
    });

    it('refuses a claim version that was revised with CONFLICT, and is FORBIDDEN to an auditor', async () => {
      const b = await briefed();
      await app.gql(REVISE_CLAIM, { id: b.claim.id, input: { value: 17 } }, await token(b.speaker));
      const before = await counts();
      const input = { claimId: b.claim.id, method: 'DOCUMENT_CHECK', auditorId: String(auditor.id), dueAt: at(14) };
      expect(codeOf(await app.gql(ASSIGN, { input }, await token(admin)))).toBe('CONFLICT');
      expect(codeOf(await app.gql(ASSIGN, { input }, await token(auditor)))).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
    });
  });

  describe('submitFinding', () => {
    it('takes the assigned auditor’s verdict and evidence as a draft, and marks the audit REPORTED', async () => {
      const b = await briefed();
      const audit = await assign({ claimId: b.claim.id });
      const before = await counts();
      const photo = evidence('photo', { sha256: sha('photo').toUpperCase(), capturedAt: at(-2) });
      const res = await app.gql(SUBMIT, { a: audit.id, input: { verdict: 'VERIFIED', summary: ' 床位数属实 ', evidence: [photo, evidence('ledger', { kind: 'LEDGER' })] } }, await token(auditor));
      expect(res.errors).toBeUndefined();
      expect(res.data!.submitFinding).toMatchObject({
        auditId: audit.id,
        cadreId: String(b.s.cadres[0].id),
        verdict: 'VERIFIED',
        summary: '床位数属实',
        submittedAt: app.clock.now().toISOString(),
        publishedAt: null,
        supersedesId: null,
        correctionReason: null,
        evidence: [
          { kind: 'PHOTO', description: photo.description, sha256: sha('photo'), capturedAt: at(-2), location: '平泉市某民宿村' },
          { kind: 'LEDGER', description: '现场照片：ledger', sha256: sha('ledger'), capturedAt: at(-1), location: '平泉市某民宿村' },
        ],
      });
      // the finding, and the audit turning REPORTED
      expect(await counts()).toEqual({ ...before, findings: before.findings + 1, evidence: before.evidence + 2, journal: before.journal + 2 });
      expect((await app.ds.getRepository(Audit).findOneByOrFail({ id: Number(audit.id) })).status).toBe('REPORTED');
    });

    it('is FORBIDDEN to an auditor who is not assigned, and stores nothing', async () => {
      const b = await briefed();
      const audit = await assign({ claimId: b.claim.id });
      const before = await counts();
      expect(codeOf(await app.gql(SUBMIT, { a: audit.id, input: findingInput('FALSIFIED') }, await token(auditor2)))).toBe('FORBIDDEN');
      expect(codeOf(await app.gql(SUBMIT, { a: audit.id, input: findingInput('FALSIFIED') }, await token(admin)))).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
      expect((await app.ds.getRepository(Audit).findOneByOrFail({ id: Number(audit.id) })).status).toBe('ASSIGNED');
    });

    it.each<[string, Record<string, unknown>]>([
      ['a hash of 63 hex digits', { sha256: sha('x').slice(1) }],
      ['a hash of 65 hex digits', { sha256: `${sha('x')}0` }],
      ['a hash with a non-hex digit', { sha256: `g${sha('x').slice(1)}` }],
      ['a 0x-prefixed hash', { sha256: `0x${sha('x').slice(2)}` }],
      ['evidence captured in the future', { capturedAt: 'future' }],
      ['a blank location', { location: '  ' }],
    ])('rejects %s with BAD_USER_INPUT and stores nothing', async (_what, override) => {
      const b = await briefed();
      const audit = await assign({ claimId: b.claim.id });
      const before = await counts();
      const bad = evidence('bad', override.capturedAt === 'future' ? { capturedAt: at(1) } : override);
      const res = await app.gql(SUBMIT, { a: audit.id, input: findingInput('VERIFIED', { evidence: [evidence('good'), bad] }) }, await token(auditor));
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await counts()).toEqual(before);
    });

    it('answers AUDIT_WITHDRAWN to a verdict on a withdrawn audit, or to publishing its draft, and changes nothing', async () => {
      const b = await briefed();
      const audit = await assign({ claimId: b.claim.id });
      const draft = await submit(audit.id, findingInput('PARTIAL'));
      const withdrawn = await app.gql(WITHDRAW, { a: audit.id, r: '核查对象调整' }, await token(admin));
      expect(withdrawn.data!.withdrawAudit).toMatchObject({ status: 'WITHDRAWN', withdrawReason: '核查对象调整' });
      const before = await counts();
      expect(codeOf(await app.gql(SUBMIT, { a: audit.id, input: findingInput('FALSIFIED') }, await token(auditor)))).toBe('AUDIT_WITHDRAWN');
      expect(codeOf(await app.gql(PUBLISH, { f: draft.id }, await token(admin2)))).toBe('AUDIT_WITHDRAWN');
      expect(await counts()).toEqual(before);
      expect(await app.ds.getRepository(Finding).findOneByOrFail({ id: Number(draft.id) })).toMatchObject({ verdict: 'PARTIAL', publishedAt: null });
    });

    it('replaces a draft on re-submission: same finding, new verdict, new evidence', async () => {
      const b = await briefed();
      const audit = await assign({ commitmentId: b.commitment.id });
      const first = await submit(audit.id, findingInput('PARTIAL', { evidence: [evidence('a'), evidence('b')] }));
      app.clock.advance(3_600_000);
      const before = await counts();
      const second = await submit(audit.id, findingInput('VERIFIED', { summary: '复核后确认已落实', evidence: [evidence('c')] }));
      expect(second).toMatchObject({ id: first.id, verdict: 'VERIFIED', summary: '复核后确认已落实', submittedAt: app.clock.now().toISOString(), publishedAt: null });
      expect(second.evidence.map((e: any) => e.sha256)).toEqual([sha('c')]);
      expect(await counts()).toEqual({ ...before, evidence: before.evidence - 1, journal: before.journal + 1 });
      expect(await app.ds.getRepository(Finding).countBy({ auditId: Number(audit.id) })).toBe(1);
    });
  });

  describe('publishFinding', () => {
    it('is FORBIDDEN to the finding’s own author, even an admin who also audits, and changes nothing', async () => {
      const b = await briefed();
      const adminAuditor = await createUser(app.ds.manager, { roles: ['admin', 'auditor'] });
      const audit = await assign({ claimId: b.claim.id }, { auditorId: String(adminAuditor.id) });
      const draft = await submit(audit.id, findingInput('VERIFIED'), adminAuditor);
      const before = await counts();
      expect(codeOf(await app.gql(PUBLISH, { f: draft.id }, await token(adminAuditor)))).toBe('FORBIDDEN');
      expect(codeOf(await app.gql(PUBLISH, { f: draft.id }, await token(auditor)))).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
      expect((await app.ds.getRepository(Finding).findOneByOrFail({ id: Number(draft.id) })).publishedAt).toBeNull();
    });

    it('publishes when another admin does so, and closes the audit', async () => {
      const b = await briefed();
      const audit = await assign({ claimId: b.claim.id });
      const draft = await submit(audit.id, findingInput('VERIFIED'));
      app.clock.advance(60_000);
      const res = await app.gql(PUBLISH, { f: draft.id }, await token(admin));
      expect(res.errors).toBeUndefined();
      expect(res.data!.publishFinding).toMatchObject({ id: draft.id, verdict: 'VERIFIED', publishedAt: app.clock.now().toISOString(), supersededAt: null });
      expect(await app.ds.getRepository(Audit).findOneByOrFail({ id: Number(audit.id) })).toMatchObject({ status: 'CLOSED' });
      expect(await app.ds.getRepository(Finding).findOneByOrFail({ id: Number(draft.id) })).toMatchObject({ publishedById: admin.id });
    });

    it('answers CONFLICT to publishing twice, and changes nothing', async () => {
      const b = await briefed();
      const { finding } = await verdictOn({ claimId: b.claim.id }, 'VERIFIED');
      app.clock.advance(60_000);
      const before = await counts();
      expect(codeOf(await app.gql(PUBLISH, { f: finding.id }, await token(admin)))).toBe('CONFLICT');
      expect(await counts()).toEqual(before);
      expect((await app.ds.getRepository(Finding).findOneByOrFail({ id: Number(finding.id) })).publishedAt!.toISOString()).toBe(finding.publishedAt);
    });

    it('publishes exactly once when six publications of one finding race, and journals it once', async () => {
      const b = await briefed();
      const audit = await assign({ claimId: b.claim.id });
      const draft = await submit(audit.id, findingInput('VERIFIED'));
      const tokens = await Promise.all([admin, admin2, admin, admin2, admin, admin2].map(token));
      const before = await counts();
      const results = await Promise.all(tokens.map((t) => app.gql(PUBLISH, { f: draft.id }, t)));
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => codeOf(r) === 'CONFLICT')).toHaveLength(5);
      // the publication, the audit closing, and the verdict recorded on the claim — once
      expect(await counts()).toEqual({ ...before, journal: before.journal + 3 });
      expect(await app.ds.getRepository(JournalEntry).countBy({ action: 'publishFinding', entityId: draft.id })).toBe(1);
    });

    it('answers AUDIT_FINDING_PUBLISHED to a new submission without a correctionReason, and changes nothing', async () => {
      const b = await briefed();
      const { audit, finding } = await verdictOn({ claimId: b.claim.id }, 'FALSIFIED', { evidence: [evidence('ledger-1'), evidence('ledger-2')] });
      const before = await counts();
      const res = await app.gql(SUBMIT, { a: audit.id, input: findingInput('VERIFIED', { evidence: [evidence('other')] }) }, await token(auditor));
      expect(codeOf(res)).toBe('AUDIT_FINDING_PUBLISHED');
      expect(await counts()).toEqual(before);
      expect(await app.ds.getRepository(Finding).findOneByOrFail({ id: Number(finding.id) })).toMatchObject({ verdict: 'FALSIFIED', summary: '核查结论：FALSIFIED', supersededAt: null });
      expect((await app.ds.getRepository(Evidence).findBy({ findingId: Number(finding.id) })).map((e) => e.sha256).sort()).toEqual([sha('ledger-1'), sha('ledger-2')].sort());
    });

    it('takes a correction with a reason as a new finding that supersedes the published one once it is published', async () => {
      const b = await briefed();
      const { audit, finding: original } = await verdictOn({ claimId: b.claim.id }, 'FALSIFIED');
      app.clock.advance(DAY);
      const correction = await submit(audit.id, findingInput('PARTIAL', { correctionReason: '补充材料证明部分属实' }));
      expect(correction).toMatchObject({ supersedesId: original.id, correctionReason: '补充材料证明部分属实', publishedAt: null, verdict: 'PARTIAL' });
      expect(correction.id).not.toBe(original.id);
      expect((await dossier(b.s.cadres[0].id)).findings.map((f: any) => f.id)).toEqual([original.id]);

      const noReason = await app.gql(SUBMIT, { a: audit.id, input: findingInput('VERIFIED') }, await token(auditor));
      expect(codeOf(noReason)).toBe('BAD_USER_INPUT');

      app.clock.advance(DAY);
      const published = await publish(correction.id);
      expect(published).toMatchObject({ id: correction.id, supersedesId: original.id, publishedAt: app.clock.now().toISOString() });
      const findings = (await app.gql(AUDITS, { c: String(b.s.cadres[0].id) }, await token(admin))).data!.audits.find((a: any) => a.id === audit.id).findings;
      expect(findings).toEqual([
        { id: original.id, verdict: 'FALSIFIED', publishedAt: original.publishedAt, supersedesId: null, correctionReason: null, supersededAt: app.clock.now().toISOString() },
        { id: correction.id, verdict: 'PARTIAL', publishedAt: app.clock.now().toISOString(), supersedesId: original.id, correctionReason: '补充材料证明部分属实', supersededAt: null },
      ]);
      const d = await dossier(b.s.cadres[0].id);
      expect(d.findings).toEqual([{ id: correction.id, verdict: 'PARTIAL', publishedAt: app.clock.now().toISOString(), supersedesId: original.id, correctionReason: '补充材料证明部分属实' }]);
      expect(d.flags.filter((f: any) => f.kind === 'ACCOUNTABILITY')).toEqual([]);
      expect(codeOf(await app.gql(PUBLISH, { f: original.id }, await token(admin)))).toBe('CONFLICT');
    });
  });

  describe('unannounced visits', () => {
    it('are hidden from the audited cadre until their finding is published, while the admin sees them', async () => {
      const b = await briefed();
      const onClaim = await assign({ claimId: b.claim.id }, { method: 'UNANNOUNCED_VISIT' });
      const onCommitment = await assign({ commitmentId: b.commitment.id }, { method: 'UNANNOUNCED_VISIT' });
      const seenBy = async (u: User) => {
        const briefing = (await app.gql(BRIEFINGS, { s: String(b.s.session.id) }, await token(u))).data!.briefings.find((x: any) => x.speech.id === String(b.s.speeches[0].id));
        return { claim: briefing.claims[0].audits.map((a: any) => a.id), commitment: briefing.commitments[0].audits.map((a: any) => a.id) };
      };
      expect(await seenBy(b.speaker)).toEqual({ claim: [], commitment: [] });
      expect(await seenBy(admin)).toEqual({ claim: [onClaim.id], commitment: [onCommitment.id] });

      const draft = await submit(onClaim.id, findingInput('VERIFIED'));
      expect(await seenBy(b.speaker)).toEqual({ claim: [], commitment: [] });

      await publish(draft.id);
      expect(await seenBy(b.speaker)).toEqual({ claim: [onClaim.id], commitment: [] });
      const mine = (await app.gql(BRIEFINGS, { s: String(b.s.session.id) }, await token(b.speaker))).data!.briefings[0].claims[0].audits[0];
      expect(mine).toMatchObject({ method: 'UNANNOUNCED_VISIT', status: 'CLOSED', findings: [{ id: draft.id, verdict: 'VERIFIED' }] });
    });

    it('do not hide an open inspection, but hide its draft finding from the cadre', async () => {
      const b = await briefed();
      const audit = await assign({ claimId: b.claim.id }, { method: 'OPEN_INSPECTION' });
      const draft = await submit(audit.id, findingInput('PARTIAL'));
      const audits = async () => (await app.gql(BRIEFINGS, { s: String(b.s.session.id) }, await token(b.speaker))).data!.briefings[0].claims[0].audits;
      expect(await audits()).toEqual([{ id: audit.id, method: 'OPEN_INSPECTION', status: 'REPORTED', findings: [] }]);
      await publish(draft.id);
      expect(await audits()).toEqual([{ id: audit.id, method: 'OPEN_INSPECTION', status: 'CLOSED', findings: [{ id: draft.id, verdict: 'PARTIAL', publishedAt: app.clock.now().toISOString() }] }]);
    });
  });

  describe('commitment status', () => {
    it('is OPEN until the clock passes the due date, then DUE; a draft finding changes nothing', async () => {
      const b = await briefed();
      expect(await statusOf(b)).toBe('OPEN');
      const audit = await assign({ commitmentId: b.commitment.id }, { dueAt: at(60) });
      await submit(audit.id, findingInput('VERIFIED'));
      app.clock.set(b.commitment.dueAt);
      expect(await statusOf(b)).toBe('OPEN');
      app.clock.advance(1);
      expect(await statusOf(b)).toBe('DUE');
      expect((await dossier(b.s.cadres[0].id)).commitments).toEqual([{ id: b.commitment.id, title: '打造民宿床位', status: 'DUE' }]);
    });

    it.each([
      ['VERIFIED', 'FULFILLED'],
      ['PARTIAL', 'PARTIAL'],
      ['NOT_FULFILLED', 'MISSED'],
      ['FALSIFIED', 'MISSED'],
    ])('becomes, after a published %s verdict, %s', async (verdict, status) => {
      const b = await briefed();
      const audit = await assign({ commitmentId: b.commitment.id });
      app.clock.set(new Date(new Date(b.commitment.dueAt).getTime() + DAY));
      expect(await statusOf(b)).toBe('DUE');
      const draft = await submit(audit.id, findingInput(verdict));
      expect(await statusOf(b)).toBe('DUE');
      await publish(draft.id);
      expect(await statusOf(b)).toBe(status);
    });

    it('follows the latest published verdict, corrections applied', async () => {
      const b = await briefed();
      await verdictOn({ commitmentId: b.commitment.id }, 'VERIFIED');
      expect(await statusOf(b)).toBe('FULFILLED');
      app.clock.advance(DAY);
      const { audit } = await verdictOn({ commitmentId: b.commitment.id }, 'NOT_FULFILLED');
      expect(await statusOf(b)).toBe('MISSED');
      app.clock.advance(DAY);
      const correction = await submit(audit.id, findingInput('PARTIAL', { correctionReason: '复核发现部分完成' }));
      expect(await statusOf(b)).toBe('MISSED');
      await publish(correction.id);
      expect(await statusOf(b)).toBe('PARTIAL');
    });
  });

  describe('commitment status across revisions', () => {
    it('keeps the verdict published on a commitment when the commitment is later revised', async () => {
      const b = await briefed();
      await verdictOn({ commitmentId: b.commitment.id }, 'NOT_FULFILLED');
      expect(await statusOf(b)).toBe('MISSED');
      expect((await dossier(b.s.cadres[0].id)).fulfilmentRate).toBe(0);
      const revised = await app.gql(REVISE_COMMITMENT, { id: b.commitment.id, input: { target: '超8万张', reason: '县委常委会调整目标' } }, await token(admin));
      expect(revised.errors).toBeUndefined();
      expect(revised.data!.reviseCommitment.status).toBe('MISSED');
      const d = await dossier(b.s.cadres[0].id);
      expect(d.commitments.map((c: any) => c.status)).toEqual(['MISSED']);
      expect(d.fulfilmentRate).toBe(0);
    });
  });

  describe('cadreDossier', () => {
    it('gathers claims, commitments with their status, published findings only, and the fulfilment rate', async () => {
      const b = await briefed();
      const cadreId = b.s.cadres[0].id;
      const file = async (title: string) => (await app.gql(RECORD_COMMITMENT, { input: { speechId: String(b.s.speeches[0].id), title, target: '按期完成', dueAt: at(30) } }, await token(b.speaker))).data!.recordCommitment;
      const second = await file('新增重点民宿村');
      const third = await file('完善民宿标准');
      expect((await dossier(cadreId)).fulfilmentRate).toBeNull();

      const fulfilled = await verdictOn({ commitmentId: b.commitment.id }, 'VERIFIED');
      const partial = await verdictOn({ commitmentId: second.id }, 'PARTIAL');
      const pending = await assign({ commitmentId: third.id });
      await submit(pending.id, findingInput('NOT_FULFILLED'));

      const d = await dossier(cadreId);
      expect(d.cadre).toEqual({ id: String(cadreId) });
      expect(d.claims).toEqual([{ id: b.claim.id, indicator: '重点民宿村' }]);
      expect(d.commitments).toEqual([
        { id: b.commitment.id, title: '打造民宿床位', status: 'FULFILLED' },
        { id: second.id, title: '新增重点民宿村', status: 'PARTIAL' },
        { id: third.id, title: '完善民宿标准', status: 'OPEN' },
      ]);
      expect(d.findings.map((f: any) => [f.id, f.verdict])).toEqual([
        [fulfilled.finding.id, 'VERIFIED'],
        [partial.finding.id, 'PARTIAL'],
      ]);
      expect(d.fulfilmentRate).toBe(0.5);
      expect(d.flags).toEqual([]);
    });

    it('raises ACCOUNTABILITY for a published FALSIFIED verdict, pointing to the finding and its evidence', async () => {
      const b = await briefed();
      const audit = await assign({ claimId: b.claim.id }, { method: 'FIELD_VISIT' });
      const draft = await submit(audit.id, findingInput('FALSIFIED', { evidence: [evidence('村账'), evidence('照片', { sha256: sha('照片').toUpperCase() })] }));
      expect((await dossier(b.s.cadres[0].id)).flags).toEqual([]);
      app.clock.advance(DAY);
      const published = await publish(draft.id);
      const d = await dossier(b.s.cadres[0].id);
      expect(d.flags).toEqual([{ kind: 'ACCOUNTABILITY', reason: expect.any(String), at: published.publishedAt, findingId: draft.id, sessionId: null, evidence: [sha('村账'), sha('照片')] }]);
      expect(d.flags[0].reason).toContain(draft.id);
      expect(d.flags[0].reason).toContain('重点民宿村');
    });

    describe('commendation priority', () => {
      /** A session whose first speaker (no account) is graded EXCELLENT by all three voters; published unless told. */
      async function excellent(publishResult = true) {
        const s = await scriptSession(app, { speakers: 3, voters: 3 });
        const chair = await token(s.chair);
        await app.gql(`mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: String(s.session.id) }, chair);
        for (const v of s.voters) {
          const g = s.speeches.map((sp, i) => ({ speechId: String(sp.id), grade: i === 0 ? 'EXCELLENT' : 'GOOD' }));
          expect((await app.gql(`mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`, { s: String(s.session.id), g }, await token(v))).errors).toBeUndefined();
        }
        await app.gql(`mutation($s: ID!) { closeEvaluation(sessionId: $s) { status } }`, { s: String(s.session.id) }, chair);
        if (publishResult) await app.gql(`mutation($s: ID!) { publishEvaluation(sessionId: $s) { status } }`, { s: String(s.session.id) }, chair);
        const claim = await app.gql(RECORD_CLAIM, { input: { speechId: String(s.speeches[0].id), indicator: '新增床位', value: 1200, unit: '张', asOf: at(-1) } }, await token(admin));
        return { s, claimId: claim.data!.recordClaim.id as string };
      }
      const commendations = async (cadreId: number) => (await dossier(cadreId)).flags.filter((f: any) => f.kind === 'COMMENDATION_PRIORITY');

      it('is raised by a published EXCELLENT result, pointing to the session', async () => {
        const { s } = await excellent();
        expect(await commendations(s.cadres[0].id)).toEqual([{ kind: 'COMMENDATION_PRIORITY', reason: expect.any(String), at: s.session.startsAt.toISOString(), findingId: null, sessionId: String(s.session.id), evidence: [] }]);
        expect(await commendations(s.cadres[1].id)).toEqual([]);
      });

      it('is not raised while the result is closed but unpublished', async () => {
        const { s } = await excellent(false);
        expect(await commendations(s.cadres[0].id)).toEqual([]);
      });

      it('is withheld when an adverse finding was published within 180 days, but not for a VERIFIED one', async () => {
        const { s, claimId } = await excellent();
        await verdictOn({ claimId }, 'VERIFIED');
        expect(await commendations(s.cadres[0].id)).toHaveLength(1);
        await verdictOn({ claimId }, 'PARTIAL');
        expect(await commendations(s.cadres[0].id)).toEqual([]);
      });

      it('stands when the adverse finding was published more than 180 days from the session', async () => {
        const { s, claimId } = await excellent();
        const audit = await assign({ claimId });
        app.clock.set(new Date(s.session.startsAt.getTime() + 181 * DAY));
        const draft = await submit(audit.id, findingInput('FALSIFIED'));
        await publish(draft.id);
        const flags = (await dossier(s.cadres[0].id)).flags;
        expect(flags.map((f: any) => [f.kind, f.findingId ?? f.sessionId])).toEqual([
          ['COMMENDATION_PRIORITY', String(s.session.id)],
          ['ACCOUNTABILITY', draft.id],
        ]);
      });

      it('is withheld by an adverse finding published 179 days after the session', async () => {
        const { s, claimId } = await excellent();
        const audit = await assign({ claimId });
        app.clock.set(new Date(s.session.startsAt.getTime() + 179 * DAY));
        await publish((await submit(audit.id, findingInput('NOT_FULFILLED'))).id);
        expect(await commendations(s.cadres[0].id)).toEqual([]);
      });
    });

    it('is readable by the cadre themself, and FORBIDDEN for another cadre’s or to a voter', async () => {
      const b = await briefed();
      const own = await app.gql(DOSSIER, { c: String(b.s.cadres[0].id) }, await token(b.speaker));
      expect(own.errors).toBeUndefined();
      expect(own.data!.cadreDossier.claims).toEqual([{ id: b.claim.id, indicator: '重点民宿村' }]);
      expect(codeOf(await app.gql(DOSSIER, { c: String(b.s.cadres[1].id) }, await token(b.speaker)))).toBe('FORBIDDEN');
      expect(codeOf(await app.gql(DOSSIER, { c: String(b.s.cadres[0].id) }, await token(b.s.voters[1])))).toBe('FORBIDDEN');
      expect(codeOf(await app.gql(DOSSIER, { c: String(b.s.cadres[0].id) }, await token(voter)))).toBe('FORBIDDEN');
      expect((await app.gql(DOSSIER, { c: String(b.s.cadres[0].id) }, await token(leader))).errors).toBeUndefined();
    });
  });
});
