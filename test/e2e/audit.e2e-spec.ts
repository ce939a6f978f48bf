import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, launchBrowser, see, snap, TestBrowser, watch } from '../helpers/browser';
import { readPdf } from '../helpers/pdf';
import { freePort, postGraphQL, ServerProcess, startServerProcess } from '../helpers/server-process';

/**
 * What follows the meeting, in a real browser against the compiled server and the demo world: a cadre (吴国志) reports
 * progress on a commitment from the hall, with a file whose SHA-256 the phone computes; the auditor verifies it on
 * /audit and submits a FALSIFIED finding on his figure with evidence; an admin publishes it there; the cadre sees the
 * notice in his inbox in /hall and answers it (申辩); the admin records the decision on /audit. Screenshots land in
 * test-artifacts/audit/.
 */

const SECRET = 'e2e-audit-secret-e2e-audit-secret-e2e-audit-secret';
const SHOTS = 'audit';
const SLOW = 20_000;
const FILE = { name: '现场照片.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('a photo taken on the visit') };

describe('the auditors’ page and the cadre’s follow-up in chromium', () => {
  let server: ServerProcess;
  let browser: TestBrowser;
  let origin: string;
  let work: string;
  let desk: Page;
  let phone: Page;
  let deskProblems: string[];
  let phoneProblems: string[];
  let admin: string;
  let cadreId: string;
  let claimId: string;
  let commitmentId: string;

  const login = async (u: string) => (await postGraphQL(server.url, `mutation($u: String!) { login(username: $u, password: "leitai-demo") { token } }`, { u })).body.data.login.token as string;
  const call = async (query: string, variables: Record<string, unknown> = {}, token = admin) => {
    const res = await postGraphQL(server.url, query, variables, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };
  const signIn = async (page: Page, username: string) => {
    await page.locator('#login-form').waitFor({ timeout: SLOW });
    await page.fill('#username', username);
    await page.fill('#password', 'leitai-demo');
    await page.click('#login-submit');
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    rmSync(join(ARTIFACTS, SHOTS), { recursive: true, force: true });
    work = mkdtempSync(join(tmpdir(), 'leitai-audit-'));
    server = await startServerProcess({ DATABASE_URL: `sqlite:${work}/leitai.sqlite`, JWT_SECRET: SECRET, PORT: String(await freePort()), SEED_DEMO_HISTORY: '2' });
    origin = `http://localhost:${server.port}`;
    admin = await login('admin');
    const { cadres } = await call(`{ cadres(first: 100) { edges { node { id name } } } }`);
    cadreId = cadres.edges.map((e: any) => e.node).find((c: { name: string }) => c.name === '吴国志').id;
    const { cadreDossier } = await call(`query($c: ID!) { cadreDossier(cadreId: $c) { claims { id } commitments { id status } } }`, { c: cadreId });
    claimId = cadreDossier.claims[0].id;
    // A fulfilled commitment takes no more progress reports in the hall.
    commitmentId = cadreDossier.commitments.find((c: { status: string }) => c.status !== 'FULFILLED').id;
    const { users } = await call(`{ users(first: 100) { edges { node { id username } } } }`);
    const auditorId = users.edges.map((e: { node: { id: string; username: string } }) => e.node).find((u: { username: string }) => u.username === 'auditor').id;
    await call(`mutation($input: AssignAuditInput!) { assignAudit(input: $input) { id } }`, { input: { claimId, method: 'FIELD_VISIT', auditorId, dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString() } });
    browser = await launchBrowser();
    desk = await browser.page(1280, 800);
    phone = await browser.page(390, 844);
    deskProblems = watch(desk, origin);
    phoneProblems = watch(phone, origin);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('refuses a voter at the door of /audit', async () => {
    const shell = await fetch(`${origin}/audit`);
    expect(shell.status).toBe(200);
    expect(await shell.text()).toMatch(/src="\/assets\/audit\.js\?v=[0-9a-f]+"/);
    await desk.goto(`${origin}/audit`);
    await see(desk, 'h1', '核查督导');
    await signIn(desk, 'voter01');
    await see(desk, '#login-error', '需要核查人员');
  }, 60_000);

  it('lets the cadre report progress on a commitment from the hall, the file hashed on the phone', async () => {
    await phone.goto(`${origin}/hall?view=mine`);
    await signIn(phone, 'wuguozhi');
    await phone.locator('#mine-commitments').waitFor({ timeout: SLOW });
    await phone.click(`[data-open-report="commitment-${commitmentId}"]`);
    await phone.fill(`#note-commitment-${commitmentId}`, '新增民宿床位3200张，已完成年度目标的六成');
    await phone.fill(`#percent-commitment-${commitmentId}`, '60');
    await phone.setInputFiles(`#evidence-commitment-${commitmentId}-files`, FILE);
    const item = phone.locator(`#evidence-commitment-${commitmentId}-list .evidence-item`);
    await item.waitFor({ timeout: SLOW });
    await item.locator('.ev-location').fill('平泉市');
    const sha = await item.getAttribute('data-sha256');
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    await snap(phone, SHOTS, '01-hall-report-progress');
    await phone.click(`[data-report="commitment-${commitmentId}"]`);
    await see(phone, '#mine-commitments', '进度已报告');
    const { progressReports } = await call(`{ progressReports(status: PENDING) { edges { node { percent evidence { sha256 location } commitment { id } } } } }`);
    expect(progressReports.edges.map((e: any) => e.node)).toContainEqual({ percent: 60, evidence: [{ sha256: sha, location: '平泉市' }], commitment: { id: commitmentId } });
  }, 90_000);

  it('lets the auditor verify the progress and submit a finding with evidence on /audit', async () => {
    await desk.goto(`${origin}/audit#progress`);
    await signIn(desk, 'auditor');
    await see(desk, '#progress-list', '新增民宿床位3200张');
    await snap(desk, SHOTS, '02-audit-progress');
    await desk.locator('[data-accept]').first().click();
    await see(desk, '#progress-list', '没有待核实');
    const { cadreDossier } = await call(`query($c: ID!) { cadreDossier(cadreId: $c) { commitments { id progress } } }`, { c: cadreId });
    expect(cadreDossier.commitments.find((c: any) => c.id === commitmentId).progress).toBe(60);

    await desk.click('#tab-audits');
    const card = desk.locator('.card.audit[data-status="ASSIGNED"]').first();
    await card.waitFor({ timeout: SLOW });
    expect(await card.textContent()).toContain('吴国志');
    expect(await card.textContent()).toContain('实地走访');
    await card.locator('[data-open]').click();
    await card.locator('label.verdict.falsified').click();
    await card.locator('textarea.summary').fill('实地走访核对台账，床位数与上报数据不符，存在虚报。');
    await card.locator('input[type=file]').setInputFiles(FILE);
    await card.locator('.evidence-item').waitFor({ timeout: SLOW });
    await card.locator('.ev-location').fill('平泉市某民宿村');
    await snap(desk, SHOTS, '03-audit-finding');
    await card.locator('button[type=submit]').click();
    await see(desk, '#toasts', '核查结论已提交');
    const { audits } = await call(`{ audits(status: REPORTED) { claim { id } findings { verdict publishedAt evidence { sha256 } } } }`);
    const mine = audits.find((a: any) => a.claim?.id === claimId);
    expect(mine.findings[0]).toMatchObject({ verdict: 'FALSIFIED', publishedAt: null });
    expect(mine.findings[0].evidence[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  }, 90_000);

  it('lets an admin publish it on /audit; the cadre sees the notice in the hall and answers', async () => {
    await desk.click('#sign-out');
    await signIn(desk, 'admin');
    await desk.click('#tab-publish');
    await see(desk, '#publish-list', '床位数与上报数据不符');
    await snap(desk, SHOTS, '04-audit-publish');
    await desk.locator('[data-publish]').first().click();
    await see(desk, '#publish-list', '没有待公布');

    await phone.goto(`${origin}/hall?view=mine`);
    await see(phone, '#notices', '核查结论', 30_000);
    const finding = phone.locator('#mine-findings .finding.falsified');
    await finding.waitFor({ timeout: SLOW });
    expect(await finding.textContent()).toContain('申辩期限');
    await snap(phone, SHOTS, '05-hall-notice-and-finding');
    await finding.locator('textarea').fill('床位统计口径含在建项目，已补报台账，请予复核。');
    await finding.locator('[data-respond]').click();
    await see(phone, '#mine-findings', '你的申辩');
    await phone.setViewportSize({ width: 390, height: 1600 });
    await snap(phone, SHOTS, '06-hall-answered');
    const { cadreDossier } = await call(`query($c: ID!) { cadreDossier(cadreId: $c) { findings { verdict response { body } } } }`, { c: cadreId });
    expect(cadreDossier.findings.find((f: any) => f.verdict === 'FALSIFIED' && f.response)?.response.body).toBe('床位统计口径含在建项目，已补报台账，请予复核。');

    // The admin, back on /audit, decides on it now that the cadre has answered.
    await desk.click('#tab-decide');
    const decide = desk.locator('#decide-list article', { hasText: '床位统计口径含在建项目' });
    await decide.waitFor({ timeout: SLOW });
    await decide.locator('label.verdict', { hasText: '追究责任' }).click();
    await decide.locator('textarea.decision-reason').fill('虚报床位数据，经申辩复核仍不属实，依规追责。');
    await decide.locator('[data-decide]').click();
    await see(desk, '#decide-list', '已决定：追究责任');
    await snap(desk, SHOTS, '07-audit-decision');
    const { cadreDossier: after } = await call(`query($c: ID!) { cadreDossier(cadreId: $c) { decisions { kind reason } } }`, { c: cadreId });
    expect(after.decisions).toEqual([{ kind: 'ACCOUNTABILITY', reason: '虚报床位数据，经申辩复核仍不属实，依规追责。' }]);

    // The 干部档案 on paper carries the same chain: the finding, the answer, the decision.
    const pdf = await fetch(`${origin}/reports/dossier/${cadreId}.pdf?token=${admin}`);
    expect(pdf.status).toBe(200);
    const { text } = readPdf(Buffer.from(await pdf.arrayBuffer()));
    const flat = text.replace(/\s+/g, '');
    for (const words of ['六、核查结论（已发布）与申辩', '床位统计口径含在建项目', '七、督办事项', '八、处理决定', '虚报床位数据', '追究责任']) expect(flat).toContain(words);
    expect(deskProblems).toEqual([]);
    expect(phoneProblems).toEqual([]);
  }, 90_000);
});
