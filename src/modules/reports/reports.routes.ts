import type { Express, Request, Response } from 'express';
import { authenticateRequest } from '../../auth/http-auth';
import type { Principal } from '../../auth/principal';
import type { TokenService } from '../../auth/tokens';
import { HttpError, sendHttpError } from '../../common/http-error';
import { ReportService, type ReportServiceDeps } from './reports.service';

export interface ReportRouteDeps extends ReportServiceDeps {
  tokens: TokenService;
}

/** Each report: the service method that renders it, and the name of the id in its path. */
const REPORTS: Record<string, { render: (reports: ReportService, principal: Principal, id: string) => Promise<Buffer>; file: string }> = {
  evaluation: { render: (r, p, id) => r.evaluationPdf(p, id), file: 'evaluation' },
  minutes: { render: (r, p, id) => r.minutesPdf(p, id), file: 'minutes' },
  dossier: { render: (r, p, id) => r.dossierPdf(p, id), file: 'dossier' },
};

/**
 * `/reports/evaluation/:sessionId.pdf` (评议结果), `/reports/minutes/:sessionId.pdf` (活动纪要) and
 * `/reports/dossier/:cadreId.pdf` (干部档案): A4 PDFs with selectable Chinese text, for a bearer token or `?token=`
 * (a plain link). No token 401, a role that may not read it 403, an unknown or malformed id 404.
 */
export function mountReports(app: Express, deps: ReportRouteDeps): void {
  const reports = new ReportService(deps);
  app.get('/reports/:kind/:file', async (req: Request, res: Response) => {
    try {
      const report = REPORTS[String(req.params.kind)];
      const match = /^([^/]+)\.pdf$/.exec(String(req.params.file));
      if (!report || !match) throw new HttpError(404, 'NOT_FOUND', 'reports are /reports/evaluation/<sessionId>.pdf, /reports/minutes/<sessionId>.pdf and /reports/dossier/<cadreId>.pdf');
      const principal = await authenticateRequest(deps.tokens, req);
      const pdf = await report.render(reports, principal, match[1]);
      res
        .status(200)
        .set({
          'content-type': 'application/pdf',
          'content-length': String(pdf.length),
          'content-disposition': `inline; filename="${report.file}-${match[1]}.pdf"`,
          // Names, grades and findings: not for shared caches, nor for the browser's after the tab closes.
          'cache-control': 'private, no-store',
        })
        .end(pdf);
    } catch (err) {
      sendHttpError(res, err, 'report');
    }
  });
}
