import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, launchSeparateBrowser, see, snap, TestBrowser, watch } from '../helpers/browser';
import { freePort, postGraphQL, ServerProcess, startServerProcess } from '../helpers/server-process';

/**
 * The desk's 纸质票 tab in a real browser against the compiled server and the demo world: session 4 is run to its
 * evaluation, the secretary types the hand count (the page names an impossible sum before sending), enters it; an
 * admin on another browser confirms it; the chair closes and the results hold the paper ballots. Screenshots land in
 * test-artifacts/desk-paper/.
 */

const SECRET = 'e2e-paper-secret-e2e-paper-secret-e2e-paper-secret';
const SHOTS = 'desk-paper';
const SLOW = 20_000;
const BALLOTS = 20;
/** Each speaker's counts on the 20 paper ballots: 11 speakers, so at most 3 EXCELLENT a ballot, 60 in all. */
const COUNTS = { excellent: 5, good: 10, average: 4, poor: 1 };

describe('the desk’s paper ballots in chromium', () => {
  let server: ServerProcess;
  let browser: TestBrowser;
  let origin: string;
  let work: string;
  let sessionId: string;
  let speeches: { id: string }[];
  let chair: string;

  const call = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await postGraphQL(server.url, query, variables, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };
  const login = async (u: string) => (await postGraphQL(server.url, `mutation($u: String!) { login(username: $u, password: "leitai-demo") { token } }`, { u })).body.data.login.token as string;
  const signIn = async (page: Page, username: string) => {
    await page.goto(`${origin}/desk#paper`);
    await page.locator('#login-form').waitFor({ timeout: SLOW });
    await page.fill('#username', username);
    await page.fill('#password', 'leitai-demo');
    await page.click('#login-submit');
    await page.locator('#paper').waitFor({ timeout: SLOW });
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    rmSync(join(ARTIFACTS, SHOTS), { recursive: true, force: true });
    work = mkdtempSync(join(tmpdir(), 'leitai-paper-'));
    server = await startServerProcess({ DATABASE_URL: `sqlite:${work}/leitai.sqlite`, JWT_SECRET: SECRET, PORT: String(await freePort()) });
    origin = `http://localhost:${server.port}`;
    browser = await launchSeparateBrowser();

    // Session 4 of the demo, run to its evaluation with everyone registered present.
    chair = await login('chair');
    const session = (await call(chair, `{ sessions(first: 1) { edges { node { id speeches { id } } } } }`)).sessions.edges[0].node;
    sessionId = session.id;
    speeches = session.speeches;
    const room = (m: string, args = '') => call(chair, `mutation($s: ID!) { ${m}(sessionId: $s${args}) { seq } }`, { s: sessionId });
    await room('advancePhase', ', phase: SPEECHES');
    for (let i = 0; i < speeches.length; i++) {
      await room('startSpeech');
      await room('endSpeech');
    }
    for (const phase of ['EXCHANGE', 'SUMMARY', 'EVALUATION']) await room('advancePhase', `, phase: ${phase}`);
    const present = (await call(chair, `query($s: ID!) { attendance(sessionId: $s) { entries { user { id } } } }`, { s: sessionId })).attendance.entries.map((e: { user: { id: string } }) => e.user.id);
    for (let i = 0; i < present.length; i += 100) await call(chair, `mutation($s: ID!, $u: [ID!]!) { markPresent(sessionId: $s, userIds: $u, present: true) { present } }`, { s: sessionId, u: present.slice(i, i + 100) });
    await call(chair, `mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: sessionId });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('has the secretary enter the count, an admin confirm it, and the close count it', async () => {
    const secretary = await browser.page(1280, 900);
    const problems = watch(secretary, origin);
    await signIn(secretary, 'secretary');
    await see(secretary, '#tab-paper', '纸质票');
    await see(secretary, '#paper-box', '应投');
    expect(await secretary.locator('#paper-table tbody tr').count()).toBe(speeches.length);

    await secretary.fill('#paper-ballots', String(BALLOTS));
    for (const sp of speeches) {
      for (const [grade, n] of Object.entries(COUNTS)) await secretary.fill(`.paper-count[data-speech="${sp.id}"][data-grade="${grade}"]`, String(n));
    }
    // One speaker with more grades than ballots: named before anything is sent.
    await secretary.fill(`.paper-count[data-speech="${speeches[0].id}"][data-grade="poor"]`, '2');
    await see(secretary, '#paper-problems', '超过纸质票张数 20');
    await secretary.click('#paper-enter');
    await snap(secretary, SHOTS, '1-impossible-sum');
    await secretary.fill(`.paper-count[data-speech="${speeches[0].id}"][data-grade="poor"]`, '1');
    expect(await secretary.locator('#paper-problems li').count()).toBe(0);

    await secretary.click('#paper-enter');
    await see(secretary, '#paper-status', '待另一人确认', SLOW);
    await see(secretary, '#paper-status', '录入');
    expect(await secretary.isDisabled('#paper-confirm')).toBe(true);
    await snap(secretary, SHOTS, '2-entered');

    const admin = await browser.page(1280, 900);
    problems.push(...watch(admin, origin));
    await signIn(admin, 'admin');
    await see(admin, '#paper-status', '待另一人确认');
    expect(await admin.inputValue('#paper-ballots')).toBe(String(BALLOTS));
    await admin.click('#paper-confirm');
    await see(admin, '#paper-status', '已确认', SLOW);
    expect(await admin.isDisabled('#paper-enter')).toBe(true);
    await snap(admin, SHOTS, '3-confirmed');

    // 20 paper ballots, none on phones: below the quorum of 34, so the chair closes with a reason.
    const closed = (await call(chair, `mutation($s: ID!) { closeEvaluation(sessionId: $s, force: true, reason: "演示：纸质票") { ballotsCast } }`, { s: sessionId })).closeEvaluation;
    expect(closed.ballotsCast).toBe(BALLOTS);
    const results = (await call(chair, `query($s: ID!) { evaluation(sessionId: $s) { results { excellent good average poor } } }`, { s: sessionId })).evaluation.results;
    expect(results).toHaveLength(speeches.length);
    for (const r of results) expect(r).toEqual(COUNTS);
    expect(problems).toEqual([]);
  }, 120_000);
});
