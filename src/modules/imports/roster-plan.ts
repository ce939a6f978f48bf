import type { Role } from '../../auth/roles';
import { DEFAULT_ROSTER_ROLES, LIMITS, PHONE, REQUIRED_ROSTER_COLUMNS, ROLE_SEPARATOR, roleNamed, ROSTER_COLUMNS, RosterColumn, USERNAME } from './roster-columns';
import type { Sheet } from './sheet';
import type { ImportError, ImportItem, PlanChange } from './import-answer';

/** What the planner needs to know of a user. */
export interface KnownUser {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
  regionId: number | null;
  phone: string | null;
}

export interface KnownCadre {
  id: number;
  name: string;
  position: string;
  regionId: number;
  userId: number | null;
}

export interface KnownRegion {
  id: number;
  code: string;
  name: string;
}

/** The current data a roster file is compared with: the users it names, their cadres, and unlinked cadres. */
export interface RosterWorld {
  regions: readonly KnownRegion[];
  /** Keyed by the username in lower case: MySQL's collation compares usernames without case. */
  usersByName: ReadonlyMap<string, KnownUser>;
  cadresByUserId: ReadonlyMap<number, KnownCadre>;
  /** Cadres with no account yet: a row with the same 姓名 and 单位 gives that cadre its account instead of a twin. */
  unlinkedCadres: readonly KnownCadre[];
}

export interface RosterPlanOptions {
  /**
   * Whether the file may give and take away every role (an admin's). A secretary's may only give and take away
   * SECRETARY_GRANTABLE — what a roster of county officials needs — as GraphQL leaves every other role to admins.
   */
  mayGrantAnyRole: boolean;
}

/** The roles a secretary's roster may give or take away: officials speak and vote. */
export const SECRETARY_GRANTABLE: readonly Role[] = ['speaker', 'voter'];

export type UserFields = Pick<KnownUser, 'username' | 'displayName' | 'roles' | 'regionId' | 'phone'>;
export type CadreFields = Pick<KnownCadre, 'name' | 'position' | 'regionId'>;

/** One row's writes: a user and a cadre, each inserted (id null), changed, or left alone. */
export interface RowWrite {
  row: number;
  user: { id: number | null; before: KnownUser | null; after: UserFields; changed: boolean };
  cadre: { id: number | null; before: KnownCadre | null; after: CadreFields; changed: boolean };
}

export interface RosterPlan {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportError[];
  items: ImportItem[];
  writes: RowWrite[];
}

interface RowValues {
  region: KnownRegion;
  name: string;
  position: string;
  username: string;
  roles: Role[] | null;
  phone: string | null;
}

