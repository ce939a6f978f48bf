import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postGraphQL, ServerProcess, startServerProcess, subscribe, wsClient } from '../helpers/server-process';

/** The demo session run to the end over the wire: speeches, a secret ballot from every attendee, a sealed archive. */
describe('a whole demo session over HTTP and WebSocket', () => {
  let server: ServerProcess;
  const call = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await postGraphQL(server.url, query, variables, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };
  const login = async (u: string) => (await postGraphQL(server.url, `mutation($u: String!) { login(username: $u, password: "leitai-demo") { token } }`, { u })).body.data.login.token as string;

  beforeAll(async () => {
    server = await startServerProcess({ DATABASE_URL: `sqlite:${mkdtempSync(join(tmpdir(), 'leitai-eval-'))}/leitai.sqlite`, BALLOT_MODE: 'simple' });
  });
  afterAll(() => server?.stop());

  it('runs session 4 from the line-up to a sealed, verified archive while a screen counts the ballots', async () => {
    const [admin, chair] = [await login('admin'), await login('chair')];
    const session = (await call(admin, `{ sessions(first: 1) { edges { node { id number speeches { id cadre { name } } } } } }`)).sessions.edges[0].node;
    expect(session.number).toBe(4);
    const s = session.id;
    const room = (m: string, args = '') => call(chair, `mutation($s: ID!) { ${m}(sessionId: $s${args}) { seq } }`, { s });

    await room('advancePhase', ', phase: SPEECHES');
    for (let i = 0; i < session.speeches.length; i++) {
      await room('startSpeech');
      await room('endSpeech');
    }
    for (const phase of ['EXCHANGE', 'SUMMARY', 'EVALUATION']) await room('advancePhase', `, phase: ${phase}`);
    // Everyone registered is in the hall: the evaluation entitles those present.
    const present = (await call(chair, `query($s: ID!) { attendance(sessionId: $s) { entries { user { id } } } }`, { s: s })).attendance.entries.map((e: { user: { id: string } }) => e.user.id);
    for (let i = 0; i < present.length; i += 100) await call(chair, `mutation($s: ID!, $u: [ID!]!) { markPresent(sessionId: $s, userIds: $u, present: true) { present } }`, { s: s, u: present.slice(i, i + 100) });
    await call(chair, `mutation($s: ID!) { openEvaluation(sessionId: $s) { status } }`, { s });

    const screenToken = (await call(admin, `mutation($s: ID!) { issueScreenToken(sessionId: $s) }`, { s })).issueScreenToken;
    const client = wsClient(server.url, screenToken);
    const screen = subscribe(client, `subscription($s: ID!) { roomState(sessionId: $s) { evaluation { entitledVoters ballotsCast status results { rank grade speech { cadre { name } } } } } }`, { s });
    expect((await screen.next()).evaluation).toMatchObject({ entitledVoters: 51, ballotsCast: 0, status: 'OPEN' });

    const speeches: { id: string }[] = session.speeches;
    for (let n = 1; n <= 10; n++) {
      const voter = await login(`voter${String(n).padStart(2, '0')}`);
      const grades = speeches.map((sp, i) => ({ speechId: sp.id, grade: (i + n) % 4 === 0 ? 'EXCELLENT' : (i + n) % 4 === 1 ? 'GOOD' : 'AVERAGE' }));
      await call(voter, `mutation($s: ID!, $g: [GradeInput!]!) { castBallot(sessionId: $s, grades: $g) { receipt } }`, { s, g: grades });
      expect((await screen.next(1000)).evaluation.ballotsCast).toBe(n);
    }
    // Ten of the hall's ballots are fewer than its quorum: the chair closes by force, with a reason the archive keeps.
    const early = await postGraphQL(server.url, `mutation($s: ID!) { closeEvaluation(sessionId: $s) { status } }`, { s }, chair);
    expect(early.body.errors![0].extensions).toMatchObject({ code: 'EVALUATION_QUORUM_NOT_MET', ballotsCast: 10 });
    await call(chair, `mutation($s: ID!) { closeEvaluation(sessionId: $s, force: true, reason: "演示：只有十位同志投票") { status } }`, { s });
    await call(chair, `mutation($s: ID!) { publishEvaluation(sessionId: $s) { status } }`, { s });
    let state = await screen.next(1000);
    while (state.evaluation.status !== 'PUBLISHED') state = await screen.next(1000);
    expect(state.evaluation.results).toHaveLength(11);
    expect(state.evaluation.results.filter((r: any) => r.grade === 'EXCELLENT').length).toBeLessThanOrEqual(3);
    await client.dispose();

    await room('advancePhase', ', phase: CLOSED');
    const archive = (await call(admin, `mutation($s: ID!) { sealArchive(sessionId: $s) { contentHash previousHash document } }`, { s })).sealArchive;
    expect(archive.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(archive.document.speeches).toHaveLength(11);
    expect(archive.document.evaluation).toMatchObject({ ballotsCast: 10, closeReason: '演示：只有十位同志投票' });
    expect(archive.document.attendance.present).toBe(archive.document.attendance.expected);
    expect((await call(admin, `{ archiveChain { valid length brokenAt } }`)).archiveChain).toEqual({ valid: true, length: 1, brokenAt: null });
  });
});
