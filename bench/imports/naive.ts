import type { DataSource } from 'typeorm';
import { NO_PASSWORD_HASH } from '../../src/auth/passwords';
import { actorIdOf, hasAnyRole, type Principal } from '../../src/auth/principal';
import { User } from '../../src/auth/user.entity';
import type { Clock } from '../../src/common/clock';
import { inTransaction } from '../../src/db/transaction';
import type { ImportAnswer } from '../../src/modules/imports/import-answer';
import { ROSTER_COLUMNS } from '../../src/modules/imports/roster-columns';
import { answer, journalRecords, loadWorld } from '../../src/modules/imports/roster-import.service';
import { KnownCadre, KnownUser, planRoster } from '../../src/modules/imports/roster-plan';
import type { Sheet } from '../../src/modules/imports/sheet';
import { journal } from '../../src/modules/journal/journal';
import { Cadre } from '../../src/modules/registry/cadre.entity';

/**
 * The baseline: the same plan, but each row looked up by itself (a user, then their cadre) and written by itself —
 * `save` of the user, `save` of the cadre, a `journal` append (lock, insert, update) per record — as a first
 * version written against the repositories would do it. One transaction, like ours.
 */
export async function applyRowByRow(ds: DataSource, clock: Clock, sheet: Sheet, principal: Principal): Promise<ImportAnswer> {
  return inTransaction(ds, async (m) => {
    const world = await loadWorld(m, { header: sheet.header, rows: [] });
    const usersByName = new Map<string, KnownUser>();
    const cadresByUserId = new Map<number, KnownCadre>();
    const at = sheet.header.cells.indexOf(ROSTER_COLUMNS.username);
    for (const row of sheet.rows) {
      const user = await m.getRepository(User).findOne({ select: { id: true, username: true, displayName: true, roles: true, regionId: true, phone: true }, where: { username: (row.cells[at] ?? '').trim() } });
      if (!user) continue;
      usersByName.set(user.username.toLowerCase(), user);
      const cadre = await m.getRepository(Cadre).findOneBy({ userId: user.id });
      if (cadre) cadresByUserId.set(user.id, cadre);
    }
    const plan = planRoster(sheet, { ...world, usersByName, cadresByUserId }, { mayGrantAnyRole: hasAnyRole(principal, ['admin']) });
    if (plan.errors.length) return answer('apply', plan, false);
    const actorId = actorIdOf(principal);
    for (const w of plan.writes) {
      const user = await m.save(User, m.create(User, { ...(w.user.before ?? { passwordHash: NO_PASSWORD_HASH }), ...w.user.after }));
      w.user.id = user.id;
      const cadre = await m.save(Cadre, m.create(Cadre, { ...(w.cadre.before ?? {}), ...w.cadre.after, userId: user.id }));
      w.cadre.id = cadre.id;
      for (const record of journalRecords(w, actorId)) await journal(m, clock, record);
    }
    return answer('apply', plan, true);
  });
}
