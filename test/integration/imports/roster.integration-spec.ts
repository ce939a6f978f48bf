import type { Principal } from '../../../src/auth/principal';
import { User } from '../../../src/auth/user.entity';
import { canonicalJson, sha256Hex } from '../../../src/common/canonical';
import { AttendeeImportService } from '../../../src/modules/imports/attendee-import';
import { RosterImportService } from '../../../src/modules/imports/roster-import.service';
import { readSheet } from '../../../src/modules/imports/sheet';
import { JournalEntry } from '../../../src/modules/journal/journal.entity';
import { verifyJournal } from '../../../src/modules/journal/journal';
import { Cadre } from '../../../src/modules/registry/cadre.entity';
import { Region } from '../../../src/modules/registry/region.entity';
import { Attendee } from '../../../src/modules/sessions/attendee.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { createRegion, createSession, createUser } from '../../factories';
import { buildRosterRows, buildWorkbook } from '../../factories/roster';
import { describeEachEngine } from '../../helpers/engines';
import { codeOf, createTestApp, TestApp } from '../../helpers/test-app';

describeEachEngine('roster and attendee import', (engine) => {
  let app: TestApp;
  let roster: RosterImportService;
  let secretary: Principal;
  let regionA: string;
  let regionB: string;

  beforeAll(async () => {
    app = await createTestApp(engine);
    roster = new RosterImportService(app.ds, app.clock);
    const a = await createRegion(app.ds.manager, { name: '双桥区', code: 'shuangqiao' });
    const b = await createRegion(app.ds.manager, { name: '滦平县', code: 'luanping' });
    regionA = a.name;
    regionB = b.name;
    const user = await createUser(app.ds.manager, { username: 'sec', roles: ['secretary'] });
    secretary = { kind: 'user', userId: user.id, username: user.username, roles: ['secretary'], regionId: null };
  }, 120_000);
  afterAll(() => app?.close());

  const counts = async () => ({
    users: await app.ds.getRepository(User).count(),
    cadres: await app.ds.getRepository(Cadre).count(),
    journal: await app.ds.getRepository(JournalEntry).count(),
  });
  const run = async (rows: (string | null)[][], mode: 'preview' | 'apply', header?: string[]) => roster.run(await readSheet(await buildWorkbook(rows, header)), mode, secretary);

  describe('preview', () => {
    it('names each bad row by its row and column, and the good rows by what they would do', async () => {
      const answer = await run(
        [
          [regionA, '李明', '副区长', 'liming', '', '13800000001'],
          ['不存在县', '王强', '副县长', 'wangqiang', '', ''],
          [regionB, '', '副县长', 'nobody', '', ''],
          [regionB, '赵六', '副县长', 'liming', '', ''],
          [regionB, '钱七', '副县长', 'qianqi', '校长', ''],
          [regionB, '孙八', '副县长', 'sunba', '', '12345'],
          [regionB, '周九', '职'.repeat(121), 'zhoujiu', '', ''],
          [regionB, '吴十', '', '', '', ''],
          [regionB, '郑十一', '副县长', 'sec', '', ''],
        ],
        'preview',
      );
      expect(answer.errors.map((e) => [e.row, e.column])).toEqual([
        [3, '单位'],
        [4, '姓名'],
        [5, '账号'],
        [6, '角色'],
        [7, '手机'],
        [8, '职务'],
        [9, '职务'],
        [9, '账号'],
        [10, '账号'],
      ]);
      expect(answer).toMatchObject({ mode: 'preview', applied: false, rows: 9, created: 1 });
      expect(answer.items[0]).toMatchObject({ row: 2, username: 'liming', action: 'create' });
    });

    it('names a missing header at row 1', async () => {
      const answer = await run([[regionA, '李明', 'liming']], 'preview', ['单位', '姓名', '账号']);
      expect(answer.errors).toEqual([expect.objectContaining({ row: 1, column: '职务' })]);
    });
  });

  describe('apply', () => {
    it('changes nothing when the file has any error', async () => {
      const before = await counts();
      const answer = await run([[regionA, '李明', '副区长', 'liming', '', ''], [regionA, '王强', '副区长', 'wangqiang', '', 'x']], 'apply');
      expect(answer).toMatchObject({ mode: 'apply', applied: false });
      expect(answer.errors).toEqual([expect.objectContaining({ row: 3, column: '手机' })]);
      expect(await counts()).toEqual(before);
    });

    it('creates accounts and cadres, then the same file again changes nothing', async () => {
      const rows = buildRosterRows(30, [regionA, regionB], 'cnty');
      const before = await counts();
      const first = await run(rows, 'apply');
      expect(first).toMatchObject({ applied: true, rows: 30, created: 30, updated: 0, unchanged: 0, errors: [] });
      const after = await counts();
      expect(after.users - before.users).toBe(30);
      expect(after.cadres - before.cadres).toBe(30);
      expect(after.journal - before.journal).toBe(60);
      const user = await app.ds.getRepository(User).findOneByOrFail({ username: 'cnty0001' });
      expect(user).toMatchObject({ displayName: '干部0001', roles: ['speaker', 'voter'], phone: '13800000000' });
      expect(await app.ds.getRepository(Cadre).findOneBy({ userId: user.id })).toMatchObject({ name: '干部0001', position: '副县长0001' });
      const second = await run(rows, 'apply');
      expect(second).toMatchObject({ applied: true, created: 0, updated: 0, unchanged: 30 });
      expect(await counts()).toEqual(after);
      expect(await verifyJournal(app.ds)).toMatchObject({ valid: true });
    });

    it('updates a changed 职务, and the journal records the cadre before and after', async () => {
      const rows = buildRosterRows(3, [regionA], 'move');
      await run(rows, 'apply');
      const user = await app.ds.getRepository(User).findOneByOrFail({ username: 'move0002' });
      const cadre = await app.ds.getRepository(Cadre).findOneByOrFail({ userId: user.id });
      rows[1][2] = '双桥区委副书记';
      const answer = await run(rows, 'apply');
      expect(answer).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
      expect(answer.items[1]).toMatchObject({ row: 3, action: 'update', changes: [{ column: '职务', from: '副县长0002', to: '双桥区委副书记' }] });
      const changed = await app.ds.getRepository(Cadre).findOneByOrFail({ id: cadre.id });
      expect(changed.position).toBe('双桥区委副书记');
      const entry = await app.ds.getRepository(JournalEntry).findOneOrFail({ where: { entity: 'Cadre', entityId: String(cadre.id) }, order: { seq: 'DESC' } });
      const digest = (position: string) => sha256Hex(canonicalJson({ id: cadre.id, name: cadre.name, position, regionId: cadre.regionId, userId: user.id }));
      expect(entry).toMatchObject({ action: 'importRoster', actorId: secretary.kind === 'user' ? secretary.userId : null, beforeDigest: digest('副县长0002'), afterDigest: digest('双桥区委副书记') });
    });

    it('updates a changed 单位, 角色 and 手机 of the account and the cadre', async () => {
      const rows = buildRosterRows(2, [regionA], 'shift');
      await run(rows, 'apply');
      rows[0] = [regionB, rows[0][1], '滦平县副县长', rows[0][3], '与会', '13912345678'];
      expect(await run(rows, 'apply')).toMatchObject({ updated: 1, unchanged: 1 });
      const user = await app.ds.getRepository(User).findOneByOrFail({ username: 'shift0001' });
      const b = await app.ds.getRepository(Region).findOneByOrFail({ name: regionB });
      expect(user).toMatchObject({ roles: ['voter'], phone: '13912345678', regionId: b.id, displayName: '干部0001' });
      expect(await app.ds.getRepository(Cadre).findOneByOrFail({ userId: user.id })).toMatchObject({ regionId: b.id, position: '滦平县副县长', name: '干部0001' });
      const a = await app.ds.getRepository(Region).findOneByOrFail({ name: regionA });
      expect(await app.ds.getRepository(User).findOneByOrFail({ username: 'shift0002' })).toMatchObject({ regionId: a.id, roles: ['speaker', 'voter'], phone: '13800000001' });
    });

    it('finds an account whatever the case of its 账号 in the file, on either engine', async () => {
      await run([[regionA, '褚一', '副区长', 'chuyi', '', '']], 'apply');
      const answer = await run([[regionA, '褚一', '副区长', 'ChuYi', '', '']], 'preview');
      expect(answer).toMatchObject({ created: 0, unchanged: 1, errors: [] });
    });

    it('gives new accounts no password: no login succeeds, not with an empty one nor with the username', async () => {
      await run([[regionA, '冯一', '副区长', 'fengyi', '', '']], 'apply');
      for (const password of ['', 'fengyi', 'leitai-demo', '!no-password']) {
        const res = await app.gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: 'fengyi', p: password });
        expect(codeOf(res)).toBe('UNAUTHENTICATED');
      }
    });

    it('keeps the phone out of GraphQL', async () => {
      const res = await app.gql(`{ me { phone } }`, {}, await app.tokenFor(await app.ds.getRepository(User).findOneByOrFail({ username: 'fengyi' })));
      expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });

  describe('attendees', () => {
    let attendees: AttendeeImportService;
    const recounted: number[] = [];
    beforeAll(() => {
      attendees = new AttendeeImportService(app.ds, app.clock, async (sessionId, actorId) => {
        recounted.push(sessionId);
        await app.services.attendance.recount(sessionId, actorId);
      });
    });
    const file = (names: string[]) => buildWorkbook(names.map((n) => [n]), ['账号']);

    it('previews, then registers the accounts of the file, and the room counts them', async () => {
      const session = await createSession(app.ds.manager);
      const screen = await createUser(app.ds.manager, { username: 'wall', roles: ['screen'] });
      const bad = await attendees.run(session.id, await readSheet(await file(['cnty0001', 'ghost', screen.username])), 'apply', secretary);
      expect(bad).toMatchObject({ applied: false });
      expect(bad.errors.map((e) => [e.row, e.column])).toEqual([[3, '账号'], [4, '账号']]);
      expect(await app.ds.getRepository(Attendee).countBy({ sessionId: session.id })).toBe(0);

      const names = ['cnty0001', 'cnty0002', 'cnty0003'];
      const preview = await attendees.run(session.id, await readSheet(await file(names)), 'preview', secretary);
      expect(preview).toMatchObject({ mode: 'preview', created: 3, unchanged: 0, errors: [] });
      expect(await app.ds.getRepository(Attendee).countBy({ sessionId: session.id })).toBe(0);
      const applied = await attendees.run(session.id, await readSheet(await file(names)), 'apply', secretary);
      expect(applied).toMatchObject({ applied: true, created: 3 });
      expect(recounted).toEqual([session.id]);
      const admin = await createUser(app.ds.manager, { roles: ['admin'] });
      const room = await app.gql(`query($s: ID!) { room(sessionId: $s) { attendance { expected present } } }`, { s: String(session.id) }, await app.tokenFor(admin));
      expect(room.data!.room.attendance).toEqual({ expected: 3, present: 0 });
      const again = await attendees.run(session.id, await readSheet(await file([...names, 'cnty0004'])), 'apply', secretary);
      expect(again).toMatchObject({ created: 1, unchanged: 3 });
    });

    it('refuses the whole file once the list of voters is frozen', async () => {
      const session = await createSession(app.ds.manager, { phase: RoomPhase.EVALUATION });
      await expect(attendees.run(session.id, await readSheet(await file(['cnty0001'])), 'preview', secretary)).rejects.toMatchObject({ extensions: { code: 'IMPORT_ATTENDEES_FROZEN' } });
      await expect(attendees.run(9999, await readSheet(await file(['cnty0001'])), 'apply', secretary)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    });
  });
});
