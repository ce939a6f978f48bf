import { planAttendees } from '../../../src/modules/imports/attendee-import';
import { KnownCadre, KnownUser, planRoster, RosterWorld } from '../../../src/modules/imports/roster-plan';
import type { Sheet } from '../../../src/modules/imports/sheet';

const HEADER = ['单位', '姓名', '职务', '账号', '角色', '手机'];

function sheet(rows: string[][], header = HEADER): Sheet {
  return { header: { row: 1, cells: header }, rows: rows.map((cells, i) => ({ row: i + 2, cells })) };
}

const regions = [
  { id: 1, code: 'shuangqiao', name: '双桥区' },
  { id: 2, code: 'luanping', name: '滦平县' },
];

function world(users: KnownUser[] = [], cadres: KnownCadre[] = []): RosterWorld {
  return {
    regions,
    usersByName: new Map(users.map((u) => [u.username.toLowerCase(), u])),
    cadresByUserId: new Map(cadres.filter((c) => c.userId !== null).map((c) => [c.userId!, c])),
    unlinkedCadres: cadres.filter((c) => c.userId === null),
  };
}

const wu: KnownUser = { id: 7, username: 'wuguozhi', displayName: '吴国志', roles: ['speaker', 'voter'], regionId: 1, phone: null };
const wuCadre: KnownCadre = { id: 70, name: '吴国志', position: '双桥区委常委、常务副区长', regionId: 1, userId: 7 };
const secretary = { mayGrantAnyRole: false };

