import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, launchBrowser, see, snap, TestBrowser, watch } from '../helpers/browser';
import { freePort, postGraphQL, ServerProcess, startServerProcess } from '../helpers/server-process';

/**
 * The analysts' page (/analytics) in a real browser against the compiled server and the demo world with its generated
 * history: the analyst signs in, every chart draws, the tables carry the API's numbers, a theme and a region picked
 * are followed (in the URL, across a reload), the indicator comparison marks a falsified value, and nothing is loaded
 * from anywhere but the server. Screenshots land in test-artifacts/analytics/.
 */

const SECRET = 'e2e-analytics-secret-e2e-analytics-secret-e2e';
const SHOTS = 'analytics';
const SLOW = 30_000;
const CHARTS = ['standings', 'trends', 'grades', 'discipline', 'interruptions', 'fulfilment', 'verdicts', 'indicator'] as const;
const REGION = '{ id name }';

/** How the page writes a number: whole numbers as they are, others with two decimals. */
const two = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

describe('the analytics page in chromium', () => {
  let server: ServerProcess;
  let browser: TestBrowser;
  let origin: string;
  let work: string;
  let page: Page;
  let problems: string[];
  let requests: string[];
  let token: string;

  const call = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await postGraphQL(server.url, query, variables, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };

  /** The standings as the page's table should show them: rank, region, score. */
  const standings = async (themeId: string | null) =>
    ((await call(`query($t: ID) { regionStandings(themeId: $t) { rank score speeches region ${REGION} } }`, { t: themeId })).regionStandings as { rank: number; score: number; speeches: number; region: { name: string } }[])
      .filter((r) => r.speeches > 0)
      .map((r) => [String(r.rank), r.region.name, two(r.score)]);

  /** The first `columns` cells of each body row of a table, as text. */
  const tableRows = async (selector: string, columns: number): Promise<string[][]> => {
    const rows: string[][] = [];
    for (const row of await page.locator(`${selector} tbody tr`).all()) rows.push((await row.locator('td').allTextContents()).slice(0, columns).map((t) => t.trim()));
    return rows;
  };

  /** Polls `check` until it holds (the page's CSP forbids the string predicates of waitForFunction). */
  const until = async (what: string, check: () => Promise<boolean>, timeout = SLOW) => {
    const end = Date.now() + timeout;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`waited ${timeout} ms for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  /** Every card has settled (drawn, empty or failed): none still loading. */
  const settled = (on: Page = page) =>
    until('every card to settle', async () => (await on.locator('.chart-card').count()) > 0 && (await on.locator('.chart-card[data-state="loading"]').count()) === 0);

  const param = (name: string) => new URL(page.url()).searchParams.get(name);

  /** Signed in as the analyst, unless already (each test may run alone with -t). */
  const analyst = async () => {
    if (page.url().startsWith(`${origin}/analytics`) && (await page.locator('#cards').count())) return;
    await signIn('analyst');
    await page.locator('#cards').waitFor({ timeout: SLOW });
  };

  /** Whether a card's canvas has pixels drawn on it (not blank, not all one colour). */
  const painted = async (id: string): Promise<number> =>
    Number(
      await page.evaluate(`(() => {
        const canvas = document.querySelector('#${id}-chart canvas');
        if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) inked++;
        return inked;
      })()`),
    );

  const fullShot = async (name: string) => {
    const dir = join(ARTIFACTS, SHOTS);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };

  const signIn = async (username: string) => {
    await page.goto(`${origin}/analytics`);
    await page.locator('#login-form, #sign-out').first().waitFor({ timeout: SLOW });
    if (await page.locator('#sign-out').isVisible()) {
      await page.click('#sign-out');
      await page.locator('#login-form').waitFor({ timeout: SLOW });
    }
    await page.fill('#username', username);
    await page.fill('#password', 'leitai-demo');
    await page.click('#login-submit');
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    rmSync(join(ARTIFACTS, SHOTS), { recursive: true, force: true });
    work = mkdtempSync(join(tmpdir(), 'leitai-analytics-'));
    server = await startServerProcess(
      { DATABASE_URL: `sqlite:${work}/leitai.sqlite`, JWT_SECRET: SECRET, PORT: String(await freePort()), SEED_DEMO_HISTORY: '26' },
      120_000,
    );
    origin = `http://localhost:${server.port}`;
    browser = await launchBrowser();
    token = (await postGraphQL(server.url, `mutation { login(username: "analyst", password: "leitai-demo") { token } }`)).body.data.login.token;
    page = await browser.page(1280, 800);
    problems = watch(page, origin);
    requests = [];
    page.on('request', (req) => requests.push(req.url()));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('serves the shell at /analytics and refuses a voter', async () => {
    const shell = await fetch(`${origin}/analytics`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await shell.text()).toMatch(/src="\/assets\/analytics\.js\?v=[0-9a-f]+"/);

    await signIn('voter01');
    await see(page, '#login-error', '需要数据分析人员');
    expect(await page.locator('#cards').count()).toBe(0);
    await snap(page, SHOTS, '01-voter-refused');
  }, 60_000);

  it('draws every chart for the analyst, and records the time to the first one', async () => {
    await signIn('analyst');
    await page.locator('#cards').waitFor({ timeout: SLOW });
    await settled();
    for (const id of CHARTS) {
      expect([id, await page.getAttribute(`#card-${id}`, 'data-state')]).toEqual([id, 'ready']);
      expect([id, (await painted(id)) > 500]).toEqual([id, true]);
    }
    expect(await page.getAttribute('#card-cadres', 'data-state')).toBe('ready');
    const ranked = (await call(`{ cadreRankings(first: 20) { edges { node { rank } } } }`)).cadreRankings.edges.length;
    expect(ranked).toBeGreaterThan(0);
    expect(await page.locator('#cadres-grid tbody tr').count()).toBe(ranked);

    const first = await page.evaluate(() => performance.getEntriesByName('leitai:first-chart').map((e) => e.startTime));
    expect(first).toHaveLength(1);
    expect(first[0]).toBeGreaterThan(0);
    await see(page, '#first-chart', 'ms');
    console.log(`analytics: first chart drawn ${Math.round(first[0])} ms after navigation start (sign-in included)`);

    // A fresh load with the sign-in kept: the time an analyst waits when opening a link.
    await page.reload();
    await page.waitForFunction(() => performance.getEntriesByName('leitai:first-chart').length > 0, null, { timeout: SLOW });
    const again = await page.evaluate(() => performance.getEntriesByName('leitai:first-chart')[0].startTime);
    console.log(`analytics: first chart drawn ${Math.round(again)} ms after navigation start (signed in, reload)`);
    await settled();
    console.log(`analytics: ${await page.locator('#first-chart').textContent()}`);
    await fullShot('02-charts-1280');
  }, 90_000);

  it('shows the same numbers in the tables as the API, with CSV and XLSX links carrying the filter and the token', async () => {
    await analyst();
    await settled();
    await page.click('#standings-toggle');
    await page.locator('#standings-grid').waitFor({ state: 'visible', timeout: SLOW });
    expect(await page.isVisible('#standings-chart')).toBe(false);
    expect(await tableRows('#standings-grid', 3)).toEqual(await standings(null));
    await page.click('#standings-toggle');
    await page.locator('#standings-chart').waitFor({ state: 'visible', timeout: SLOW });

    type GradeNode = { session: { number: number }; excellent: number; good: number; average: number; poor: number };
    const grades = ((await call(`{ gradeDistributions(first: 100) { edges { node { session { number } excellent good average poor } } } }`)).gradeDistributions.edges as { node: GradeNode }[])
      .map((e) => e.node)
      .reverse();
    const gradeRows = await tableRows('#grades-grid', 5);
    expect(gradeRows.map((r) => r.slice(1))).toEqual(grades.map((g) => [g.excellent, g.good, g.average, g.poor].map(String)));
    expect(gradeRows.map((r) => r[0].split(' ')[0])).toEqual(grades.map((g) => `第${g.session.number}期`));

    const verdicts = (await call(`{ auditVerdicts { total verified partial notFulfilled falsified region ${REGION} } }`)).auditVerdicts as Record<string, number>[];
    expect(await tableRows('#verdicts-grid', 6)).toEqual(
      verdicts.filter((v) => v.total > 0).map((v) => [(v.region as unknown as { name: string }).name, ...[v.verified, v.partial, v.notFulfilled, v.falsified, v.total].map(String)]),
    );

    const csv = await page.getAttribute('#standings-csv', 'href');
    expect(csv).toMatch(/^\/exports\/region-standings\.csv\?token=/);
    const res = await fetch(`${origin}${csv}`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/csv')]);
    expect(await res.text()).toContain((await standings(null))[0][1]);
    expect(await page.getAttribute('#standings-xlsx', 'href')).toMatch(/^\/exports\/region-standings\.xlsx\?token=/);
    for (const [id, name] of [
      ['trends', 'region-trends'],
      ['grades', 'grade-distributions'],
      ['discipline', 'speaking-discipline'],
      ['fulfilment', 'commitment-fulfilment'],
      ['verdicts', 'audit-verdicts'],
    ]) {
      const href = await page.getAttribute(`#${id}-csv`, 'href');
      expect(href).toMatch(new RegExp(`^/exports/${name}\\.csv\\?token=`));
      const file = await fetch(`${origin}${href}`);
      expect([name, file.status, file.headers.get('content-type')]).toEqual([name, 200, expect.stringContaining('text/csv')]);
      const xlsx = await fetch(`${origin}${await page.getAttribute(`#${id}-xlsx`, 'href')}`);
      expect([name, xlsx.status, xlsx.headers.get('content-type')]).toEqual([name, 200, expect.stringContaining('spreadsheetml')]);
    }

    // A cadre's name opens the dossier PDF in a new tab.
    const dossier = await page.getAttribute('#cadres-grid a.cadre >> nth=0', 'href');
    expect(dossier).toMatch(/^\/reports\/dossier\/[^/]+\.pdf\?token=/);
    expect(await page.getAttribute('#cadres-grid a.cadre >> nth=0', 'target')).toBe('_blank');
    const pdf = await fetch(`${origin}${dossier}`);
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);
  }, 60_000);

  it('follows a theme picked and a region clicked: the URL, the charts, and a reload', async () => {
    await analyst();
    const themes = (await call(`{ themes { id title } }`)).themes as { id: string; title: string }[];
    const all = await standings(null);
    let theme: { id: string; title: string } | undefined;
    let expected: string[][] = [];
    for (const t of themes) {
      expected = await standings(t.id);
      if (expected.length && JSON.stringify(expected) !== JSON.stringify(all)) {
        theme = t;
        break;
      }
    }
    expect(theme).toBeDefined();
    const drawn = Number(await page.getAttribute('#card-standings', 'data-drawn'));
    await page.selectOption('#filter-theme', theme!.id);
    await until('the theme in the URL', async () => param('themeId') === theme!.id);
    await until('the standings redrawn', async () => Number(await page.getAttribute('#card-standings', 'data-drawn')) > drawn);
    await settled();
    expect(await tableRows('#standings-grid', 3)).toEqual(expected);
    expect(await page.getAttribute('#standings-csv', 'href')).toContain(`themeId=${encodeURIComponent(theme!.id)}`);

    await page.reload();
    await settled();
    expect(await page.inputValue('#filter-theme')).toBe(theme!.id);
    expect(await tableRows('#standings-grid', 3)).toEqual(expected);

    // A click on a region's row: that region's view.
    const regions = (await call(`{ regions ${REGION} }`)).regions as { id: string; name: string }[];
    const target = regions.find((r) => r.name === expected[0][1])!;
    await page.click('#standings-toggle');
    await page.locator('#standings-grid tbody tr >> nth=0').click();
    await until('the region in the URL', async () => param('regionId') === target.id);
    await settled();
    expect(await page.inputValue('#filter-region')).toBe(target.id);
    const cadreRegions = await page.locator('#cadres-grid tbody tr td:nth-child(4)').allTextContents();
    expect(cadreRegions.length).toBeGreaterThan(0);
    expect(new Set(cadreRegions)).toEqual(new Set([target.name]));
    for (const id of ['fulfilment', 'verdicts']) {
      const state = await page.getAttribute(`#card-${id}`, 'data-state');
      if (state === 'ready') expect(new Set((await tableRows(`#${id}-grid`, 1)).map((r) => r[0]))).toEqual(new Set([target.name]));
      else expect(await page.textContent(`#${id}-state`)).toBe('暂无数据');
    }
    expect(await page.locator('#trends-grid tbody tr').count()).toBe(1);
    await page.click('#standings-toggle');
    await page.reload();
    await settled();
    expect(await page.inputValue('#filter-region')).toBe(target.id);
    expect(await page.locator('#trends-grid tbody tr').count()).toBe(1);
    await fullShot('03-theme-and-region-1280');

    // The page says 暂无数据 for a range with nothing in it.
    await page.fill('#filter-from', '2001-01-01');
    await page.fill('#filter-to', '2001-01-31');
    await page.dispatchEvent('#filter-to', 'change');
    await until('the dates in the URL', async () => param('from') === '2001-01-01' && param('to') === '2001-01-31');
    await settled();
    await see(page, '#standings-state', '暂无数据');
    expect(await page.isVisible('#standings-chart')).toBe(false);
    await page.click('#filter-clear');
    await until('a bare URL', async () => new URL(page.url()).search === '');
    await settled();

    // Hovering a bar shows the tooltip (DOM, within the CSP); clicking the first bar picks its region.
    const best = regions.find((r) => r.name === all[0][1])!;
    const box = (await page.locator('#standings-chart').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.45, box.y + 24);
    await see(page, '.tip', all[0][1]);
    await page.mouse.click(box.x + box.width * 0.45, box.y + 24);
    await until('the region of the bar clicked in the URL', async () => param('regionId') === best.id);
    await settled();
    expect(await page.inputValue('#filter-region')).toBe(best.id);
    await page.click('#filter-clear');
    await until('a bare URL', async () => new URL(page.url()).search === '');
    await settled();
  }, 120_000);

  it('compares a shared indicator across regions and marks a falsified value, unranked', async () => {
    const themes = (await call(`{ themes { id title indicators { id name unit } } }`)).themes as { id: string; indicators: { id: string }[] }[];
    let found: { themeId: string; indicatorId: string; rows: { rank: number | null; verdict: string | null; region: { name: string } }[] } | null = null;
    for (const t of themes)
      for (const i of t.indicators) {
        const rows = (await call(`query($t: ID!, $i: ID!) { indicatorComparison(themeId: $t, indicatorId: $i) { rank verdict value region ${REGION} } }`, { t: t.id, i: i.id })).indicatorComparison;
        if (!found && rows.some((r: { verdict: string | null }) => r.verdict === 'FALSIFIED')) found = { themeId: t.id, indicatorId: i.id, rows };
      }
    expect(found).not.toBeNull();
    await analyst();
    await page.goto(`${origin}/analytics?themeId=${found!.themeId}&indicatorId=${found!.indicatorId}`);
    await settled();
    expect(await page.getAttribute('#card-indicator', 'data-state')).toBe('ready');
    expect(await painted('indicator')).toBeGreaterThan(500);
    const rows = await tableRows('#indicator-grid', 2);
    expect(rows).toEqual(found!.rows.map((r) => [r.rank === null ? '不排名' : String(r.rank), r.region.name]));
    const falsified = page.locator('#indicator-grid tbody tr.falsified');
    expect(await falsified.count()).toBe(found!.rows.filter((r) => r.verdict === 'FALSIFIED').length);
    expect(await falsified.first().textContent()).toContain('弄虚作假');
    const csv = await page.getAttribute('#indicator-csv', 'href');
    expect(csv).toContain(`indicatorId=${encodeURIComponent(found!.indicatorId)}`);
    const file = await fetch(`${origin}${csv}`);
    expect([file.status, file.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/csv')]);
    expect(await file.text()).toContain('弄虚作假');
    await page.locator('#card-indicator').scrollIntoViewIfNeeded();
    await snap(page, SHOTS, '04-indicator');
  }, 60_000);

  it('shows the server’s message in a card whose query is refused', async () => {
    await analyst();
    await page.goto(`${origin}/analytics?regionId=99999`);
    await settled();
    expect(await page.getAttribute('#card-trends', 'data-state')).toBe('error');
    await see(page, '#trends-state', '找不到');
    expect(await page.textContent('#trends-state')).toMatch(/99999/);
    // The standings take no region and still draw.
    expect(await page.getAttribute('#card-standings', 'data-state')).toBe('ready');
    await snap(page, SHOTS, '07-error');
  }, 60_000);

  it('fits a phone (signed in as the secretary), in English too, and never leaves the server', async () => {
    const phone = await browser.page(390, 844);
    const phoneProblems = watch(phone, origin);
    await phone.goto(`${origin}/analytics`);
    await phone.locator('#login-form, #sign-out').first().waitFor({ timeout: SLOW });
    if (await phone.locator('#sign-out').isVisible()) {
      await phone.click('#sign-out');
      await phone.locator('#login-form').waitFor({ timeout: SLOW });
    }
    await phone.fill('#username', 'secretary');
    await phone.fill('#password', 'leitai-demo');
    await phone.click('#login-submit');
    await phone.locator('#cards').waitFor({ timeout: SLOW });
    await settled(phone);
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const dir = join(ARTIFACTS, SHOTS);
    mkdirSync(dir, { recursive: true });
    await phone.screenshot({ path: join(dir, '05-charts-390.png'), fullPage: true });
    await phone.screenshot({ path: join(dir, '05-top-390.png') });
    for (const id of ['standings', 'trends', 'discipline', 'indicator', 'cadres']) await phone.locator(`#card-${id}`).screenshot({ path: join(dir, `05-${id}-390.png`) });
    expect(await phone.locator('#card-standings').getAttribute('data-state')).toBe('ready');

    await page.goto(`${origin}/analytics?lang=en`);
    await settled();
    await see(page, '#card-standings h2', 'Region standings');
    await fullShot('06-english-1280');

    expect(phoneProblems).toEqual([]);
    expect(problems).toEqual([]);
    const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requests.length).toBeGreaterThan(10);
  }, 90_000);
});