const sameRoles = (a: readonly Role[], b: readonly Role[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * Compares a roster file with the current data and says, row by row, what applying it would do — or which cells
 * are wrong. Pure: the same file against the same data gives the same plan, and a file already applied plans no
 * change. An error anywhere means the file is not applied at all.
 */
export function planRoster(sheet: Sheet, world: RosterWorld, options: RosterPlanOptions): RosterPlan {
  const plan: RosterPlan = { rows: sheet.rows.length, created: 0, updated: 0, unchanged: 0, errors: [], items: [], writes: [] };
  const columns = locateColumns(sheet, plan.errors);
  if (!columns) return plan;
  const regions = new Map<string, KnownRegion>();
  for (const r of world.regions) {
    regions.set(r.name, r);
    regions.set(r.code.toLowerCase(), r);
  }
  const firstRowOf = new Map<string, number>();
  const claimedCadres = new Set<number>();
  for (const line of sheet.rows) {
    const fail = (column: string, message: string) => plan.errors.push({ row: line.row, column, message });
    const values = readRow(line.cells, columns, regions, options, fail);
    // A repeated 账号 is reported even on a row with other errors, so one pass over the answer shows them all.
    const username = (line.cells[columns.username] ?? '').trim();
    const first = firstRowOf.get(username.toLowerCase());
    if (username !== '' && first !== undefined) {
      fail(ROSTER_COLUMNS.username, `账号 ${username} is already on row ${first}`);
      continue;
    }
    if (username !== '') firstRowOf.set(username.toLowerCase(), line.row);
    if (!values) continue;
    const write = planRow(line.row, values, world, claimedCadres, options, fail);
    if (!write) continue;
    const action = write.user.id === null ? 'create' : write.user.changed || write.cadre.changed ? 'update' : 'unchanged';
    plan[action === 'create' ? 'created' : action === 'update' ? 'updated' : 'unchanged']++;
    plan.items.push({ row: line.row, username: values.username, action, changes: changesOf(write, world.regions) });
    if (action !== 'unchanged') plan.writes.push(write);
  }
  return plan;
}

/** The index of each column by its header; an error at row 1 for each required header that is missing or twice. */
function locateColumns(sheet: Sheet, errors: ImportError[]): Record<RosterColumn, number> | null {
  const at = {} as Record<RosterColumn, number>;
  for (const [key, header] of Object.entries(ROSTER_COLUMNS) as [RosterColumn, string][]) {
    const found = sheet.header.cells.flatMap((c, i) => (c === header ? [i] : []));
    if (found.length > 1) errors.push({ row: 1, column: header, message: `the header ${header} appears ${found.length} times` });
    if (found.length === 0 && REQUIRED_ROSTER_COLUMNS.includes(key)) errors.push({ row: 1, column: header, message: `the header row has no column ${header}` });
    at[key] = found[0] ?? -1;
  }
  return errors.length ? null : at;
}

function readRow(
  cells: string[],
  at: Record<RosterColumn, number>,
  regions: ReadonlyMap<string, KnownRegion>,
  options: RosterPlanOptions,
  fail: (column: string, message: string) => void,
): RowValues | null {
  const cell = (key: RosterColumn) => (at[key] < 0 ? '' : (cells[at[key]] ?? '').trim());
  let ok = true;
  const required = (key: RosterColumn, max?: number): string => {
    const v = cell(key);
    const header = ROSTER_COLUMNS[key];
    if (v === '') {
      fail(header, `${header} is empty`);
      ok = false;
    } else if (max !== undefined && [...v].length > max) {
      fail(header, `${header} is ${[...v].length} characters long; at most ${max}`);
      ok = false;
    }
    return v;
  };
  const regionText = required('region');
  const region = regionText === '' ? undefined : (regions.get(regionText) ?? regions.get(regionText.toLowerCase()));
  if (regionText !== '' && !region) {
    fail(ROSTER_COLUMNS.region, `unknown 单位 ${regionText}: give a county-level unit's name (e.g. 双桥区) or its code`);
    ok = false;
  }
  const name = required('name', LIMITS.name);
  const position = required('position', LIMITS.position);
  const username = required('username');
  if (username !== '' && !USERNAME.test(username)) {
    fail(ROSTER_COLUMNS.username, `账号 ${username} must be 3–64 letters, digits, dots, dashes or underscores`);
    ok = false;
  }
  const roles = readRoles(cell('roles'), options, fail);
  if (roles === false) ok = false;
  const phoneText = cell('phone').replace(/[\s-]/g, '');
  if (phoneText !== '' && !PHONE.test(phoneText)) {
    fail(ROSTER_COLUMNS.phone, `手机 ${cell('phone')} is not an 11-digit mobile number`);
    ok = false;
  }
  if (!ok || !region) return null;
  return { region, name, position, username, roles: roles || null, phone: phoneText === '' ? null : phoneText };
}

/** The roles a cell names, null when it is empty, false after reporting a name that is no role. */
function readRoles(text: string, options: RosterPlanOptions, fail: (column: string, message: string) => void): Role[] | null | false {
  if (text === '') return null;
  const roles: Role[] = [];
  let ok = true;
  for (const part of text.split(ROLE_SEPARATOR).map((p) => p.trim()).filter(Boolean)) {
    const role = roleNamed(part);
    if (!role) {
      fail(ROSTER_COLUMNS.roles, part.toLowerCase() === 'screen' || part === '大屏' ? 'a screen is a token, not a role a person can hold' : `no role is called ${part}`);
      ok = false;
    } else if (!options.mayGrantAnyRole && !SECRETARY_GRANTABLE.includes(role)) {
      fail(ROSTER_COLUMNS.roles, `only an admin may give the role ${role}; a secretary's roster gives ${SECRETARY_GRANTABLE.join(' and ')}`);
      ok = false;
    } else if (!roles.includes(role)) roles.push(role);
  }
  if (ok && roles.length === 0) return null;
  return ok ? roles : false;
}

function planRow(
  row: number,
  v: RowValues,
  world: RosterWorld,
  claimedCadres: Set<number>,
  options: RosterPlanOptions,
  fail: (column: string, message: string) => void,
): RowWrite | null {
  const existing = world.usersByName.get(v.username.toLowerCase()) ?? null;
  const linked = existing ? (world.cadresByUserId.get(existing.id) ?? null) : null;
  if (existing && isSomeoneElse(existing, linked, v)) {
    const who = linked ? `${linked.name} (${world.regions.find((r) => r.id === linked.regionId)?.name ?? linked.regionId})` : existing.displayName;
    fail(ROSTER_COLUMNS.username, `账号 ${existing.username} belongs to ${who}, not to ${v.name} (${v.region.name}): give this person another 账号`);
    return null;
  }
  const roles = v.roles ?? existing?.roles ?? [...DEFAULT_ROSTER_ROLES];
  const withdrawn = existing && !options.mayGrantAnyRole ? existing.roles.filter((r) => !roles.includes(r) && !SECRETARY_GRANTABLE.includes(r)) : [];
  if (withdrawn.length) {
    fail(ROSTER_COLUMNS.roles, `only an admin may take the role ${withdrawn.join(', ')} from ${existing!.username}`);
    return null;
  }
  const userAfter: UserFields = {
    username: existing?.username ?? v.username,
    displayName: v.name,
    roles: existing && sameRoles(existing.roles, roles) ? existing.roles : roles,
    regionId: v.region.id,
    phone: v.phone ?? existing?.phone ?? null,
  };
  const userChanged = !existing || existing.displayName !== userAfter.displayName || existing.regionId !== userAfter.regionId || existing.phone !== userAfter.phone || !sameRoles(existing.roles, userAfter.roles);
  let cadre = linked;
  if (!cadre) {
    const twins = world.unlinkedCadres.filter((c) => c.name === v.name && c.regionId === v.region.id && !claimedCadres.has(c.id));
    cadre = twins.length === 1 ? twins[0] : null;
    if (cadre) claimedCadres.add(cadre.id);
  }
  const cadreAfter: CadreFields = { name: v.name, position: v.position, regionId: v.region.id };
  const cadreChanged = !cadre || cadre.userId === null || cadre.name !== cadreAfter.name || cadre.position !== cadreAfter.position || cadre.regionId !== cadreAfter.regionId;
  return {
    row,
    user: { id: existing?.id ?? null, before: existing, after: userAfter, changed: userChanged },
    cadre: { id: cadre?.id ?? null, before: cadre, after: cadreAfter, changed: cadreChanged },
  };
}

/**
 * An existing account is taken to be another person's when the row changes its name and its unit at once (a cadre
 * renamed, or moved to another county, keeps the other), or, for an account with no cadre, its name.
 */
function isSomeoneElse(user: KnownUser, cadre: KnownCadre | null, v: RowValues): boolean {
  if (cadre) return cadre.name !== v.name && cadre.regionId !== v.region.id;
  return user.displayName !== v.name;
}

function changesOf(w: RowWrite, regions: readonly KnownRegion[]): PlanChange[] {
  const regionName = (id: number | null) => (id === null ? null : (regions.find((r) => r.id === id)?.name ?? String(id)));
  const out: PlanChange[] = [];
  const add = (column: string, from: string | null, to: string | null) => {
    if (from !== to) out.push({ column, from, to });
  };
  const u = w.user.before;
  const c = w.cadre.before;
  add(ROSTER_COLUMNS.name, c?.name ?? u?.displayName ?? null, w.cadre.after.name);
  add(ROSTER_COLUMNS.position, c?.position ?? null, w.cadre.after.position);
  add(ROSTER_COLUMNS.region, regionName(c?.regionId ?? u?.regionId ?? null), regionName(w.cadre.after.regionId));
  if (!u || !sameRoles(u.roles, w.user.after.roles)) add(ROSTER_COLUMNS.roles, u ? u.roles.join(',') : null, w.user.after.roles.join(','));
  add(ROSTER_COLUMNS.phone, u?.phone ?? null, w.user.after.phone);
  if (u && u.displayName !== w.user.after.displayName && c && c.name === w.cadre.after.name) add('displayName', u.displayName, w.user.after.displayName);
  if (c && c.userId === null) out.push({ column: ROSTER_COLUMNS.username, from: null, to: w.user.after.username });
  return out;
}

