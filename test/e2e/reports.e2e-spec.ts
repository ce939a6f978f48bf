import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPdf } from '../helpers/pdf';
import { postGraphQL, ServerProcess, startServerProcess } from '../helpers/server-process';

/** The report routes of the compiled server, on the demo world (its first sessions are published and sealed). */
describe('report routes', () => {
  let server: ServerProcess;
  let base: string;
  let secretary: string;
  let voter: string;
  let chair: string;
  const login = async (u: string) => (await postGraphQL(server.url, `mutation($u: String!) { login(username: $u, password: "leitai-demo") { token } }`, { u })).body.data.login.token as string;
  const errorCode = async (res: Response) => ((await res.json()) as any).errors[0].extensions.code;

  beforeAll(async () => {
    server = await startServerProcess({ DATABASE_URL: `sqlite:${mkdtempSync(join(tmpdir(), 'leitai-reports-'))}/leitai.sqlite`, SEED_DEMO_HISTORY: '1' }, 60_000);
    base = server.url.replace('/graphql', '');
    [secretary, voter, chair] = await Promise.all(['secretary', 'voter01', 'chair'].map(login));
  });
  afterAll(() => server?.stop());

  it('serves the evaluation report of a sealed session as a PDF, with a bearer token or ?token=', async () => {
    const archive = (await postGraphQL(server.url, `{ archive(sessionId: "1") { contentHash } }`, {}, secretary)).body.data.archive;
    expect(archive?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    for (const res of [await fetch(`${base}/reports/evaluation/1.pdf`, { headers: { authorization: `Bearer ${secretary}` } }), await fetch(`${base}/reports/evaluation/1.pdf?token=${secretary}`)]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('cache-control')).toMatch(/no-store/);
      const pdf = Buffer.from(await res.arrayBuffer());
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = readPdf(pdf).text.replace(/\s+/g, '');
      expect(text).toContain('吴国志');
      expect(text).toContain(archive.contentHash);
    }
  });

  it('serves the minutes to the chair and the dossier to the secretary', async () => {
    const minutes = await fetch(`${base}/reports/minutes/1.pdf?token=${chair}`);
    expect(minutes.status).toBe(200);
    expect(readPdf(Buffer.from(await minutes.arrayBuffer())).text).toContain('活动纪要');
    const cadre = (await postGraphQL(server.url, `{ sessions(first: 1) { edges { node { speeches { cadre { id name } } } } } }`, {}, secretary)).body.data.sessions.edges[0].node.speeches[0].cadre;
    const dossier = await fetch(`${base}/reports/dossier/${cadre.id}.pdf`, { headers: { authorization: `Bearer ${secretary}` } });
    expect(dossier.status).toBe(200);
    expect(readPdf(Buffer.from(await dossier.arrayBuffer())).text.replace(/\s+/g, '')).toContain(cadre.name);
  });

  it('answers 401 without a token, 403 to a voter and to the chair for a dossier, 404 for an unknown or malformed id', async () => {
    const res401 = await fetch(`${base}/reports/evaluation/1.pdf`);
    expect(res401.status).toBe(401);
    expect(await errorCode(res401)).toBe('UNAUTHENTICATED');
    for (const path of ['/reports/evaluation/1.pdf', '/reports/minutes/1.pdf', '/reports/dossier/1.pdf']) {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${voter}` } });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'FORBIDDEN' } }] });
    }
    expect((await fetch(`${base}/reports/dossier/1.pdf?token=${chair}`)).status).toBe(403);
    for (const path of ['/reports/evaluation/999999.pdf', '/reports/minutes/abc.pdf', '/reports/dossier/999999.pdf', '/reports/nope/1.pdf', '/reports/evaluation/1.txt']) {
      const res = await fetch(`${base}${path}?token=${secretary}`);
      expect(res.status).toBe(404);
      expect(await errorCode(res)).toBe('NOT_FOUND');
    }
    expect((await fetch(`${base}/reports/evaluation/1.pdf?token=not-a-token`)).status).toBe(401);
  });
});
