import ExcelJS from 'exceljs';
import { multipartFile } from '../../../src/modules/imports/multipart';
import { csvLines, decodeText, readSheet } from '../../../src/modules/imports/sheet';

describe(readSheet.name, () => {
  it('reads a workbook’s first sheet, numbering rows as Excel does and skipping blank ones', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('花名册');
    sheet.addRow([' 单位 ', '姓名', '手机']);
    sheet.addRow(['双桥区', { richText: [{ text: '吴' }, { text: '国志' }] }, 13800138000]);
    sheet.addRow([]);
    sheet.addRow(['滦平县', '张三', null]);
    const read = await readSheet(Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(read.header.cells).toEqual(['单位', '姓名', '手机']);
    expect(read.rows).toEqual([
      { row: 2, cells: ['双桥区', '吴国志', '13800138000'] },
      { row: 4, cells: ['滦平县', '张三'] },
    ]);
  });

  it('reads a UTF-8 CSV with a BOM and quoted fields', async () => {
    const read = await readSheet(Buffer.from('\uFEFF单位,姓名,角色\r\n双桥区,吴国志,"发言人,与会"\r\n', 'utf8'));
    expect(read.header.cells).toEqual(['单位', '姓名', '角色']);
    expect(read.rows[0].cells).toEqual(['双桥区', '吴国志', '发言人,与会']);
  });

  it('reads a CSV saved as GBK by Excel on a Chinese Windows', async () => {
    // 单位,姓名 / 双桥区,吴国志 in GBK.
    const gbk = Buffer.from('b5a5cebb2cd0d5c3fb0d0acbabc7c5c7f82ccee2b9fad6be0d0a', 'hex');
    expect(decodeText(gbk)).toBe('单位,姓名\r\n双桥区,吴国志\r\n');
    expect((await readSheet(gbk)).rows[0].cells).toEqual(['双桥区', '吴国志']);
  });

  it('refuses an empty file and an old .xls', async () => {
    await expect(readSheet(Buffer.alloc(0))).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(readSheet(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]))).rejects.toThrow(/\.xls/);
  });
});

describe(csvLines.name, () => {
  it('handles doubled quotes, LF endings, a last line without an ending and semicolons', () => {
    expect(csvLines('a,"b ""c"""\nd,e')).toEqual([['a', 'b "c"'], ['d', 'e']]);
    expect(csvLines('a;b;c\n1;2;3\n')).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
  });
});

describe(multipartFile.name, () => {
  it('takes the file field of a form', () => {
    const body = Buffer.concat([
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\nContent-Type: text/csv\r\n\r\n'),
      Buffer.from('单位,姓名\r\n'),
      Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    expect(multipartFile(body, 'multipart/form-data; boundary=XyZ').toString('utf8')).toBe('单位,姓名\r\n');
  });
});
