import { ROLES, type Role } from '../../auth/roles';

/** The roster's columns, found by their header (trimmed, in any order); other columns are ignored. */
export const ROSTER_COLUMNS = {
  region: '单位',
  name: '姓名',
  position: '职务',
  username: '账号',
  roles: '角色',
  phone: '手机',
} as const;

export type RosterColumn = keyof typeof ROSTER_COLUMNS;
export const REQUIRED_ROSTER_COLUMNS: readonly RosterColumn[] = ['region', 'name', 'position', 'username'];

/** The attendee list has one column. */
export const ATTENDEE_COLUMN = '账号';

/**
 * Lengths of the columns written (users.display_name is 100, cadres.name 50: the name goes to both, so 50 holds;
 * cadres.position 120; users.username 64, with the characters createUser accepts).
 */
export const LIMITS = { name: 50, position: 120 } as const;
export const USERNAME = /^[A-Za-z0-9._-]{3,64}$/;
/** A mainland mobile number: eleven digits starting with 1, once spaces and dashes are taken out. */
export const PHONE = /^1\d{10}$/;

/** The roles a roster row may name: every role of a person (a screen is a token, never a person). */
export const ROSTER_ROLES: readonly Role[] = ROLES.filter((r) => r !== 'screen');

/**
 * A county official on the roster speaks when put in a line-up and votes in the evaluations they attend: a row
 * with an empty 角色 gives a new account these two; an existing account keeps the roles it has.
 */
export const DEFAULT_ROSTER_ROLES: readonly Role[] = ['speaker', 'voter'];

/** Chinese names of the roles (the Role enum's descriptions), accepted beside the English ones, in any case. */
export const ROLE_NAMES_ZH: Readonly<Record<string, Role>> = {
  管理员: 'admin',
  组织部: 'admin',
  主持: 'chair',
  主持人: 'chair',
  领导: 'leader',
  市领导: 'leader',
  发言: 'speaker',
  发言人: 'speaker',
  与会: 'voter',
  与会干部: 'voter',
  评议: 'voter',
  评议人: 'voter',
  核查: 'auditor',
  核查人: 'auditor',
  分析: 'analyst',
  分析员: 'analyst',
  秘书: 'secretary',
  秘书处: 'secretary',
};

/** The Chinese name the template shows for each role. */
export const ROLE_LABEL_ZH: Readonly<Record<string, string>> = {
  admin: '管理员',
  chair: '主持人',
  leader: '市领导',
  speaker: '发言人',
  voter: '与会',
  auditor: '核查人',
  analyst: '分析员',
  secretary: '秘书',
};

/** Role names in a cell are separated by commas (ASCII or full-width), 、 or semicolons. */
export const ROLE_SEPARATOR = /[,，、;；]+/;

/** A role by its English or Chinese name; undefined when there is none (or it is the screen's). */
export function roleNamed(text: string): Role | undefined {
  const key = text.trim();
  const english = key.toLowerCase() as Role;
  if (ROSTER_ROLES.includes(english)) return english;
  return ROLE_NAMES_ZH[key];
}
