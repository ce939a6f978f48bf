import { analyseLinkage, parseBinlog, Voter } from '../../helpers/linkage';

/** What `mysqlbinlog --verbose --base64-output=DECODE-ROWS` prints, cut to the lines the analysis reads. */
function event(gtid: string, body: string[]): string {
  return [`#261208  0:18:39 server id 1  end_log_pos 887 CRC32 0x4e9c8610 \tGTID ${gtid} trans`, 'START TRANSACTION', '# at 887', ...body, '#261208  0:18:39 server id 1  end_log_pos 1065 CRC32 0x3218fddc \tXid = 5', 'COMMIT/*!*/;'].join('\n');
}
const insert = (table: string, values: string[], db = 'leitai') => [`### INSERT INTO \`${db}\`.\`${table}\``, '### SET', ...values.map((v, i) => `###   @${i + 1}=${v}`), '# Number of rows: 1'];
const update = (table: string, before: string[], after: string[]) => [
  `### UPDATE \`leitai\`.\`${table}\``,
  '### WHERE',
  ...before.map((v, i) => `###   @${i + 1}=${v}`),
  '### SET',
  ...after.map((v, i) => `###   @${i + 1}=${v}`),
  '# Number of rows: 1',
];

const COLUMNS = new Map([
  ['ballot_grades', ['id', 'session_id', 'speech_id', 'grade']],
  ['spent_ballot_tokens', ['token_hash', 'session_id', 'receipt', 'client_id']],
  ['evaluation_voters', ['id', 'session_id', 'user_id', 'voted', 'client_id', 'token_issued', 'token_request']],
  ['users', ['id', 'username', 'display_name']],
]);
const VOTERS: Voter[] = [
  { id: 13, username: 'voter01' },
  { id: 14, username: 'voter02' },
];
const HASH = 'ab'.repeat(32);
const gradeRows = (uuid: string) => insert('ballot_grades', [`'${uuid}'`, '4', '13', "'GOOD'"]);
const tokenFlag = (userId: number, request = 'NULL') =>
  update('evaluation_voters', [String(userId - 12), '4', String(userId), '0', 'NULL', '0', 'NULL'], [String(userId - 12), '4', String(userId), '0', 'NULL', '1', request]);
const blindCast = (gtid: string, uuid: string, hash = HASH) => event(gtid, [...insert('spent_ballot_tokens', [`'${hash}'`, '4', "'0fcfd19f46e3028e'", 'NULL']), ...gradeRows(uuid)]);
const analyse = (binlog: string, extra: { tables?: Map<string, Record<string, unknown>[]>; log?: string } = {}) =>
  analyseLinkage({ transactions: parseBinlog(binlog, COLUMNS, 'leitai'), tables: extra.tables ?? new Map(), log: extra.log ?? '', voters: VOTERS });

describe('the linkage analysis', () => {
  it('reads event groups by GTID, names columns, decodes quoted strings and keeps both images of an update; other databases are left out', () => {
    const text = [
      event('0-1-1', [...insert('users', ['13', "'it\\'s'", "'与会干部01'"]), ...insert('users', ['99', "'x'", "'y'"], 'other')]),
      event('0-1-2', ['#Q> UPDATE evaluation_voters SET token_issued = 1', ...tokenFlag(13)]),
      event('0-1-3', insert('users', ['99', "'x'", "'y'"], 'other')),
    ].join('\n');
    const transactions = parseBinlog(text, COLUMNS, 'leitai');
    expect(transactions.map((t) => t.gtid)).toEqual(['0-1-1', '0-1-2']);
    expect(transactions[0].rows).toEqual([{ database: 'leitai', table: 'users', op: 'INSERT', before: null, after: { id: '13', username: "it's", display_name: '与会干部01' } }]);
    expect(transactions[1].statements).toEqual(['UPDATE evaluation_voters SET token_issued = 1']);
    expect(transactions[1].rows[0]).toMatchObject({ op: 'UPDATE', before: { user_id: '13', token_issued: '0' }, after: { user_id: '13', token_issued: '1' } });
  });

  it('links a voter whose flag is written in the same transaction as grades, as castBallot does', () => {
    const report = analyse(event('0-1-5', [...update('evaluation_voters', ['1', '4', '13', '0', 'NULL', '0', 'NULL'], ['1', '4', '13', '1', "'c-1'", '0', 'NULL']), ...gradeRows('grade-1')]));
    expect(report).toMatchObject({ gradeRows: 1, gradeTransactions: 1, voterRowsByTable: { evaluation_voters: 1 } });
    expect(report.links.filter((l) => l.how === 'same transaction').map((l) => l.voterId)).toEqual([13]);
  });

  it('links by a statement of the grade transaction that names the voter', () => {
    const report = analyse(event('0-1-5', ["#Q> INSERT INTO ballot_grades /* voter02 */ VALUES ('grade-1', 4, 13, 'GOOD')", ...gradeRows('grade-1')]));
    expect(report.links).toEqual([expect.objectContaining({ voterId: 14, how: 'same transaction' })]);
  });

  it('links by a value written with the grades and kept in a voter row elsewhere: in the binlog, a table or a log line', () => {
    const binlog = [event('0-1-2', tokenFlag(13, `'${HASH}'`)), blindCast('0-1-9', 'grade-9')].join('\n');
    expect(analyse(binlog).links).toEqual([expect.objectContaining({ voterId: 13, how: 'shared value in the binlog' })]);

    const clean = [event('0-1-2', tokenFlag(13)), blindCast('0-1-9', 'grade-9')].join('\n');
    const tables = new Map([['audit_log', [{ id: 1, actor_id: 14, payload: { receipt: '0fcfd19f46e3028e' } }]]]);
    expect(analyse(clean, { tables }).links).toEqual([expect.objectContaining({ voterId: 14, how: 'shared value in a table' })]);
    const log = '{"level":30,"msg":"signed in","username":"voter01","grade":"grade-9"}\n{"level":30,"msg":"other"}';
    expect(analyse(clean, { log }).links).toEqual([expect.objectContaining({ voterId: 13, how: 'shared value in the log' })]);
  });

  it('finds nothing when the token flags and the grades are apart: the session id, a speech id equal to a user id and the grade do not link', () => {
    const binlog = [event('0-1-2', tokenFlag(13, `'${'cd'.repeat(32)}'`)), event('0-1-3', tokenFlag(14)), blindCast('0-1-9', 'grade-9'), blindCast('0-1-10', 'grade-10', 'ef'.repeat(32))].join('\n');
    const tables = new Map([['users', [{ id: 13, username: 'voter01', display_name: '与会干部01' }]], ['evaluation_voters', [{ id: 1, session_id: 4, user_id: 13, voted: 0, token_issued: 1 }]]]);
    const report = analyse(binlog, { tables, log: '{"msg":"signed in","userId":13,"sessionId":4}' });
    expect(report).toMatchObject({ transactions: 4, gradeRows: 2, gradeTransactions: 2, voterRowsByTable: { evaluation_voters: 2 } });
    expect(report.links).toEqual([]);
  });
});
