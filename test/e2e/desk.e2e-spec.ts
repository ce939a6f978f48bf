import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, launchBrowser, see, snap, TestBrowser, text, watch } from '../helpers/browser';
import { freePort, postGraphQL, ServerProcess, startServerProcess } from '../helpers/server-process';

/**
 * The organisers' desk (/desk) in a real browser against the compiled server and the demo world: the secretary signs
 * in, fills the roster template with two rows, previews and imports it, schedules a series of three, sets a line-up
 * by dragging, registers the last session's attendees, issues the links, and downloads a report and marks it sent.
 * Screenshots land in test-artifacts/desk/.
 */

const SECRET = 'e2e-desk-secret-e2e-desk-secret-e2e-desk-secret';
const SHOTS = 'desk';
const SLOW = 20_000;
const SERIES = '项目建设大比武';

describe('the desk in chromium', () => {
  let server: ServerProcess;
  let browser: TestBrowser;
  let origin: string;
  let work: string;
  let page: Page;
  let problems: string[];
  let token: string;

  const call = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await postGraphQL(server.url, query, variables, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };

  /** Signs the page in as the demo's secretary unless it already is (each test may run alone with -t). */
  const signedIn = async () => {
    if (!page.url().startsWith(`${origin}/desk`)) await page.goto(`${origin}/desk`);
    await page.locator('#login-form, #sign-out').first().waitFor({ timeout: SLOW });
    if (!(await page.locator('#login-form').isVisible())) return;
    await page.fill('#username', 'secretary');
    await page.fill('#password', 'leitai-demo');
    await page.click('#login-submit');
    await page.locator('#sign-out').waitFor({ timeout: SLOW });
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    rmSync(join(ARTIFACTS, SHOTS), { recursive: true, force: true });
    work = mkdtempSync(join(tmpdir(), 'leitai-desk-'));
    server = await startServerProcess({ DATABASE_URL: `sqlite:${work}/leitai.sqlite`, JWT_SECRET: SECRET, PORT: String(await freePort()), SEED_DEMO_HISTORY: '2' });
    origin = `http://localhost:${server.port}`;
    browser = await launchBrowser();
    token = (await postGraphQL(server.url, `mutation { login(username: "secretary", password: "leitai-demo") { token } }`)).body.data.login.token;
    page = await browser.page(1280, 800);
    problems = watch(page, origin);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('serves the shell at /desk and refuses a voter at the door', async () => {
    const shell = await fetch(`${origin}/desk`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await shell.text()).toMatch(/src="\/assets\/desk\.js\?v=[0-9a-f]+"/);

    await page.goto(`${origin}/desk`);
    await see(page, 'h1', '组织部工作台');
    await page.fill('#username', 'voter01');
    await page.fill('#password', 'leitai-demo');
    await page.click('#login-submit');
    await see(page, '#login-error', '需要组织部');
    await snap(page, SHOTS, '01-sign-in-refused');
  }, 60_000);

  it('imports the template filled with two rows: preview, then apply, then the same file again changes nothing', async () => {
    await signedIn();
    await see(page, '#roster h2', '导入干部名册');

    // The template the page links to, filled in as the department would.
    const href = await page.getAttribute('#roster-template', 'href');
    const res = await fetch(`${origin}${href}`);
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = book.worksheets[0];
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map((v) => String(v ?? '').trim());
    expect(header).toEqual(expect.arrayContaining(['单位', '姓名', '职务', '账号', '角色', '手机']));
    const regions: { name: string }[] = (await call(`{ regions { name } }`)).regions;
    const rows = [
      { 单位: regions[0].name, 姓名: '测试干部甲', 职务: '副区长', 账号: 'desk_e2e_a', 角色: 'speaker,voter', 手机: '13800000001' },
      { 单位: regions[1].name, 姓名: '测试干部乙', 职务: '副县长', 账号: 'desk_e2e_b', 角色: 'voter', 手机: '' },
    ];
    for (let r = sheet.rowCount; r >= 2; r--) sheet.spliceRows(r, 1);
    for (const row of rows) sheet.addRow(header.map((h) => row[h as keyof typeof row] ?? ''));
    const file = join(work, 'roster.xlsx');
    await book.xlsx.writeFile(file);

    await page.setInputFiles('#roster-import-file', file);
    await page.click('#roster-import-preview');
    await see(page, '#roster-import-summary', '共 2 行', SLOW);
    await see(page, '#roster-import-summary', '新建 2');
    await see(page, '#roster-import-items', '测试干部甲');
    expect(await page.isEnabled('#roster-import-apply')).toBe(true);
    await snap(page, SHOTS, '02-roster-preview');
    await page.click('#roster-import-apply');
    await see(page, '#roster-import-summary', '已导入：新建 2', SLOW);
    await snap(page, SHOTS, '03-roster-applied');

    const cadres = (await call(`{ cadres(first: 100) { edges { node { name position } } } }`)).cadres.edges.map((e: { node: { name: string } }) => e.node.name);
    expect(cadres).toEqual(expect.arrayContaining(['测试干部甲', '测试干部乙']));

    // The same file again: nothing to create or update.
    await page.setInputFiles('#roster-import-file', file);
    await page.click('#roster-import-preview');
    await see(page, '#roster-import-summary', '不变 2', SLOW);

    // A row with a unit that does not exist: named by its row and column, and nothing can be applied.
    sheet.addRow(header.map((h) => ({ 单位: '承德市外', 姓名: '测试干部丙', 职务: '副县长', 账号: 'desk_e2e_c', 角色: '', 手机: '' })[h] ?? ''));
    const bad = join(work, 'roster-bad.xlsx');
    await book.xlsx.writeFile(bad);
    await page.setInputFiles('#roster-import-file', bad);
    await page.click('#roster-import-preview');
    await see(page, '#roster-import-errors', '承德市外', SLOW);
    const errorRow = await page.locator('#roster-import-errors tbody tr').first().locator('td').allTextContents();
    expect(errorRow.slice(0, 2)).toEqual(['4', '单位']);
    expect(await page.isEnabled('#roster-import-apply')).toBe(false);
    await snap(page, SHOTS, '03b-roster-error');
  }, 90_000);

  it('schedules a series of three, sets a line-up by dragging, registers the last attendees and issues the links', async () => {
    await signedIn();
    await page.click('#tab-sessions');
    await page.locator('#series-form').waitFor({ timeout: SLOW });
    await page.fill('#series-title', SERIES);
    await page.fill('#series-venue', '市委党校报告厅');
    await page.fill('#series-count', '3');
    await page.click('#series-submit');
    await see(page, '#series-status', '已安排 3 期', SLOW);
    await see(page, '#desk-sessions', `${SERIES}（3/3）`);
    expect(await page.locator('#desk-sessions .session-item', { hasText: SERIES }).count()).toBe(3);
    await see(page, '#detail-title', `${SERIES}（1/3）`);
    const title = await text(page, '#detail-title');
    const number = Number(/第 (\d+) 期/.exec(title)![1]);

    // A speaker from each of three units, then the third dragged to the top.
    const options: string[] = [];
    for (const index of [1, 2, 3]) {
      await page.selectOption('#add-region', { index });
      await page.locator('#add-cadre:enabled').waitFor({ timeout: SLOW });
      const first = await page.locator('#add-cadre option').evaluateAll((els) => els.map((o) => o.getAttribute('value') ?? '').find(Boolean));
      await page.selectOption('#add-cadre', first!);
      await page.click('#add-speaker');
      options.push(first!);
    }
    expect(await page.locator('#lineup li.slot').count()).toBe(3);
    await page.dragAndDrop('#lineup li.slot:nth-child(3)', '#lineup li.slot:nth-child(1)');
    const order = await page.locator('#lineup li.slot').evaluateAll((els) => els.map((el) => el.getAttribute('data-cadre')));
    expect(order).toEqual([options[2], options[0], options[1]]);
    await page.fill('#lineup li.slot:nth-child(1) input.minutes', '10');
    await page.click('#save-lineup');
    await see(page, '#lineup-status', '已保存', SLOW);
    await snap(page, SHOTS, '04-series-and-lineup');

    const sessions = (await call(`{ sessions(first: 100) { edges { node { id number speeches { order allottedSeconds cadre { id } } } } } }`)).sessions.edges.map(
      (e: { node: unknown }) => e.node,
    ) as { id: string; number: number; speeches: { order: number; allottedSeconds: number; cadre: { id: string } }[] }[];
    const mine = sessions.find((s) => s.number === number)!;
    expect(mine.speeches.map((s) => s.cadre.id)).toEqual([options[2], options[0], options[1]]);
    expect(mine.speeches.map((s) => s.allottedSeconds)).toEqual([600, 480, 480]);

    // The same hall as the session before.
    const before = sessions.find((s) => s.number === number - 1)!;
    const expected = (await call(`query($id: ID!) { session(id: $id) { attendeeCount } }`, { id: before.id })).session.attendeeCount;
    await page.click('#attendees-from-last');
    await see(page, '#attendee-count', `已登记 ${expected} 人`, SLOW);

    await page.click('#issue-links');
    await see(page, '#links-out', `已生成 ${expected} 个链接`, SLOW);
    expect(await page.locator('#links-table tbody tr').count()).toBe(Math.min(expected, 200));
    await page.click('#issue-screen');
    const screenUrl = await page.locator('#screen-url').inputValue({ timeout: SLOW });
    expect(screenUrl).toMatch(new RegExp(`/screen/${mine.id}\\?token=`));
    await page.locator('#issue-screen').scrollIntoViewIfNeeded();
    await snap(page, SHOTS, '05-attendees-and-links');
  }, 120_000);

  it('downloads a sealed session’s evaluation report and marks it sent', async () => {
    await signedIn();
    await page.click('#tab-reports');
    await page.locator('#report-evaluation').waitFor({ timeout: SLOW });
    const reportHref = await page.getAttribute('#report-evaluation', 'href');
    const direct = await fetch(`${origin}${reportHref}`);
    expect([direct.status, direct.headers.get('content-type'), direct.status === 200 ? '' : await direct.text(), reportHref]).toEqual([200, 'application/pdf', '', reportHref]);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: SLOW }), page.click('#report-evaluation')]);
    const pdf = readFileSync((await download.path())!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await see(page, '#sent-evaluation', '尚未报送');
    await page.fill('#sent-note-evaluation', '纸质报送');
    await page.click('#mark-sent-evaluation');
    await see(page, '#sent-evaluation', '报送', SLOW);
    await see(page, '#sent-evaluation', '纸质报送');
    await snap(page, SHOTS, '06-reports');
    expect(problems).toEqual([]);
  }, 60_000);

  it("hands a leader's directive to the cadre responsible as an action item (督办)", async () => {
    const { sessions } = await call(`{ sessions(first: 100) { edges { node { id phase } } } }`);
    let found: { session: string; review: string } | null = null;
    for (const { node } of sessions.edges as { node: { id: string; phase: string } }[]) {
      if (node.phase === 'SCHEDULED') continue;
      const { reviews } = await call(`query($s: ID!) { reviews(sessionId: $s) { id tone } }`, { s: node.id });
      const directive = reviews.find((r: { tone: string }) => r.tone === 'DIRECTIVE');
      if (directive) {
        found = { session: node.id, review: directive.id };
        break;
      }
    }
    expect(found).not.toBeNull();
    await signedIn();
    await page.click('#tab-followup');
    await page.locator('#follow-session').waitFor({ timeout: SLOW });
    await page.selectOption('#follow-session', found!.session);
    const form = page.locator(`#directive-${found!.review}`);
    await form.waitFor({ timeout: SLOW });
    await form.locator('.item-title').fill('谋划明年重大项目招商引资');
    await form.locator(`[data-directive="${found!.review}"]`).click();
    await see(page, '#action-items', '谋划明年重大项目招商引资', SLOW);
    await see(page, '#items-table', '办理中');
    await snap(page, SHOTS, '07-action-items');
    const { actionItems } = await call(`{ actionItems { edges { node { title status review { id } } } } }`);
    expect(actionItems.edges.map((e: { node: unknown }) => e.node)).toContainEqual({ title: '谋划明年重大项目招商引资', status: 'OPEN', review: { id: found!.review } });
    // The 督办台账 in Excel: the same item, its owner and its status.
    const csv = await (await fetch(`${origin}${await page.getAttribute('#items-csv', 'href')}`)).text();
    const line = csv.split('\r\n').find((l) => l.startsWith('谋划明年重大项目招商引资,'));
    expect(line).toMatch(/,办理中,0,/);
    expect(problems).toEqual([]);
  }, 60_000);
});
