import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, launchBrowser, see, snap, TestBrowser, text, watch } from '../helpers/browser';
import { freePort, postGraphQL, ServerProcess, startServerProcess } from '../helpers/server-process';

/**
 * The big screen and the chair's console in a real browser (Debian's chromium through playwright-core), against the
 * compiled server: the console runs the demo session while the screen follows it, and a restart of the server is
 * ridden out. Screenshots of the main steps land in test-artifacts/pages/.
 */

const SECRET = 'e2e-pages-secret-e2e-pages-secret-e2e-pages';
const SHOTS = 'pages';
const FAST = 1000;
const SLOW = 10_000;

/** "04:59" → 299, "+00:12" → -12. */
function seconds(text: string): number {
  const m = /^(\+)?(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) throw new Error(`not a countdown: ${JSON.stringify(text)}`);
  const s = Number(m[2]) * 60 + Number(m[3]);
  return m[1] ? -s : s;
}

describe('the big screen and the chair console in chromium', () => {
  let env: Record<string, string>;
  let server: ServerProcess;
  let browser: TestBrowser;
  let origin: string;
  /** The demo world's upcoming session (session 4 in the first demo data; found, not assumed). */
  let upcoming: { id: string; number: number; speeches: { id: string; cadre: { name: string; region: { name: string } } }[] };

  const call = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await postGraphQL(server.url, query, variables, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };
  const login = async (username: string) =>
    (await postGraphQL(server.url, `mutation($u: String!) { login(username: $u, password: "leitai-demo") { token } }`, { u: username })).body.data.login
      .token as string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    rmSync(join(ARTIFACTS, SHOTS), { recursive: true, force: true });
    const port = await freePort();
    env = {
      DATABASE_URL: `sqlite:${mkdtempSync(join(tmpdir(), 'leitai-pages-'))}/leitai.sqlite`,
      JWT_SECRET: SECRET,
      PORT: String(port),
      // The ballots here are cast with castBallot.
      BALLOT_MODE: 'simple',
    };
    server = await startServerProcess(env);
    origin = `http://localhost:${server.port}`;
    const sessions = await call(
      await login('admin'),
      `{ sessions(first: 5) { edges { node { id number phase speeches { id cadre { name region { name } } } } } } }`,
    );
    upcoming = sessions.sessions.edges.map((e: { node: any }) => e.node).find((n: { phase: string }) => n.phase === 'SCHEDULED');
    expect(upcoming.speeches.length).toBeGreaterThanOrEqual(3);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves small CSP-guarded shells and cacheable bundles from the server itself', async () => {
    const shell = await fetch(`${origin}/screen/${upcoming.id}?token=x`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await shell.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>|<style>|style=/);
    const script = /src="(\/assets\/screen\.js\?v=[0-9a-f]+)"/.exec(html);
    expect(script).not.toBeNull();
    const asset = await fetch(`${origin}${script![1]}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await asset.text()).length).toBeLessThan(150_000);
    expect((await fetch(`${origin}/console`)).status).toBe(200);
    expect((await fetch(`${origin}/assets/nothing.js`)).status).toBe(404);
  });

  it('opens the front door at /: what the server is, a way in for each role, and its health', async () => {
    const res = await fetch(`${origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toMatch(/src="\/assets\/home\.js\?v=[0-9a-f]+"/);

    const phone = await browser.page(360, 740);
    const problems = watch(phone, origin);
    await phone.goto(`${origin}/`);
    await see(phone, 'h1', '擂台');
    expect(await phone.locator('a[href="/console"]').count()).toBeGreaterThan(0);
    expect(await phone.locator('a[href="/explorer"]').count()).toBe(1);
    expect(await phone.locator('a[href="/hall"]').count()).toBe(1);
    expect(await phone.locator('a[href="/desk"]').count()).toBe(1);
    expect(await phone.locator('a[href="/analytics"]').count()).toBe(1);
    expect(await phone.locator('a[href="/audit"]').count()).toBe(1);
    await see(phone, '#healthz', '正常');
    await see(phone, '#readyz', '正常');
    // Nothing wider than the phone, and every link big enough to tap.
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    for (const box of await phone.locator('a').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height))) expect(box).toBeGreaterThanOrEqual(44);
    await snap(phone, SHOTS, '00-home-phone');
    await phone.setViewportSize({ width: 360, height: 1400 });
    await snap(phone, SHOTS, '00-home-phone-full');

    const desktop = await browser.page(1280, 800);
    const desktopProblems = watch(desktop, origin);
    await desktop.goto(`${origin}/?lang=en`);
    await see(desktop, '#healthz', 'OK');
    await see(desktop, '#readyz', 'OK');
    expect(await desktop.locator('a[href="/audit?lang=en"]').count()).toBe(1);
    expect(await desktop.getAttribute('html', 'lang')).toBe('en');
    expect(await desktop.locator('a[href="/console?lang=en"]').count()).toBeGreaterThan(0);
    await snap(desktop, SHOTS, '00-home-desktop-english');
    await desktop.goto(`${origin}/`);
    await see(desktop, '#healthz', '正常');
    await snap(desktop, SHOTS, '00-home-desktop');

    expect(problems).toEqual([]);
    expect(desktopProblems).toEqual([]);
    await phone.close();
    await desktop.close();
  });

  it('runs the upcoming demo session from the console while the screen follows, then rides out a server restart', async () => {
    const consolePage = await browser.page(1280, 800);
    const consoleProblems = watch(consolePage, origin);
    const pages: Record<string, Page> = { console: consolePage };
    try {
      await runSession(consolePage, consoleProblems, pages);
    } catch (err) {
      // What the pages showed when it went wrong, next to the other screenshots.
      for (const [name, page] of Object.entries(pages)) await snap(page, SHOTS, `failure-${name}`).catch(() => undefined);
      throw err;
    }
  }, 180_000);

  async function runSession(consolePage: Page, consoleProblems: string[], pages: Record<string, Page>): Promise<void> {

    const { id: s, number, speeches } = upcoming;
    const first = speeches[0].cadre;
    const second = speeches[1].cadre;

    // Sign in and pick the upcoming session.
    await consolePage.goto(`${origin}/console`);
    await consolePage.locator('#username').fill('chair');
    await consolePage.locator('#password').fill('leitai-demo');
    await consolePage.locator('#login-submit').click();
    await consolePage.locator(`button.session-pick[data-number="${number}"]`).click({ timeout: SLOW });
    await consolePage.locator('#start-next').waitFor({ timeout: SLOW });
    await see(consolePage, '#link', '实时');

    // The console hands out the screen's link; the hall's machine opens it.
    await consolePage.locator('#screen-link-btn').click();
    await consolePage.locator('#screen-link-box').waitFor({ state: 'visible', timeout: SLOW });
    const screenUrl = await consolePage.locator('#screen-link').inputValue({ timeout: SLOW });
    expect(screenUrl).toMatch(new RegExp(`^${origin}/screen/${s}\\?token=.+`));
    const screen = await browser.page(1920, 1080);
    pages.screen = screen;
    const screenProblems = watch(screen, origin);
    await screen.goto(screenUrl);
    await see(screen, '#phase', '即将开始');
    await screen.waitForFunction(`(document.getElementById('theme')?.textContent ?? '').length > 0`, null, { timeout: SLOW });
    expect(await text(screen, '#session-title')).toContain(`第${number}期`);
    expect(await text(screen, '#next')).toContain(first.name);

    // Check-in: the screen shows the code checkInCode gives (it rotates every 30 s) with its QR code, and 到会 moves
    // when someone checks in with it.
    const chairToken = await login('chair');
    await screen.locator('#checkin-qr svg path').waitFor({ timeout: SLOW });
    let shownCode = '';
    for (let attempt = 0; attempt < 3 && !shownCode; attempt++) {
      const given = (await call(chairToken, `query($s: ID!) { checkInCode(sessionId: $s) { code } }`, { s })).checkInCode.code as string;
      shownCode = await screen
        .locator('#checkin-code', { hasText: given })
        .waitFor({ timeout: 10_000 })
        .then(() => given, () => '');
    }
    expect(shownCode).toMatch(/^\d{6}$/);
    await call(await login('voter01'), `mutation($s: ID!, $c: String!) { checkIn(sessionId: $s, code: $c) { present } }`, { s, c: shownCode });
    await see(screen, '#attendance', '到会 1 / ');
    // The console hands out the same code (with its own QR code) and counts the same 到会.
    await consolePage.locator('#checkin-qr svg path').waitFor({ timeout: SLOW });
    expect(await text(consolePage, '#checkin-code')).toMatch(/^\d{6}$/);
    await see(consolePage, '#attendance', '到会 1 / ');
    await consolePage.locator('#attendees li.present').first().waitFor({ timeout: SLOW });
    await snap(screen, SHOTS, '01-screen-scheduled');
    await snap(consolePage, SHOTS, '01-console-session');
    // Chromium's new headless mode draws a tab that is not in front at about one frame a second, and clicks wait for
    // two stable frames: keep the tab the chair taps in front (the screen updates from its socket regardless).
    await consolePage.bringToFront();

    // Into the speeches; the first speaker is on the screen within a second of the tap.
    await consolePage.locator('#next-phase').click();
    await see(screen, '#phase', '交流发言');
    await consolePage.locator('#start-next:enabled').click({ timeout: SLOW });
    const tapped = Date.now();
    await see(screen, '#speaker-name', first.name, FAST); // 吴国志 of 双桥区 in the demo world
    expect(Date.now() - tapped).toBeLessThan(FAST);
    expect(await text(screen, '#speaker-meta')).toContain(first.region.name);
    expect(await text(screen, '#speaker-order')).toBe('第 1 位发言');

    // A leader's 点评 reaches the screen with the leader's name.
    await call(await login('leader1'), `mutation($sp: ID!) { postReview(speechId: $sp, tone: PRAISE, body: "项目数据扎实，措施具体") { id } }`, { sp: speeches[0].id });
    await see(screen, '#review', '项目数据扎实，措施具体');
    expect(await text(screen, '#review')).toContain('表扬');

    // The countdown runs locally.
    const before = await text(screen, '#countdown');
    await screen.waitForTimeout(1500); // intentional: let the clock move
    const after = await text(screen, '#countdown');
    expect(seconds(before)).toBeLessThanOrEqual(300);
    expect(seconds(after)).toBeLessThan(seconds(before));
    expect(seconds(before) - seconds(after)).toBeLessThanOrEqual(3);
    expect(await screen.locator('#countdown').getAttribute('data-tone')).toBe('normal');
    await snap(screen, SHOTS, '02-screen-speaker');

    // Pause (Space on the console) freezes the screen's clock; resume (the button) sets it going again.
    await consolePage.keyboard.press(' ');
    await screen.locator('#countdown[data-running="false"]').waitFor({ timeout: FAST });
    await see(screen, '#timer-state', '已暂停');
    const frozen = await text(screen, '#countdown');
    await screen.waitForTimeout(1200); // intentional: a paused clock must not move
    expect(await text(screen, '#countdown')).toBe(frozen);
    await consolePage.locator('#resume:enabled').click();
    await screen.locator('#countdown[data-running="true"]').waitFor({ timeout: FAST });

    // +1 min ("+" on the console).
    await consolePage.keyboard.press('+');
    await see(screen, '#timer-state', '已延时 1 分钟', FAST);
    expect(seconds(await text(screen, '#countdown'))).toBeGreaterThan(300);

    // Interrupt for empty talk: the hall sees the reason in words.
    await consolePage.locator('#interrupt-EMPTY_TALK').click();
    await see(screen, '#banner', '虚话套话', FAST);
    expect(await text(screen, '#banner')).toContain('主持人打断');
    await see(screen, '#interrupt-tag', '已被打断 1 次');
    await snap(screen, SHOTS, '03-screen-interrupted');

    // A leader's comment goes straight through; a voter's waits for the chair in the console's queue.
    const leader = await login('leader1');
    const voter = await login('voter01');
    await call(leader, `mutation($s: ID!, $b: String!) { postComment(sessionId: $s, body: $b) { status } }`, { s, b: '重点项目要盯紧进度，按月调度。' });
    await see(screen, '#comments li', '重点项目要盯紧进度');
    const posted = await call(voter, `mutation($s: ID!, $b: String!) { postComment(sessionId: $s, body: $b) { id status } }`, {
      s,
      b: '请问今年新开工项目有多少个？',
    });
    expect(posted.postComment.status).toBe('PENDING');
    const queued = consolePage.locator(`#queue li[data-comment="${posted.postComment.id}"]`);
    await queued.waitFor({ timeout: SLOW });
    expect(await text(consolePage, '#queue-count')).toBe('1');
    await snap(consolePage, SHOTS, '04-console-moderation');
    expect(await screen.locator('#comments li', { hasText: '新开工项目' }).count()).toBe(0);
    await queued.locator('button.approve').click();
    await see(screen, '#comments li', '新开工项目');
    await queued.waitFor({ state: 'detached', timeout: SLOW });
    expect(await screen.locator('#comments li').count()).toBe(2);
    await screen.locator('#comments li.fresh').waitFor({ state: 'detached', timeout: SLOW }); // the roll-in is over
    await snap(screen, SHOTS, '05-screen-comments');

    // End the first speech ("E"), cut the second off for going off topic, then run through the rest.
    await consolePage.keyboard.press('e');
    await see(screen, '#idle-title', '请下一位发言人准备');
    await consolePage.locator('#start-next:enabled').click();
    await see(screen, '#speaker-name', second.name);
    await consolePage.locator('#cut-off').check();
    await consolePage.locator('#interrupt-OFF_TOPIC:enabled').click();
    await see(screen, '#banner', '偏离主题', FAST);
    expect(await text(screen, '#banner')).toContain('发言已终止');
    await see(screen, '#idle-sub', `${second.name} 的发言被主持人终止`);
    await snap(screen, SHOTS, '06-screen-cut-off');
    for (let order = 3; order <= speeches.length; order++) {
      await consolePage.locator('#start-next:enabled').click({ timeout: SLOW });
      await see(screen, '#speaker-order', `第 ${order} 位发言`);
      await consolePage.locator('#end:enabled').click({ timeout: SLOW });
      await screen.locator('#view-idle').waitFor({ timeout: SLOW });
    }
    await see(screen, '#idle-title', '发言全部结束');
    for (const phase of ['互动交流', '总结讲话', '民主评议']) {
      await consolePage.locator('#next-phase:enabled').click({ timeout: SLOW });
      await see(screen, '#phase', phase);
      if (phase !== '总结讲话') continue;
      // The 总结讲话 is on the screen while it is given.
      await call(chairToken, `mutation($s: ID!, $b: String!) { recordSummary(sessionId: $s, body: $b) { at } }`, { s, b: '一要盯紧重点项目，二要压实责任，三要以督查促落实。' });
      await see(screen, '#summary', '一要盯紧重点项目');
      await snap(screen, SHOTS, '06b-screen-summary');
    }

    // Four voters are in the hall (voter01 checked in, the chair marks the rest present); the evaluation entitles
    // those present, and three ballots of four meet the two-thirds quorum.
    const entries = (await call(chairToken, `query($s: ID!) { attendance(sessionId: $s) { entries { user { id username } } } }`, { s })).attendance.entries;
    const inHall = entries.filter((e: { user: { username: string } }) => /^voter0[1-4]$/.test(e.user.username)).map((e: { user: { id: string } }) => e.user.id);
    expect(inHall).toHaveLength(4);
    await call(chairToken, `mutation($s: ID!, $u: [ID!]!) { markPresent(sessionId: $s, userIds: $u, present: true) { present } }`, { s, u: inHall });
    await see(screen, '#attendance', '到会 4 / ');
    await see(consolePage, '#attendance', '到会 4 / ');

    // The ballot: the screen counts the votes, never shows who.
    await consolePage.locator('#eval-open:enabled').click({ timeout: SLOW });
    await see(screen, '#eval-count', '已投票 0 / ');
    const entitled = Number(/\/ (\d+)/.exec(await text(screen, '#eval-count'))![1]);
    expect(entitled).toBe(4);
    for (let n = 1; n <= 3; n++) {
      const token = await login(`voter0${n}`);
      const grades = speeches.map((sp: { id: string }, i: number) => ({ speechId: sp.id, grade: (i + n) % 4 === 0 ? 'EXCELLENT' : (i + n) % 4 === 1 ? 'GOOD' : 'AVERAGE' }));
      await call(token, `mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`, { s, g: grades });
      await see(screen, '#eval-count', `已投票 ${n} / ${entitled}`);
    }
    await see(consolePage, '#voted', `已投票 3 / ${entitled}`);
    await see(consolePage, '#quorum', '法定人数 3');
    await see(screen, '#eval-status', '法定人数 3');
    await consolePage.locator('#below-quorum').waitFor({ state: 'hidden', timeout: SLOW });
    await consolePage.locator('#voters li.yes').nth(2).waitFor({ timeout: SLOW });
    expect(await consolePage.locator('#voters li.yes').count()).toBe(3);
    await snap(screen, SHOTS, '07-screen-voting');
    await snap(consolePage, SHOTS, '07-console-evaluation');

    await consolePage.locator('#eval-close:enabled').click({ timeout: SLOW });
    await see(screen, '#eval-status', '投票已结束');
    await consolePage.locator('#chair-results li').first().waitFor({ timeout: SLOW });
    await consolePage.locator('#eval-publish:enabled').click({ timeout: SLOW });
    await screen.locator('#view-results').waitFor({ timeout: SLOW });
    expect(await screen.locator('#results li').count()).toBe(speeches.length);
    expect(await text(screen, '#results li:first-child .rank')).toBe('1');
    const grades = await screen.locator('#results li .grade').allTextContents();
    expect(grades.every((g) => /^(优秀|良好|一般|较差)/.test(g))).toBe(true);
    expect(grades.filter((g) => g.startsWith('优秀')).length).toBeLessThanOrEqual(Math.floor(speeches.length / 3));
    await snap(screen, SHOTS, '08-screen-results');
    const seqBefore = await screen.locator('#screen').getAttribute('data-seq');

    // The server goes away and comes back on the same port and database: the badge shows, then goes, and the
    // screen is live again (the chair's next change reaches it).
    await server.stop();
    await screen.locator('#conn').waitFor({ state: 'visible', timeout: SLOW });
    expect(await text(screen, '#conn')).toContain('正在重新连接');
    await see(consolePage, '#link', '连接中断');
    await snap(screen, SHOTS, '09-screen-reconnecting');
    server = await startServerProcess(env);
    expect(server.port).toBe(Number(env.PORT));
    await screen.locator('#conn').waitFor({ state: 'hidden', timeout: 20_000 });
    expect(await screen.locator('#screen').getAttribute('data-seq')).toBe(seqBefore);
    expect(await screen.locator('#results li').count()).toBe(speeches.length);
    await see(consolePage, '#link', '实时', 20_000);
    await consolePage.locator('#next-phase:enabled').click({ timeout: SLOW });
    await see(screen, '#phase', '已结束', FAST);
    await snap(screen, SHOTS, '10-screen-after-restart');

    expect(screenProblems).toEqual([]);
    expect(consoleProblems).toEqual([]);
    await screen.close();
    await consolePage.close();
  }

  it('marks attendees present, withdraws a speech, records the summary and closes a ballot below quorum only with a reason, from the console', async () => {
    const admin = await login('admin');
    const chair = await login('chair');
    const setup = await call(admin, `{ themes { id } cadres(first: 3) { edges { node { id name } } } }`);
    const cadres = setup.cadres.edges.map((e: { node: { id: string; name: string } }) => e.node);
    const s = (
      await call(admin, `mutation($t: ID!, $at: DateTime!) { scheduleSession(input: { themeId: $t, title: "签到与评议测试", startsAt: $at, venue: "第二会议室" }) { id } }`, {
        t: setup.themes[0].id,
        at: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      })
    ).scheduleSession.id as string;
    const lineup = (
      await call(admin, `mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { speeches { id } } }`, {
        s,
        e: cadres.map((cd: { id: string }) => ({ cadreId: cd.id, allottedSeconds: 300 })),
      })
    ).setLineup.speeches as { id: string }[];
    expect(lineup).toHaveLength(3);
    // Six voters of the demo world are registered for it.
    const demo = (await call(chair, `query($s: ID!) { attendance(sessionId: $s) { entries { user { id username } } } }`, { s: upcoming.id })).attendance.entries;
    const voters = ['voter11', 'voter12', 'voter13', 'voter14', 'voter15', 'voter16'].map((u) => demo.find((e: { user: { username: string } }) => e.user.username === u).user.id as string);
    await call(admin, `mutation($s: ID!, $u: [ID!]!) { registerAttendees(sessionId: $s, userIds: $u) { id } }`, { s, u: voters });

    const consolePage = await browser.page(1280, 800);
    const consoleProblems = watch(consolePage, origin);
    const token = (await call(chair, `mutation($s: ID!) { issueScreenToken(sessionId: $s) }`, { s })).issueScreenToken;
    const screen = await browser.page(1920, 1080);
    const screenProblems = watch(screen, origin);
    const pages: Record<string, Page> = { 'hall-console': consolePage, 'hall-screen': screen };
    try {
      await screen.goto(`${origin}/screen/${s}?token=${encodeURIComponent(token)}`);
      await see(screen, '#attendance', '到会 0 / 6');
      await consolePage.goto(`${origin}/console`);
      await consolePage.locator('#username').fill('chair');
      await consolePage.locator('#password').fill('leitai-demo');
      await consolePage.locator('#login-submit').click();
      await consolePage.locator('#session-list').waitFor({ timeout: SLOW });
      await consolePage.goto(`${origin}/console#/session/${encodeURIComponent(s)}`);
      await see(consolePage, '#link', '实时');
      await see(consolePage, '#attendance', '到会 0 / 6');

      // 标记到会 for three of the six; the screen counts them, and 取消 takes one back and puts it again.
      for (const id of voters.slice(0, 3)) {
        await consolePage.locator(`#attendees li[data-user="${id}"] button.mark`).click({ timeout: SLOW });
        await consolePage.locator(`#attendees li.present[data-user="${id}"]`).waitFor({ timeout: SLOW });
      }
      await see(screen, '#attendance', '到会 3 / 6');
      await consolePage.locator(`#attendees li[data-user="${voters[2]}"] button.unmark`).click({ timeout: SLOW });
      await see(screen, '#attendance', '到会 2 / 6');
      await consolePage.locator(`#attendees li[data-user="${voters[2]}"] button.mark`).click({ timeout: SLOW });
      await see(screen, '#attendance', '到会 3 / 6');
      await see(consolePage, '#attendance', '到会 3 / 6');

      // 取消发言 needs a reason; once withdrawn the screen's line-up says 缺席 / 取消 for that speaker and nothing else.
      const row = consolePage.locator(`#upcoming li[data-speech="${lineup[1].id}"]`);
      await row.locator('button.withdraw').click({ timeout: SLOW });
      await row.locator('button.withdraw-confirm').click();
      await see(consolePage, `#upcoming li[data-speech="${lineup[1].id}"] .form-error`, '请填写取消发言的原因');
      const statusOf = async (id: string) => (await call(chair, `query($s: ID!) { room(sessionId: $s) { speeches { id status } } }`, { s })).room.speeches.find((sp: { id: string }) => sp.id === id).status;
      expect(await statusOf(lineup[1].id)).toBe('UPCOMING');
      await row.locator('input.withdraw-reason').fill('请假缺席');
      await row.locator('button.withdraw-confirm').click();
      await see(consolePage, `#upcoming li.withdrawn[data-speech="${lineup[1].id}"]`, '已取消：请假缺席');
      await see(screen, '#next li.withdrawn', cadres[1].name);
      expect(await text(screen, '#next li.withdrawn')).toContain('取消');
      expect(await text(screen, '#next li.withdrawn')).not.toContain('请假缺席');
      await snap(screen, SHOTS, '16-screen-withdrawn-scheduled');
      await snap(consolePage, SHOTS, '16-console-attendance-withdrawn');

      // Through to the 总结讲话, recorded in the console's box and shown on the screen.
      for (const phase of ['SPEECHES', 'EXCHANGE', 'SUMMARY'] as const) {
        await call(chair, `mutation($s: ID!, $p: RoomPhase!) { advancePhase(sessionId: $s, phase: $p) { seq } }`, { s, p: phase });
      }
      await see(screen, '#phase', '总结讲话');
      await consolePage.locator('#summary-box').waitFor({ state: 'visible', timeout: SLOW });
      await consolePage.locator('#summary-save').click();
      await see(consolePage, '#summary-error', '请填写总结讲话内容');
      await consolePage.locator('#summary-body').fill('会议开得紧凑务实。会后各单位要把整改清单落到人头、落到时限。');
      await consolePage.locator('#summary-save').click();
      await see(screen, '#summary', '整改清单落到人头');
      await see(consolePage, '#summary-saved', '已记录');
      await snap(screen, SHOTS, '17-screen-summary-from-console');
      await snap(consolePage, SHOTS, '17-console-summary');
      await call(chair, `mutation($s: ID!) { advancePhase(sessionId: $s, phase: EVALUATION) { seq } }`, { s });
      await screen.locator('#checkin').waitFor({ state: 'hidden', timeout: SLOW });

      // Three present are entitled; the quorum is two. One ballot is not enough for 结束投票.
      await consolePage.locator('#eval-open:enabled').click({ timeout: SLOW });
      await see(consolePage, '#voted', '已投票 0 / 3');
      await see(consolePage, '#quorum', '法定人数 2');
      await see(screen, '#eval-count', '已投票 0 / 3');
      await see(screen, '#eval-status', '法定人数 2');
      const grades = [lineup[0], lineup[2]].map((sp, i) => ({ speechId: sp.id, grade: i === 0 ? 'GOOD' : 'AVERAGE' }));
      await call(await login('voter11'), `mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`, { s, g: grades });
      await see(screen, '#eval-count', '已投票 1 / 3');
      await see(consolePage, '#below-quorum', '未达法定人数 (1 / 2)');
      const status = async () => (await call(chair, `query($s: ID!) { evaluation(sessionId: $s) { status closeReason } }`, { s })).evaluation;

      await consolePage.locator('#eval-close:enabled').click({ timeout: SLOW });
      await see(consolePage, '#eval-error', '未达法定人数');
      expect(await status()).toEqual({ status: 'OPEN', closeReason: null });
      await consolePage.locator('#eval-force:enabled').click({ timeout: SLOW });
      await see(consolePage, '#eval-error', '强制结束须填写理由');
      expect(await status()).toEqual({ status: 'OPEN', closeReason: null });
      expect(await text(screen, '#eval-status')).toContain('投票进行中');
      await snap(consolePage, SHOTS, '18-console-below-quorum');

      await consolePage.locator('#force-reason').fill('部分人员临时公务离场');
      await consolePage.locator('#eval-force:enabled').click();
      await see(screen, '#eval-status', '投票已结束');
      expect(await status()).toEqual({ status: 'CLOSED', closeReason: '部分人员临时公务离场' });
      await see(consolePage, '#eval-reason', '部分人员临时公务离场');
      await consolePage.locator('#below-quorum').waitFor({ state: 'hidden', timeout: SLOW });
      await consolePage.locator('#chair-results li').first().waitFor({ timeout: SLOW });
      await snap(consolePage, SHOTS, '18-console-forced-close');
      await snap(screen, SHOTS, '18-screen-forced-close');

      // The withdrawn speech is not ranked.
      await consolePage.locator('#eval-publish:enabled').click({ timeout: SLOW });
      await screen.locator('#view-results').waitFor({ timeout: SLOW });
      expect(await screen.locator('#results li').count()).toBe(2);
      expect(await screen.locator('#results li', { hasText: cadres[1].name }).count()).toBe(0);

      expect(screenProblems).toEqual([]);
      expect(consoleProblems).toEqual([]);
    } catch (err) {
      for (const [name, page] of Object.entries(pages)) await snap(page, SHOTS, `failure-${name}`).catch(() => undefined);
      throw err;
    } finally {
      await screen.close();
      await consolePage.close();
    }
  }, 120_000);

  it('shows the same time on two screens whose clocks disagree by 90 s, amber in the last minute, red counting up after', async () => {
    const admin = await login('admin');
    const chair = await login('chair');
    const setup = await call(admin, `{ themes { id } cadres(first: 2) { edges { node { id } } } }`);
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const s = (
      await call(admin, `mutation($t: ID!, $at: DateTime!) { scheduleSession(input: { themeId: $t, title: "时钟校准测试", startsAt: $at, venue: "报告厅" }) { id } }`, {
        t: setup.themes[0].id,
        at: startsAt,
      })
    ).scheduleSession.id as string;
    // A long first speech to compare the screens, a 4-second second one to watch the colours change.
    const entries = setup.cadres.edges.map((e: { node: { id: string } }, i: number) => ({ cadreId: e.node.id, allottedSeconds: i === 0 ? 240 : 4 }));
    await call(admin, `mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { id } }`, { s, e: entries });
    await call(chair, `mutation($s: ID!) { advancePhase(sessionId: $s, phase: SPEECHES) { seq } }`, { s });
    await call(chair, `mutation($s: ID!) { startSpeech(sessionId: $s) { seq } }`, { s });
    const token = (await call(chair, `mutation($s: ID!) { issueScreenToken(sessionId: $s) }`, { s })).issueScreenToken;
    const url = `${origin}/screen/${s}?token=${encodeURIComponent(token)}`;

    const right = await browser.page(1920, 1080);
    const skewed = await browser.page(1920, 1080);
    // This machine's clock is 90 s fast.
    await skewed.addInitScript('{ const realNow = Date.now.bind(Date); Date.now = () => realNow() + 90000; }');
    await Promise.all([right.goto(url), skewed.goto(url)]);
    const skew = Number(await skewed.evaluate('Date.now()')) - Date.now();
    expect(skew).toBeGreaterThan(89_000);

    await Promise.all([right, skewed].map((p) => p.locator('#countdown').waitFor({ timeout: SLOW })));
    for (let i = 0; i < 3; i++) {
      const [a, b] = await Promise.all([text(right, '#countdown'), text(skewed, '#countdown')]);
      expect(seconds(a)).toBeGreaterThan(200);
      expect(Math.abs(seconds(a) - seconds(b))).toBeLessThanOrEqual(1);
      await right.waitForTimeout(700); // intentional: compare at a few moments while the clocks run
    }
    await snap(right, SHOTS, '11-clock-right');
    await snap(skewed, SHOTS, '11-clock-skewed-90s');

    await call(chair, `mutation($s: ID!) { endSpeech(sessionId: $s) { seq } }`, { s });
    await call(chair, `mutation($s: ID!) { startSpeech(sessionId: $s) { seq } }`, { s });
    for (const p of [right, skewed]) await p.locator('#countdown[data-tone="warn"]').waitFor({ timeout: SLOW });
    // 4 s allotted, rounded up; a clock estimate a few ms behind may still show 00:05 for an instant.
    expect(await text(right, '#countdown')).toMatch(/^00:0[1-5]$/);
    await snap(right, SHOTS, '12-clock-last-minute');
    for (const p of [right, skewed]) await p.locator('#countdown[data-tone="over"]').waitFor({ timeout: SLOW });
    await right.waitForTimeout(1200); // intentional: let the overtime count up
    const [a, b] = await Promise.all([text(right, '#countdown'), text(skewed, '#countdown')]);
    expect(a).toMatch(/^\+00:0\d$/);
    expect(seconds(a)).toBeLessThanOrEqual(-1);
    expect(Math.abs(seconds(a) - seconds(b))).toBeLessThanOrEqual(1);
    await see(right, '#timer-state', '已超时');
    await right.waitForTimeout(1100); // intentional: overtime keeps counting up
    expect(seconds(await text(right, '#countdown'))).toBeLessThan(seconds(a));
    await snap(right, SHOTS, '13-clock-overtime');
    await right.close();
    await skewed.close();
  }, 60_000);

  it('tells the hall when the screen token is refused, and the chair when the password is wrong', async () => {
    const page = await browser.page(1920, 1080);
    await page.goto(`${origin}/screen/${upcoming.id}?token=not-a-token`);
    await see(page, '#fatal', '大屏令牌无效或已过期');
    await page.goto(`${origin}/console`);
    await page.locator('#username').fill('chair');
    await page.locator('#password').fill('wrong-password');
    await page.locator('#login-submit').click();
    await see(page, '#login-error', '账号或密码错误');
    await page.locator('#username').fill('voter01');
    await page.locator('#password').fill('leitai-demo');
    await page.locator('#login-submit').click();
    await see(page, '#login-error', '需要主持人或管理员账号');
    // Five wrong passwords from this address slow the next try; the console says so in words, with the way out.
    await page.evaluate(async () => {
      for (let i = 0; i < 5; i++) {
        const body = JSON.stringify({ query: 'mutation { login(username: "voter09", password: "wrong-password") { token } }' });
        await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      }
    });
    await page.locator('#username').fill('voter09');
    await page.locator('#password').fill('leitai-demo');
    await page.locator('#login-submit').click();
    await see(page, '#login-error', '登录失败次数过多');
    await see(page, '#login-error', '个人登录链接');
    await snap(page, SHOTS, '15-console-sign-in-throttled');
    await page.close();
  });

  it('does not keep reconnecting a screen whose token is refused: it says so, and tries again about once a minute', async () => {
    const page = await browser.page(1920, 1080);
    // The page's timers run on a clock the test moves; the server and the sockets stay real.
    await page.clock.install();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${origin}/screen/${upcoming.id}?lang=en&token=not-a-token`);
    await see(page, '#fatal', 'The screen token is invalid or expired');
    expect(sockets).toHaveLength(1);
    // A lost connection would have been retried a dozen times by now (backoff capped at 5 s).
    await page.clock.runFor(40_000);
    expect(sockets).toHaveLength(1);
    await page.clock.runFor(40_000);
    for (let i = 0; i < 100 && sockets.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(sockets).toHaveLength(2);
    await see(page, '#fatal', 'The screen token is invalid or expired');
    await page.close();
  });

  it('speaks English with ?lang=en', async () => {
    const chair = await login('chair');
    const token = (await call(chair, `mutation($s: ID!) { issueScreenToken(sessionId: $s) }`, { s: upcoming.id })).issueScreenToken;
    const page = await browser.page(1920, 1080);
    await page.goto(`${origin}/screen/${upcoming.id}?lang=en&token=${encodeURIComponent(token)}`);
    await see(page, '#phase', 'Closed');
    await see(page, '.results-title', 'Evaluation results');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await snap(page, SHOTS, '14-screen-english');
    await page.close();
  });
});
