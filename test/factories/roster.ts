import ExcelJS from 'exceljs';

export const ROSTER_HEADER = ['单位', '姓名', '职务', '账号', '角色', '手机'];

/** An .xlsx file as Excel would save it: a header row, then the rows; null leaves a cell empty. */
export async function buildWorkbook(rows: (string | number | null)[][], header: string[] = ROSTER_HEADER): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('花名册');
  sheet.addRow(header);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** `n` good roster rows for the given units: accounts `${prefix}0001`…, two roles, a phone each. */
export function buildRosterRows(n: number, regionNames: string[], prefix = 'cadre'): string[][] {
  return Array.from({ length: n }, (_, i) => {
    const k = String(i + 1).padStart(4, '0');
    return [regionNames[i % regionNames.length], `干部${k}`, `副县长${k}`, `${prefix}${k}`, i % 3 === 0 ? '发言人,与会' : '', `138${String(i).padStart(8, '0')}`];
  });
}
