import { User } from '../../../src/auth/user.entity';
import { Claim } from '../../../src/modules/briefing/briefing.entity';
import { Indicator } from '../../../src/modules/briefing/indicator.entity';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession } from '../../helpers/session-script';
import { codeOf, createTestApp, TestApp } from '../../helpers/test-app';

const DEFINE = `mutation($t: ID!, $input: IndicatorInput!) { defineIndicator(themeId: $t, input: $input) { id themeId name unit higherIsBetter } }`;
const RECORD_CLAIM = `mutation($input: RecordClaimInput!) { recordClaim(input: $input) { id indicator indicatorId value unit } }`;

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
});
