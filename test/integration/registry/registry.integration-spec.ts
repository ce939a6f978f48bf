import { User } from '../../../src/auth/user.entity';
import { Cadre } from '../../../src/modules/registry/cadre.entity';
import { Region } from '../../../src/modules/registry/region.entity';
import { createCadre, createRegion, createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { codeOf, createTestApp, GqlResult, TestApp } from '../../helpers/test-app';

const REGIONS = `{ regions { id code name nameEn } }`;
const CADRE = `query($id: ID!) { cadre(id: $id) { id name position regionId region { id name } } }`;
const CADRES = `query($regionId: ID, $first: Int, $after: String) {
  cadres(regionId: $regionId, first: $first, after: $after) {
    totalCount
    edges { cursor node { id regionId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const CREATE_CADRE = `mutation($input: CreateCadreInput!) { createCadre(input: $input) { id name position regionId region { id name } } }`;

interface CadrePage {
  totalCount: number;
  edges: { cursor: string; node: { id: string; regionId: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

describeEachEngine('registry', (engine) => {
  let app: TestApp;
  let admin: User;
  let voter: User;

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    voter = await createUser(app.ds.manager, { roles: ['voter'] });
  });
  afterAll(() => app.close());

  const cadreCount = () => app.ds.getRepository(Cadre).count();

  /** Follows endCursor from the first page to the last, checking each page's info on the way. */
  async function walkCadres(pageSize: number, regionId?: string): Promise<{ ids: string[]; pages: CadrePage[] }> {
    const token = await app.tokenFor(voter);
    const pages: CadrePage[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 1000; guard++) {
      const res: GqlResult<{ cadres: CadrePage }> = await app.gql<{ cadres: CadrePage }>(CADRES, { regionId, first: pageSize, after }, token);
      expect(res.errors).toBeUndefined();
      const page: CadrePage = res.data!.cadres;
      pages.push(page);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return { ids: pages.flatMap((p) => p.edges.map((e) => e.node.id)), pages };
  }

  describe('regions', () => {
    it('lists every region in id order', async () => {
      const a = await createRegion(app.ds.manager, { name: '双桥区' });
      const b = await createRegion(app.ds.manager, { name: '双滦区' });
      const res = await app.gql(REGIONS, {}, await app.tokenFor(voter));
      expect(res.errors).toBeUndefined();
      const regions = res.data!.regions as { id: string; name: string }[];
      const ids = regions.map((r) => Number(r.id));
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(regions).toEqual(expect.arrayContaining([
        expect.objectContaining({ id: String(a.id), name: '双桥区', code: a.code, nameEn: a.nameEn }),
        expect.objectContaining({ id: String(b.id), name: '双滦区' }),
      ]));
      expect(regions).toHaveLength(await app.ds.getRepository(Region).count());
    });

    it('answers UNAUTHENTICATED without a token', async () => {
      expect(codeOf(await app.gql(REGIONS))).toBe('UNAUTHENTICATED');
    });
  });

  describe('cadre', () => {
    it('returns the cadre with its region', async () => {
      const region = await createRegion(app.ds.manager);
      const cadre = await createCadre(app.ds.manager, { name: '吴国志', position: '双桥区委常委、常务副区长', regionId: region.id });
      const res = await app.gql(CADRE, { id: String(cadre.id) }, await app.tokenFor(voter));
      expect(res.errors).toBeUndefined();
      expect(res.data!.cadre).toEqual({
        id: String(cadre.id),
        name: '吴国志',
        position: '双桥区委常委、常务副区长',
        regionId: String(region.id),
        region: { id: String(region.id), name: region.name },
      });
    });

    it.each([
      ['an unknown id', '999999'],
      ['a non-numeric id', 'not-an-id'],
      ['a negative id', '-1'],
      ['zero', '0'],
      ['an id beyond the safe integers', '99999999999999999999'],
    ])('returns null for %s', async (_what, id) => {
      const res = await app.gql(CADRE, { id }, await app.tokenFor(voter));
      expect(res.errors).toBeUndefined();
      expect(res.data!.cadre).toBeNull();
    });
  });

  describe('cadres', () => {
    it('walks every page without skips or repeats, in id order', async () => {
      const region = await createRegion(app.ds.manager);
      for (let i = 0; i < 7; i++) await createCadre(app.ds.manager, { regionId: region.id });
      const expected = (await app.ds.getRepository(Cadre).find({ order: { id: 'ASC' } })).map((c) => String(c.id));

      const { ids, pages } = await walkCadres(3);

      expect(ids).toEqual(expected);
      expect(pages).toHaveLength(Math.ceil(expected.length / 3));
      pages.forEach((page, i) => {
        const last = i === pages.length - 1;
        expect(page.totalCount).toBe(expected.length);
        expect(page.edges.length).toBe(last ? expected.length - 3 * i : 3);
        expect(page.pageInfo.hasNextPage).toBe(!last);
        expect(page.pageInfo.hasPreviousPage).toBe(i > 0);
        expect(page.pageInfo.startCursor).toBe(page.edges[0].cursor);
        expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1].cursor);
      });
    });

    it('defaults to a page of 20 and says whether more follow', async () => {
      const region = await createRegion(app.ds.manager);
      for (let i = 0; i < 21; i++) await createCadre(app.ds.manager, { regionId: region.id });
      const res = await app.gql<{ cadres: CadrePage }>(CADRES, { regionId: String(region.id) }, await app.tokenFor(voter));
      expect(res.errors).toBeUndefined();
      expect(res.data!.cadres.edges).toHaveLength(20);
      expect(res.data!.cadres.totalCount).toBe(21);
      expect(res.data!.cadres.pageInfo.hasNextPage).toBe(true);
    });

    it('filters by region, counting only that region', async () => {
      const mine = await createRegion(app.ds.manager);
      const other = await createRegion(app.ds.manager);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(String((await createCadre(app.ds.manager, { regionId: mine.id })).id));
        await createCadre(app.ds.manager, { regionId: other.id });
      }

      const { ids: walked, pages } = await walkCadres(2, String(mine.id));

      expect(walked).toEqual(ids);
      expect(pages.every((p) => p.totalCount === 5)).toBe(true);
      expect(pages.flatMap((p) => p.edges.map((e) => e.node.regionId))).toEqual(Array(5).fill(String(mine.id)));
    });

    it('returns an empty page for a region without cadres', async () => {
      const empty = await createRegion(app.ds.manager);
      const res = await app.gql<{ cadres: CadrePage }>(CADRES, { regionId: String(empty.id) }, await app.tokenFor(voter));
      expect(res.errors).toBeUndefined();
      expect(res.data!.cadres).toEqual({
        totalCount: 0,
        edges: [],
        pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      });
    });

    it.each([
      ['an unknown region', { regionId: '999999' }, 'NOT_FOUND'],
      ['a garbage region id', { regionId: 'nowhere' }, 'NOT_FOUND'],
      ['first: 0', { first: 0 }, 'BAD_USER_INPUT'],
      ['first: 101', { first: 101 }, 'BAD_USER_INPUT'],
      ['first: -1', { first: -1 }, 'BAD_USER_INPUT'],
      ['an after that is not base64 of a cursor', { after: 'not a cursor!' }, 'BAD_USER_INPUT'],
      ['an after of another kind of cursor', { after: Buffer.from('session:3').toString('base64url') }, 'BAD_USER_INPUT'],
      ['an after with a non-numeric key', { after: Buffer.from('cadre:abc').toString('base64url') }, 'BAD_USER_INPUT'],
      ['an after with an empty key', { after: Buffer.from('cadre:').toString('base64url') }, 'BAD_USER_INPUT'],
    ])('rejects %s', async (_what, args, code) => {
      const res = await app.gql(CADRES, args, await app.tokenFor(voter));
      expect(codeOf(res)).toBe(code);
      expect(res.data ?? null).toBeNull();
    });

    it('resolves every region of a 100-cadre page in a handful of SQL statements', async () => {
      // Skip past the cadres earlier tests made, so the page holds exactly the 100 seeded here.
      const { pages } = await walkCadres(100);
      const after = pages[pages.length - 1].pageInfo.endCursor;
      const regions: Region[] = [];
      for (let i = 0; i < 20; i++) regions.push(await createRegion(app.ds.manager));
      await app.ds.getRepository(Cadre).insert(
        Array.from({ length: 100 }, (_, i) => ({ name: `批量干部${i}`, position: '副县长', regionId: regions[i % 20].id, userId: null })),
      );
      const token = await app.tokenFor(voter);

      const runner = app.ds.createQueryRunner();
      const proto = runner.constructor.prototype as { query: (...args: unknown[]) => Promise<unknown> };
      await runner.release();
      const spy = jest.spyOn(proto, 'query');
      let res;
      let statements: number;
      try {
        res = await app.gql(`query($after: String) { cadres(first: 100, after: $after) { edges { node { name region { name } } } } }`, { after }, token);
      } finally {
        statements = spy.mock.calls.length;
        spy.mockRestore();
      }

      expect(res.errors).toBeUndefined();
      const nodes = res.data!.cadres.edges.map((e: { node: { name: string; region: { name: string } } }) => e.node);
      expect(nodes).toHaveLength(100);
      expect(nodes.map((n: { region: { name: string } }) => n.region.name)).toEqual(Array.from({ length: 100 }, (_, i) => regions[i % 20].name));
      // The page, its count and one batched region lookup; one statement per row or per region would be ≥ 20.
      expect(statements).toBeGreaterThanOrEqual(2);
      expect(statements).toBeLessThan(10);
    });
  });

  describe('createCadre', () => {
    it('registers a cadre, trimming the text', async () => {
      const region = await createRegion(app.ds.manager);
      const before = await cadreCount();
      const res = await app.gql(
        CREATE_CADRE,
        { input: { name: '  吴国志 ', position: ' 双桥区委常委、常务副区长 ', regionId: String(region.id) } },
        await app.tokenFor(admin),
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.createCadre).toMatchObject({
        name: '吴国志',
        position: '双桥区委常委、常务副区长',
        regionId: String(region.id),
        region: { id: String(region.id), name: region.name },
      });
      expect(await cadreCount()).toBe(before + 1);
      const saved = await app.ds.getRepository(Cadre).findOneByOrFail({ id: Number(res.data!.createCadre.id) });
      expect(saved).toMatchObject({ name: '吴国志', regionId: region.id, userId: null });
    });

    it('links the cadre to a user account', async () => {
      const region = await createRegion(app.ds.manager);
      const user = await createUser(app.ds.manager, { roles: ['speaker'] });
      const res = await app.gql(
        CREATE_CADRE,
        { input: { name: '李明', position: '副县长', regionId: String(region.id), userId: String(user.id) } },
        await app.tokenFor(admin),
      );
      expect(res.errors).toBeUndefined();
      const saved = await app.ds.getRepository(Cadre).findOneByOrFail({ id: Number(res.data!.createCadre.id) });
      expect(saved.userId).toBe(user.id);
    });

    it.each([
      ['an unknown region', { regionId: '999999' }, 'NOT_FOUND'],
      ['a garbage region id', { regionId: 'nowhere' }, 'NOT_FOUND'],
      ['an unknown user', { userId: '999999' }, 'NOT_FOUND'],
      ['a 10,000-character name', { name: '长'.repeat(10_000) }, 'BAD_USER_INPUT'],
      ['a 51-character name', { name: '长'.repeat(51) }, 'BAD_USER_INPUT'],
      ['a blank name', { name: '   ' }, 'BAD_USER_INPUT'],
      // 100 code points (heart + variation selector, 50 times): too long for the 50-character column on any engine.
      ['a name of 50 emoji with variation selectors', { name: '❤️'.repeat(50) }, 'BAD_USER_INPUT'],
      ['a 10,000-character position', { position: '长'.repeat(10_000) }, 'BAD_USER_INPUT'],
      ['an empty position', { position: '' }, 'BAD_USER_INPUT'],
    ])('rejects %s and changes nothing', async (_what, override, code) => {
      const region = await createRegion(app.ds.manager);
      const before = await cadreCount();
      const input = { name: '新干部', position: '副县长', regionId: String(region.id), ...override };
      const res = await app.gql(CREATE_CADRE, { input }, await app.tokenFor(admin));
      expect(codeOf(res)).toBe(code);
      expect(await cadreCount()).toBe(before);
    });

    it('rejects a user account that already belongs to another cadre, and changes nothing', async () => {
      const user = await createUser(app.ds.manager, { roles: ['speaker'] });
      const taken = await createCadre(app.ds.manager, { userId: user.id });
      const before = await cadreCount();
      const res = await app.gql(
        CREATE_CADRE,
        { input: { name: '另一人', position: '副县长', regionId: String(taken.regionId), userId: String(user.id) } },
        await app.tokenFor(admin),
      );
      expect(codeOf(res)).toBe('CONFLICT');
      expect(await cadreCount()).toBe(before);
      expect(await app.ds.getRepository(Cadre).countBy({ userId: user.id })).toBe(1);
    });

    it('is FORBIDDEN to a voter and changes nothing', async () => {
      const region = await createRegion(app.ds.manager);
      const before = await cadreCount();
      const res = await app.gql(CREATE_CADRE, { input: { name: '某人', position: '副县长', regionId: String(region.id) } }, await app.tokenFor(voter));
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(await cadreCount()).toBe(before);
    });
  });
});
