import { randomUUID } from 'node:crypto';
import type { BallotModeSetting } from '../../src/config/config';
import { castWith, Gql, HeldToken, takeBallotToken } from '../helpers/blind-voter';
import { analyseLinkage, BinlogTransaction, distinguishingValues, LinkageReport, parseBinlog, Voter } from '../helpers/linkage';
import { BinlogMariaDb } from '../helpers/mariadb-binlog';
import { postGraphQL, ServerProcess, startServerProcess } from '../helpers/server-process';

/**
 * The linkage test (docs/blind-ballots.md): the demo's forty voters, none of whom speaks, grade session 4's eleven
 * speeches on a server whose MariaDB keeps a binary log, as a replica or a point-in-time backup would. Then the
 * binlog, every table and the server's own log are read for anything that pairs a voter with a grade. The blind box
 * must leave nothing; the simple box (castBallot), run the same way, must be caught — so the test is shown to find
 * what it looks for.
 */

const GRADES = ['EXCELLENT', 'GOOD', 'AVERAGE', 'POOR'];

interface Run {
  report: LinkageReport;
  transactions: BinlogTransaction[];
  voters: Voter[];
  receipts: string[];
  log: string;
}

async function runEvaluation(ballotMode: BallotModeSetting): Promise<Run> {
  const db = await BinlogMariaDb.start();
  let server: ServerProcess | undefined;
  try {
    await db.sql('CREATE DATABASE leitai CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    // debug: the most the server ever writes to its log.
    server = await startServerProcess({ DATABASE_URL: db.url('leitai'), BALLOT_MODE: ballotMode, LOG_LEVEL: 'debug' }, 120_000);
    const url = server.url;
    const gql: Gql = async (query, variables, token) => (await postGraphQL(url, query, variables, token ?? undefined)).body;
    const call = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
      const res = await gql(query, variables, token);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data as Record<string, any>;
    };
    const login = async (username: string) => {
      const data = (await gql(`mutation($u: String!) { login(username: $u, password: "leitai-demo") { token user { id username } } }`, { u: username }, null)).data as any;
      return { token: data.login.token as string, id: Number(data.login.user.id), username: data.login.user.username as string };
    };

    const [admin, chair] = [await login('admin'), await login('chair')];
    const session = (await call(admin.token, `{ sessions(first: 1) { edges { node { id number speeches { id } } } } }`)).sessions.edges[0].node;
    const s = session.id as string;
    const room = (m: string, args = '') => call(chair.token, `mutation($s: ID!) { ${m}(sessionId: $s${args}) { seq } }`, { s });
    await room('advancePhase', ', phase: SPEECHES');
    for (const _ of session.speeches) {
      await room('startSpeech');
      await room('endSpeech');
    }
    for (const phase of ['EXCHANGE', 'SUMMARY', 'EVALUATION']) await room('advancePhase', `, phase: ${phase}`);
    const present = (await call(chair.token, `query($s: ID!) { attendance(sessionId: $s) { entries { user { id } } } }`, { s })).attendance.entries.map((e: any) => e.user.id);
    await call(chair.token, `mutation($s: ID!, $u: [ID!]!) { markPresent(sessionId: $s, userIds: $u, present: true) { present } }`, { s, u: present });
    expect((await call(chair.token, `mutation($s: ID!) { openEvaluation(sessionId: $s) { ballotMode } }`, { s })).openEvaluation.ballotMode).toBe(ballotMode.toUpperCase());

    const voters: (Voter & { token: string })[] = [];
    for (let n = 1; n <= 40; n++) voters.push(await login(`voter${String(n).padStart(2, '0')}`));
    // Every ballot grades all eleven speeches, which the box accepts only from a voter who is none of the speakers.
    const ballotOf = (n: number) => session.speeches.map((sp: { id: string }, i: number) => ({ speechId: sp.id, grade: GRADES[(i + n) % 4] }));

    const receipts: string[] = [];
    if (ballotMode === 'blind') {
      // As the hall's pages do: every phone takes its token when the box opens, then each casts when done.
      const held: HeldToken[] = await Promise.all(voters.map((v) => takeBallotToken(gql, s, v.token)));
      const order = held.map((h, n) => ({ h, n })).sort(() => Math.random() - 0.5);
      for (const { h, n } of order) {
        const cast = await castWith(gql, s, h, ballotOf(n), randomUUID());
        if (cast.errors) throw new Error(JSON.stringify(cast.errors));
        expect(cast.data!.castAnonymousBallot.receipt).toBe(h.receipt);
        receipts.push(h.receipt);
      }
    } else {
      for (const [n, v] of voters.entries()) {
        const r = await call(v.token, `mutation($s: ID!, $g: [GradeInput!]!, $c: String) { castBallot(sessionId: $s, grades: $g, clientId: $c) { receipt } }`, { s, g: ballotOf(n), c: randomUUID() });
        receipts.push(r.castBallot.receipt);
      }
    }
    const closed = (await call(chair.token, `mutation($s: ID!) { closeEvaluation(sessionId: $s, force: true, reason: "投票时间已到") { ballotsCast } }`, { s })).closeEvaluation;
    expect(closed.ballotsCast).toBe(40);

    const log = server.output();
    await server.stop();
    server = undefined;
    const transactions = parseBinlog(await db.readBinlog(), await db.columns('leitai'), 'leitai');
    const plain = voters.map(({ id, username }) => ({ id, username }));
    return { report: analyseLinkage({ transactions, tables: await db.dump('leitai'), log, voters: plain }), transactions, voters: plain, receipts, log };
  } finally {
    await server?.stop();
    await db.stop();
  }
}

