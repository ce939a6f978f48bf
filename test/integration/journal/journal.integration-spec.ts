import { createHash } from 'node:crypto';
import { User } from '../../../src/auth/user.entity';
import { canonicalJson, sha256Hex } from '../../../src/common/canonical';
import { Archive } from '../../../src/modules/archive/archive.entity';
import { entryHash } from '../../../src/modules/journal/journal';
import { JournalEntry, JournalHead } from '../../../src/modules/journal/journal.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { ThemeStatus } from '../../../src/modules/themes/theme.entity';
import { createNextSession, createRegion, createTheme, createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession, ScriptedSession } from '../../helpers/session-script';
import { codeOf, createTestApp, GqlResult, TEST_NOW, TestApp } from '../../helpers/test-app';

const JOURNAL = `query($after: Int) { journal(afterSeq: $after) { seq at actorId action entity entityId beforeDigest afterDigest previousHash hash } }`;
const CHAIN = `{ journalChain { valid length brokenAt } }`;
const RECORD_CLAIM = `mutation($input: RecordClaimInput!) { recordClaim(input: $input) { id } }`;
const RECORD_COMMITMENT = `mutation($input: RecordCommitmentInput!) { recordCommitment(input: $input) { id } }`;
const REVISE_CLAIM = `mutation($id: ID!, $input: ReviseClaimInput!) { reviseClaim(id: $id, input: $input) { id } }`;
const ASSIGN = `mutation($input: AssignAuditInput!) { assignAudit(input: $input) { id } }`;
const WITHDRAW = `mutation($a: ID!, $r: String!) { withdrawAudit(auditId: $a, reason: $r) { id } }`;
const SUBMIT = `mutation($a: ID!, $input: FindingInput!) { submitFinding(auditId: $a, input: $input) { id } }`;
const PUBLISH = `mutation($f: ID!) { publishFinding(findingId: $f) { id } }`;
const CREATE_CADRE = `mutation($input: CreateCadreInput!) { createCadre(input: $input) { id } }`;
const APPROVE_THEME = `mutation($id: ID!) { approveTheme(id: $id) { id status } }`;
const SCHEDULE = `mutation($input: ScheduleSessionInput!) { scheduleSession(input: $input) { id } }`;
const REGISTER = `mutation($s: ID!, $u: [ID!]!) { registerAttendees(sessionId: $s, userIds: $u) { id } }`;
const SEAL = `mutation($s: ID!) { sealArchive(sessionId: $s) { sessionId sequence contentHash previousHash } }`;
const CREATE_REGION = `mutation($input: CreateRegionInput!) { createRegion(input: $input) { id } }`;
const REJECT_THEME = `mutation($id: ID!, $r: String!) { rejectTheme(id: $id, reason: $r) { id } }`;
const SET_LINEUP = `mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { id } }`;
const REVISE_COMMITMENT = `mutation($id: ID!, $input: ReviseCommitmentInput!) { reviseCommitment(id: $id, input: $input) { id } }`;

const DAY = 86_400_000;
const HEX64 = /^[0-9a-f]{64}$/;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

interface Entry {
  seq: number;
  at: string;
  actorId: string | null;
  action: string;
  entity: string;
  entityId: string;
  beforeDigest: string | null;
  afterDigest: string | null;
  previousHash: string | null;
  hash: string;
}

/** What one write is expected to journal. `after`, when given, is the exact record whose digest afterDigest must be. */
interface Expected {
  actor: User;
  action: string;
  entity: string;
  entityId: string;
  created: boolean;
  after?: unknown;
  /** Entries the same write appends after its own, for the records it changes along the way. */
  followedBy?: string[];
}

