import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { buildWorkbook } from '../factories/roster';
import { postGraphQL, ServerProcess, startServerProcess } from '../helpers/server-process';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The import routes of the compiled server, over HTTP, against the demo world. */
describe('roster and attendee import over HTTP', () => {
  let server: ServerProcess;
  let base: string;
  let secretary: string;
  let voter: string;
  const login = async (u: string, p = 'leitai-demo') => (await postGraphQL(server.url, `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u, p })).body;
  const upload = (path: string, body: Buffer | string, type: string, token: string | null = secretary) =>
    fetch(`${base}${path}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) } });

  beforeAll(async () => {
    server = await startServerProcess({ DATABASE_URL: `sqlite:${mkdtempSync(join(tmpdir(), 'leitai-imports-'))}/leitai.sqlite` }, 60_000);
    base = server.url.replace('/graphql', '');
    secretary = (await login('secretary')).data.login.token;
    voter = (await login('voter01')).data.login.token;
  });
  afterAll(() => server?.stop());

  it('serves a template workbook that imports with no errors', async () => {
    const res = await fetch(`${base}/imports/roster-template.xlsx?token=${secretary}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    const bytes = Buffer.from(await res.arrayBuffer());
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as never);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['花名册', '说明']);
    expect(workbook.worksheets[0].getRow(1).values).toEqual([undefined, '单位', '姓名', '职务', '账号', '角色', '手机']);
    const preview = await upload('/imports/roster?mode=preview', bytes, XLSX);
    expect(preview.status).toBe(200);
    expect(await preview.json()).toMatchObject({ mode: 'preview', applied: false, rows: 1, created: 1, errors: [] });
  });

  it('previews and applies a CSV file with a secretary’s token; applying it again changes nothing', async () => {
    const csv = '\uFEFF单位,姓名,职务,账号,角色,手机\r\n双桥区,陈一,双桥区副区长,chenyi,"发言人,与会",13800000011\r\n滦平县,陈二,滦平县副县长,chener,,\r\n';
    const preview = await upload('/imports/roster', csv, 'text/csv');
    expect(await preview.json()).toMatchObject({ mode: 'preview', rows: 2, created: 2, items: [{ row: 2, username: 'chenyi', action: 'create' }, { row: 3, username: 'chener', action: 'create' }] });
    const applied = await upload('/imports/roster?mode=apply', csv, 'text/csv');
    expect(applied.status).toBe(200);
    expect(await applied.json()).toMatchObject({ mode: 'apply', applied: true, created: 2, updated: 0, unchanged: 0 });
    expect(await (await upload('/imports/roster?mode=apply', csv, 'text/csv')).json()).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    const wrong = await login('chenyi', '');
    expect(wrong.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses to apply a file with errors: 422, each error by row and column, nothing changed', async () => {
    const file = await buildWorkbook([['双桥区', '陈三', '副区长', 'chensan', '', ''], ['某某县', '陈四', '副县长', 'chensi', '', '']]);
    const res = await upload('/imports/roster?mode=apply', file, XLSX);
    expect(res.status).toBe(422);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ mode: 'apply', applied: false, errors: [{ row: 3, column: '单位', extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(await (await upload('/imports/roster', file, XLSX)).json()).toMatchObject({ items: [{ username: 'chensan', action: 'create' }] });
  });

  it('takes the file from a browser form', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await buildWorkbook([['双桥区', '陈五', '副区长', 'chenwu', '', '']]))], { type: XLSX }), 'roster.xlsx');
    const res = await fetch(`${base}/imports/roster?mode=preview`, { method: 'POST', body: form, headers: { authorization: `Bearer ${secretary}` } });
    expect(await res.json()).toMatchObject({ rows: 1, created: 1, errors: [] });
  });

  it('registers a session’s attendees from a file of 账号', async () => {
    const sessions = (await postGraphQL(server.url, `{ sessions(first: 5) { edges { node { id phase } } } }`, {}, secretary)).body.data.sessions.edges;
    const open = sessions.find((e: any) => e.node.phase === 'SCHEDULED').node.id;
    const file = await buildWorkbook([['chenyi'], ['chener'], ['nobody']], ['账号']);
    const bad = await upload(`/imports/attendees?sessionId=${open}&mode=apply`, file, XLSX);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as any).errors).toEqual([expect.objectContaining({ row: 4, column: '账号' })]);
    const good = await upload(`/imports/attendees?sessionId=${open}&mode=apply`, await buildWorkbook([['chenyi'], ['chener']], ['账号']), XLSX);
    expect(await good.json()).toMatchObject({ applied: true, created: 2 });
  });

  it.each([
    ['no token', 401, '/imports/roster', null, 'UNAUTHENTICATED'],
    ['a voter’s token', 403, '/imports/roster', 'voter', 'FORBIDDEN'],
    ['a bad mode', 400, '/imports/roster?mode=later', 'secretary', 'BAD_USER_INPUT'],
    ['attendees without a session', 400, '/imports/attendees', 'secretary', 'BAD_USER_INPUT'],
    ['attendees of an unknown session', 404, '/imports/attendees?sessionId=9999', 'secretary', 'NOT_FOUND'],
  ])('answers %s with %i', async (_what, status, path, who, code) => {
    const res = await upload(path, '账号\r\nchenyi\r\n', 'text/csv', who === null ? null : who === 'voter' ? voter : secretary);
    expect(res.status).toBe(status);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe(code);
  });

  it('refuses a body over 10 MB with 413', async () => {
    const res = await upload('/imports/roster', Buffer.alloc(10 * 1024 * 1024 + 1, 0x41), 'text/csv');
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses the template without a token', async () => {
    expect((await fetch(`${base}/imports/roster-template.xlsx`)).status).toBe(401);
  });
});