describe('the linkage test: the binary log, the tables and the log of a MariaDB-backed server', () => {
  let blind: Run;
  let simple: Run;

  beforeAll(async () => {
    [blind, simple] = await Promise.all([runEvaluation('blind'), runEvaluation('simple')]);
  }, 300_000);

  it('sees, in each mode, the 440 grade rows of the forty ballots, rows naming each of the forty voters, the statements and the log', () => {
    for (const run of [blind, simple]) {
      expect(run.report.gradeRows).toBe(40 * 11);
      expect(run.report.gradeTransactions).toBe(40);
      expect(run.report.voterRowsByTable.evaluation_voters).toBeGreaterThanOrEqual(80);
      expect(run.report.voterRowsByTable.users).toBeGreaterThanOrEqual(40);
      // MariaDB annotates row events with their statement's text, which the analysis reads too; the log is there.
      expect(run.transactions.filter((t) => t.statements.length > 0).length).toBeGreaterThan(40);
      expect(run.log).toMatch(/migrations applied/);
    }
  });

  it('in simple mode (castBallot) finds every voter linked to their grades, by transaction', () => {
    const linked = new Set(simple.report.links.filter((l) => l.how === 'same transaction').map((l) => l.voterId));
    expect([...linked].sort()).toEqual(simple.voters.map((v) => v.id).sort());
  });

  it('in blind mode finds no link at all: not by transaction, not by a value in the binlog, the tables or the log', () => {
    expect(blind.report.links).toEqual([]);
  });

  it('in blind mode, the only voter-bound writes of the ballot are the forty token flags, each in a transaction without a grade', () => {
    const flags = blind.transactions.flatMap((t) =>
      t.rows.filter((r) => r.table === 'evaluation_voters' && r.op === 'UPDATE' && r.before?.token_issued === '0' && r.after?.token_issued === '1').map((r) => ({ t, r })),
    );
    expect(flags).toHaveLength(40);
    expect(new Set(flags.map((f) => f.r.after!.user_id))).toEqual(new Set(blind.voters.map((v) => String(v.id))));
    for (const { t } of flags) expect(t.rows.map((r) => r.table)).not.toContain('ballot_grades');
    for (const t of blind.transactions.filter((t) => t.rows.some((r) => r.table === 'ballot_grades'))) {
      expect([...new Set(t.rows.map((r) => r.table))].sort()).toEqual(['ballot_grades', 'spent_ballot_tokens']);
      expect(t.rows.filter((r) => r.table === 'evaluation_voters')).toEqual([]);
    }
    const flagged = blind.transactions.filter((t) => t.rows.some((r) => r.table === 'evaluation_voters' && r.after?.voted === '1'));
    expect(flagged).toEqual([]);
  });

  it('in blind mode, the server log carries no value written with a grade: no receipt, token hash or grade id', () => {
    const values = new Set(blind.transactions.filter((t) => t.rows.some((r) => r.table === 'ballot_grades')).flatMap((t) => [...distinguishingValues(t)]));
    expect(values.size).toBeGreaterThanOrEqual(40 * 11 + 40 * 2);
    for (const receipt of blind.receipts) expect(values).toContain(receipt);
    const lines = blind.log.split('\n').filter((line) => [...values].some((v) => line.includes(v)));
    expect(lines).toEqual([]);
    expect(blind.log).not.toMatch(/castAnonymousBallot/);
  });
});