describeEachEngine('audit trail (journal)', (engine) => {
  let app: TestApp;
  let admin: User;
  let admin2: User;
  let auditor: User;
  let secretary: User;
  let voter: User;
  let adminToken: string;

  const at = (days: number) => new Date(app.clock.now().getTime() + days * DAY).toISOString();
  const token = (u: User) => app.tokenFor(u);
  const journalCount = () => app.ds.getRepository(JournalEntry).count();
  const lastSeq = async () => (await app.ds.getRepository(JournalEntry).maximum('seq')) ?? 0;
  const chain = async () => (await app.gql(CHAIN, {}, adminToken)).data!.journalChain;

  /** Every entry after `afterSeq`, read through the `journal` query page by page. */
  async function entriesAfter(afterSeq: number, by: User = secretary): Promise<Entry[]> {
    const out: Entry[] = [];
    for (let after = afterSeq; ; ) {
      const res = await app.gql(JOURNAL, { after }, await token(by));
      expect(res.errors).toBeUndefined();
      const page: Entry[] = res.data!.journal;
      out.push(...page);
      if (page.length < 100) return out;
      after = page[page.length - 1].seq;
    }
  }

  /** Runs a write that must succeed and checks it appended its entry (and only the follow-ups expected), as expected. */
  async function expectOneEntry(write: () => Promise<GqlResult>, expected: (data: any) => Expected | Promise<Expected>): Promise<Entry> {
    const seq = await lastSeq();
    const previous = seq === 0 ? null : (await app.ds.getRepository(JournalEntry).findOneByOrFail({ seq })).hash;
    const res = await write();
    expect(res.errors).toBeUndefined();
    const e = await expected(res.data);
    const entries = await entriesAfter(seq);
    expect(entries.map((x) => x.action)).toEqual([e.action, ...(e.followedBy ?? [])]);
    const [entry] = entries;
    expect(entry).toMatchObject({ seq: seq + 1, at: app.clock.now().toISOString(), actorId: String(e.actor.id), action: e.action, entity: e.entity, entityId: e.entityId, previousHash: previous });
    if (e.created) expect(entry.beforeDigest).toBeNull();
    else expect(entry.beforeDigest).toMatch(HEX64);
    expect(entry.afterDigest).toMatch(HEX64);
    if (e.after !== undefined) expect(entry.afterDigest).toBe(sha256Hex(canonicalJson(e.after)));
    expect(entry.hash).toMatch(HEX64);
    return entry;
  }

  /** A scheduled session whose two speakers have accounts; the first filed one claim. */
  async function briefed() {
    const s = await scriptSession(app, { speakers: 2, voters: 2, speakerVoters: 2, until: RoomPhase.SCHEDULED });
    const speaker = s.voters[0];
    const claim = await app.gql(RECORD_CLAIM, { input: { speechId: String(s.speeches[0].id), indicator: '重点项目', value: 12, unit: '个', asOf: at(-1) } }, await token(speaker));
    expect(claim.errors).toBeUndefined();
    return { s, speaker, claimId: claim.data!.recordClaim.id as string };
  }
  const assignInput = (claimId: string, overrides: Record<string, unknown> = {}) => ({ claimId, method: 'DOCUMENT_CHECK', auditorId: String(auditor.id), dueAt: at(14), ...overrides });
  const findingInput = (verdict = 'VERIFIED', overrides: Record<string, unknown> = {}) => ({
    verdict,
    summary: '核查属实',
    evidence: [{ kind: 'DOCUMENT', description: '项目台账', sha256: sha(`ledger-${verdict}`), capturedAt: at(-1), location: '双桥区' }],
    ...overrides,
  });
  async function ok(res: Promise<GqlResult>): Promise<any> {
    const r = await res;
    expect(r.errors).toBeUndefined();
    return r.data!;
  }

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    admin2 = await createUser(app.ds.manager, { roles: ['admin'] });
    auditor = await createUser(app.ds.manager, { roles: ['auditor'] });
    secretary = await createUser(app.ds.manager, { roles: ['secretary'] });
    voter = await createUser(app.ds.manager, { roles: ['voter'] });
    adminToken = await app.tokenFor(admin);
  });
  afterEach(() => app.clock.set(TEST_NOW));
  afterAll(() => app.close());

  describe('each write', () => {
    it.each<[string, () => Promise<Entry>]>([
      ['createCadre', async () => {
        const region = await createRegion(app.ds.manager);
        return expectOneEntry(
          () => app.gql(CREATE_CADRE, { input: { name: '吴国志', position: '双桥区委常委、常务副区长', regionId: String(region.id) } }, adminToken),
          (d) => ({ actor: admin, action: 'createCadre', entity: 'Cadre', entityId: d.createCadre.id, created: true }),
        );
      }],
      ['createRegion', async () =>
        expectOneEntry(
          () => app.gql(CREATE_REGION, { input: { code: 'journal-county', name: '审计测试县', nameEn: 'Journal Test County' } }, adminToken),
          (d) => ({ actor: admin, action: 'createRegion', entity: 'Region', entityId: d.createRegion.id, created: true }),
        )],
      ['rejectTheme', async () => {
        const theme = await createTheme(app.ds.manager, { status: ThemeStatus.PROPOSED });
        return expectOneEntry(
          () => app.gql(REJECT_THEME, { id: String(theme.id), r: '与上期重复' }, adminToken),
          () => ({ actor: admin, action: 'rejectTheme', entity: 'Theme', entityId: String(theme.id), created: false }),
        );
      }],
      ['setLineup', async () => {
        const s = await scriptSession(app, { speakers: 2, voters: 0, until: RoomPhase.SCHEDULED });
        return expectOneEntry(
          () => app.gql(SET_LINEUP, { s: String(s.session.id), e: [...s.cadres].reverse().map((c) => ({ cadreId: String(c.id), allottedSeconds: 300 })) }, adminToken),
          () => ({ actor: admin, action: 'setLineup', entity: 'Session', entityId: String(s.session.id), created: true }),
        );
      }],
      ['approveTheme', async () => {
        const theme = await createTheme(app.ds.manager, { status: ThemeStatus.PROPOSED });
        return expectOneEntry(
          () => app.gql(APPROVE_THEME, { id: String(theme.id) }, adminToken),
          () => ({ actor: admin, action: 'approveTheme', entity: 'Theme', entityId: String(theme.id), created: false }),
        );
      }],
      ['scheduleSession', async () => {
        const theme = await createTheme(app.ds.manager);
        return expectOneEntry(
          () => app.gql(SCHEDULE, { input: { themeId: String(theme.id), title: '发展民宿经济', startsAt: at(14), venue: '市委第一会议室' } }, adminToken),
          (d) => ({ actor: admin, action: 'scheduleSession', entity: 'Session', entityId: d.scheduleSession.id, created: true }),
        );
      }],
      ['registerAttendees', async () => {
        const session = await createNextSession(app.ds.manager);
        const a = await createUser(app.ds.manager, { roles: ['voter'] });
        const b = await createUser(app.ds.manager, { roles: ['voter'] });
        return expectOneEntry(
          () => app.gql(REGISTER, { s: String(session.id), u: [String(a.id), String(b.id)] }, adminToken),
          () => ({ actor: admin, action: 'registerAttendees', entity: 'Session', entityId: String(session.id), created: true, after: { added: [a.id, b.id] } }),
        );
      }],
      ['sealArchive', async () => {
        const s = await scriptSession(app, { speakers: 2, voters: 0, until: RoomPhase.CLOSED });
        return expectOneEntry(
          () => app.gql(SEAL, { s: String(s.session.id) }, adminToken),
          async (d) => ({ actor: admin, action: 'sealArchive', entity: 'Archive', entityId: String((await app.ds.getRepository(Archive).findOneByOrFail({ sessionId: s.session.id })).id), created: true, after: { sessionId: s.session.id, sequence: d.sealArchive.sequence, contentHash: d.sealArchive.contentHash, previousHash: d.sealArchive.previousHash } }),
        );
      }],
      ['recordClaim', async () => {
        const s = await scriptSession(app, { speakers: 1, voters: 1, speakerVoters: 1, until: RoomPhase.SCHEDULED });
        return expectOneEntry(
          async () => app.gql(RECORD_CLAIM, { input: { speechId: String(s.speeches[0].id), indicator: '新开工项目', value: 8, unit: '个', asOf: at(-1) } }, await token(s.voters[0])),
          (d) => ({ actor: s.voters[0], action: 'recordClaim', entity: 'Claim', entityId: d.recordClaim.id, created: true }),
        );
      }],
      ['recordCommitment', async () => {
        const s = await scriptSession(app, { speakers: 1, voters: 1, speakerVoters: 1, until: RoomPhase.SCHEDULED });
        return expectOneEntry(
          async () => app.gql(RECORD_COMMITMENT, { input: { speechId: String(s.speeches[0].id), title: '开工项目', target: '年底前全部开工', dueAt: at(90) } }, await token(s.voters[0])),
          (d) => ({ actor: s.voters[0], action: 'recordCommitment', entity: 'Commitment', entityId: d.recordCommitment.id, created: true }),
        );
      }],
      ['reviseClaim', async () => {
        const b = await briefed();
        return expectOneEntry(
          async () => app.gql(REVISE_CLAIM, { id: b.claimId, input: { value: 13, reason: '补报' } }, await token(b.speaker)),
          (d) => ({ actor: b.speaker, action: 'reviseClaim', entity: 'Claim', entityId: d.reviseClaim.id, created: false }),
        );
      }],
      ['reviseCommitment', async () => {
        const b = await briefed();
        const c = (await ok(app.gql(RECORD_COMMITMENT, { input: { speechId: String(b.s.speeches[0].id), title: '开工项目', target: '全部开工', dueAt: at(90) } }, await token(b.speaker)))).recordCommitment;
        return expectOneEntry(
          () => app.gql(REVISE_COMMITMENT, { id: c.id, input: { target: '提前一个月全部开工' } }, adminToken),
          (d) => ({ actor: admin, action: 'reviseCommitment', entity: 'Commitment', entityId: d.reviseCommitment.id, created: false }),
        );
      }],
      ['withdrawAudit', async () => {
        const b = await briefed();
        const audit = (await ok(app.gql(ASSIGN, { input: assignInput(b.claimId) }, adminToken))).assignAudit;
        return expectOneEntry(
          () => app.gql(WITHDRAW, { a: audit.id, r: '改派他人' }, adminToken),
          () => ({ actor: admin, action: 'withdrawAudit', entity: 'Audit', entityId: audit.id, created: false }),
        );
      }],
      ['assignAudit', async () => {
        const b = await briefed();
        return expectOneEntry(
          () => app.gql(ASSIGN, { input: assignInput(b.claimId) }, adminToken),
          (d) => ({ actor: admin, action: 'assignAudit', entity: 'Audit', entityId: d.assignAudit.id, created: true }),
        );
      }],
      ['submitFinding', async () => {
        const b = await briefed();
        const audit = (await ok(app.gql(ASSIGN, { input: assignInput(b.claimId) }, adminToken))).assignAudit;
        return expectOneEntry(
          async () => app.gql(SUBMIT, { a: audit.id, input: findingInput() }, await token(auditor)),
          (d) => ({ actor: auditor, action: 'submitFinding', entity: 'Finding', entityId: d.submitFinding.id, created: true, followedBy: ['reportAudit'] }),
        );
      }],
      ['publishFinding', async () => {
        const b = await briefed();
        const audit = (await ok(app.gql(ASSIGN, { input: assignInput(b.claimId) }, adminToken))).assignAudit;
        const finding = (await ok(app.gql(SUBMIT, { a: audit.id, input: findingInput() }, await token(auditor)))).submitFinding;
        return expectOneEntry(
          async () => app.gql(PUBLISH, { f: finding.id }, await token(admin2)),
          () => ({ actor: admin2, action: 'publishFinding', entity: 'Finding', entityId: finding.id, created: false, followedBy: ['closeAudit', 'recordVerdict'] }),
        );
      }],
    ])('%s appends its entry: who, what, which record, when, with digests', async (_what, run) => {
      await run();
      expect(await chain()).toMatchObject({ valid: true, brokenAt: null });
    });

    it('makes digests follow a record from one write to the next', async () => {
      const b = await briefed();
      const [recorded] = await app.ds.getRepository(JournalEntry).findBy({ action: 'recordClaim', entityId: b.claimId });
      const seq = await lastSeq();
      const revised = (await ok(app.gql(REVISE_CLAIM, { id: b.claimId, input: { value: 14 } }, await token(b.speaker)))).reviseClaim;
      const first = (await ok(app.gql(ASSIGN, { input: assignInput(revised.id) }, adminToken))).assignAudit;
      await ok(app.gql(WITHDRAW, { a: first.id, r: '改派' }, adminToken));
      const second = (await ok(app.gql(ASSIGN, { input: assignInput(revised.id) }, adminToken))).assignAudit;
      const draft = (await ok(app.gql(SUBMIT, { a: second.id, input: findingInput('PARTIAL') }, await token(auditor)))).submitFinding;
      await ok(app.gql(SUBMIT, { a: second.id, input: findingInput('VERIFIED') }, await token(auditor)));
      await ok(app.gql(PUBLISH, { f: draft.id }, await token(admin2)));

      const trail = await entriesAfter(seq);
      expect(trail.map((e) => e.action)).toEqual(['reviseClaim', 'assignAudit', 'withdrawAudit', 'assignAudit', 'submitFinding', 'reportAudit', 'submitFinding', 'publishFinding', 'closeAudit', 'recordVerdict']);
      const [revise, assigned, withdrawn, , submitted, , resubmitted, published, , verdict] = trail;
      expect(revise.beforeDigest).toBe(recorded.afterDigest);
      expect(revise.afterDigest).not.toBe(recorded.afterDigest);
      expect(withdrawn.beforeDigest).toBe(assigned.afterDigest);
      expect(submitted.beforeDigest).toBeNull();
      expect(resubmitted.beforeDigest).toBe(submitted.afterDigest);
      expect(resubmitted.afterDigest).not.toBe(submitted.afterDigest);
      expect(published.beforeDigest).toBe(resubmitted.afterDigest);
      expect(verdict).toMatchObject({ entity: 'Claim', entityId: revised.id, beforeDigest: revise.afterDigest });
    });

    it('leaves no gap in a claim’s digest trail when a finding on it is published', async () => {
      const b = await briefed();
      const recorded = (await app.ds.getRepository(JournalEntry).find({ where: { action: 'recordClaim', entityId: b.claimId } }))[0];
      const audit = (await ok(app.gql(ASSIGN, { input: assignInput(b.claimId) }, adminToken))).assignAudit;
      const draft = (await ok(app.gql(SUBMIT, { a: audit.id, input: findingInput('PARTIAL') }, await token(auditor)))).submitFinding;
      await ok(app.gql(PUBLISH, { f: draft.id }, await token(admin2)));
      const seq = await lastSeq();
      await ok(app.gql(REVISE_CLAIM, { id: b.claimId, input: { value: 10, reason: '按核查结论更正' } }, await token(b.speaker)));
      const [revise] = await entriesAfter(seq);
      const about = (await app.ds.getRepository(JournalEntry).find({ order: { seq: 'ASC' } })).filter((e) => e.seq < revise.seq && e.entity === 'Claim' && e.entityId === b.claimId);
      expect(about.map((e) => e.action)).toEqual(['recordClaim', 'recordVerdict']);
      expect(about[1].beforeDigest).toBe(recorded.afterDigest);
      expect(revise.beforeDigest).toBe(about[1].afterDigest);
    });
  });

  describe('the chain', () => {
    it('numbers entries 1..n, each hashing its fields and the hash before it, and journalChain says valid', async () => {
      await briefed();
      const all = await entriesAfter(0);
      expect(all.length).toBeGreaterThan(2);
      expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
      expect(all[0].previousHash).toBeNull();
      for (let i = 1; i < all.length; i++) expect(all[i].previousHash).toBe(all[i - 1].hash);
      const rows = await app.ds.getRepository(JournalEntry).find({ order: { seq: 'ASC' } });
      expect(rows.map((r) => entryHash(r))).toEqual(rows.map((r) => r.hash));
      const head = await app.ds.getRepository(JournalHead).findOneByOrFail({ id: 1 });
      expect(head).toMatchObject({ seq: all.length, hash: all[all.length - 1].hash });
      expect(await chain()).toEqual({ valid: true, length: all.length, brokenAt: null });
    });

    it.each([
      ['action', { action: 'approveTheme' }],
      ['afterDigest', { afterDigest: sha('forged') }],
      ['actorId', { actorId: 999_999 }],
    ])('detects an entry whose %s was changed in the database, and names its seq', async (_what, forged) => {
      await briefed();
      await briefed();
      const seq = (await lastSeq()) - 2;
      const repo = app.ds.getRepository(JournalEntry);
      const original = await repo.findOneByOrFail({ seq });
      await repo.update({ seq }, forged);
      try {
        expect(await chain()).toMatchObject({ valid: false, brokenAt: seq });
      } finally {
        await repo.update({ seq }, { action: original.action, afterDigest: original.afterDigest, actorId: original.actorId });
      }
      expect(await chain()).toMatchObject({ valid: true, brokenAt: null });
    });

    it('detects an entry rewritten with a freshly computed hash at the link after it', async () => {
      await briefed();
      await briefed();
      const seq = (await lastSeq()) - 2;
      const repo = app.ds.getRepository(JournalEntry);
      const original = await repo.findOneByOrFail({ seq });
      const forged = { ...original, afterDigest: sha('forged') };
      await repo.update({ seq }, { afterDigest: forged.afterDigest, hash: entryHash(forged) });
      try {
        expect(await chain()).toMatchObject({ valid: false, brokenAt: seq + 1 });
      } finally {
        await repo.update({ seq }, { afterDigest: original.afterDigest, hash: original.hash });
      }
      expect((await chain()).valid).toBe(true);
    });

    it('detects an entry deleted from the middle', async () => {
      await briefed();
      await briefed();
      const seq = (await lastSeq()) - 2;
      const repo = app.ds.getRepository(JournalEntry);
      const original = await repo.findOneByOrFail({ seq });
      const length = await journalCount();
      await repo.delete({ seq });
      try {
        expect(await chain()).toEqual({ valid: false, length: length - 1, brokenAt: seq + 1 });
      } finally {
        await repo.insert(original);
      }
      expect((await chain()).valid).toBe(true);
    });

    it('detects the deletion of the latest entry', async () => {
      await briefed();
      const seq = await lastSeq();
      const repo = app.ds.getRepository(JournalEntry);
      const original = await repo.findOneByOrFail({ seq });
      await repo.delete({ seq });
      try {
        expect(await chain()).toMatchObject({ valid: false, length: seq - 1 });
      } finally {
        await repo.insert(original);
      }
      expect((await chain()).valid).toBe(true);
    });

    it('stays valid through 20 concurrent recordClaim calls, which take 20 contiguous places', async () => {
      const sessions: ScriptedSession[] = [];
      for (let i = 0; i < 20; i++) sessions.push(await scriptSession(app, { speakers: 1, voters: 0, until: RoomPhase.SCHEDULED }));
      const seq = await lastSeq();
      const results = await Promise.all(
        sessions.map((s, i) => app.gql(RECORD_CLAIM, { input: { speechId: String(s.speeches[0].id), indicator: `并发指标${i}`, value: i, unit: '个', asOf: at(-1) } }, adminToken)),
      );
      expect(results.filter((r) => r.errors)).toEqual([]);
      const entries = await entriesAfter(seq);
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => seq + 1 + i));
      expect(entries.every((e) => e.action === 'recordClaim' && e.entity === 'Claim' && e.actorId === String(admin.id))).toBe(true);
      expect(entries.map((e) => e.entityId).sort()).toEqual(results.map((r) => r.data!.recordClaim.id).sort());
      expect(await chain()).toEqual({ valid: true, length: seq + 20, brokenAt: null });
    });
  });

  describe('refused writes', () => {
    it.each<[string, string, () => Promise<() => Promise<GqlResult>>]>([
      ['recordCommitment due in the past', 'BAD_USER_INPUT', async () => {
        const b = await briefed();
        return async () => app.gql(RECORD_COMMITMENT, { input: { speechId: String(b.s.speeches[0].id), title: '开工', target: '全部开工', dueAt: at(-1) } }, await token(b.speaker));
      }],
      ['recordClaim for another speaker’s speech', 'FORBIDDEN', async () => {
        const b = await briefed();
        return async () => app.gql(RECORD_CLAIM, { input: { speechId: String(b.s.speeches[1].id), indicator: '代报', value: 1, unit: '个', asOf: at(-1) } }, await token(b.speaker));
      }],
      ['assignAudit to an auditor of the cadre’s region', 'AUDIT_CONFLICT_OF_INTEREST', async () => {
        const b = await briefed();
        const local = await createUser(app.ds.manager, { roles: ['auditor'], regionId: b.s.cadres[0].regionId });
        return () => app.gql(ASSIGN, { input: assignInput(b.claimId, { auditorId: String(local.id) }) }, adminToken);
      }],
      ['submitFinding with a malformed hash', 'BAD_USER_INPUT', async () => {
        const b = await briefed();
        const audit = (await ok(app.gql(ASSIGN, { input: assignInput(b.claimId) }, adminToken))).assignAudit;
        const input = findingInput('VERIFIED', { evidence: [{ kind: 'PHOTO', description: '照片', sha256: 'not-a-hash', capturedAt: at(-1), location: '双桥区' }] });
        return async () => app.gql(SUBMIT, { a: audit.id, input }, await token(auditor));
      }],
      ['publishFinding a second time', 'CONFLICT', async () => {
        const b = await briefed();
        const audit = (await ok(app.gql(ASSIGN, { input: assignInput(b.claimId) }, adminToken))).assignAudit;
        const finding = (await ok(app.gql(SUBMIT, { a: audit.id, input: findingInput() }, await token(auditor)))).submitFinding;
        await ok(app.gql(PUBLISH, { f: finding.id }, adminToken));
        return () => app.gql(PUBLISH, { f: finding.id }, adminToken);
      }],
      ['createCadre in an unknown region', 'NOT_FOUND', async () => () => app.gql(CREATE_CADRE, { input: { name: '某某', position: '副县长', regionId: '999999' } }, adminToken)],
      ['approveTheme of an approved theme', 'CONFLICT', async () => {
        const theme = await createTheme(app.ds.manager);
        return () => app.gql(APPROVE_THEME, { id: String(theme.id) }, adminToken);
      }],
      ['sealArchive of a session still running', 'ROOM_INVALID_TRANSITION', async () => {
        const s = await scriptSession(app, { speakers: 1, voters: 0, until: RoomPhase.SPEECHES });
        return () => app.gql(SEAL, { s: String(s.session.id) }, adminToken);
      }],
      ['createCadre by a voter', 'FORBIDDEN', async () => {
        const region = await createRegion(app.ds.manager);
        return async () => app.gql(CREATE_CADRE, { input: { name: '某某', position: '副县长', regionId: String(region.id) } }, await token(voter));
      }],
    ])('%s (%s) appends nothing', async (_what, code, prepare) => {
      const write = await prepare();
      const before = { count: await journalCount(), head: await app.ds.getRepository(JournalHead).findOneBy({ id: 1 }) };
      expect(codeOf(await write())).toBe(code);
      expect({ count: await journalCount(), head: await app.ds.getRepository(JournalHead).findOneBy({ id: 1 }) }).toEqual(before);
      expect((await chain()).valid).toBe(true);
    });
  });

  describe('access', () => {
    it('is FORBIDDEN to a voter and a speaker, and open to admin, secretary and auditor', async () => {
      const b = await briefed();
      for (const u of [voter, b.speaker]) {
        expect(codeOf(await app.gql(JOURNAL, {}, await token(u)))).toBe('FORBIDDEN');
        expect(codeOf(await app.gql(CHAIN, {}, await token(u)))).toBe('FORBIDDEN');
      }
      expect(codeOf(await app.gql(CHAIN, {}, null))).toBe('UNAUTHENTICATED');
      for (const u of [admin, secretary, auditor]) {
        expect((await app.gql(JOURNAL, { after: 0 }, await token(u))).errors).toBeUndefined();
        expect((await app.gql(CHAIN, {}, await token(u))).data!.journalChain.valid).toBe(true);
      }
    });
  });
});
