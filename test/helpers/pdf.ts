import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the rendered pages land (git-ignored), beside test-artifacts/pages. */
export const REPORT_ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'reports');

/** What poppler reads from a PDF: its text (as a reader selecting it would copy it) and its page count. */
export interface ReadPdf {
  text: string;
  pages: number;
  /** The text of each page, in order. */
  pageTexts: string[];
}

/** Reads `pdf` with poppler's pdftotext and pdfinfo (poppler-utils, installed by .ci/run). */
export function readPdf(pdf: Buffer): ReadPdf {
  const dir = mkdtempSync(join(tmpdir(), 'leitai-pdf-'));
  try {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    // pdftotext ends every page with a form feed.
    return { text, pages: Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? 0), pageTexts: text.split('\f').slice(0, -1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders the first page of `pdf` at 60 dpi to test-artifacts/reports/<name>.png and returns the path. */
export function savePageOne(pdf: Buffer, name: string): string {
  mkdirSync(REPORT_ARTIFACTS, { recursive: true });
  const file = join(REPORT_ARTIFACTS, `${name}.pdf`);
  writeFileSync(file, pdf);
  const prefix = join(REPORT_ARTIFACTS, name);
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, prefix]);
  return `${prefix}.png`;
}

/** The QR codes zbarimg (zbar-tools) decodes on page `page` of `pdf`, rendered at 150 dpi as a scanner would see it. */
export function qrCodesOn(pdf: Buffer, page: number): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'leitai-qr-'));
  try {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    execFileSync('pdftoppm', ['-png', '-r', '150', '-f', String(page), '-l', String(page), '-singlefile', file, join(dir, 'page')]);
    const out = execFileSync('zbarimg', ['-q', '--raw', join(dir, 'page.png')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
