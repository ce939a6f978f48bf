import { User } from '../../../src/auth/user.entity';
import { Archive } from '../../../src/modules/archive/archive.entity';
import { Claim, Commitment } from '../../../src/modules/briefing/briefing.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession, ScriptedSession } from '../../helpers/session-script';
import { codeOf, createTestApp, TEST_NOW, TestApp } from '../../helpers/test-app';

const RECORD_CLAIM = `mutation($input: RecordClaimInput!) { recordClaim(input: $input) { id sessionId speechId cadreId indicator value unit asOf note } }`;
const RECORD_COMMITMENT = `mutation($input: RecordCommitmentInput!) { recordCommitment(input: $input) { id sessionId speechId cadreId title target dueAt status } }`;
const REVISE_CLAIM = `mutation($id: ID!, $input: ReviseClaimInput!) { reviseClaim(id: $id, input: $input) { id speechId cadreId indicator value unit asOf note } }`;
const REVISE_COMMITMENT = `mutation($id: ID!, $input: ReviseCommitmentInput!) { reviseCommitment(id: $id, input: $input) { id title target dueAt } }`;
const BRIEFINGS = `query($s: ID!) { briefings(sessionId: $s) { speech { id order } claims { id indicator value unit } commitments { id title target status } } }`;
/** The versioning fields the entity declares for the API (briefing.entity.ts, class Versioned). */
const VERSION_FIELDS = 'version supersedesId supersededAt revisionReason recordedAt';
const SEAL = `mutation($s: ID!) { sealArchive(sessionId: $s) { sessionId contentHash document } }`;
const CHAIN = `{ archiveChain { valid length brokenAt } }`;

const DAY = 86_400_000;

