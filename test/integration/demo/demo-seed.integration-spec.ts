import { User } from '../../../src/auth/user.entity';
import { Claim, Commitment } from '../../../src/modules/briefing/briefing.entity';
import { Cadre } from '../../../src/modules/registry/cadre.entity';
import { Region } from '../../../src/modules/registry/region.entity';
import { Attendee } from '../../../src/modules/sessions/attendee.entity';
import { Session } from '../../../src/modules/sessions/session.entity';
import { Speech } from '../../../src/modules/sessions/speech.entity';
import { Theme } from '../../../src/modules/themes/theme.entity';
import { seedDemoWorld } from '../../../src/modules/demo/demo-seed';
import { describeEachEngine } from '../../helpers/engines';
import { createTestApp, TestApp } from '../../helpers/test-app';

const PASSWORD = 'demo-password';
const TABLES = [Region, User, Cadre, Theme, Session, Speech, Attendee, Claim, Commitment];

describeEachEngine('seedDemoWorld', (engine) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp(engine);
    await seedDemoWorld(app.ds, app.clock, PASSWORD);
  });
  afterAll(() => app.close());

  const counts = () => Promise.all(TABLES.map((t) => app.ds.getRepository(t).count()));

  it("seeds Chengde's 11 county-level units and the demo accounts of docs/README.md", async () => {
    const regions = await app.ds.getRepository(Region).find({ order: { id: 'ASC' } });
    expect(regions.map((r) => r.name)).toEqual([
      '双桥区', '双滦区', '鹰手营子矿区', '平泉市', '承德县', '兴隆县', '滦平县', '隆化县', '丰宁满族自治县', '宽城满族自治县', '围场满族蒙古族自治县',
    ]);
    const usernames = (await app.ds.getRepository(User).find()).map((u) => u.username);
    const expected = ['admin', 'chair', 'secretary', 'auditor', 'analyst', ...[1, 2, 3, 4, 5, 6].map((n) => `leader${n}`)];
    for (let n = 1; n <= 40; n++) expected.push(`voter${String(n).padStart(2, '0')}`);
    expect(usernames).toEqual(expect.arrayContaining(expected));
  });

  it('gives every unit a speaker with an account, and the article’s people their positions', async () => {
    const cadres = await app.ds.getRepository(Cadre).find();
    const regions = await app.ds.getRepository(Region).find();
    expect(new Set(cadres.map((c) => c.regionId))).toEqual(new Set(regions.map((r) => r.id)));
    expect(cadres.every((c) => c.userId !== null)).toBe(true);
    expect(cadres).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: '吴国志', position: '双桥区委常委、常务副区长' }),
      expect.objectContaining({ name: '李国星', position: '滦平县委副书记' }),
      expect.objectContaining({ name: '张宝东', position: '双滦区常务副区长' }),
    ]));
  });

  it('reproduces the article’s sessions: 吴国志 opens session 1 on 23 September, homestays on 9 October', async () => {
    const admin = await app.ds.getRepository(User).findOneByOrFail({ username: 'admin' });
    const res = await app.gql(`{ sessions(first: 10) { edges { node { number startsAt theme { title } speeches { order cadre { name } } attendeeCount } } } }`, {}, await app.tokenFor(admin));
    const sessions = res.data!.sessions.edges.map((e: any) => e.node).reverse();
    expect(sessions.map((s: any) => s.number)).toEqual([1, 2, 3, 4]);
    expect(sessions[0].startsAt).toBe('2021-09-23T01:00:00.000Z');
    expect(sessions[0].speeches[0]).toEqual({ order: 1, cadre: { name: '吴国志' } });
    expect(sessions[2].startsAt).toBe('2021-10-09T01:00:00.000Z');
    expect(sessions[2].theme.title).toMatch(/民宿/);
    for (const s of sessions) {
      expect(s.speeches).toHaveLength(11);
      expect(s.attendeeCount).toBe(40 + 11);
    }
    expect(new Date(sessions[3].startsAt).getTime()).toBeGreaterThan(app.clock.now().getTime());
  });

  it('files the article’s figures and promises: 16 homestay villages, nearly 3,000 beds, over 100,000 beds in 3 years', async () => {
    const admin = await app.ds.getRepository(User).findOneByOrFail({ username: 'admin' });
    const liguoxing = await app.ds.getRepository(Cadre).findOneByOrFail({ name: '李国星' });
    const res = await app.gql(
      `query($c: ID!) { cadreDossier(cadreId: $c) { claims { indicator value unit note } commitments { title target status } } }`,
      { c: String(liguoxing.id) },
      await app.tokenFor(admin),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.cadreDossier.claims).toEqual(expect.arrayContaining([
      { indicator: '重点民宿村', value: 16, unit: '个', note: null },
      { indicator: '重点民宿村床位', value: 3000, unit: '张', note: '近3000张' },
    ]));
    expect(res.data!.cadreDossier.commitments).toEqual([{ title: expect.stringContaining('民宿产业新格局'), target: '3年内民宿床位超过10万张', status: 'DUE' }]);
  });

  it('lets the demo accounts sign in with the demo password', async () => {
    for (const username of ['admin', 'chair', 'voter40', 'wuguozhi']) {
      const res = await app.gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: username, p: PASSWORD });
      expect(res.errors).toBeUndefined();
    }
  });

  it('is idempotent: a second run adds nothing and changes nothing', async () => {
    const before = await counts();
    const summary = await seedDemoWorld(app.ds, app.clock, PASSWORD);
    expect(summary.created).toBe(0);
    expect(await counts()).toEqual(before);
  });

  it('completes a partial seed', async () => {
    const before = await counts();
    await app.ds.getRepository(Attendee).delete({ sessionId: 1 });
    await app.ds.getRepository(User).delete({ username: 'voter40' });
    const summary = await seedDemoWorld(app.ds, app.clock, PASSWORD);
    expect(summary.created).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
  });
});
