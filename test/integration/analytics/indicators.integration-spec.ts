import { User } from '../../../src/auth/user.entity';
import { Claim } from '../../../src/modules/briefing/briefing.entity';
import { Indicator } from '../../../src/modules/briefing/indicator.entity';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession, type ScriptedSession } from '../../helpers/session-script';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { codeOf, createTestApp, TestApp } from '../../helpers/test-app';

const DEFINE = `mutation($t: ID!, $input: IndicatorInput!) { defineIndicator(themeId: $t, input: $input) { id themeId name unit higherIsBetter } }`;
const RECORD_CLAIM = `mutation($input: RecordClaimInput!) { recordClaim(input: $input) { id indicator indicatorId value unit } }`;
const REVISE_CLAIM = `mutation($id: ID!, $input: ReviseClaimInput!) { reviseClaim(id: $id, input: $input) { id value } }`;
const COMPARE = `query($t: ID!, $i: ID!, $from: DateTime, $to: DateTime) {
  indicatorComparison(themeId: $t, indicatorId: $i, from: $from, to: $to) { region { id } cadre { id } value unit asOf verdict rank claimId sessionId }
}`;
const THEMES = `{ themes { id indicators { id name unit higherIsBetter } } }`;
const ASSIGN = `mutation($input: AssignAuditInput!) { assignAudit(input: $input) { id } }`;
const SUBMIT = `mutation($a: ID!, $input: FindingInput!) { submitFinding(auditId: $a, input: $input) { id } }`;
const PUBLISH = `mutation($f: ID!) { publishFinding(findingId: $f) { id } }`;
const DAY = 86_400_000;