describeEachEngine('briefings', (engine) => {
  let app: TestApp;
  let admin: User;
  let leader: User;
  let adminToken: string;

  /** An instant `days` from the test clock's now (negative: in the past). */
  const at = (days: number) => new Date(app.clock.now().getTime() + days * DAY).toISOString();
  const claimInput = (speechId: number | string, overrides: Record<string, unknown> = {}) => ({
    speechId: String(speechId),
    indicator: '重点民宿村床位',
    value: 3000,
    unit: '张',
    asOf: at(-7),
    note: '近',
    ...overrides,
  });
  const commitmentInput = (speechId: number | string, overrides: Record<string, unknown> = {}) => ({
    speechId: String(speechId),
    title: '打造民宿床位',
    target: '超10万张',
    dueAt: at(3 * 365),
    ...overrides,
  });
  const claimRow = (id: string | number) => app.ds.getRepository(Claim).findOneByOrFail({ id: Number(id) });
  const commitmentRow = (id: string | number) => app.ds.getRepository(Commitment).findOneByOrFail({ id: Number(id) });
  const counts = async () => ({ claims: await app.ds.getRepository(Claim).count(), commitments: await app.ds.getRepository(Commitment).count() });

  /** Two speakers who each have an account (voters[0] speaks first, voters[1] second) and one plain voter. */
  const briefingSession = (until: RoomPhase = RoomPhase.SCHEDULED) => scriptSession(app, { speakers: 2, voters: 3, speakerVoters: 2, until });

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    leader = await createUser(app.ds.manager, { roles: ['leader'] });
    adminToken = await app.tokenFor(admin);
  });
  afterEach(() => app.clock.set(TEST_NOW));
  afterAll(() => app.close());

  describe('recordClaim', () => {
    it('files a figure for the speaker’s own speech as version 1, recorded by them', async () => {
      const s = await briefingSession();
      const before = await counts();
      const res = await app.gql(RECORD_CLAIM, { input: claimInput(s.speeches[0].id, { indicator: ' 重点民宿村 ', value: 16, unit: '个', asOf: at(-1) }) }, await app.tokenFor(s.voters[0]));
      expect(res.errors).toBeUndefined();
      expect(res.data!.recordClaim).toMatchObject({
        sessionId: String(s.session.id),
        speechId: String(s.speeches[0].id),
        cadreId: String(s.cadres[0].id),
        indicator: '重点民宿村',
        value: 16,
        unit: '个',
        asOf: at(-1),
        note: '近',
      });
      expect(await counts()).toEqual({ ...before, claims: before.claims + 1 });
      expect(await claimRow(res.data!.recordClaim.id)).toMatchObject({ version: 1, supersedesId: null, supersededAt: null, revisionReason: null, recordedById: s.voters[0].id, recordedAt: app.clock.now() });
    });

    it('lets an admin file on behalf of any speaker, for that speaker’s cadre', async () => {
      const s = await briefingSession();
      const res = await app.gql(RECORD_CLAIM, { input: claimInput(s.speeches[1].id) }, adminToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.recordClaim).toMatchObject({ speechId: String(s.speeches[1].id), cadreId: String(s.cadres[1].id) });
      expect(await claimRow(res.data!.recordClaim.id)).toMatchObject({ version: 1, cadreId: s.cadres[1].id, recordedById: admin.id });
    });

    it.each([
      ['a speaker filing for another speaker’s speech', (s: ScriptedSession) => s.voters[0], 1],
      ['a voter', (s: ScriptedSession) => s.voters[2], 0],
      ['the chair', (s: ScriptedSession) => s.chair, 0],
    ] as const)('is FORBIDDEN to %s and stores nothing', async (_what, who, speech) => {
      const s = await briefingSession();
      const before = await counts();
      const res = await app.gql(RECORD_CLAIM, { input: claimInput(s.speeches[speech].id) }, await app.tokenFor(who(s)));
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
    });

    it.each<[string, Record<string, unknown>]>([
      ['an as-of date in the future', { asOf: 'future' }],
      ['a blank indicator', { indicator: '   ' }],
      ['a 41-character unit', { unit: '张'.repeat(41) }],
    ])('rejects %s with BAD_USER_INPUT and stores nothing', async (_what, override) => {
      const s = await briefingSession();
      const before = await counts();
      const input = claimInput(s.speeches[0].id, override.asOf === 'future' ? { asOf: at(1) } : override);
      const res = await app.gql(RECORD_CLAIM, { input }, await app.tokenFor(s.voters[0]));
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await counts()).toEqual(before);
    });

    it('answers NOT_FOUND for an unknown speech and stores nothing', async () => {
      const before = await counts();
      expect(codeOf(await app.gql(RECORD_CLAIM, { input: claimInput('999999') }, adminToken))).toBe('NOT_FOUND');
      expect(await counts()).toEqual(before);
    });
  });

  describe('recordCommitment', () => {
    it('files a promise with a future due date; its status starts OPEN', async () => {
      const s = await briefingSession();
      const before = await counts();
      const dueAt = at(3 * 365);
      const res = await app.gql(RECORD_COMMITMENT, { input: commitmentInput(s.speeches[0].id, { dueAt }) }, await app.tokenFor(s.voters[0]));
      expect(res.errors).toBeUndefined();
      expect(res.data!.recordCommitment).toMatchObject({
        speechId: String(s.speeches[0].id),
        cadreId: String(s.cadres[0].id),
        title: '打造民宿床位',
        target: '超10万张',
        dueAt,
        status: 'OPEN',
      });
      expect(await counts()).toEqual({ ...before, commitments: before.commitments + 1 });
      expect(await commitmentRow(res.data!.recordCommitment.id)).toMatchObject({ version: 1, supersedesId: null, supersededAt: null, recordedById: s.voters[0].id });
    });

    it('lets an admin file for any speaker', async () => {
      const s = await briefingSession();
      const res = await app.gql(RECORD_COMMITMENT, { input: commitmentInput(s.speeches[1].id) }, adminToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.recordCommitment.cadreId).toBe(String(s.cadres[1].id));
    });

    it.each([
      ['a due date in the past', -1],
      ['a due date of exactly now', 0],
    ])('rejects %s with BAD_USER_INPUT and stores nothing', async (_what, days) => {
      const s = await briefingSession();
      const before = await counts();
      const res = await app.gql(RECORD_COMMITMENT, { input: commitmentInput(s.speeches[0].id, { dueAt: at(days) }) }, await app.tokenFor(s.voters[0]));
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await counts()).toEqual(before);
    });

    it.each([
      ['a speaker filing for another speaker’s speech', (s: ScriptedSession) => s.voters[1], 0],
      ['a voter', (s: ScriptedSession) => s.voters[2], 0],
    ] as const)('is FORBIDDEN to %s and stores nothing', async (_what, who, speech) => {
      const s = await briefingSession();
      const before = await counts();
      const res = await app.gql(RECORD_COMMITMENT, { input: commitmentInput(s.speeches[speech].id) }, await app.tokenFor(who(s)));
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
    });
  });

  describe('briefings', () => {
    /** Each speaker files one claim and one commitment for their own speech. */
    async function filed(): Promise<ScriptedSession> {
      const s = await briefingSession();
      for (const [i, sp] of s.speeches.entries()) {
        const token = await app.tokenFor(s.voters[i]);
        expect((await app.gql(RECORD_CLAIM, { input: claimInput(sp.id, { indicator: `指标${i + 1}`, value: i + 1 }) }, token)).errors).toBeUndefined();
        expect((await app.gql(RECORD_COMMITMENT, { input: commitmentInput(sp.id, { title: `承诺${i + 1}` }) }, token)).errors).toBeUndefined();
      }
      return s;
    }
    const shape = (res: any) => res.data!.briefings.map((b: any) => ({ order: b.speech.order, claims: b.claims.map((c: any) => c.indicator), commitments: b.commitments.map((c: any) => c.title) }));

    it('shows a leader and the chair every speech’s briefing ahead of the session', async () => {
      const s = await filed();
      const all = [
        { order: 1, claims: ['指标1'], commitments: ['承诺1'] },
        { order: 2, claims: ['指标2'], commitments: ['承诺2'] },
      ];
      for (const reader of [leader, s.chair, admin]) {
        const res = await app.gql(BRIEFINGS, { s: String(s.session.id) }, await app.tokenFor(reader));
        expect(res.errors).toBeUndefined();
        expect(shape(res)).toEqual(all);
      }
    });

    it('shows a speaker only their own speech', async () => {
      const s = await filed();
      const first = await app.gql(BRIEFINGS, { s: String(s.session.id) }, await app.tokenFor(s.voters[0]));
      expect(shape(first)).toEqual([{ order: 1, claims: ['指标1'], commitments: ['承诺1'] }]);
      const second = await app.gql(BRIEFINGS, { s: String(s.session.id) }, await app.tokenFor(s.voters[1]));
      expect(shape(second)).toEqual([{ order: 2, claims: ['指标2'], commitments: ['承诺2'] }]);
    });

    it('is FORBIDDEN to a voter, and NOT_FOUND for an unknown session', async () => {
      const s = await filed();
      expect(codeOf(await app.gql(BRIEFINGS, { s: String(s.session.id) }, await app.tokenFor(s.voters[2])))).toBe('FORBIDDEN');
      expect(codeOf(await app.gql(BRIEFINGS, { s: '999999' }, await app.tokenFor(leader)))).toBe('NOT_FOUND');
    });
  });

  describe('revisions', () => {
    it('makes version 2 that supersedes version 1, keeps unchanged fields, and the briefing shows only version 2', async () => {
      const s = await briefingSession();
      const speaker = await app.tokenFor(s.voters[0]);
      const v1 = (await app.gql(RECORD_CLAIM, { input: claimInput(s.speeches[0].id, { value: 2800 }) }, speaker)).data!.recordClaim;
      app.clock.advance(60_000);
      const before = await counts();
      const res = await app.gql(REVISE_CLAIM, { id: v1.id, input: { value: 3000, reason: '统计口径更正' } }, speaker);
      expect(res.errors).toBeUndefined();
      const v2 = res.data!.reviseClaim;
      expect(v2).toMatchObject({ value: 3000, indicator: v1.indicator, unit: v1.unit, asOf: v1.asOf, note: v1.note, speechId: v1.speechId, cadreId: v1.cadreId });
      expect(v2.id).not.toBe(v1.id);
      expect(await counts()).toEqual({ ...before, claims: before.claims + 1 });
      expect(await claimRow(v2.id)).toMatchObject({ version: 2, supersedesId: Number(v1.id), supersededAt: null, revisionReason: '统计口径更正', recordedAt: app.clock.now() });
      expect(await claimRow(v1.id)).toMatchObject({ version: 1, value: 2800, supersededAt: app.clock.now() });

      const briefing = (await app.gql(BRIEFINGS, { s: String(s.session.id) }, await app.tokenFor(leader))).data!.briefings[0];
      expect(briefing.claims).toEqual([{ id: v2.id, indicator: v1.indicator, value: 3000, unit: v1.unit }]);
    });

    it('answers CONFLICT to a revision of the superseded version, and changes nothing', async () => {
      const s = await briefingSession();
      const speaker = await app.tokenFor(s.voters[0]);
      const v1 = (await app.gql(RECORD_CLAIM, { input: claimInput(s.speeches[0].id) }, speaker)).data!.recordClaim;
      const v2 = (await app.gql(REVISE_CLAIM, { id: v1.id, input: { value: 1 } }, speaker)).data!.reviseClaim;
      const before = await counts();
      const res = await app.gql(REVISE_CLAIM, { id: v1.id, input: { value: 2 } }, speaker);
      expect(codeOf(res)).toBe('CONFLICT');
      expect(await counts()).toEqual(before);
      expect((await claimRow(v2.id)).supersededAt).toBeNull();
      const c1 = (await app.gql(RECORD_COMMITMENT, { input: commitmentInput(s.speeches[0].id) }, speaker)).data!.recordCommitment;
      await app.gql(REVISE_COMMITMENT, { id: c1.id, input: { target: '超12万张' } }, speaker);
      expect(codeOf(await app.gql(REVISE_COMMITMENT, { id: c1.id, input: { target: '超15万张' } }, speaker))).toBe('CONFLICT');
    });

    it('revises a commitment as version 2, and refuses a due date in the past with BAD_USER_INPUT', async () => {
      const s = await briefingSession();
      const speaker = await app.tokenFor(s.voters[0]);
      const v1 = (await app.gql(RECORD_COMMITMENT, { input: commitmentInput(s.speeches[0].id) }, speaker)).data!.recordCommitment;
      const before = await counts();
      expect(codeOf(await app.gql(REVISE_COMMITMENT, { id: v1.id, input: { dueAt: at(-1) } }, speaker))).toBe('BAD_USER_INPUT');
      expect(await counts()).toEqual(before);
      const v2 = (await app.gql(REVISE_COMMITMENT, { id: v1.id, input: { target: '超12万张' } }, speaker)).data!.reviseCommitment;
      expect(v2).toMatchObject({ title: v1.title, target: '超12万张', dueAt: v1.dueAt });
      expect(await commitmentRow(v2.id)).toMatchObject({ version: 2, supersedesId: Number(v1.id), revisionReason: null });
      expect((await commitmentRow(v1.id)).supersededAt).not.toBeNull();
    });

    it('is FORBIDDEN to another speaker, and changes nothing', async () => {
      const s = await briefingSession();
      const v1 = (await app.gql(RECORD_CLAIM, { input: claimInput(s.speeches[0].id) }, await app.tokenFor(s.voters[0]))).data!.recordClaim;
      const before = await counts();
      expect(codeOf(await app.gql(REVISE_CLAIM, { id: v1.id, input: { value: 1 } }, await app.tokenFor(s.voters[1])))).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
      expect((await claimRow(v1.id)).supersededAt).toBeNull();
    });

    it('exposes each version’s number, the version it revises, why and when through GraphQL', async () => {
      const s = await briefingSession();
      const speaker = await app.tokenFor(s.voters[0]);
      const v1 = (await app.gql(RECORD_CLAIM, { input: claimInput(s.speeches[0].id) }, speaker)).data!.recordClaim;
      const revised = await app.gql(`mutation($id: ID!, $input: ReviseClaimInput!) { reviseClaim(id: $id, input: $input) { id ${VERSION_FIELDS} } }`, { id: v1.id, input: { value: 1, reason: '口径更正' } }, speaker);
      expect(revised.errors).toBeUndefined();
      expect(revised.data!.reviseClaim).toMatchObject({ version: 2, supersedesId: v1.id, supersededAt: null, revisionReason: '口径更正', recordedAt: app.clock.now().toISOString() });
      const c1 = (await app.gql(RECORD_COMMITMENT, { input: commitmentInput(s.speeches[0].id) }, speaker)).data!.recordCommitment;
      const c2 = await app.gql(`mutation($id: ID!, $input: ReviseCommitmentInput!) { reviseCommitment(id: $id, input: $input) { id ${VERSION_FIELDS} } }`, { id: c1.id, input: { target: '超12万张' } }, speaker);
      expect(c2.errors).toBeUndefined();
      expect(c2.data!.reviseCommitment).toMatchObject({ version: 2, supersedesId: c1.id, revisionReason: null });
    });
  });

  describe('after sealing', () => {
    /** A session run to CLOSED (no evaluation), briefed by its speakers (one claim revised), then sealed. */
    async function sealed() {
      const s = await briefingSession(RoomPhase.CLOSED);
      const speaker = await app.tokenFor(s.voters[0]);
      const draft = (await app.gql(RECORD_CLAIM, { input: claimInput(s.speeches[0].id, { value: 2800 }) }, speaker)).data!.recordClaim;
      const claim = (await app.gql(REVISE_CLAIM, { id: draft.id, input: { value: 3000 } }, speaker)).data!.reviseClaim;
      const commitment = (await app.gql(RECORD_COMMITMENT, { input: commitmentInput(s.speeches[0].id) }, speaker)).data!.recordCommitment;
      const other = (await app.gql(RECORD_CLAIM, { input: claimInput(s.speeches[1].id, { indicator: '民宿村', value: 16, unit: '个', note: null }) }, adminToken)).data!.recordClaim;
      const archive = await app.gql(SEAL, { s: String(s.session.id) }, adminToken);
      expect(archive.errors).toBeUndefined();
      return { s, speaker, claim, commitment, other, archive: archive.data!.sealArchive };
    }

    it('seals into the archive the current claims and commitments filed before sealing', async () => {
      const { s, claim, commitment, other, archive } = await sealed();
      const [first, second] = archive.document.speeches;
      expect(first.claims).toEqual([{ id: Number(claim.id), version: 2, indicator: claim.indicator, value: 3000, unit: claim.unit, asOf: claim.asOf, note: claim.note }]);
      expect(first.commitments).toEqual([{ id: Number(commitment.id), version: 1, title: commitment.title, target: commitment.target, dueAt: commitment.dueAt }]);
      expect(second.claims).toEqual([{ id: Number(other.id), version: 1, indicator: '民宿村', value: 16, unit: '个', asOf: other.asOf, note: null }]);
      expect(second.commitments).toEqual([]);
      expect(second.speechId).toBe(s.speeches[1].id);
    });

    it.each([
      ['recordClaim by the speaker', 'speaker', RECORD_CLAIM],
      ['recordClaim by an admin', 'admin', RECORD_CLAIM],
      ['recordCommitment by an admin', 'admin', RECORD_COMMITMENT],
    ] as const)('answers ARCHIVE_SEALED to %s and stores nothing', async (_what, who, mutation) => {
      const { s, speaker } = await sealed();
      const before = await counts();
      const input = mutation === RECORD_CLAIM ? claimInput(s.speeches[0].id) : commitmentInput(s.speeches[0].id);
      expect(codeOf(await app.gql(mutation, { input }, who === 'admin' ? adminToken : speaker))).toBe('ARCHIVE_SEALED');
      expect(await counts()).toEqual(before);
    });

    it('answers ARCHIVE_SEALED to the speaker’s revision, even with a reason, and changes nothing', async () => {
      const { speaker, claim, commitment } = await sealed();
      const before = await counts();
      expect(codeOf(await app.gql(REVISE_CLAIM, { id: claim.id, input: { value: 1, reason: '更正' } }, speaker))).toBe('ARCHIVE_SEALED');
      expect(codeOf(await app.gql(REVISE_COMMITMENT, { id: commitment.id, input: { target: '超1万张', reason: '更正' } }, speaker))).toBe('ARCHIVE_SEALED');
      expect(await counts()).toEqual(before);
      expect((await claimRow(claim.id)).supersededAt).toBeNull();
    });

    it.each([
      ['no reason', {}],
      ['a blank reason', { reason: '   ' }],
    ])('refuses an admin revision with %s (BAD_USER_INPUT), and changes nothing', async (_what, reason) => {
      const { claim, commitment } = await sealed();
      const before = await counts();
      expect(codeOf(await app.gql(REVISE_CLAIM, { id: claim.id, input: { value: 1, ...reason } }, adminToken))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(REVISE_COMMITMENT, { id: commitment.id, input: { target: '超1万张', ...reason } }, adminToken))).toBe('BAD_USER_INPUT');
      expect(await counts()).toEqual(before);
    });

    it('lets an admin revise with a reason: a new version with that reason, while the sealed archive stays as sealed', async () => {
      const { s, claim, commitment, archive } = await sealed();
      const c2 = await app.gql(REVISE_COMMITMENT, { id: commitment.id, input: { target: '超8万张', reason: ' 县委常委会调整目标 ' } }, adminToken);
      expect(c2.errors).toBeUndefined();
      expect(c2.data!.reviseCommitment.target).toBe('超8万张');
      expect(await commitmentRow(c2.data!.reviseCommitment.id)).toMatchObject({ version: 2, supersedesId: Number(commitment.id), revisionReason: '县委常委会调整目标', recordedById: admin.id });
      const res = await app.gql(REVISE_CLAIM, { id: claim.id, input: { value: 2950, reason: '核查后更正床位数' } }, adminToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.reviseClaim.value).toBe(2950);
      expect(await claimRow(res.data!.reviseClaim.id)).toMatchObject({ version: 3, supersedesId: Number(claim.id), revisionReason: '核查后更正床位数' });
      expect((await claimRow(claim.id)).supersededAt).not.toBeNull();

      const stored = await app.ds.getRepository(Archive).findOneByOrFail({ sessionId: s.session.id });
      expect(stored.contentHash).toBe(archive.contentHash);
      expect((stored.document as any).speeches[0].claims[0]).toMatchObject({ id: Number(claim.id), value: 3000 });
      expect((await app.gql(CHAIN, {}, adminToken)).data!.archiveChain.valid).toBe(true);
    });
  });
});
