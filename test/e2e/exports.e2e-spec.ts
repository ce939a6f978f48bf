import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { postGraphQL, ServerProcess, startServerProcess } from '../helpers/server-process';

/** Exports and the explorer, against a server whose demo world includes a little generated history. */
describe('exports and the explorer', () => {
  let server: ServerProcess;
  let base: string;
  let analyst: string;
  let voter: string;
  const login = async (u: string) => (await postGraphQL(server.url, `mutation($u: String!) { login(username: $u, password: "leitai-demo") { token } }`, { u })).body.data.login.token as string;

  beforeAll(async () => {
    server = await startServerProcess({ DATABASE_URL: `sqlite:${mkdtempSync(join(tmpdir(), 'leitai-exports-'))}/leitai.sqlite`, SEED_DEMO_HISTORY: '3' }, 60_000);
    base = server.url.replace('/graphql', '');
    analyst = await login('analyst');
    voter = await login('voter01');
  });
  afterAll(() => server?.stop());

  it('streams region standings as CSV with a BOM, so Excel reads the Chinese', async () => {
    const res = await fetch(`${base}/exports/region-standings.csv`, { headers: { authorization: `Bearer ${analyst}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toMatch(/^名次 rank,县市区 region/);
    expect(lines.slice(1).map((l) => l.split(',')[1]).sort()).toContain('双桥区');
  });

  it('writes cadre rankings as an XLSX workbook that opens with the same rows as the GraphQL query', async () => {
    const res = await fetch(`${base}/exports/cadre-rankings.xlsx?token=${analyst}`);
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = workbook.getWorksheet('cadre-rankings')!;
    const ranking = (await postGraphQL(server.url, `{ cadreRankings(first: 100) { totalCount edges { node { rank cadre { name } } } } }`, {}, analyst)).body.data.cadreRankings;
    expect(sheet.rowCount).toBe(ranking.totalCount + 1);
    expect(sheet.getRow(2).getCell(2).value).toBe(ranking.edges[0].node.cadre.name);
  });

  it('exports one session’s published results', async () => {
    const res = await fetch(`${base}/exports/session-results.csv?sessionId=1`, { headers: { authorization: `Bearer ${analyst}` } });
    expect(res.status).toBe(200);
    const text = (await res.text()).replace(/^\uFEFF/, '');
    expect(text.trim().split('\r\n')).toHaveLength(12);
    expect(text).toMatch(/吴国志/);
  });

  /** A CSV export's rows after the header, split into cells (none of these tables has a comma inside a cell). */
  const csvRows = async (path: string) => {
    const res = await fetch(`${base}${path}${path.includes('?') ? '&' : '?'}token=${analyst}`);
    expect(res.status).toBe(200);
    const [header, ...rows] = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    return { header, rows: rows.map((r) => r.split(',')) };
  };

  it('exports the table behind each chart of the analysts’ page with the same numbers as its query', async () => {
    const q = async (query: string, variables: Record<string, unknown> = {}) => (await postGraphQL(server.url, query, variables, analyst)).body.data;
    const trends = (await q(`{ regionTrends { series { region { name } scores } } }`)).regionTrends;
    const trendRows = await csvRows('/exports/region-trends.csv');
    expect(trendRows.header).toMatch(/^县市区 region,期数 session,日期 date,得分 score/);
    expect(trendRows.rows).toHaveLength(trends.series.reduce((n: number, s: any) => n + s.scores.filter((v: number | null) => v !== null).length, 0));

    const distributions = (await q(`{ gradeDistributions(first: 100) { totalCount edges { node { session { number } excellent } } } }`)).gradeDistributions;
    const distributionRows = await csvRows('/exports/grade-distributions.csv');
    expect(distributionRows.rows.map((r) => [Number(r[0]), Number(r[4])])).toEqual(distributions.edges.map((e: any) => [e.node.session.number, e.node.excellent]));

    const discipline = (await q(`{ speakingDiscipline { region { name } speeches cutOffs } }`)).speakingDiscipline;
    expect((await csvRows('/exports/speaking-discipline.csv')).rows.map((r) => [r[0], Number(r[1]), Number(r[7])])).toEqual(discipline.map((d: any) => [d.region.name, d.speeches, d.cutOffs]));

    const fulfilment = (await q(`{ commitmentFulfilment { region { name } commitments } }`)).commitmentFulfilment;
    expect((await csvRows('/exports/commitment-fulfilment.csv')).rows.map((r) => [r[0], Number(r[1])])).toEqual(fulfilment.map((f: any) => [f.region.name, f.commitments]));

    const verdicts = (await q(`{ auditVerdicts { region { name } total } }`)).auditVerdicts;
    expect((await csvRows('/exports/audit-verdicts.csv')).rows.map((r) => [r[0], Number(r[5])])).toEqual(verdicts.map((v: any) => [v.region.name, v.total]));
    expect((await fetch(`${base}/exports/audit-verdicts.csv?method=GUESSWORK&token=${analyst}`)).status).toBe(400);

    const theme = (await q(`{ themes { id indicators { id name } } }`)).themes[0];
    const indicator = theme.indicators.find((i: any) => i.name === '新增民宿床位');
    const compared = (await q(`query($t: ID!, $i: ID!) { indicatorComparison(themeId: $t, indicatorId: $i) { rank region { name } value verdict } }`, { t: theme.id, i: indicator.id })).indicatorComparison;
    const comparedRows = await csvRows(`/exports/indicator-comparison.csv?themeId=${theme.id}&indicatorId=${indicator.id}`);
    expect(comparedRows.rows.map((r) => [r[0] === '' ? null : Number(r[0]), r[1], Number(r[4])])).toEqual(compared.map((c: any) => [c.rank, c.region.name, c.value]));
    expect((await fetch(`${base}/exports/indicator-comparison.csv?token=${analyst}`)).status).toBe(400);
  });

  it.each([
    ['an unknown table', '/exports/nope.csv', 404, 'NOT_FOUND'],
    ['a range ending before it starts', '/exports/region-standings.csv?from=2022-01-01&to=2021-01-01', 400, 'BAD_USER_INPUT'],
    ['an unknown region', '/exports/cadre-rankings.csv?regionId=9999', 404, 'NOT_FOUND'],
    ['session results without a session', '/exports/session-results.csv', 400, 'BAD_USER_INPUT'],
  ])('answers %s (%s) with %i', async (_what, path, status, code) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${analyst}` } });
    expect(res.status).toBe(status);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe(code);
  });

  it('refuses exports without a token (401) and to a voter (403)', async () => {
    expect((await fetch(`${base}/exports/region-standings.csv`)).status).toBe(401);
    expect((await fetch(`${base}/exports/region-standings.csv`, { headers: { authorization: `Bearer ${voter}` } })).status).toBe(403);
  });

  it('serves GraphiQL and its scripts from the server itself, with no external address', async () => {
    const page = await (await fetch(`${base}/explorer`)).text();
    expect(page).toMatch(/graphiql\.js/);
    expect(page).not.toMatch(/https?:\/\//);
    for (const asset of ['react.js', 'react-dom.js', 'graphiql.js', 'graphiql.css', 'start.js']) {
      expect((await fetch(`${base}/explorer/assets/${asset}`)).status).toBe(200);
    }
  });
});