describeEachEngine('indicators', (engine) => {
  let app: TestApp;
  let analyst: User;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp(engine);
    analyst = await createUser(app.ds.manager, { roles: ['analyst'] });
    token = await app.tokenFor(analyst);
  });
  afterAll(() => app.close());

  describe('defineIndicator', () => {
    it('defines an indicator and refuses a second one of the same name in the theme', async () => {
      const s = await scriptSession(app, { speakers: 1, voters: 1 });
      const input = { name: '完成投资', unit: '亿元', higherIsBetter: true };
      const res = await app.gql(DEFINE, { t: String(s.session.themeId), input }, token);
      expect(res.errors).toBeUndefined();
      expect(res.data!.defineIndicator).toMatchObject({ themeId: String(s.session.themeId), ...input });
      const count = await app.ds.getRepository(Indicator).count();
      expect(codeOf(await app.gql(DEFINE, { t: String(s.session.themeId), input }, token))).toBe('CONFLICT');
      expect(codeOf(await app.gql(DEFINE, { t: String(s.session.themeId), input: { ...input, name: 'x'.repeat(61) } }, token))).toBe('BAD_USER_INPUT');
      expect(await app.ds.getRepository(Indicator).count()).toBe(count);
    });

    it('refuses a voter', async () => {
      const s = await scriptSession(app, { speakers: 1, voters: 1 });
      const voter = await createUser(app.ds.manager, { roles: ['voter'] });
      const res = await app.gql(DEFINE, { t: String(s.session.themeId), input: { name: '民宿数量', unit: '家', higherIsBetter: true } }, await app.tokenFor(voter));
      expect(codeOf(res)).toBe('FORBIDDEN');
    });
  });

  describe('recordClaim', () => {
    it("refuses a unit other than the indicator's and stores nothing", async () => {
      const s = await scriptSession(app, { speakers: 1, voters: 1, speakerVoters: 1 });
      const def = await app.gql(DEFINE, { t: String(s.session.themeId), input: { name: '接待游客', unit: '万人次', higherIsBetter: true } }, token);
      const indicatorId = def.data!.defineIndicator.id;
      const speaker = await app.tokenFor(s.voters[0]);
      const asOf = new Date(app.clock.now().getTime() - 86_400_000).toISOString();
      const claim = { speechId: String(s.speeches[0].id), indicator: '接待游客', value: 12, asOf, indicatorId };
      const before = await app.ds.getRepository(Claim).count();
      expect(codeOf(await app.gql(RECORD_CLAIM, { input: { ...claim, unit: '人' } }, speaker))).toBe('BAD_USER_INPUT');
      expect(await app.ds.getRepository(Claim).count()).toBe(before);
      const ok = await app.gql(RECORD_CLAIM, { input: { ...claim, unit: '万人次' } }, speaker);
      expect(ok.errors).toBeUndefined();
      expect(ok.data!.recordClaim).toMatchObject({ indicatorId, unit: '万人次', value: 12 });
    });
  });

  describe('indicatorComparison', () => {
    let s: ScriptedSession;
    let admin: string;
    let higher: string;
    let lower: string;
    const at = (days: number) => new Date(app.clock.now().getTime() + days * DAY).toISOString();

    /** Files a claim for speech k on an indicator, as the organisation department does on the speaker's behalf. */
    async function claim(k: number, indicatorId: string, unit: string, value: number, asOfDays = -2): Promise<string> {
      const res = await app.gql(RECORD_CLAIM, { input: { speechId: String(s.speeches[k].id), indicator: 'x', indicatorId, value, unit, asOf: at(asOfDays) } }, admin);
      expect(res.errors).toBeUndefined();
      return res.data!.recordClaim.id;
    }

    /** An audit of the claim, its finding submitted by the auditor and published by a second admin. */
    async function publishVerdict(claimId: string, verdict: string): Promise<void> {
      const auditor = await createUser(app.ds.manager, { roles: ['auditor'] });
      const publisher = await app.tokenFor(await createUser(app.ds.manager, { roles: ['admin'] }));
      const audit = await app.gql(ASSIGN, { input: { claimId, method: 'DOCUMENT_CHECK', auditorId: String(auditor.id), dueAt: at(14) } }, admin);
      expect(audit.errors).toBeUndefined();
      const evidence = [{ kind: 'DOCUMENT', description: '台账', sha256: 'a'.repeat(64), capturedAt: at(-1), location: '承德' }];
      const finding = await app.gql(SUBMIT, { a: audit.data!.assignAudit.id, input: { verdict, summary: '核查', evidence } }, await app.tokenFor(auditor));
      expect(finding.errors).toBeUndefined();
      expect((await app.gql(PUBLISH, { f: finding.data!.submitFinding.id }, publisher)).errors).toBeUndefined();
    }

    const compare = async (indicatorId: string, vars: Record<string, unknown> = {}) => {
      const res = await app.gql(COMPARE, { t: String(s.session.themeId), i: indicatorId, ...vars }, token);
      expect(res.errors).toBeUndefined();
      return res.data!.indicatorComparison as { region: { id: string }; value: number; unit: string; verdict: string | null; rank: number | null; claimId: string }[];
    };
    const regionOf = (k: number) => String(s.cadres[k].regionId);

    beforeAll(async () => {
      admin = await app.tokenFor(await createUser(app.ds.manager, { roles: ['admin'] }));
      s = await scriptSession(app, { speakers: 4, voters: 1 });
      const t = String(s.session.themeId);
      higher = (await app.gql(DEFINE, { t, input: { name: '完成投资', unit: '亿元', higherIsBetter: true } }, token)).data!.defineIndicator.id;
      lower = (await app.gql(DEFINE, { t, input: { name: '安全事故', unit: '起', higherIsBetter: false } }, token)).data!.defineIndicator.id;
      // Region 0: an older, higher figure and a newer one; region 1: revised upwards; region 2: the largest, but falsified.
      await claim(0, higher, '亿元', 90, -10);
      await claim(0, higher, '亿元', 10, -2);
      const revised = await claim(1, higher, '亿元', 5);
      expect((await app.gql(REVISE_CLAIM, { id: revised, input: { value: 30 } }, admin)).errors).toBeUndefined();
      await publishVerdict(await claim(2, higher, '亿元', 99), 'FALSIFIED');
      await publishVerdict(await claim(3, higher, '亿元', 30), 'VERIFIED');
      // Fewer accidents rank better; equal values share a rank.
      await claim(0, lower, '起', 5);
      await claim(1, lower, '起', 3);
      await claim(2, lower, '起', 3);
    });

    it("lines up each region's latest current value, ranked by the indicator's direction, a falsified value marked and not ranked", async () => {
      const rows = await compare(higher);
      expect(rows.map((r) => [r.region.id, r.value, r.rank, r.verdict])).toEqual([
        [regionOf(1), 30, 1, null],
        [regionOf(3), 30, 1, 'VERIFIED'],
        [regionOf(0), 10, 3, null],
        [regionOf(2), 99, null, 'FALSIFIED'],
      ]);
      expect(rows.every((r) => r.unit === '亿元')).toBe(true);
    });

    it('ranks a lower-is-better indicator from the smallest value', async () => {
      const rows = await compare(lower);
      expect(rows.map((r) => [r.region.id, r.value, r.rank])).toEqual([
        [regionOf(1), 3, 1],
        [regionOf(2), 3, 1],
        [regionOf(0), 5, 3],
      ]);
    });

    it('follows the date range of the sessions', async () => {
      const startsAt = s.session.startsAt.getTime();
      expect(await compare(higher, { to: new Date(startsAt).toISOString() })).toEqual([]);
      expect(await compare(higher, { from: new Date(startsAt + 1).toISOString() })).toEqual([]);
      expect(await compare(higher, { from: new Date(startsAt).toISOString(), to: new Date(startsAt + 1).toISOString() })).toHaveLength(4);
    });

    it("answers Theme.indicators and refuses another theme's indicator, an unknown one and a voter", async () => {
      const themes = (await app.gql(THEMES, {}, token)).data!.themes as { id: string; indicators: { name: string; unit: string; higherIsBetter: boolean }[] }[];
      expect(themes.find((t) => t.id === String(s.session.themeId))!.indicators).toEqual([
        { id: higher, name: '完成投资', unit: '亿元', higherIsBetter: true },
        { id: lower, name: '安全事故', unit: '起', higherIsBetter: false },
      ]);
      const other = await scriptSession(app, { speakers: 1, voters: 1, until: RoomPhase.SCHEDULED });
      const res = await app.gql(COMPARE, { t: String(other.session.themeId), i: higher }, token);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(COMPARE, { t: String(s.session.themeId), i: '999999' }, token))).toBe('NOT_FOUND');
      const voter = await app.tokenFor(await createUser(app.ds.manager, { roles: ['voter'] }));
      expect(codeOf(await app.gql(COMPARE, { t: String(s.session.themeId), i: higher }, voter))).toBe('FORBIDDEN');
    });
  });
});
