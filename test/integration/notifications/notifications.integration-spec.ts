import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { User } from '../../../src/auth/user.entity';
import { createLogger } from '../../../src/common/logger';
import { ENTITIES } from '../../../src/app/entities';
import { createDataSource } from '../../../src/db/data-source';
import { Commitment } from '../../../src/modules/briefing/briefing.entity';
import { ActionItem, FindingResponse, ProgressReport, ProgressVerification } from '../../../src/modules/followup/followup.entity';
import { journal } from '../../../src/modules/journal/journal';
import { withoutUnannouncedLeaks } from '../../../src/modules/notifications/journal-notices';
import { Notification, NotificationKind } from '../../../src/modules/notifications/notification.entity';
import { Notifications } from '../../../src/modules/notifications/notifications';
import type { Cadre } from '../../../src/modules/registry/cadre.entity';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import type { Speech } from '../../../src/modules/sessions/speech.entity';
import { LocalPubSub } from '../../../src/pubsub/local-pubsub';
import { createCadre, createUser } from '../../factories';
import { databaseConfig, describeEachEngine } from '../../helpers/engines';
import { scriptSession } from '../../helpers/session-script';
import { codeOf, createTestApp, TestApp } from '../../helpers/test-app';

const DAY = 86_400_000;
const ASSIGN = `mutation($input: AssignAuditInput!) { assignAudit(input: $input) { id } }`;
const SUBMIT = `mutation($a: ID!, $input: FindingInput!) { submitFinding(auditId: $a, input: $input) { id } }`;
const PUBLISH = `mutation($f: ID!) { publishFinding(findingId: $f) { id } }`;
const MINE = `query($first: Int, $after: String, $unread: Boolean) {
  myNotifications(first: $first, after: $after, unreadOnly: $unread) {
    edges { cursor node { id kind subjectType subjectId text createdAt readAt } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
    totalCount unreadCount
  }
}`;
const MARK = `mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describeEachEngine('notifications', (engine) => {
  let app: TestApp;
  let admin: User;
  let admin2: User;
  let auditor: User;
  let auditor2: User;
  let speaker: User;
  let cadre: Cadre;
  let speech: Speech;
  let sessionId: number;

  const at = (days: number) => new Date(app.clock.now().getTime() + days * DAY);
  const token = (u: User) => app.tokenFor(u);
  const notifier = () => app.services.notifications.notifier;
  const dueJob = () => app.services.notifications.dueDates;
  const noticesOf = (u: User) => app.ds.getRepository(Notification).find({ where: { userId: u.id }, order: { id: 'ASC' } });

  beforeEach(async () => {
    app = await createTestApp(engine);
    const m = app.ds.manager;
    admin = await createUser(m, { roles: ['admin'] });
    admin2 = await createUser(m, { roles: ['admin'] });
    auditor = await createUser(m, { roles: ['auditor'] });
    auditor2 = await createUser(m, { roles: ['auditor'] });
    const s = await scriptSession(app, { speakers: 2, voters: 2, speakerVoters: 1, until: RoomPhase.SCHEDULED });
    speaker = s.voters[0];
    cadre = s.cadres[0];
    speech = s.speeches[0];
    sessionId = s.session.id;
    // Whatever setting the world up journalled is not this test's business.
    await notifier().runOnce();
  });
  afterEach(() => app.close());

  async function commitment(dueAt: Date, overrides: Partial<Commitment> = {}): Promise<Commitment> {
    const repo = app.ds.getRepository(Commitment);
    return repo.save(
      repo.create({
        sessionId,
        speechId: speech.id,
        cadreId: cadre.id,
        title: '打造民宿床位',
        target: '超10万张',
        dueAt,
        version: 1,
        supersedesId: null,
        supersededAt: null,
        revisionReason: null,
        recordedById: speaker.id,
        recordedAt: app.clock.now(),
        latestVerdict: null,
        verdictPublishedAt: null,
        ...overrides,
      }),
    );
  }

  async function actionItem(dueAt: Date, owner: Cadre = cadre): Promise<ActionItem> {
    const repo = app.ds.getRepository(ActionItem);
    return repo.save(repo.create({ reviewId: 1, sessionId, cadreId: owner.id, title: '整改民宿消防隐患', dueAt, createdById: admin.id, createdAt: app.clock.now() }));
  }

  /** A progress report as the follow-up module records one: the row and its journal entry in one transaction. */
  async function reportProgress(target: { commitmentId?: number; actionItemId?: number }, percent: number, by: User = speaker): Promise<ProgressReport> {
    return app.ds.transaction(async (m) => {
      const row = await m.save(ProgressReport, m.create(ProgressReport, { commitmentId: target.commitmentId ?? null, actionItemId: target.actionItemId ?? null, cadreId: cadre.id, reportedById: by.id, note: '已完成', percent, reportedAt: app.clock.now() }));
      await journal(m, app.clock, { actorId: by.id, action: 'reportProgress', entity: 'ProgressReport', entityId: row.id, after: row });
      return row;
    });
  }

  async function verify(progress: ProgressReport, accepted: boolean): Promise<void> {
    await app.ds.getRepository(ProgressVerification).insert({ progressId: progress.id, accepted, note: null, verifiedById: auditor.id, verifiedAt: app.clock.now() });
  }

  async function assign(commitmentId: number, method = 'DOCUMENT_CHECK'): Promise<string> {
    const res = await app.gql(ASSIGN, { input: { commitmentId: String(commitmentId), method, auditorId: String(auditor.id), dueAt: at(14).toISOString() } }, await token(admin));
    expect(res.errors).toBeUndefined();
    return res.data!.assignAudit.id;
  }

  async function submit(auditId: string): Promise<string> {
    const input = { verdict: 'NOT_FULFILLED', summary: '床位未达标', evidence: [{ kind: 'PHOTO', description: '现场照片', sha256: sha(auditId), capturedAt: at(-1).toISOString(), location: '平泉市' }] };
    const res = await app.gql(SUBMIT, { a: auditId, input }, await token(auditor));
    expect(res.errors).toBeUndefined();
    return res.data!.submitFinding.id;
  }

  async function publish(findingId: string): Promise<void> {
    const res = await app.gql(PUBLISH, { f: findingId }, await token(admin2));
    expect(res.errors).toBeUndefined();
  }

  async function mine(u: User, vars: Record<string, unknown> = {}) {
    const res = await app.gql(MINE, vars, await token(u));
    expect(res.errors).toBeUndefined();
    return res.data!.myNotifications;
  }

  describe('from the audit trail', () => {
    it('tells the assigned auditor of a new audit, and nobody else', async () => {
      const c = await commitment(at(30));
      const auditId = await assign(c.id);
      const made = await notifier().runOnce();
      expect(made.map((n) => [n.userId, n.kind, n.subjectType, String(n.subjectId)])).toEqual([[auditor.id, NotificationKind.AUDIT_ASSIGNED, 'Audit', auditId]]);
      expect(made[0].text).toMatch(/^新的核查任务：「打造民宿床位」/);
      expect(await noticesOf(speaker)).toEqual([]);
      expect(await noticesOf(auditor2)).toEqual([]);
    });

    it('tells the cadre concerned when a finding is published, not when it is submitted', async () => {
      const c = await commitment(at(30));
      const findingId = await submit(await assign(c.id));
      await notifier().runOnce();
      expect(await noticesOf(speaker)).toEqual([]);
      await publish(findingId);
      const made = await notifier().runOnce();
      expect(made.map((n) => [n.userId, n.kind, n.subjectType, String(n.subjectId), n.text])).toEqual([[speaker.id, NotificationKind.FINDING_PUBLISHED, 'Finding', findingId, '关于你的核查结论已公布']]);
    });

    it('asks every auditor but the one who reported to verify progress', async () => {
      const item = await actionItem(at(20));
      const reporter = await createUser(app.ds.manager, { roles: ['auditor', 'speaker'] });
      const report = await reportProgress({ actionItemId: item.id }, 50, reporter);
      const made = await notifier().runOnce();
      expect(made.map((n) => n.userId).sort((a, b) => a - b)).toEqual([auditor.id, auditor2.id]);
      expect(made.every((n) => n.kind === NotificationKind.PROGRESS_TO_VERIFY && n.subjectType === 'ProgressReport' && n.subjectId === report.id)).toBe(true);
      expect(made[0].text).toBe('有进度报告待核实：「整改民宿消防隐患」');
      expect(await noticesOf(admin)).toEqual([]);
    });

    it('asks every admin to decide on a response to a finding', async () => {
      const c = await commitment(at(30));
      const findingId = await submit(await assign(c.id));
      await publish(findingId);
      await notifier().runOnce();
      const response = await app.ds.transaction(async (m) => {
        const row = await m.save(FindingResponse, m.create(FindingResponse, { findingId: Number(findingId), cadreId: cadre.id, authorId: speaker.id, body: '情况说明', respondedAt: app.clock.now() }));
        await journal(m, app.clock, { actorId: speaker.id, action: 'respondToFinding', entity: 'FindingResponse', entityId: row.id, after: row });
        return row;
      });
      const made = await notifier().runOnce();
      expect(made.map((n) => n.userId).sort((a, b) => a - b)).toEqual([admin.id, admin2.id]);
      expect(made.every((n) => n.kind === NotificationKind.RESPONSE_TO_DECIDE && n.subjectId === response.id)).toBe(true);
      expect(made[0].text).toBe(`有申辩待决定：${cadre.name}`);
    });

    it('maps the follow-up module’s own reportProgress and respondToFinding', async () => {
      const c = await commitment(at(30));
      const findingId = await submit(await assign(c.id));
      await publish(findingId);
      await notifier().runOnce();
      const progress = await app.gql(`mutation($input: ProgressInput!) { reportProgress(input: $input) { id } }`, { input: { commitmentId: String(c.id), note: '已建成床位五万张', percent: 50 } }, await token(speaker));
      expect(progress.errors).toBeUndefined();
      const response = await app.gql(`mutation($f: ID!, $b: String!) { respondToFinding(findingId: $f, body: $b) { id } }`, { f: findingId, b: '情况说明' }, await token(speaker));
      expect(response.errors).toBeUndefined();
      const made = await notifier().runOnce();
      expect(made.map((n) => `${n.kind} ${n.subjectType}:${n.subjectId} → ${n.userId}`).sort()).toEqual(
        [
          `PROGRESS_TO_VERIFY ProgressReport:${progress.data!.reportProgress.id} → ${auditor.id}`,
          `PROGRESS_TO_VERIFY ProgressReport:${progress.data!.reportProgress.id} → ${auditor2.id}`,
          `RESPONSE_TO_DECIDE FindingResponse:${response.data!.respondToFinding.id} → ${admin.id}`,
          `RESPONSE_TO_DECIDE FindingResponse:${response.data!.respondToFinding.id} → ${admin2.id}`,
        ].sort(),
      );
    });

    it('makes each notice once: running again, or two notifiers on one database, adds nothing', async () => {
      const c = await commitment(at(30));
      await assign(c.id);
      await reportProgress({ commitmentId: c.id }, 30);
      const first = await notifier().runOnce();
      expect(first).toHaveLength(3);
      expect(await notifier().runOnce()).toEqual([]);

      // Two instances over one database, running at the same moment on new entries.
      await assign(c.id);
      await reportProgress({ commitmentId: c.id }, 60);
      let otherDs: DataSource | null = null;
      const ds = engine === 'mysql' ? (otherDs = await createDataSource(databaseConfig('mysql'), { entities: ENTITIES }).initialize()) : app.ds;
      const other = new Notifications(ds, app.clock, new LocalPubSub(), createLogger('silent'));
      try {
        const [a, b] = await Promise.all([notifier().runOnce(), other.notifier.runOnce()]);
        expect(a.length + b.length).toBe(3);
        expect(new Set([...a, ...b].map((n) => n.id)).size).toBe(3);
        expect(await other.notifier.runOnce()).toEqual([]);
      } finally {
        await other.close();
        await otherDs?.destroy();
      }
      expect(await app.ds.getRepository(Notification).count()).toBe(6);
    });

    it('survives a restart: a new notifier starts from the stored cursor', async () => {
      const c = await commitment(at(30));
      await assign(c.id);
      expect(await notifier().runOnce()).toHaveLength(1);
      const restarted = new Notifications(app.ds, app.clock, new LocalPubSub(), createLogger('silent'));
      try {
        expect(await restarted.notifier.runOnce()).toEqual([]);
        await assign(c.id);
        expect(await restarted.notifier.runOnce()).toHaveLength(1);
      } finally {
        await restarted.close();
      }
    });
  });

  describe('the unannounced-visit rule (暗访)', () => {
    it('tells the cadre nothing of an unannounced visit before its finding is published', async () => {
      const c = await commitment(at(3));
      const auditId = await assign(c.id, 'UNANNOUNCED_VISIT');
      const findingId = await submit(auditId);
      await notifier().runOnce();
      await dueJob().runOnce();
      const before = await mine(speaker);
      // The due-date notice about the commitment itself says nothing of the audit.
      expect(before.edges.map((e: any) => e.node.kind)).toEqual([NotificationKind.DUE_SOON]);
      expect(before.edges.map((e: any) => e.node.text).join()).not.toMatch(/核查|暗访|审计/);
      expect((await noticesOf(auditor)).map((n) => n.kind)).toEqual([NotificationKind.AUDIT_ASSIGNED]);

      await publish(findingId);
      await notifier().runOnce();
      expect((await mine(speaker)).edges.map((e: any) => e.node.kind)).toEqual([NotificationKind.FINDING_PUBLISHED, NotificationKind.DUE_SOON]);
    });

    it('strikes out any notice about such an audit addressed to its cadre until a finding is published', async () => {
      const c = await commitment(at(30));
      const auditId = Number(await assign(c.id, 'UNANNOUNCED_VISIT'));
      const findingId = Number(await submit(String(auditId)));
      const drafts = [
        { userId: speaker.id, kind: NotificationKind.AUDIT_ASSIGNED, subjectType: 'Audit', subjectId: auditId, text: 'x', dedupeKey: 'a' },
        { userId: speaker.id, kind: NotificationKind.FINDING_PUBLISHED, subjectType: 'Finding', subjectId: findingId, text: 'x', dedupeKey: 'b' },
        { userId: auditor.id, kind: NotificationKind.AUDIT_ASSIGNED, subjectType: 'Audit', subjectId: auditId, text: 'x', dedupeKey: 'c' },
      ];
      expect((await withoutUnannouncedLeaks(app.ds.manager, drafts)).map((d) => d.dedupeKey)).toEqual(['c']);
      await publish(String(findingId));
      expect((await withoutUnannouncedLeaks(app.ds.manager, drafts)).map((d) => d.dedupeKey)).toEqual(['a', 'b', 'c']);
    });
  });

  describe('the due-date job', () => {
    it('sends DUE_SOON inside 7 days and OVERDUE past due, each once', async () => {
      const dueAt = new Date('2026-03-20T02:00:00.000Z');
      const c = await commitment(dueAt);
      app.clock.set(new Date(dueAt.getTime() - 8 * DAY));
      expect(await dueJob().runOnce()).toEqual([]);
      app.clock.set(new Date(dueAt.getTime() - 6 * DAY));
      const soon = await dueJob().runOnce();
      expect(soon.map((n) => [n.userId, n.kind, n.subjectType, n.subjectId, n.text])).toEqual([[speaker.id, NotificationKind.DUE_SOON, 'Commitment', c.id, '承诺「打造民宿床位」将于 3月20日 到期']]);
      app.clock.advance(DAY);
      expect(await dueJob().runOnce()).toEqual([]);
      app.clock.set(new Date(dueAt.getTime() + 1));
      const late = await dueJob().runOnce();
      expect(late.map((n) => [n.kind, n.text])).toEqual([[NotificationKind.OVERDUE, '承诺「打造民宿床位」已逾期']]);
      app.clock.advance(30 * DAY);
      expect(await dueJob().runOnce()).toEqual([]);
      expect(await app.ds.getRepository(Notification).count()).toBe(2);
    });

    it('gives something first seen past due OVERDUE only, and leaves closed, revised and ownerless ones alone', async () => {
      await commitment(at(-2), { title: '已逾期' });
      await commitment(at(-2), { title: '已核查', latestVerdict: 'VERIFIED' });
      await commitment(at(-2), { title: '旧版本', supersededAt: app.clock.now() });
      const nobody = await createCadre(app.ds.manager, { userId: null });
      await commitment(at(-2), { title: '无账号', cadreId: nobody.id });
      await actionItem(at(-2), nobody);
      const made = await dueJob().runOnce();
      expect(made.map((n) => [n.kind, n.text])).toEqual([[NotificationKind.OVERDUE, '承诺「已逾期」已逾期']]);
    });

    it('sends no OVERDUE for an action item whose 100 % progress was accepted', async () => {
      const done = await actionItem(at(3));
      const rejected = await actionItem(at(3));
      const half = await actionItem(at(3));
      await verify(await reportProgress({ actionItemId: done.id }, 100), true);
      await verify(await reportProgress({ actionItemId: rejected.id }, 100), false);
      await verify(await reportProgress({ actionItemId: half.id }, 50), true);
      app.clock.advance(4 * DAY);
      const made = await dueJob().runOnce();
      expect(made.filter((n) => n.kind === NotificationKind.OVERDUE).map((n) => n.subjectId).sort((a, b) => a - b)).toEqual([rejected.id, half.id]);
      expect(made.some((n) => n.subjectId === done.id)).toBe(false);
      expect(made.find((n) => n.subjectId === half.id)!.text).toBe('督办事项「整改民宿消防隐患」已逾期');
    });

    it('makes each notice once with two jobs at the same moment', async () => {
      for (let i = 0; i < 5; i++) await commitment(at(i + 1), { title: `承诺${i}` });
      for (let i = 0; i < 5; i++) await actionItem(at(-i - 1));
      let otherDs: DataSource | null = null;
      const ds = engine === 'mysql' ? (otherDs = await createDataSource(databaseConfig('mysql'), { entities: ENTITIES }).initialize()) : app.ds;
      const other = new Notifications(ds, app.clock, new LocalPubSub(), createLogger('silent'));
      try {
        const [a, b] = await Promise.all([dueJob().runOnce(), other.dueDates.runOnce()]);
        expect(a.length + b.length).toBe(10);
        expect(await other.dueDates.runOnce()).toEqual([]);
      } finally {
        await other.close();
        await otherDs?.destroy();
      }
      expect(await app.ds.getRepository(Notification).count()).toBe(10);
    });
  });

  describe('myNotifications and markNotificationsRead', () => {
    async function fiveFor(): Promise<void> {
      for (let i = 0; i < 5; i++) await commitment(at(i + 1), { title: `承诺${i}` });
      await dueJob().runOnce();
    }

    it('pages the caller’s notices newest first, with unreadOnly and unreadCount', async () => {
      await fiveFor();
      const first = await mine(speaker, { first: 2 });
      expect(first.totalCount).toBe(5);
      expect(first.unreadCount).toBe(5);
      expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const second = await mine(speaker, { first: 2, after: first.pageInfo.endCursor });
      const third = await mine(speaker, { first: 2, after: second.pageInfo.endCursor });
      const ids = [...first.edges, ...second.edges, ...third.edges].map((e: any) => Number(e.node.id));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(new Set(ids).size).toBe(5);
      expect(third.pageInfo.hasNextPage).toBe(false);

      expect((await app.gql(MARK, { ids: ids.slice(0, 2).map(String) }, await token(speaker))).data).toEqual({ markNotificationsRead: 2 });
      const unread = await mine(speaker, { unread: true });
      expect(unread.totalCount).toBe(3);
      expect(unread.unreadCount).toBe(3);
      expect(unread.edges.map((e: any) => Number(e.node.id))).toEqual(ids.slice(2));
      const all = await mine(speaker);
      expect(all).toMatchObject({ totalCount: 5, unreadCount: 3 });
      expect(all.edges[0].node.readAt).toBe(app.clock.now().toISOString());
      expect(codeOf(await app.gql(MINE, { first: 0 }, await token(speaker)))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(MINE, { after: 'bm90LWEtY3Vyc29y' }, await token(speaker)))).toBe('BAD_USER_INPUT');
    });

    it('marks only the caller’s own, once; malformed ids and too many are refused', async () => {
      await fiveFor();
      const ids = (await noticesOf(speaker)).map((n) => String(n.id));
      const voter = await createUser(app.ds.manager, { roles: ['voter'] });
      expect((await app.gql(MARK, { ids }, await token(voter))).data).toEqual({ markNotificationsRead: 0 });
      expect((await noticesOf(speaker)).every((n) => n.readAt === null)).toBe(true);
      expect((await app.gql(MARK, { ids: [ids[0], ids[0], '999999'] }, await token(speaker))).data).toEqual({ markNotificationsRead: 1 });
      expect((await app.gql(MARK, { ids: [ids[0]] }, await token(speaker))).data).toEqual({ markNotificationsRead: 0 });
      expect((await app.gql(MARK, { ids: [] }, await token(speaker))).data).toEqual({ markNotificationsRead: 0 });
      expect(codeOf(await app.gql(MARK, { ids: ['abc'] }, await token(speaker)))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(MARK, { ids: Array.from({ length: 201 }, (_, i) => String(i + 1)) }, await token(speaker)))).toBe('BAD_USER_INPUT');
      expect(codeOf(await app.gql(MARK, { ids }))).toBe('UNAUTHENTICATED');
    });

    it('lets a voter read only their own', async () => {
      await fiveFor();
      const voter = await createUser(app.ds.manager, { roles: ['voter'] });
      expect(await mine(voter)).toMatchObject({ edges: [], totalCount: 0, unreadCount: 0 });
      expect(codeOf(await app.gql(MINE, {}))).toBe('UNAUTHENTICATED');
    });
  });

  it('hands new notices to the person’s live subscribers only', async () => {
    const feed = app.services.notifications.feed;
    const speakers = feed.added(speaker.id);
    const auditors = feed.added(auditor.id);
    const c = await commitment(at(30));
    await assign(c.id);
    await notifier().runOnce();
    const got = await auditors.next();
    expect(got.value).toMatchObject({ kind: NotificationKind.AUDIT_ASSIGNED, userId: auditor.id });
    expect(got.value.createdAt).toBeInstanceOf(Date);
    await auditors.return!();
    await speakers.return!();
    expect(feed.size).toBe(0);
  });
});
