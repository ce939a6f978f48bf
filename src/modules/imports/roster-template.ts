import ExcelJS from 'exceljs';
import { DEFAULT_ROSTER_ROLES, LIMITS, ROLE_LABEL_ZH, ROLE_NAMES_ZH, ROSTER_COLUMNS, ROSTER_ROLES } from './roster-columns';

/**
 * The roster template: a first sheet with the header row and one example row (the import reads the first sheet),
 * and a second sheet explaining each column, the role names and the units' names and codes. 账号 and 手机 are text
 * cells, so Excel keeps a phone number's digits instead of turning it into 1.38E+10.
 */
export async function rosterTemplate(regions: readonly { code: string; name: string }[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('花名册');
  const headers = [ROSTER_COLUMNS.region, ROSTER_COLUMNS.name, ROSTER_COLUMNS.position, ROSTER_COLUMNS.username, ROSTER_COLUMNS.roles, ROSTER_COLUMNS.phone];
  sheet.columns = headers.map((header) => ({ header, width: header === ROSTER_COLUMNS.position ? 36 : 16, style: { numFmt: '@' } }));
  sheet.getRow(1).font = { bold: true };
  sheet.addRow([regions[0]?.name ?? '双桥区', '张三', `${regions[0]?.name ?? '双桥区'}副区长`, 'zhangsan', '发言人,与会', '13800000000']);

  const help = workbook.addWorksheet('说明');
  help.columns = [{ width: 14 }, { width: 90 }];
  const zhNames = (role: string) => Object.entries(ROLE_NAMES_ZH).filter(([, r]) => r === role).map(([zh]) => zh).join('、');
  const lines: [string, string][] = [
    ['列', '说明（第一行为列名，顺序不限；导入只读第一张工作表）'],
    [ROSTER_COLUMNS.region, '必填。县市区名称（如 双桥区）或其代码（如 shuangqiao），见下表'],
    [ROSTER_COLUMNS.name, `必填，最多 ${LIMITS.name} 字`],
    [ROSTER_COLUMNS.position, `必填，最多 ${LIMITS.position} 字`],
    [ROSTER_COLUMNS.username, '必填，登录账号：3–64 位字母、数字、点、短横线或下划线；文件内不得重复'],
    [ROSTER_COLUMNS.roles, `选填，多个用 , ， 或 、 分隔；新账号留空为 ${DEFAULT_ROSTER_ROLES.map((r) => ROLE_LABEL_ZH[r]).join('、')}，已有账号留空则不变`],
    [ROSTER_COLUMNS.phone, '选填，11 位手机号；已有账号留空则不变'],
    ['', ''],
    ['角色', '可写英文名或中文名'],
    ...ROSTER_ROLES.map((r): [string, string] => [r, zhNames(r)]),
    ['', ''],
    ['密码', '新账号没有密码，任何密码都登录不了：凭秘书处发放的个人登录链接登录'],
    ['', ''],
    ['单位', '代码'],
    ...regions.map((r): [string, string] => [r.name, r.code]),
  ];
  for (const line of lines) help.addRow(line);
  help.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
