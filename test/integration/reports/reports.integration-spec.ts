import type { Principal } from '../../../src/auth/principal';
import type { User } from '../../../src/auth/user.entity';
import { Archive } from '../../../src/modules/archive/archive.entity';
import { Cadre } from '../../../src/modules/registry/cadre.entity';
import { Region } from '../../../src/modules/registry/region.entity';
import { formatMinute as beijingMinute } from '../../../src/modules/reports/report-format';
import { ReportService } from '../../../src/modules/reports/reports.service';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { qrCodesOn, readPdf, savePageOne } from '../../helpers/pdf';
import { scriptSession, ScriptedSession } from '../../helpers/session-script';
import { createTestApp, TestApp } from '../../helpers/test-app';

const NAMES = ['吴国志', '张宝东', '张云龙', '李国星', '王占平', '张扬', '刘晓光'];
const UNITS = ['平泉市', '滦平县', '兴隆县', '承德县', '隆化县', '丰宁满族自治县', '宽城满族自治县'];
const FORCED = '部分代表因防汛任务提前离会';
const flat = (text: string) => text.replace(/\s+/g, '');

describeEachEngine('reports', (engine) => {
  let app: TestApp;
  let s: ScriptedSession;
  let reports: ReportService;
  let admin: User;
  let secretary: User;
  let secretaryP: Principal;
  let archive: Archive;
  const principal = async (u: User) => app.services.tokens.verify(await app.tokenFor(u));
  const ok = async <T>(p: Promise<{ data?: T | null; errors?: unknown[] }>) => {
    const r = await p;
    if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
    return r.data!;
  };

  /**
   * A session of seven speakers (the seventh withdrawn) that ran with an interruption, a cut-off in overtime, a
   * 点评, an approved and a rejected question and the 总结讲话; four of eight voters voted, so the chair closed
   * it by force; two speakers tie across the last excellent place. Published, closed and sealed.
   */
  async function ranSession(): Promise<ScriptedSession> {
    const run = await scriptSession(app, { speakers: 7, voters: 8, until: RoomPhase.SCHEDULED });
    const m = app.ds.manager;
    for (const [i, c] of run.cadres.entries()) {
      await m.update(Cadre, { id: c.id }, { name: NAMES[i] });
      await m.update(Region, { id: c.regionId }, { name: UNITS[i] });
    }
    const sid = String(run.session.id);
    const [A, B, C, D, E, F, G] = run.speeches.map((sp) => String(sp.id));
    const chair = await app.tokenFor(run.chair);
    const adminToken = await app.tokenFor(admin);
    await ok(app.gql(`mutation($i: RecordClaimInput!) { recordClaim(input: $i) { id } }`, { i: { speechId: A, indicator: '重点民宿村床位', value: 3000, unit: '张', asOf: '2026-03-01T00:00:00Z', note: '近' } }, adminToken));
    await ok(app.gql(`mutation($i: RecordCommitmentInput!) { recordCommitment(input: $i) { id } }`, { i: { speechId: A, title: '打造民宿床位', target: '超10万张', dueAt: '2027-06-30T00:00:00Z' } }, adminToken));
    await ok(app.gql(`mutation($s: ID!) { withdrawSpeech(speechId: $s, reason: "因公出差，书面请假") { status } }`, { s: G }, await app.tokenFor(secretary)));

    const room = (command: Parameters<TestApp['services']['room']['command']>[2]) => app.services.room.command(run.session.id, run.chair.id, command);
    await room({ type: 'ADVANCE_PHASE', to: RoomPhase.SPEECHES });
    for (let i = 0; i < 6; i++) {
      await room({ type: 'START_SPEECH' });
      app.clock.advance(60_000 + i * 5_000);
      if (i === 1) {
        await room({ type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note: '照本宣科，请讲实绩', cutOff: false });
        app.clock.advance(10_000);
      }
      if (i === 2) {
        await room({ type: 'EXTEND_SPEECH', extensionMs: 30_000 });
        app.clock.advance(100_000);
        await room({ type: 'INTERRUPT_SPEECH', reason: 'OVERTIME', note: '超时过多', cutOff: true });
      } else {
        await room({ type: 'END_SPEECH' });
      }
      if (i === 0) {
        await ok(app.gql(`mutation($s: ID!) { postReview(speechId: $s, tone: PRAISE, body: "数据翔实，思路清晰，值得推广") { id } }`, { s: A }, chair));
        const ask = async (body: string, voter: User) =>
          ok(app.gql<any>(`mutation($s: ID!, $sp: ID!, $b: String!) { postComment(sessionId: $s, speechId: $sp, body: $b) { id } }`, { s: sid, sp: A, b: body }, await app.tokenFor(voter)));
        const approved = await ask('民宿床位的数字截至何时？', run.voters[0]);
        const rejected = await ask('这条提问不该进入纪要', run.voters[1]);
        await ok(app.gql(`mutation($c: ID!) { moderateComment(commentId: $c, approve: true) { status } }`, { c: approved.postComment.id }, chair));
        await ok(app.gql(`mutation($c: ID!) { moderateComment(commentId: $c, approve: false) { status } }`, { c: rejected.postComment.id }, chair));
      }
      app.clock.advance(20_000);
    }
    await room({ type: 'ADVANCE_PHASE', to: RoomPhase.EXCHANGE });
    await room({ type: 'ADVANCE_PHASE', to: RoomPhase.SUMMARY });
    await ok(app.gql(`mutation($s: ID!) { recordSummary(sessionId: $s, body: "各县区要把承诺落到实处，下期逐项晒进度。") { body } }`, { s: sid }, chair));
    await room({ type: 'ADVANCE_PHASE', to: RoomPhase.EVALUATION });
    await ok(app.gql(`mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: sid }, chair));
    for (const [i, v] of run.voters.slice(0, 4).entries()) {
      const grades = [
        [A, 'EXCELLENT'],
        [B, i < 2 ? 'EXCELLENT' : 'GOOD'],
        [C, i < 2 ? 'GOOD' : 'EXCELLENT'],
        [D, 'GOOD'],
        [E, 'AVERAGE'],
        [F, 'POOR'],
      ].map(([speechId, grade]) => ({ speechId, grade }));
      await ok(app.gql(`mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`, { s: sid, g: grades }, await app.tokenFor(v)));
    }
    await ok(app.gql(`mutation($s: ID!, $r: String) { closeEvaluation(sessionId: $s, force: true, reason: $r) { status } }`, { s: sid, r: FORCED }, chair));
    await ok(app.gql(`mutation($s: ID!) { publishEvaluation(sessionId: $s) { status } }`, { s: sid }, chair));
    await room({ type: 'ADVANCE_PHASE', to: RoomPhase.CLOSED });
    await ok(app.gql(`mutation($s: ID!) { sealArchive(sessionId: $s) { contentHash } }`, { s: sid }, adminToken));
    return run;
  }

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    secretary = await createUser(app.ds.manager, { roles: ['secretary'] });
    secretaryP = await principal(secretary);
    reports = new ReportService({ ds: app.ds, clock: app.clock, evaluations: app.services.evaluations, dossiers: app.services.dossiers });
    s = await ranSession();
    archive = await app.ds.getRepository(Archive).findOneByOrFail({ sessionId: s.session.id });
  }, 120_000);
  afterAll(() => app.close());

  /** Checks the file, saves its first page, and returns its text without whitespace (table cells wrap lines). */
  function expectPdf(pdf: Buffer, name: string) {
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const read = readPdf(pdf);
    expect(read.pages).toBeGreaterThan(0);
    savePageOne(pdf, `${name}-${engine}`);
    return { text: flat(read.text), pages: read.pages };
  }

  describe('evaluationPdf', () => {
    it('prints every graded speaker with votes, grade and rank, the one-third rule as applied, the turnout and the seal', async () => {
      const pdf = await reports.evaluationPdf(secretaryP, String(s.session.id));
      const { text, pages } = expectPdf(pdf, 'evaluation');
      // The seal closes the report: its QR code, scanned off the last page, is the archive's hash.
      expect(qrCodesOn(pdf, pages)).toEqual([archive.contentHash]);
      for (const name of NAMES.slice(0, 6)) expect(text).toContain(name);
      for (const unit of UNITS.slice(0, 6)) expect(text).toContain(unit);
      for (const grade of ['优秀', '良好', '一般', '较差']) expect(text).toContain(grade);
      expect(text).toContain('并列未评优秀');
      expect(text).toContain('本期第2名由2人并列（张宝东、张云龙）');
      expect(text).toContain('“优秀”等次至多2名');
      expect(text).toContain(FORCED);
      expect(text).toContain('有投票权人数8人');
      expect(text).toContain('实际投票4张');
      expect(text).toContain('法定人数6张（未达到）');
      expect(text).toContain('因公出差，书面请假');
      expect(text).toContain(archive.contentHash);
      expect(text).toContain(`第1页/共${pages}页`);
      // The header's time is the injected clock's, in Beijing time.
      expect(text).toContain(`生成时间${flat(beijingMinute(app.clock.now()))}（北京时间）`);
    });

    it('refuses a voter and a screen, and answers NOT_FOUND for an unknown or malformed session', async () => {
      const voter = await principal(s.voters[0]);
      await expect(reports.evaluationPdf(voter, String(s.session.id))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(reports.evaluationPdf({ kind: 'screen', sessionId: s.session.id, roles: ['screen'] }, String(s.session.id))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(reports.evaluationPdf(secretaryP, '999999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(reports.evaluationPdf(secretaryP, 'abc')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('prints nothing while the evaluation is open, and says when a session is not sealed', async () => {
      const open = await scriptSession(app, { speakers: 3, voters: 2 });
      await ok(app.gql(`mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s: String(open.session.id) }, await app.tokenFor(open.chair)));
      await expect(reports.evaluationPdf(secretaryP, String(open.session.id))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const minutes = readPdf(await reports.minutesPdf(await principal(open.chair), String(open.session.id)));
      expect(flat(minutes.text)).toContain('尚未封存归档');
    });
  });

  describe('minutesPdf', () => {
    it('reads the log: line-up with start, length and overtime, interruptions, withdrawals, 点评, the summary and approved questions', async () => {
      const { text } = expectPdf(await reports.minutesPdf(await principal(s.chair), String(s.session.id)), 'minutes');
      for (const name of NAMES) expect(text).toContain(name);
      expect(text).toContain('虚话套话');
      expect(text).toContain('照本宣科，请讲实绩');
      expect(text).toContain('叫停');
      expect(text).toContain('因公出差，书面请假');
      expect(text).toContain('数据翔实，思路清晰，值得推广');
      expect(text).toContain('各县区要把承诺落到实处');
      expect(text).toContain('民宿床位的数字截至何时？');
      expect(text).not.toContain('这条提问不该进入纪要');
      expect(text).toContain('1分00秒');
      expect(text).toContain(archive.contentHash);
    });
  });

  describe('dossierPdf', () => {
    it('prints a cadre’s speeches, grades and ranks, claims, commitments and the sealed sessions’ hashes', async () => {
      const { text } = expectPdf(await reports.dossierPdf(secretaryP, String(s.cadres[0].id)), 'dossier');
      expect(text).toContain('吴国志');
      expect(text).toContain('平泉市');
      expect(text).toContain('优秀');
      expect(text).toContain('重点民宿村床位');
      expect(text).toContain('打造民宿床位');
      expect(text).toContain('未到期');
      expect(text).toContain(archive.contentHash);
    });

    it('is for the secretary, the admin and the analyst only', async () => {
      await expect(reports.dossierPdf(await principal(s.chair), String(s.cadres[0].id))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const analyst = await createUser(app.ds.manager, { roles: ['analyst'] });
      expect((await reports.dossierPdf(await principal(analyst), String(s.cadres[0].id))).subarray(0, 5).toString()).toBe('%PDF-');
      await expect(reports.dossierPdf(await principal(admin), '999999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});