describe(planRoster.name, () => {
  it('plans a new account and cadre with the default roles of a county official', () => {
    const plan = planRoster(sheet([['双桥区', '张三', '副区长', 'zhangsan', '', '138 0013 8000']]), world(), secretary);
    expect(plan.errors).toEqual([]);
    expect(plan).toMatchObject({ rows: 1, created: 1, updated: 0, unchanged: 0 });
    expect(plan.writes[0].user.after).toEqual({ username: 'zhangsan', displayName: '张三', roles: ['speaker', 'voter'], regionId: 1, phone: '13800138000' });
    expect(plan.items[0]).toMatchObject({ row: 2, username: 'zhangsan', action: 'create' });
    expect(plan.items[0].changes).toContainEqual({ column: '职务', from: null, to: '副区长' });
  });

  it('finds the unit by its code as well as its name, and columns in any order', () => {
    const plan = planRoster(sheet([['zhangsan', 'luanping', '副县长', '张三']], ['账号', '单位', '职务', '姓名']), world(), secretary);
    expect(plan.errors).toEqual([]);
    expect(plan.writes[0].cadre.after.regionId).toBe(2);
  });

  it('leaves a row that matches the data unchanged, and plans no write for it', () => {
    const plan = planRoster(sheet([['双桥区', '吴国志', '双桥区委常委、常务副区长', 'wuguozhi', '与会，发言人', '']]), world([wu], [wuCadre]), secretary);
    expect(plan).toMatchObject({ created: 0, updated: 0, unchanged: 1, errors: [] });
    expect(plan.writes).toEqual([]);
  });

  it('updates a changed 职务 and says from what to what', () => {
    const plan = planRoster(sheet([['双桥区', '吴国志', '双桥区委副书记', 'wuguozhi', '', '']]), world([wu], [wuCadre]), secretary);
    expect(plan).toMatchObject({ updated: 1, errors: [] });
    expect(plan.items[0].changes).toEqual([{ column: '职务', from: '双桥区委常委、常务副区长', to: '双桥区委副书记' }]);
    expect(plan.writes[0].cadre.changed).toBe(true);
    expect(plan.writes[0].user.changed).toBe(false);
  });

  it('keeps the roles and phone of an existing account when those cells are empty', () => {
    const plan = planRoster(sheet([['双桥区', '吴国志', '双桥区委常委、常务副区长', 'wuguozhi']]), world([{ ...wu, roles: ['leader'], phone: '13900000000' }], [wuCadre]), secretary);
    expect(plan.unchanged).toBe(1);
  });

  it('gives an unlinked cadre of the same name and unit its account instead of making a twin', () => {
    const plan = planRoster(sheet([['双桥区', '吴国志', '常务副区长', 'wuguozhi']]), world([], [{ ...wuCadre, userId: null }]), secretary);
    expect(plan.writes[0].cadre.id).toBe(70);
    expect(plan.created).toBe(1);
  });

  it.each([
    ['a missing header', sheet([], ['单位', '姓名', '账号']), { row: 1, column: '职务' }],
    ['a header given twice', sheet([], [...HEADER, '姓名']), { row: 1, column: '姓名' }],
    ['an unknown 单位', sheet([['承德市外', '张三', '副区长', 'zhangsan']]), { row: 2, column: '单位' }],
    ['an empty 单位', sheet([['', '张三', '副区长', 'zhangsan']]), { row: 2, column: '单位' }],
    ['an empty 姓名', sheet([['双桥区', '', '副区长', 'zhangsan']]), { row: 2, column: '姓名' }],
    ['an empty 职务', sheet([['双桥区', '张三', '', 'zhangsan']]), { row: 2, column: '职务' }],
    ['an empty 账号', sheet([['双桥区', '张三', '副区长', '']]), { row: 2, column: '账号' }],
    ['a 账号 with spaces', sheet([['双桥区', '张三', '副区长', 'zhang san']]), { row: 2, column: '账号' }],
    ['a role that does not exist', sheet([['双桥区', '张三', '副区长', 'zhangsan', '发言人,校长']]), { row: 2, column: '角色' }],
    ['the screen as a role', sheet([['双桥区', '张三', '副区长', 'zhangsan', 'screen']]), { row: 2, column: '角色' }],
    ['admin given by a secretary', sheet([['双桥区', '张三', '副区长', 'zhangsan', '管理员']]), { row: 2, column: '角色' }],
    ['chair given by a secretary', sheet([['双桥区', '张三', '副区长', 'zhangsan', '发言人,主持人']]), { row: 2, column: '角色' }],
    ['a phone of ten digits', sheet([['双桥区', '张三', '副区长', 'zhangsan', '', '1380013800']]), { row: 2, column: '手机' }],
    ['a phone with letters', sheet([['双桥区', '张三', '副区长', 'zhangsan', '', '1380013800x']]), { row: 2, column: '手机' }],
    ['a 姓名 longer than 50', sheet([['双桥区', '张'.repeat(51), '副区长', 'zhangsan']]), { row: 2, column: '姓名' }],
    ['a 职务 longer than 120', sheet([['双桥区', '张三', '职'.repeat(121), 'zhangsan']]), { row: 2, column: '职务' }],
    ['a 账号 longer than 64', sheet([['双桥区', '张三', '副区长', 'z'.repeat(65)]]), { row: 2, column: '账号' }],
  ])('names %s by its row and column', (_what, file, where) => {
    const plan = planRoster(file, world(), secretary);
    expect(plan.errors).toEqual([expect.objectContaining(where)]);
  });

  it('names a 账号 given twice at its second row, pointing at the first', () => {
    const plan = planRoster(sheet([['双桥区', '张三', '副区长', 'zhangsan'], ['滦平县', '张三丰', '副县长', 'ZhangSan']]), world(), secretary);
    expect(plan.errors).toEqual([{ row: 3, column: '账号', message: expect.stringContaining('row 2') }]);
  });

  it('names a repeated 账号 even on a row with other errors', () => {
    const plan = planRoster(sheet([['双桥区', '张三', '副区长', 'zhangsan'], ['双桥区', '张四', '副区长', 'zhangsan', '', 'bad']]), world(), secretary);
    expect(plan.errors.map((e) => [e.row, e.column])).toEqual([[3, '手机'], [3, '账号']]);
  });

  it('refuses a 账号 that belongs to another person: both 姓名 and 单位 differ from its cadre', () => {
    const plan = planRoster(sheet([['滦平县', '李四', '副县长', 'wuguozhi']]), world([wu], [wuCadre]), secretary);
    expect(plan.errors).toEqual([{ row: 2, column: '账号', message: expect.stringContaining('吴国志') }]);
  });

  it('takes a changed 姓名 alone, or a changed 单位 alone, as the same person', () => {
    expect(planRoster(sheet([['滦平县', '吴国志', '副县长', 'wuguozhi']]), world([wu], [wuCadre]), secretary)).toMatchObject({ updated: 1, errors: [] });
    expect(planRoster(sheet([['双桥区', '吴国智', '副区长', 'wuguozhi']]), world([wu], [wuCadre]), secretary)).toMatchObject({ updated: 1, errors: [] });
  });

  it('refuses a row naming an account with no cadre under another name', () => {
    const staff: KnownUser = { id: 9, username: 'secretary', displayName: '秘书处', roles: ['secretary'], regionId: null, phone: null };
    expect(planRoster(sheet([['双桥区', '张三', '副区长', 'secretary']]), world([staff]), secretary).errors).toEqual([expect.objectContaining({ row: 2, column: '账号' })]);
  });

  it('lets only an admin take the admin role away', () => {
    const admin: KnownUser = { ...wu, roles: ['admin', 'speaker'] };
    const file = sheet([['双桥区', '吴国志', '双桥区委常委、常务副区长', 'wuguozhi', '发言人']]);
    expect(planRoster(file, world([admin], [wuCadre]), secretary).errors).toEqual([expect.objectContaining({ row: 2, column: '角色' })]);
    expect(planRoster(file, world([admin], [wuCadre]), { mayGrantAnyRole: true })).toMatchObject({ updated: 1, errors: [] });
  });

  it('accepts English and Chinese role names with every separator', () => {
    const plan = planRoster(sheet([['双桥区', '张三', '副区长', 'zhangsan', 'Leader，评议人、chair,核查']]), world(), { mayGrantAnyRole: true });
    expect(plan.writes[0].user.after.roles).toEqual(['leader', 'voter', 'chair', 'auditor']);
  });

  it('reports every bad row of a file, not only the first', () => {
    const plan = planRoster(sheet([['双桥区', '', '副区长', 'a1x'], ['双桥区', '张三', '副区长', 'zhangsan'], ['某县', '李四', '', 'lisi']]), world(), secretary);
    expect(plan.errors.map((e) => [e.row, e.column])).toEqual([[2, '姓名'], [4, '单位'], [4, '职务']]);
  });
});

