import { User } from '../../../src/auth/user.entity';
import { ThemeCall } from '../../../src/modules/themes/theme-call.entity';
import { Theme, ThemeStatus } from '../../../src/modules/themes/theme.entity';
import { createTheme, createThemeCall, createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { codeOf, createTestApp, TEST_NOW, TestApp } from '../../helpers/test-app';

const OPEN_CALL = `mutation($input: OpenThemeCallInput!) { openThemeCall(input: $input) { id title description closesAt } }`;
const PROPOSE = `mutation($input: ProposeThemeInput!) {
  proposeTheme(input: $input) { id title description rationale status callId decidedAt proposedById proposedBy { id username } }
}`;
const APPROVE = `mutation($id: ID!) { approveTheme(id: $id) { id status decidedAt decisionNote } }`;
const REJECT = `mutation($id: ID!, $reason: String!) { rejectTheme(id: $id, reason: $reason) { id status decidedAt decisionNote } }`;
const THEMES = `query($status: ThemeStatus) { themes(status: $status) { id status } }`;

const HOUR = 3600 * 1000;
const at = (msFromNow: number) => new Date(new Date(TEST_NOW).getTime() + msFromNow).toISOString();

describeEachEngine('themes', (engine) => {
  let app: TestApp;
  let admin: User;
  let leader: User;
  let voter: User;

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { roles: ['admin'] });
    leader = await createUser(app.ds.manager, { roles: ['leader'] });
    voter = await createUser(app.ds.manager, { roles: ['voter'] });
  });
  afterEach(() => app.clock.set(TEST_NOW));
  afterAll(() => app.close());

  const themeCount = () => app.ds.getRepository(Theme).count();
  const callCount = () => app.ds.getRepository(ThemeCall).count();
  const statusOf = async (id: number | string) => (await app.ds.getRepository(Theme).findOneByOrFail({ id: Number(id) })).status;
  const proposal = (overrides: Record<string, unknown> = {}) => ({ title: '发展民宿经济，助推乡村振兴', description: '各县区汇报民宿发展情况', ...overrides });

  describe('openThemeCall', () => {
    it('opens a call that closes in the future', async () => {
      const before = await callCount();
      const res = await app.gql(
        OPEN_CALL,
        { input: { title: ' 2026年第一批主题征集 ', description: '围绕乡村振兴', closesAt: at(7 * 24 * HOUR) } },
        await app.tokenFor(admin),
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.openThemeCall).toMatchObject({ title: '2026年第一批主题征集', description: '围绕乡村振兴', closesAt: at(7 * 24 * HOUR) });
      expect(await callCount()).toBe(before + 1);
    });

    it.each([
      ['a closing time in the past', { closesAt: at(-HOUR) }],
      ['a closing time of exactly now', { closesAt: at(0) }],
      ['a 10,000-character title', { title: '长'.repeat(10_000) }],
      ['a blank description', { description: '  ' }],
    ])('rejects %s with BAD_USER_INPUT and changes nothing', async (_what, override) => {
      const before = await callCount();
      const input = { title: '征集', description: '说明', closesAt: at(HOUR), ...override };
      const res = await app.gql(OPEN_CALL, { input }, await app.tokenFor(admin));
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await callCount()).toBe(before);
    });

    it('is FORBIDDEN to a leader', async () => {
      const before = await callCount();
      const res = await app.gql(OPEN_CALL, { input: { title: '征集', description: '说明', closesAt: at(HOUR) } }, await app.tokenFor(leader));
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(await callCount()).toBe(before);
    });
  });

  describe('proposeTheme', () => {
    it('records a leader’s proposal as PROPOSED, proposed by that leader', async () => {
      const before = await themeCount();
      const res = await app.gql(PROPOSE, { input: proposal({ rationale: ' 旅游旺季将至 ' }) }, await app.tokenFor(leader));
      expect(res.errors).toBeUndefined();
      expect(res.data!.proposeTheme).toMatchObject({
        title: '发展民宿经济，助推乡村振兴',
        rationale: '旅游旺季将至',
        status: 'PROPOSED',
        callId: null,
        decidedAt: null,
        proposedById: String(leader.id),
        proposedBy: { id: String(leader.id), username: leader.username },
      });
      expect(await themeCount()).toBe(before + 1);
      expect(await statusOf(res.data!.proposeTheme.id)).toBe(ThemeStatus.PROPOSED);
    });

    it('answers an open call', async () => {
      const call = await createThemeCall(app.ds.manager, { closesAt: new Date(at(HOUR)) });
      const res = await app.gql(PROPOSE, { input: proposal({ callId: String(call.id) }) }, await app.tokenFor(leader));
      expect(res.errors).toBeUndefined();
      expect(res.data!.proposeTheme).toMatchObject({ status: 'PROPOSED', callId: String(call.id) });
    });

    it('accepts a proposal up to the last millisecond of the call and refuses it from the closing instant on', async () => {
      const call = await createThemeCall(app.ds.manager, { closesAt: new Date(at(HOUR)) });
      const input = proposal({ callId: String(call.id) });

      app.clock.set(at(HOUR - 1));
      expect((await app.gql(PROPOSE, { input }, await app.tokenFor(leader))).errors).toBeUndefined();

      app.clock.set(at(HOUR));
      const before = await themeCount();
      const res = await app.gql(PROPOSE, { input }, await app.tokenFor(leader));
      expect(codeOf(res)).toBe('CONFLICT');
      expect(await themeCount()).toBe(before);
    });

    it('refuses a call that closed hours ago with CONFLICT and changes nothing', async () => {
      const opened = await app.gql(OPEN_CALL, { input: { title: '征集', description: '说明', closesAt: at(HOUR) } }, await app.tokenFor(admin));
      expect(opened.errors).toBeUndefined();
      app.clock.advance(3 * HOUR);
      const before = await themeCount();
      const res = await app.gql(PROPOSE, { input: proposal({ callId: opened.data!.openThemeCall.id }) }, await app.tokenFor(leader));
      expect(codeOf(res)).toBe('CONFLICT');
      expect(await themeCount()).toBe(before);
    });

    it.each([
      ['an unknown call', { callId: '999999' }, 'NOT_FOUND'],
      ['a garbage call id', { callId: 'call-1' }, 'NOT_FOUND'],
      ['a 10,000-character title', { title: '长'.repeat(10_000) }, 'BAD_USER_INPUT'],
      ['a blank title', { title: '   ' }, 'BAD_USER_INPUT'],
      ['a 2,001-character rationale', { rationale: '长'.repeat(2001) }, 'BAD_USER_INPUT'],
    ])('rejects %s and changes nothing', async (_what, override, code) => {
      const before = await themeCount();
      const res = await app.gql(PROPOSE, { input: proposal(override) }, await app.tokenFor(leader));
      expect(codeOf(res)).toBe(code);
      expect(await themeCount()).toBe(before);
    });

    it.each([
      ['a voter', ['voter']],
      ['an admin', ['admin']],
    ] as const)('is FORBIDDEN to %s and changes nothing', async (_what, roles) => {
      const user = await createUser(app.ds.manager, { roles: [...roles] });
      const before = await themeCount();
      const res = await app.gql(PROPOSE, { input: proposal() }, await app.tokenFor(user));
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(await themeCount()).toBe(before);
    });
  });

  describe('approveTheme', () => {
    it('moves a PROPOSED theme to APPROVED, stamped with the clock', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.PROPOSED });
      app.clock.advance(HOUR);
      const res = await app.gql(APPROVE, { id: String(theme.id) }, await app.tokenFor(admin));
      expect(res.errors).toBeUndefined();
      expect(res.data!.approveTheme).toEqual({ id: String(theme.id), status: 'APPROVED', decidedAt: at(HOUR), decisionNote: null });
      expect(await statusOf(theme.id)).toBe(ThemeStatus.APPROVED);
    });

    it('refuses to approve twice with CONFLICT and keeps the first decision', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.PROPOSED });
      const token = await app.tokenFor(admin);
      expect((await app.gql(APPROVE, { id: String(theme.id) }, token)).errors).toBeUndefined();
      app.clock.advance(HOUR);
      const again = await app.gql(APPROVE, { id: String(theme.id) }, token);
      expect(codeOf(again)).toBe('CONFLICT');
      const saved = await app.ds.getRepository(Theme).findOneByOrFail({ id: theme.id });
      expect(saved.status).toBe(ThemeStatus.APPROVED);
      expect(saved.decidedAt!.toISOString()).toBe(TEST_NOW);
    });

    it('refuses to approve a REJECTED theme with CONFLICT', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.PROPOSED });
      const token = await app.tokenFor(admin);
      expect((await app.gql(REJECT, { id: String(theme.id), reason: '与上期重复' }, token)).errors).toBeUndefined();
      const res = await app.gql(APPROVE, { id: String(theme.id) }, token);
      expect(codeOf(res)).toBe('CONFLICT');
      expect(await statusOf(theme.id)).toBe(ThemeStatus.REJECTED);
    });

    it('refuses to approve a USED theme with CONFLICT', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.USED });
      const res = await app.gql(APPROVE, { id: String(theme.id) }, await app.tokenFor(admin));
      expect(codeOf(res)).toBe('CONFLICT');
      expect(await statusOf(theme.id)).toBe(ThemeStatus.USED);
    });

    it.each([
      ['an unknown id', '999999'],
      ['a garbage id', 'theme-1'],
    ])('answers NOT_FOUND for %s', async (_what, id) => {
      expect(codeOf(await app.gql(APPROVE, { id }, await app.tokenFor(admin)))).toBe('NOT_FOUND');
    });

    it('is FORBIDDEN to a leader and changes nothing', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.PROPOSED });
      const res = await app.gql(APPROVE, { id: String(theme.id) }, await app.tokenFor(leader));
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(await statusOf(theme.id)).toBe(ThemeStatus.PROPOSED);
    });
  });

  describe('rejectTheme', () => {
    it('moves a PROPOSED theme to REJECTED with the trimmed reason', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.PROPOSED });
      const res = await app.gql(REJECT, { id: String(theme.id), reason: '  与上期主题重复 ' }, await app.tokenFor(admin));
      expect(res.errors).toBeUndefined();
      expect(res.data!.rejectTheme).toEqual({ id: String(theme.id), status: 'REJECTED', decidedAt: TEST_NOW, decisionNote: '与上期主题重复' });
      const saved = await app.ds.getRepository(Theme).findOneByOrFail({ id: theme.id });
      expect(saved).toMatchObject({ status: ThemeStatus.REJECTED, decisionNote: '与上期主题重复' });
    });

    it.each([
      ['a blank reason', '   '],
      ['a 501-character reason', '长'.repeat(501)],
    ])('rejects %s with BAD_USER_INPUT and leaves the theme PROPOSED', async (_what, reason) => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.PROPOSED });
      const res = await app.gql(REJECT, { id: String(theme.id), reason }, await app.tokenFor(admin));
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      const saved = await app.ds.getRepository(Theme).findOneByOrFail({ id: theme.id });
      expect(saved).toMatchObject({ status: ThemeStatus.PROPOSED, decidedAt: null, decisionNote: null });
    });

    it('refuses to reject an APPROVED theme with CONFLICT', async () => {
      const theme = await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED });
      const res = await app.gql(REJECT, { id: String(theme.id), reason: '改变主意' }, await app.tokenFor(admin));
      expect(codeOf(res)).toBe('CONFLICT');
      expect(await statusOf(theme.id)).toBe(ThemeStatus.APPROVED);
    });
  });

  describe('themes', () => {
    it('lists only the themes of the status asked for, oldest first', async () => {
      const approvedA = await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED });
      const proposed = await createTheme(app.ds.manager, { status: ThemeStatus.PROPOSED });
      const rejected = await createTheme(app.ds.manager, { status: ThemeStatus.REJECTED });
      const approvedB = await createTheme(app.ds.manager, { status: ThemeStatus.APPROVED });
      const token = await app.tokenFor(voter);

      const res = await app.gql(THEMES, { status: 'APPROVED' }, token);
      expect(res.errors).toBeUndefined();
      const approved = res.data!.themes as { id: string; status: string }[];
      expect(approved.every((t) => t.status === 'APPROVED')).toBe(true);
      expect(approved).toHaveLength(await app.ds.getRepository(Theme).countBy({ status: ThemeStatus.APPROVED }));
      const ids = approved.map((t) => t.id);
      expect(ids).toEqual(expect.arrayContaining([String(approvedA.id), String(approvedB.id)]));
      expect(ids).not.toContain(String(proposed.id));
      expect(ids).not.toContain(String(rejected.id));
      expect(ids.indexOf(String(approvedA.id))).toBeLessThan(ids.indexOf(String(approvedB.id)));

      const all = await app.gql(THEMES, {}, token);
      expect(all.data!.themes).toHaveLength(await themeCount());
    });

    it('rejects an unknown status', async () => {
      expect(codeOf(await app.gql(THEMES, { status: 'ARCHIVED' }, await app.tokenFor(voter)))).toBe('BAD_USER_INPUT');
    });
  });
});
