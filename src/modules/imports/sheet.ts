import ExcelJS from 'exceljs';
import { BadUserInputError } from '../../common/errors';

/** One line of a spreadsheet, numbered as the spreadsheet numbers it (the header is row 1). */
export interface SheetRow {
  row: number;
  cells: string[];
}

/** The first worksheet as text: the header row and the data rows that are not blank. */
export interface Sheet {
  header: SheetRow;
  rows: SheetRow[];
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];

const startsWith = (bytes: Buffer, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/**
 * Reads an uploaded file, `.xlsx` or `.csv`, told apart by its first bytes (an `.xlsx` is a ZIP), so a wrong or
 * missing Content-Type does not matter. A legacy `.xls` is refused with a hint rather than read as text.
 */
export async function readSheet(bytes: Buffer): Promise<Sheet> {
  if (bytes.length === 0) throw new BadUserInputError('the file is empty', 'file');
  if (startsWith(bytes, OLE_MAGIC)) throw new BadUserInputError('this is an old .xls workbook: save it as .xlsx (Excel Workbook) or .csv and send it again', 'file');
  const lines = startsWith(bytes, ZIP_MAGIC) ? await xlsxLines(bytes) : csvLines(decodeText(bytes));
  const numbered = lines.map((cells, i) => ({ row: i + 1, cells: cells.map((c) => c.trim()) }));
  const [header, ...rest] = numbered;
  if (!header || header.cells.every((c) => c === '')) throw new BadUserInputError('the first row must name the columns', 'file');
  return { header, rows: rest.filter((r) => r.cells.some((c) => c !== '')) };
}

async function xlsxLines(bytes: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as never);
  } catch {
    throw new BadUserInputError('the file is not a readable .xlsx workbook', 'file');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new BadUserInputError('the workbook has no worksheet', 'file');
  const lines: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, number) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    lines[number - 1] = Array.from(cells, (c) => c ?? '');
  });
  return Array.from(lines, (l) => l ?? []);
}

/** What a cell shows, whatever exceljs made of it: rich text, a formula's result, a hyperlink's text, a number. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString();
  if ('richText' in value) return value.richText.map((t) => t.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ('hyperlink' in value) return cellText((value as ExcelJS.CellHyperlinkValue).text);
  if ('error' in value) return '';
  return String(value);
}

/**
 * The text of a CSV file: UTF-8 (with or without a BOM) when it decodes as such, otherwise GB18030 — what Excel on
 * a Chinese Windows writes when asked for "CSV (comma delimited)". GB18030 is a superset of GBK and GB2312.
 */
export function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF); a file saved with semicolons or tabs is read by them. */
export function csvLines(text: string): string[][] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [',', ';', '\t'].reduce((best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best), ',');
  const lines: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      lines.push(cells);
      cells = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || cells.length) {
    cells.push(cell);
    lines.push(cells);
  }
  return lines;
}