describe(planAttendees.name, () => {
  const users = new Map([
    ['wuguozhi', { id: 7, username: 'wuguozhi', roles: ['speaker' as const] }],
    ['voter01', { id: 8, username: 'voter01', roles: ['voter' as const] }],
    ['bigscreen', { id: 9, username: 'bigscreen', roles: ['screen' as const] }],
  ]);
  const file = (names: string[]) => sheet(names.map((n) => [n]), ['账号']);

  it('registers the new, leaves the registered and the repeated unchanged', () => {
    const plan = planAttendees(file(['wuguozhi', 'voter01', 'WUGUOZHI']), users, new Set([8]));
    expect(plan.errors).toEqual([]);
    expect(plan.fresh).toEqual([7]);
    expect(plan.items.map((i) => i.action)).toEqual(['create', 'unchanged', 'unchanged']);
  });

  it('names an unknown 账号, an empty one and a screen by their rows', () => {
    const plan = planAttendees(file(['nobody', 'wuguozhi', '', 'bigscreen']), users, new Set());
    expect(plan.errors.map((e) => [e.row, e.column])).toEqual([[2, '账号'], [4, '账号'], [5, '账号']]);
  });

  it('names a missing 账号 header at row 1', () => {
    expect(planAttendees(sheet([['x']], ['姓名']), users, new Set()).errors).toEqual([expect.objectContaining({ row: 1, column: '账号' })]);
  });
});
