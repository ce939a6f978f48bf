import { JournalEntry } from '../../../src/modules/journal/journal.entity';
import { Claim, Commitment } from '../../../src/modules/briefing/briefing.entity';
import { Audit, Finding } from '../../../src/modules/audit/audit.entity';
import { canonicalJson, sha256Hex } from '../../../src/common/canonical';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { createUser } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { scriptSession } from '../../helpers/session-script';
import { createTestApp, TestApp } from '../../helpers/test-app';

describeEachEngine('probe', (engine) => {
  let app: TestApp;
  beforeAll(async () => { app = await createTestApp(engine); });
  afterAll(() => app.close());
  it('probes', async () => {
    const admin = await createUser(app.ds.manager, { roles: ['admin'] });
    const admin2 = await createUser(app.ds.manager, { roles: ['admin'] });
    const auditor = await createUser(app.ds.manager, { roles: ['auditor'] });
    const s = await scriptSession(app, { speakers: 1, voters: 1, speakerVoters: 1, until: RoomPhase.SCHEDULED });
    const t = await app.tokenFor(s.voters[0]);
    const c = await app.gql(`mutation($i: RecordClaimInput!) { recordClaim(input: $i) { id } }`, { i: { speechId: String(s.speeches[0].id), indicator: 'x', value: 1, unit: 'u', asOf: '2026-02-01T00:00:00.000Z' } }, t);
    const r = await app.gql(`mutation($id: ID!) { reviseClaim(id: $id, input: { value: 2 }) { id } }`, { id: c.data!.recordClaim.id }, t);
    const a = await app.gql(`mutation($i: AssignAuditInput!) { assignAudit(input: $i) { id } }`, { i: { claimId: r.data!.reviseClaim.id, method: 'FIELD_VISIT', auditorId: String(auditor.id), dueAt: '2026-05-01T00:00:00.000Z' } }, await app.tokenFor(admin));
    const f = await app.gql(`mutation($a: ID!) { submitFinding(auditId: $a, input: { verdict: VERIFIED, summary: "ok" }) { id } }`, { a: a.data!.assignAudit.id }, await app.tokenFor(auditor));
    const p = await app.gql(`mutation($f: ID!) { publishFinding(findingId: $f) { id } }`, { f: f.data!.submitFinding.id }, await app.tokenFor(admin2));
    console.log(JSON.stringify([c, r, a, f, p].map((x) => x.errors)));
    const entries = await app.ds.getRepository(JournalEntry).find({ order: { seq: 'ASC' } });
    console.log(entries.map((e) => `${e.seq} ${e.action} ${e.entity} ${e.entityId} b=${e.beforeDigest?.slice(0, 8)} a=${e.afterDigest?.slice(0, 8)}`).join('\n'));
    const row = await app.ds.getRepository(Claim).findOneByOrFail({ id: Number(c.data!.recordClaim.id) });
    console.log('claim v1 now', sha256Hex(canonicalJson(JSON.parse(JSON.stringify(row)))).slice(0, 8), JSON.stringify(row));
    const fr = await app.ds.getRepository(Finding).findOneByOrFail({ id: Number(f.data!.submitFinding.id) });
    console.log('finding now', sha256Hex(canonicalJson(JSON.parse(JSON.stringify(fr)))).slice(0, 8), JSON.stringify(fr));
    const ar = await app.ds.getRepository(Audit).findOneByOrFail({ id: Number(a.data!.assignAudit.id) });
    console.log('audit now', JSON.stringify(ar));
  });
});
