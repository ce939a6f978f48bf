import { User } from '../../../src/auth/user.entity';
import { RoomEventRecord } from '../../../src/modules/room/room-event.entity';
import { loadRoomState } from '../../../src/modules/room/room-log';
import { Speech } from '../../../src/modules/sessions/speech.entity';
import { Cadre } from '../../../src/modules/registry/cadre.entity';
import { Attendee } from '../../../src/modules/sessions/attendee.entity';
import { Session } from '../../../src/modules/sessions/session.entity';
import { createCadre, createSession, createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { codeOf, createTestApp, TestApp } from '../../helpers/test-app';

const ROOM = `fragment R on RoomState { seq phase serverNow current { speech { id order status cadre { name } } timer { running allottedMs extendedMs elapsedMs remainingMs overtimeMs endsAt } interruptions { reason note cutOff at } } upcoming { id order } comments { id body authorName } }`;
const cmd = (name: string, args = '') => `${ROOM} mutation($s: ID!) { ${name}(sessionId: $s${args}) { ...R } }`;
const ADVANCE = `${ROOM} mutation($s: ID!, $p: RoomPhase!) { advancePhase(sessionId: $s, phase: $p) { ...R } }`;
const POST = `mutation($s: ID!, $b: String!, $sp: ID, $c: String) { postComment(sessionId: $s, body: $b, speechId: $sp, clientId: $c) { id status body authorName } }`;
const MODERATE = `mutation($c: ID!, $a: Boolean!) { moderateComment(commentId: $c, approve: $a) { id status } }`;

describeEachEngine('the live room', (engine) => {
  let app: TestApp;
  let chair: User;
  let leader: User;
  let voter: User;
  let outsider: User;
  let speakerUser: User;
  let session: Session;
  let speeches: Speech[];
  let tokens: Record<string, string>;

  const eventLog = () => app.ds.getRepository(RoomEventRecord).find({ where: { sessionId: session.id }, order: { seq: 'ASC' } });
  const gqlAs = (who: string, query: string, variables: Record<string, unknown> = {}) => app.gql(query, { s: String(session.id), ...variables }, tokens[who]);

  beforeAll(async () => {
    app = await createTestApp(engine);
  });
  afterAll(() => app.close());

  beforeEach(async () => {
    const m = app.ds.manager;
    chair = await createUser(m, { roles: ['chair', 'leader'] });
    leader = await createUser(m, { roles: ['leader'], displayName: '郭旭涛' });
    voter = await createUser(m, { roles: ['voter'], displayName: '与会干部01' });
    outsider = await createUser(m, { roles: ['voter'] });
    speakerUser = await createUser(m, { roles: ['speaker', 'chair'] });
    const cadres = [await createCadre(m, { name: '吴国志', userId: speakerUser.id }), await createCadre(m, { name: '张宝东' }), await createCadre(m, { name: '李国星' })];
    session = await createSession(m, { number: (await app.ds.getRepository(Session).count()) + 1000 });
    const admin = await createUser(m, { roles: ['admin'] });
    tokens = {
      admin: await app.tokenFor(admin),
      chair: await app.tokenFor(chair),
      leader: await app.tokenFor(leader),
      voter: await app.tokenFor(voter),
      outsider: await app.tokenFor(outsider),
      speaker: await app.tokenFor(speakerUser),
      screen: await app.services.tokens.signScreen(session.id),
    };
    await app.ds.getRepository(Attendee).insert({ sessionId: session.id, userId: voter.id });
    const entries = cadres.map((c, i) => ({ cadreId: String(c.id), allottedSeconds: [300, 240, 180][i] }));
    const set = await gqlAs('admin', `mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { id } }`, { e: entries });
    expect(set.errors).toBeUndefined();
    speeches = await app.ds.getRepository(Speech).find({ where: { sessionId: session.id }, order: { order: 'ASC' } });
  });

  describe('a whole session', () => {
    it('runs the speeches on an authoritative clock and records every change in order', async () => {
      const t0 = app.clock.now().getTime();
      expect(codeOf(await gqlAs('chair', ADVANCE, { p: 'SPEECHES' }))).toBeUndefined();

      const started = (await gqlAs('chair', cmd('startSpeech'))).data!.startSpeech;
      expect(started.current.speech).toMatchObject({ order: 1, status: 'SPEAKING', cadre: { name: '吴国志' } });
      expect(started.current.timer).toEqual({ running: true, allottedMs: 300_000, extendedMs: 0, elapsedMs: 0, remainingMs: 300_000, overtimeMs: 0, endsAt: new Date(t0 + 300_000).toISOString() });
      expect(started.upcoming.map((s: any) => s.order)).toEqual([2, 3]);

      app.clock.advance(10_000);
      await gqlAs('chair', cmd('pauseSpeech'));
      app.clock.advance(5_000);
      const paused = (await app.gql(`${ROOM} query($s: ID!) { room(sessionId: $s) { ...R } }`, { s: String(session.id) }, tokens.screen)).data!.room;
      expect(paused.current.timer).toMatchObject({ running: false, elapsedMs: 10_000, remainingMs: 290_000, endsAt: null });
      expect(paused.current.speech.status).toBe('PAUSED');

      const resumed = (await gqlAs('chair', cmd('resumeSpeech'))).data!.resumeSpeech;
      expect(resumed.current.timer.endsAt).toBe(new Date(t0 + 305_000).toISOString());
      const extended = (await gqlAs('chair', cmd('extendSpeech', ', seconds: 60'))).data!.extendSpeech;
      expect(extended.current.timer).toMatchObject({ extendedMs: 60_000, endsAt: new Date(t0 + 365_000).toISOString() });

      app.clock.advance(20_000);
      const interrupted = (await gqlAs('chair', cmd('interruptSpeech', ', reason: EMPTY_TALK, note: "请讲干货"'))).data!.interruptSpeech;
      expect(interrupted.current.interruptions).toEqual([{ reason: 'EMPTY_TALK', note: '请讲干货', cutOff: false, at: app.clock.now().toISOString() }]);

      app.clock.advance(400_000);
      const ended = (await gqlAs('chair', cmd('endSpeech'))).data!.endSpeech;
      expect(ended.current).toBeNull();
      const first = await app.ds.getRepository(Speech).findOneByOrFail({ id: speeches[0].id });
      expect(first).toMatchObject({ status: 'FINISHED', spokenMs: 430_000, overtimeMs: 70_000 });
      expect(first.startedAt!.getTime()).toBe(t0);

      await gqlAs('chair', cmd('startSpeech'));
      app.clock.advance(30_000);
      const cut = (await gqlAs('chair', cmd('interruptSpeech', ', reason: OFF_TOPIC, cutOff: true'))).data!.interruptSpeech;
      expect(cut.current).toBeNull();
      expect(await app.ds.getRepository(Speech).findOneByOrFail({ id: speeches[1].id })).toMatchObject({ status: 'CUT_OFF', spokenMs: 30_000, overtimeMs: 0 });

      const log = await eventLog();
      expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
      expect(log.map((e) => e.type)).toEqual([
        'LINEUP_SET', 'PHASE_CHANGED', 'SPEECH_STARTED', 'SPEECH_PAUSED', 'SPEECH_RESUMED', 'SPEECH_EXTENDED', 'SPEECH_INTERRUPTED', 'SPEECH_ENDED',
        'SPEECH_STARTED', 'SPEECH_INTERRUPTED', 'SPEECH_ENDED',
      ]);
      expect(log.every((e) => e.actorId === chair.id || e.type === 'LINEUP_SET')).toBe(true);
      expect((await app.ds.getRepository(Session).findOneByOrFail({ id: session.id })).phase).toBe('SPEECHES');
    });

    it('moves through the phases one step at a time and refuses to skip, naming the phase', async () => {
      for (const p of ['SPEECHES', 'EXCHANGE', 'SUMMARY']) expect((await gqlAs('chair', ADVANCE, { p })).errors).toBeUndefined();
      const skip = await gqlAs('chair', ADVANCE, { p: 'CLOSED' });
      expect(codeOf(skip)).toBe('ROOM_INVALID_TRANSITION');
      expect(skip.errors![0].message).toMatch(/phase SUMMARY/);
    });

    it('rebuilds the same room from the log alone', async () => {
      await gqlAs('chair', ADVANCE, { p: 'SPEECHES' });
      await gqlAs('chair', cmd('startSpeech'));
      app.clock.advance(7_000);
      await gqlAs('chair', cmd('pauseSpeech'));
      const fromCache = await app.services.room.state(session.id);
      expect(await loadRoomState(app.ds, session.id)).toEqual(fromCache);
    });
  });

  describe('bad input', () => {
    beforeEach(async () => {
      await gqlAs('chair', ADVANCE, { p: 'SPEECHES' });
      await gqlAs('chair', cmd('startSpeech'));
    });

    it.each([
      ['resuming a running speech', cmd('resumeSpeech'), 'ROOM_INVALID_TRANSITION'],
      ['extending by 0 seconds', cmd('extendSpeech', ', seconds: 0'), 'BAD_USER_INPUT'],
      ['extending by more than 30 minutes', cmd('extendSpeech', ', seconds: 1801'), 'BAD_USER_INPUT'],
      ['starting a second speech', cmd('startSpeech'), 'ROOM_INVALID_TRANSITION'],
      ['leaving the speeches mid-speech', ADVANCE, 'ROOM_INVALID_TRANSITION'],
    ])('refuses %s with its code and appends nothing', async (_what, query, code) => {
      const before = (await eventLog()).length;
      expect(codeOf(await gqlAs('chair', query, { p: 'EXCHANGE' }))).toBe(code);
      expect((await eventLog()).length).toBe(before);
    });

    it('refuses pausing a paused speech and ending when none runs', async () => {
      await gqlAs('chair', cmd('pauseSpeech'));
      const before = (await eventLog()).length;
      expect(codeOf(await gqlAs('chair', cmd('pauseSpeech')))).toBe('ROOM_INVALID_TRANSITION');
      await gqlAs('chair', cmd('endSpeech'));
      expect(codeOf(await gqlAs('chair', cmd('endSpeech')))).toBe('ROOM_NO_SPEECH_RUNNING');
      expect((await eventLog()).length).toBe(before + 1);
    });

    it('answers NOT_FOUND for an unknown session and FORBIDDEN to a voter or a screen', async () => {
      expect(codeOf(await app.gql(cmd('pauseSpeech'), { s: '999999' }, tokens.chair))).toBe('NOT_FOUND');
      expect(codeOf(await gqlAs('voter', cmd('pauseSpeech')))).toBe('FORBIDDEN');
      expect(codeOf(await gqlAs('screen', cmd('pauseSpeech')))).toBe('FORBIDDEN');
    });
  });

  describe('comments', () => {
    it('keeps an attendee’s comment PENDING until the chair approves it, then shows it', async () => {
      const posted = (await gqlAs('voter', POST, { b: '请问民宿床位的统计口径？' })).data!.postComment;
      expect(posted).toMatchObject({ status: 'PENDING', authorName: '与会干部01' });
      expect((await app.services.room.state(session.id)).comments).toEqual([]);
      const approved = await app.gql(MODERATE, { c: posted.id, a: true }, tokens.chair);
      expect(approved.data!.moderateComment.status).toBe('APPROVED');
      const room = (await app.gql(`${ROOM} query($s: ID!) { room(sessionId: $s) { ...R } }`, { s: String(session.id) }, tokens.screen)).data!.room;
      expect(room.comments).toEqual([{ id: posted.id, body: '请问民宿床位的统计口径？', authorName: '与会干部01' }]);
      const hidden = await app.gql(MODERATE, { c: posted.id, a: false }, tokens.chair);
      expect(hidden.data!.moderateComment.status).toBe('REJECTED');
      expect((await app.services.room.state(session.id)).comments).toEqual([]);
    });

    it('lets leaders’ comments straight through', async () => {
      const posted = (await gqlAs('leader', POST, { b: '要用好承德民宿标识' })).data!.postComment;
      expect(posted.status).toBe('APPROVED');
      expect((await app.services.room.state(session.id)).comments[0]).toMatchObject({ commentId: Number(posted.id), authorName: '郭旭涛' });
    });

    it('returns the same comment for a retry with the same clientId', async () => {
      const first = await gqlAs('voter', POST, { b: '第一条', c: 'phone-1-msg-1' });
      app.clock.advance(500);
      const retry = await gqlAs('voter', POST, { b: '第一条', c: 'phone-1-msg-1' });
      expect(retry.data!.postComment.id).toBe(first.data!.postComment.id);
      expect((await eventLog()).filter((e) => e.type === 'COMMENT_POSTED')).toHaveLength(1);
    });

    it('limits each user to one comment per 3 seconds and 10 per minute', async () => {
      expect(codeOf(await gqlAs('voter', POST, { b: '一' }))).toBeUndefined();
      const limited = await gqlAs('voter', POST, { b: '二' });
      expect(codeOf(limited)).toBe('RATE_LIMITED');
      expect(limited.errors![0].extensions!.retryAfterMs).toBe(3_000);
      for (let i = 0; i < 9; i++) {
        app.clock.advance(3_000);
        expect(codeOf(await gqlAs('voter', POST, { b: `第${i}条` }))).toBeUndefined();
      }
      app.clock.advance(3_000);
      expect(codeOf(await gqlAs('voter', POST, { b: '第十一条' }))).toBe('RATE_LIMITED');
      app.clock.advance(60_000);
    });

    it.each([
      ['an empty body', { b: '   ' }, 'voter', 'BAD_USER_INPUT'],
      ['a 501-character body', { b: '字'.repeat(501) }, 'voter', 'BAD_USER_INPUT'],
      ['a speech of another session', { b: '问', sp: '999999' }, 'voter', 'BAD_USER_INPUT'],
      ['a non-attendee', { b: '问' }, 'outsider', 'FORBIDDEN'],
    ])('refuses %s and appends nothing', async (_what, vars, who, code) => {
      const before = (await eventLog()).length;
      expect(codeOf(await gqlAs(who, POST, vars))).toBe(code);
      expect((await eventLog()).length).toBe(before);
    });

    it('refuses comments in a closed room', async () => {
      for (const p of ['SPEECHES', 'EXCHANGE', 'SUMMARY', 'EVALUATION', 'CLOSED']) await gqlAs('chair', ADVANCE, { p });
      const before = (await eventLog()).length;
      expect(codeOf(await gqlAs('voter', POST, { b: '还有问题' }))).toBe('ROOM_INVALID_TRANSITION');
      expect((await eventLog()).length).toBe(before);
    });

    it('does not let a speaker moderate comments about their own speech', async () => {
      const posted = (await gqlAs('voter', POST, { b: '关于双桥区', sp: String(speeches[0].id) })).data!.postComment;
      expect(codeOf(await app.gql(MODERATE, { c: posted.id, a: true }, tokens.speaker))).toBe('FORBIDDEN');
    });
  });

  describe('postReview', () => {
    const REVIEW = `mutation($sp: ID!, $b: String!) { postReview(speechId: $sp, tone: DIRECTIVE, body: $b) { id tone body authorName } }`;

    it('records a leader’s 点评 on a speech that has started, and refuses one on a speech not yet given', async () => {
      await gqlAs('chair', ADVANCE, { p: 'SPEECHES' });
      await gqlAs('chair', cmd('startSpeech'));
      const review = await app.gql(REVIEW, { sp: String(speeches[0].id), b: '要提前谋划明年重大项目招商引资' }, tokens.leader);
      expect(review.data!.postReview).toMatchObject({ tone: 'DIRECTIVE', authorName: '郭旭涛' });
      expect(codeOf(await app.gql(REVIEW, { sp: String(speeches[2].id), b: '还没讲' }, tokens.leader))).toBe('ROOM_INVALID_TRANSITION');
      expect(codeOf(await app.gql(REVIEW, { sp: String(speeches[0].id), b: '点评' }, tokens.voter))).toBe('FORBIDDEN');
      expect((await eventLog()).filter((e) => e.type === 'REVIEW_POSTED')).toHaveLength(1);
    });
  });

  describe('TIME_UP', () => {
    it('is recorded once when the allowance runs out, and the speech runs on into overtime', async () => {
      await gqlAs('chair', ADVANCE, { p: 'SPEECHES' });
      await gqlAs('chair', cmd('startSpeech'));
      expect(app.services.timeKeeper.pending().get(session.id)).toBe(app.clock.now().getTime() + 300_000);
      app.clock.advance(299_999);
      await app.services.room.recordTimeUp(session.id);
      expect((await eventLog()).some((e) => e.type === 'TIME_UP')).toBe(false);
      app.clock.advance(1);
      await Promise.all([app.services.room.recordTimeUp(session.id), app.services.room.recordTimeUp(session.id)]);
      app.clock.advance(5_000);
      await app.services.room.recordTimeUp(session.id);
      expect((await eventLog()).filter((e) => e.type === 'TIME_UP')).toHaveLength(1);
      const room = await app.services.room.state(session.id);
      expect(room.current?.speechId).toBe(speeches[0].id);
      expect(app.services.timeKeeper.pending().has(session.id)).toBe(false);
    });
  });

  describe('concurrency', () => {
    it('gives 50 concurrent commands the seqs after the last, without gaps or duplicates', async () => {
      await gqlAs('chair', ADVANCE, { p: 'SPEECHES' });
      await gqlAs('chair', cmd('startSpeech'));
      const before = (await eventLog()).length;
      const results = await Promise.all(Array.from({ length: 50 }, () => gqlAs('chair', cmd('extendSpeech', ', seconds: 1'))));
      expect(results.filter((r) => r.errors)).toEqual([]);
      const log = await eventLog();
      expect(log.map((e) => e.seq)).toEqual(Array.from({ length: before + 50 }, (_, i) => i + 1));
      expect((await app.services.room.state(session.id)).current!.timer.extendedMs).toBe(50_000);
    });
  });

  describe('subscriptions feed', () => {
    it('replays the log after a seq, then delivers live events without gaps or duplicates', async () => {
      await gqlAs('chair', ADVANCE, { p: 'SPEECHES' });
      const events = await app.services.hub.events(session.id, 1);
      const first = await events.next();
      expect(first.value).toMatchObject({ seq: 2, type: 'PHASE_CHANGED' });
      await gqlAs('chair', cmd('startSpeech'));
      await gqlAs('chair', cmd('pauseSpeech'));
      expect((await events.next()).value).toMatchObject({ seq: 3, type: 'SPEECH_STARTED' });
      expect((await events.next()).value).toMatchObject({ seq: 4, type: 'SPEECH_PAUSED' });
      await events.return!();
    });

    it('sends the state first, then each new state', async () => {
      const states = await app.services.hub.states(session.id);
      expect((await states.next()).value).toMatchObject({ seq: 1, phase: 'SCHEDULED' });
      await gqlAs('chair', ADVANCE, { p: 'SPEECHES' });
      expect((await states.next()).value).toMatchObject({ seq: 2, phase: 'SPEECHES' });
      await states.return!();
    });
  });

  it('keeps the speaker cadre link intact', async () => {
    expect(await app.ds.getRepository(Cadre).findOneByOrFail({ userId: speakerUser.id })).toMatchObject({ name: '吴国志' });
  });
});
