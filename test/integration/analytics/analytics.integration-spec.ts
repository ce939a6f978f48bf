import { User } from '../../../src/auth/user.entity';
import { generateHistory } from '../../../src/modules/demo/demo-history';
import { seedDemoWorld } from '../../../src/modules/demo/demo-seed';
import { Evaluation } from '../../../src/modules/evaluation/evaluation.entity';
import type { TallyResult } from '../../../src/modules/evaluation/tally';
import { Commitment } from '../../../src/modules/briefing/briefing.entity';
import { Speech } from '../../../src/modules/sessions/speech.entity';
import { Session } from '../../../src/modules/sessions/session.entity';
import { Cadre } from '../../../src/modules/registry/cadre.entity';
import { Region } from '../../../src/modules/registry/region.entity';
import { describeEachEngine } from '../../helpers/engines';
import { codeOf, createTestApp, TestApp } from '../../helpers/test-app';

describeEachEngine('analytics', (engine) => {
  let app: TestApp;
  let analyst: string;
  let voter: string;

  /** Published results per speech, recomputed from the evaluations themselves (not the projection). */
  async function publishedResults(): Promise<(TallyResult & { regionId: number; cadreId: number; sessionId: number })[]> {
    const evaluations = await app.ds.getRepository(Evaluation).findBy({ status: 'PUBLISHED' as never });
    const speeches = new Map((await app.ds.getRepository(Speech).find()).map((s) => [s.id, s]));
    return evaluations.flatMap((e) =>
      (JSON.parse(e.resultsJson!) as TallyResult[]).map((r) => ({ ...r, regionId: speeches.get(r.speechId)!.regionId!, cadreId: speeches.get(r.speechId)!.cadreId, sessionId: e.sessionId })),
    );
  }

  beforeAll(async () => {
    app = await createTestApp(engine);
    app.clock.set('2024-06-01T00:00:00Z');
    await seedDemoWorld(app.ds, app.clock, 'demo-password', 0);
    await generateHistory(app.ds, { sessions: 4, firstAt: new Date('2021-10-23T01:00:00Z'), everyDays: 14, voters: 12, commentsPerSession: 3, seed: 5, now: app.clock.now() });
    analyst = await app.tokenFor(await app.ds.getRepository(User).findOneByOrFail({ username: 'analyst' }));
    voter = await app.tokenFor(await app.ds.getRepository(User).findOneByOrFail({ username: 'voter01' }));
  }, 120_000);
  afterAll(() => app.close());

  it('ranks regions by the mean published score of their speeches, with the EXCELLENT count', async () => {
    const res = await app.gql(`{ regionStandings { rank score speeches excellent overtimeRate fulfilmentRate region { id name } } }`, {}, analyst);
    expect(res.errors).toBeUndefined();
    const standings = res.data!.regionStandings;
    expect(standings).toHaveLength(11);
    const results = await publishedResults();
    for (const row of standings) {
      const mine = results.filter((r) => r.regionId === Number(row.region.id));
      expect(row.speeches).toBe(mine.length);
      expect(row.excellent).toBe(mine.filter((r) => r.grade === 'EXCELLENT').length);
      expect(row.score).toBeCloseTo(mine.reduce((n, r) => n + r.score, 0) / mine.length, 3);
    }
    for (let i = 1; i < standings.length; i++) expect(standings[i].score).toBeLessThanOrEqual(standings[i - 1].score);
    expect(standings[0].rank).toBe(1);
  });

  it('computes overtime and fulfilment rates from the speeches and the published verdicts', async () => {
    const standings = (await app.gql(`{ regionStandings { overtimeRate fulfilmentRate region { id } } }`, {}, analyst)).data!.regionStandings;
    const speeches = await app.ds.getRepository(Speech).find();
    const commitments = await app.ds.getRepository(Commitment).find();
    for (const row of standings) {
      const mine = speeches.filter((s) => s.regionId === Number(row.region.id) && s.endedAt !== null);
      expect(row.overtimeRate).toBeCloseTo(mine.filter((s) => s.overtimeMs! > 0).length / mine.length, 3);
      const ids = new Set(mine.map((s) => s.id));
      const assessed = commitments.filter((c) => ids.has(c.speechId) && c.supersededAt === null && c.latestVerdict !== null);
      expect(row.fulfilmentRate).toEqual(assessed.length ? expect.closeTo(assessed.filter((c) => c.latestVerdict === 'VERIFIED').length / assessed.length, 3) : null);
    }
  });

  it('pages through cadre rankings without skips or repeats, best first, in two SQL statements', async () => {
    const runner = app.ds.createQueryRunner();
    const spy = jest.spyOn(Object.getPrototypeOf(runner), 'query');
    await runner.release();
    const counted = async (query: string, variables: Record<string, unknown> = {}) => {
      const before = spy.mock.calls.length;
      const res = await app.gql(query, variables, analyst);
      expect(res.errors).toBeUndefined();
      return spy.mock.calls.length - before;
    };
    const page = `query($th: ID) { cadreRankings(first: 5, themeId: $th) { totalCount pageInfo { hasNextPage endCursor } edges { node { rank score speeches cadre { name region { name } } } } } }`;
    // the ranking with its cadres, then the cadres' regions (one batch)
    expect(await counted(page)).toBe(2);
    // a theme is checked once (alongside), then known: themes are never deleted
    const themeId = String((await app.ds.getRepository(Session).find())[0].themeId);
    expect(await counted(page, { th: themeId })).toBe(3);
    expect(await counted(page, { th: themeId })).toBe(2);
    spy.mockRestore();
    const seen: number[] = [];
    let after: string | null = null;
    let total = 0;
    do {
      const page: any = await app.gql(`query($a: String) { cadreRankings(first: 4, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { node { rank score cadre { id } } } } }`, { a: after }, analyst);
      total = page.data.cadreRankings.totalCount;
      for (const e of page.data.cadreRankings.edges) seen.push(Number(e.node.cadre.id));
      after = page.data.cadreRankings.pageInfo.hasNextPage ? page.data.cadreRankings.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(total);
    expect(total).toBe(new Set((await publishedResults()).map((r) => r.cadreId)).size);
  });

  it("narrows grade distributions to one region's speeches", async () => {
    const region = (await app.ds.getRepository(Region).find({ order: { id: 'ASC' } }))[3];
    const res = await app.gql(`query($r: ID) { gradeDistributions(first: 100, regionId: $r) { edges { node { session { id } excellent good average poor } } } }`, { r: String(region.id) }, analyst);
    expect(res.errors).toBeUndefined();
    const mine = (await publishedResults()).filter((r) => r.regionId === region.id);
    const nodes = res.data!.gradeDistributions.edges.map((e: any) => e.node);
    expect(nodes.length).toBe(new Set(mine.map((r) => r.sessionId)).size);
    for (const n of nodes) {
      const inSession = mine.filter((r) => r.sessionId === Number(n.session.id));
      expect([n.excellent, n.good, n.average, n.poor]).toEqual(['EXCELLENT', 'GOOD', 'AVERAGE', 'POOR'].map((g) => inSession.filter((r) => r.grade === g).length));
    }
  });

  it('pages grade distributions newest first, each page counting the whole list, and a page past the end empty', async () => {
    const page = async (after: string | null) =>
      (await app.gql(`query($a: String) { gradeDistributions(first: 3, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { session { number } } } } }`, { a: after }, analyst)).data!
        .gradeDistributions;
    const numbers: number[] = [];
    const totals: number[] = [];
    let after: string | null = null;
    let last: string | null = null;
    do {
      const p: any = await page(after);
      totals.push(p.totalCount);
      numbers.push(...p.edges.map((e: any) => e.node.session.number));
      last = p.pageInfo.endCursor;
      after = p.pageInfo.hasNextPage ? last : null;
    } while (after);
    expect(totals).toEqual([7, 7, 7]);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(new Set(numbers).size).toBe(7);
    const beyond = await page(last);
    expect(beyond).toEqual({ totalCount: 7, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it('filters by date range and theme, and refuses bad filters', async () => {
    const sessions = await app.ds.getRepository(Session).find({ order: { startsAt: 'ASC' } });
    const from = sessions[2].startsAt.toISOString();
    const q = `query($f: DateTime, $t: DateTime, $th: ID) { regionStandings(from: $f, to: $t, themeId: $th) { speeches } }`;
    const all = (await app.gql(q, {}, analyst)).data!.regionStandings.reduce((n: number, r: any) => n + r.speeches, 0);
    const later = (await app.gql(q, { f: from }, analyst)).data!.regionStandings.reduce((n: number, r: any) => n + r.speeches, 0);
    expect(later).toBeLessThan(all);
    expect(later).toBe((await publishedResults()).filter((r) => sessions.find((s) => s.id === r.sessionId)!.startsAt >= sessions[2].startsAt).length);
    expect(codeOf(await app.gql(q, { f: '2023-01-01T00:00:00Z', t: '2022-01-01T00:00:00Z' }, analyst))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(q, { th: '999999' }, analyst))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(`{ cadreRankings(first: 101) { totalCount } }`, {}, analyst))).toBe('BAD_USER_INPUT');
    // every report checks its filter (alongside its own statements) and answers nothing else
    for (const report of [
      'regionStandings(themeId: "999999") { rank }',
      'cadreRankings(regionId: "424242") { totalCount }',
      'regionTrends(regionId: "424242") { sessions { id } }',
      'gradeDistributions(themeId: "999999") { totalCount }',
      'speakingDiscipline(regionId: "424242") { speeches }',
      'speakingDiscipline(groupBy: CADRE, themeId: "999999") { speeches }',
      'commitmentFulfilment(regionId: "424242") { commitments }',
      'auditVerdicts(themeId: "999999") { total }',
    ]) {
      const res = await app.gql(`{ ${report} }`, {}, analyst);
      expect([report, codeOf(res), res.data]).toEqual([report, 'NOT_FOUND', null]);
    }
    expect(codeOf(await app.gql(`{ regionStandings { rank } }`, {}, voter))).toBe('FORBIDDEN');
  });

  it('reports speaking discipline, grade distributions, trends, fulfilment and verdicts consistently', async () => {
    const res = await app.gql(
      `{
        speakingDiscipline(groupBy: REGION) { speeches spokenMinutes allottedMinutes overtimeRate cutOffs interruptions { reason count perSpeech } region { name } }
        byCadre: speakingDiscipline(groupBy: CADRE) { speeches cadre { name } }
        gradeDistributions(first: 10) { totalCount edges { node { ballotsCast entitledVoters excellent good average poor excellentVotes session { id number title startsAt phase } } } }
        cadres: cadreRankings(first: 3) { edges { node { cadre { id name position regionId } } } }
        regionTrends { sessions { id number startsAt } series { region { name } scores ranks excellent } }
        commitmentFulfilment { commitments assessed fulfilled partial missed fulfilmentRate region { name } }
        auditVerdicts { verified partial notFulfilled falsified total region { name } }
      }`,
      {},
      analyst,
    );
    expect(res.errors).toBeUndefined();
    const d = res.data!;
    const finished = (await app.ds.getRepository(Speech).find()).filter((s) => s.endedAt !== null);
    expect(d.speakingDiscipline.reduce((n: number, r: any) => n + r.speeches, 0)).toBe(finished.length);
    expect(d.byCadre.reduce((n: number, r: any) => n + r.speeches, 0)).toBe(finished.length);
    // the article's three sessions, completed by the generator, and four more
    expect(d.gradeDistributions.totalCount).toBe(7);
    // sessions and cadres read with the aggregates are the same as the stored ones, dates and all
    const stored = await app.ds.getRepository(Session).find();
    for (const { node } of d.gradeDistributions.edges) {
      const s = stored.find((x) => String(x.id) === node.session.id)!;
      expect(node.session).toEqual({ id: String(s.id), number: s.number, title: s.title, startsAt: s.startsAt.toISOString(), phase: s.phase });
    }
    for (const { node } of d.cadres.edges) {
      const c = await app.ds.getRepository(Cadre).findOneByOrFail({ id: Number(node.cadre.id) });
      expect(node.cadre).toEqual({ id: String(c.id), name: c.name, position: c.position, regionId: String(c.regionId) });
    }
    for (const { node } of d.gradeDistributions.edges) {
      expect(node.excellent + node.good + node.average + node.poor).toBe(11);
      expect(node.excellent).toBeLessThanOrEqual(3);
      expect(node.ballotsCast).toBeLessThanOrEqual(node.entitledVoters);
    }
    // one axis of the 7 sessions, oldest first; every region spoke in each, so no gaps
    expect(d.regionTrends.sessions.map((s: any) => s.number)).toEqual([...d.regionTrends.sessions.map((s: any) => s.number)].sort((a, b) => a - b));
    expect(d.regionTrends.sessions).toHaveLength(7);
    expect(d.regionTrends.series).toHaveLength(11);
    const region = await app.ds.getRepository(Region).findOneByOrFail({ code: 'shuangqiao' });
    const one = (await app.gql(`query($r: ID) { regionTrends(regionId: $r) { sessions { id } series { region { id } scores } } }`, { r: String(region.id) }, analyst)).data!.regionTrends;
    expect(one.series.map((l: any) => l.region.id)).toEqual([String(region.id)]);
    expect(one.series[0].scores).toEqual(d.regionTrends.series.find((l: any) => l.region.name === region.name).scores);
    for (const line of d.regionTrends.series) {
      for (const values of [line.scores, line.ranks, line.excellent]) expect(values).toHaveLength(7);
      expect(line.scores.every((v: number | null) => v !== null && v > 0)).toBe(true);
      expect(line.ranks.every((v: number | null) => v !== null && v >= 1 && v <= 11)).toBe(true);
    }
    for (const row of d.commitmentFulfilment) expect(row.fulfilled + row.partial + row.missed).toBe(row.assessed);
    for (const row of d.auditVerdicts) expect(row.verified + row.partial + row.notFulfilled + row.falsified).toBe(row.total);
  });
  it('defines the shared indicators on every theme, files the history against them and has a falsified latest value to mark', async () => {
    const themes = (await app.gql(`{ themes { id indicators { id name unit } } }`, {}, analyst)).data!.themes as { id: string; indicators: { id: string; name: string; unit: string }[] }[];
    expect(themes).toHaveLength(3);
    for (const t of themes) expect(t.indicators.map((i) => `${i.name}（${i.unit}）`)).toContain('新增民宿床位（张）');
    const verdicts: (string | null)[] = [];
    for (const t of themes) {
      for (const i of t.indicators) {
        const res = await app.gql(`query($t: ID!, $i: ID!) { indicatorComparison(themeId: $t, indicatorId: $i) { verdict rank unit } }`, { t: t.id, i: i.id }, analyst);
        expect(res.errors).toBeUndefined();
        for (const v of res.data!.indicatorComparison) {
          expect(v.unit).toBe(i.unit);
          expect(v.rank === null).toBe(v.verdict === 'FALSIFIED');
          verdicts.push(v.verdict);
        }
      }
    }
    expect(verdicts.length).toBeGreaterThan(11);
    expect(verdicts).toContain('FALSIFIED');
  });
});
