import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { encode } from 'uqr';
import type { ReportBlock, ReportDocument, ReportSeal, TableColumn } from './report-document';
import { formatMinute } from './report-format';

/*
 * Lays a ReportDocument out on A4 with pdfkit. Text is real text in an embedded subset of Noto Sans SC (SIL OFL
 * 1.1, from the @expo-google-fonts/noto-sans-sc package: no system font is assumed), so it can be selected,
 * searched and copied; only the glyphs a report uses are embedded. QR codes are drawn as vector squares.
 */

const FONT_FILES = {
  regular: require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'),
  bold: require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf'),
};
let fontData: { regular: Buffer; bold: Buffer } | null = null;

/** The two faces, read once per process (about 10 MB each); each document embeds only its own subset. */
function fonts(): { regular: Buffer; bold: Buffer } {
  return (fontData ??= { regular: readFileSync(FONT_FILES.regular), bold: readFileSync(FONT_FILES.bold) });
}

const MARGIN = { top: 64, bottom: 60, left: 50, right: 50 };
const INK = '#111111';
const GREY = '#555555';
const RULE = '#9a9a9a';
const SHADE = '#eeeeee';
const BODY_SIZE = 10.5;
const TABLE_SIZE = 9;
const CELL_PAD = 4;
const QR_SIDE = 96;

type Doc = PDFKit.PDFDocument;

export interface RenderOptions {
  /** Printed in every page's header, and the PDF's creation date: the caller's clock, never the renderer's. */
  generatedAt: Date;
  /** Who the header names as the issuer. */
  issuer?: string;
}

/** Renders `report` to a PDF file in memory. */
export function renderPdf(report: ReportDocument, options: RenderOptions): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: { Title: `${report.kind}：${report.title}`, Author: options.issuer ?? '擂台', Creator: '擂台 Leitai', CreationDate: options.generatedAt },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const { regular, bold } = fonts();
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);

  drawTitle(doc, report);
  for (const block of report.blocks) drawBlock(doc, block);
  drawFurniture(doc, report, options);
  doc.end();
  return done;
}

const contentWidth = (doc: Doc) => doc.page.width - MARGIN.left - MARGIN.right;
const bottom = (doc: Doc) => doc.page.height - MARGIN.bottom;

/** Starts a new page unless `height` more points fit on this one. */
function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) {
    doc.addPage();
    doc.y = MARGIN.top;
  }
}

function drawTitle(doc: Doc, report: ReportDocument): void {
  doc.font('bold').fontSize(18).fillColor(INK).text(report.title, MARGIN.left, MARGIN.top, { width: contentWidth(doc), align: 'center' });
  doc.moveDown(0.3);
  doc.font('regular').fontSize(BODY_SIZE).fillColor(GREY);
  for (const line of report.subtitle) doc.text(line, MARGIN.left, doc.y, { width: contentWidth(doc), align: 'center' });
  doc.fillColor(INK);
  doc.y += 10;
}

function drawBlock(doc: Doc, block: ReportBlock): void {
  switch (block.kind) {
    case 'heading':
      // A heading keeps company: room for itself, a table's header row and its first row.
      ensureRoom(doc, 90);
      doc.y += 8;
      doc.font('bold').fontSize(13).fillColor(INK).text(block.text, MARGIN.left, doc.y, { width: contentWidth(doc) });
      doc.y += 4;
      return;
    case 'paragraph':
      doc.font('regular').fontSize(BODY_SIZE).fillColor(INK).text(block.text, MARGIN.left, doc.y, { width: contentWidth(doc), lineGap: 3 });
      doc.y += 4;
      return;
    case 'facts':
      return drawFacts(doc, block.rows);
    case 'table':
      return drawTable(doc, block.columns, block.rows, block.empty);
    case 'seal':
      return drawSeal(doc, block.seal);
  }
}

function drawFacts(doc: Doc, rows: readonly (readonly [string, string])[]): void {
  const labelWidth = 84;
  const valueWidth = contentWidth(doc) - labelWidth;
  for (const [label, value] of rows) {
    doc.font('regular').fontSize(BODY_SIZE);
    const h = Math.max(doc.heightOfString(value, { width: valueWidth, lineGap: 2 }), doc.currentLineHeight(true));
    ensureRoom(doc, h);
    const y = doc.y;
    doc.font('bold').fillColor(GREY).text(label, MARGIN.left, y, { width: labelWidth - 8, lineBreak: false });
    doc.font('regular').fillColor(INK).text(value, MARGIN.left + labelWidth, y, { width: valueWidth, lineGap: 2 });
    doc.y = y + h + 3;
  }
  doc.y += 4;
}

