import { renderPdf } from '../../../src/modules/reports/pdf-renderer';
import type { ReportDocument } from '../../../src/modules/reports/report-document';
import { readPdf, savePageOne } from '../../helpers/pdf';

const flat = (text: string) => text.replace(/\s+/g, '');

/** A report long enough to run over several pages. */
const longReport: ReportDocument = {
  kind: '评议结果',
  title: '第99期 民主评议结果',
  subtitle: ['长表格'],
  blocks: [
    { kind: 'facts', rows: [['期数', '第99期']] },
    { kind: 'heading', text: '评议结果' },
    {
      kind: 'table',
      columns: [
        { header: '名次', width: 5, align: 'center' },
        { header: '姓名', width: 10 },
        { header: '说明', width: 40 },
      ],
      rows: Array.from({ length: 120 }, (_, i) => [String(i + 1), `干部${i + 1}`, i % 10 === 0 ? '较长的说明，'.repeat(12) : '—']),
      empty: '',
    },
    { kind: 'paragraph', text: '结尾的一段话。' },
  ],
};

describe('renderPdf', () => {
  it('runs a long table over pages, repeating its header row, and numbers every page 第 n 页 / 共 m 页', async () => {
    const pdf = await renderPdf(longReport, { generatedAt: new Date('2026-03-01T08:00:00Z') });
    const { pages, pageTexts } = readPdf(pdf);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(pageTexts).toHaveLength(pages);
    pageTexts.forEach((text, i) => {
      expect(flat(text)).toContain(`第${i + 1}页/共${pages}页`);
      expect(flat(text)).toContain('生成时间2026-03-0116:00（北京时间）');
      for (const header of ['名次', '姓名', '说明']) expect(flat(text)).toContain(header);
    });
    const all = flat(pageTexts.join(''));
    for (let i = 1; i <= 120; i++) expect(all).toContain(`干部${i}`);
    expect(all).toContain('结尾的一段话。');
    savePageOne(pdf, 'long-table');
  });

  it('gives the same bytes for the same report at the same instant', async () => {
    const at = { generatedAt: new Date('2026-03-01T08:00:00Z') };
    expect((await renderPdf(longReport, at)).equals(await renderPdf(longReport, at))).toBe(true);
  });

  it('embeds only the glyphs it uses, so a report stays small', async () => {
    const pdf = await renderPdf({ kind: '活动纪要', title: '短', subtitle: [], blocks: [{ kind: 'paragraph', text: '优秀良好一般较差' }] }, { generatedAt: new Date() });
    expect(pdf.length).toBeLessThan(60_000);
  });
});