/** A ruled table; the header row is repeated on every page the table runs onto. */
function drawTable(doc: Doc, columns: readonly TableColumn[], rows: readonly (readonly string[])[], empty: string): void {
  if (rows.length === 0) {
    if (empty) drawBlock(doc, { kind: 'paragraph', text: empty });
    return;
  }
  const total = columns.reduce((n, c) => n + c.width, 0);
  const widths = columns.map((c) => (c.width / total) * contentWidth(doc));
  const heightOf = (cells: readonly string[], font: string) =>
    Math.max(
      ...cells.map((text, i) => {
        doc.font(font).fontSize(columns[i]?.size ?? TABLE_SIZE);
        return doc.heightOfString(text || ' ', { width: widths[i] - 2 * CELL_PAD });
      }),
    ) +
    2 * CELL_PAD;
  const drawRow = (cells: readonly string[], font: string, shade: boolean) => {
    const h = heightOf(cells, font);
    const y = doc.y;
    let x = MARGIN.left;
    if (shade) doc.rect(MARGIN.left, y, contentWidth(doc), h).fill(SHADE);
    cells.forEach((text, i) => {
      doc.font(font).fontSize(columns[i]?.size ?? TABLE_SIZE).fillColor(INK);
      doc.text(text, x + CELL_PAD, y + CELL_PAD, { width: widths[i] - 2 * CELL_PAD, height: h - 2 * CELL_PAD, align: shade ? 'center' : (columns[i]?.align ?? 'left') });
      x += widths[i];
    });
    doc.lineWidth(0.5).strokeColor(RULE);
    doc.rect(MARGIN.left, y, contentWidth(doc), h).stroke();
    x = MARGIN.left;
    for (const w of widths.slice(0, -1)) {
      x += w;
      doc.moveTo(x, y).lineTo(x, y + h).stroke();
    }
    doc.y = y + h;
  };
  const header = columns.map((c) => c.header);
  ensureRoom(doc, heightOf(header, 'bold') + heightOf(rows[0], 'regular'));
  drawRow(header, 'bold', true);
  for (const row of rows) {
    const h = heightOf(row, 'regular');
    if (doc.y + h > bottom(doc)) {
      doc.addPage();
      doc.y = MARGIN.top;
      drawRow(header, 'bold', true);
    }
    drawRow(row, 'regular', false);
  }
  doc.y += 8;
}

/** The archive's hash in full beside its QR code, drawn as one vector path of unit squares. */
function drawSeal(doc: Doc, seal: ReportSeal): void {
  ensureRoom(doc, QR_SIDE + 12);
  const y = doc.y + 4;
  const { data, size } = encode(seal.contentHash, { ecc: 'M', border: 0 });
  const unit = QR_SIDE / size;
  data.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (dark) doc.rect(MARGIN.left + c * unit, y + r * unit, unit, unit);
    }),
  );
  doc.fillColor('#000000').fill();
  const x = MARGIN.left + QR_SIDE + 16;
  const width = contentWidth(doc) - QR_SIDE - 16;
  doc.font('bold').fontSize(BODY_SIZE).fillColor(INK).text(`${seal.label} 档案链第 ${seal.sequence} 号`, x, y, { width });
  doc.font('regular').fontSize(BODY_SIZE).fillColor(GREY).text(`封存时间 ${formatMinute(seal.sealedAt)}（北京时间）`, x, doc.y + 2, { width });
  doc.text('contentHash（SHA-256）', x, doc.y + 8, { width });
  doc.font('regular').fontSize(8.5).fillColor(INK).text(seal.contentHash, x, doc.y + 2, { width, lineBreak: false });
  doc.y = Math.max(doc.y, y + QR_SIDE) + 10;
}

/** Every page's header (what, and when it was generated) and footer (第 n 页 / 共 m 页), drawn once all pages exist. */
function drawFurniture(doc: Doc, report: ReportDocument, options: RenderOptions): void {
  const { start, count } = doc.bufferedPageRange();
  const generated = `生成时间 ${formatMinute(options.generatedAt)}（北京时间）`;
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would make pdfkit open a new page.
    doc.page.margins.bottom = 0;
    const width = contentWidth(doc);
    doc.font('regular').fontSize(8.5).fillColor(GREY);
    doc.text(`承德市“大培训、大比拼”活动 · ${report.kind}`, MARGIN.left, 30, { width, align: 'left', lineBreak: false });
    doc.text(generated, MARGIN.left, 30, { width, align: 'right', lineBreak: false });
    doc.lineWidth(0.5).strokeColor(RULE).moveTo(MARGIN.left, 46).lineTo(MARGIN.left + width, 46).stroke();
    const footY = doc.page.height - 40;
    doc.moveTo(MARGIN.left, footY - 6).lineTo(MARGIN.left + width, footY - 6).stroke();
    doc.text(`第 ${i - start + 1} 页 / 共 ${count} 页`, MARGIN.left, footY, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = MARGIN.bottom;
  }
}
