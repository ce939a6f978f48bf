import { randomUUID } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { authenticateRequest } from '../../auth/http-auth';
import type { Principal } from '../../auth/principal';
import type { TokenService } from '../../auth/tokens';
import { HttpError, httpErrorOf, sendHttpError } from '../../common/http-error';
import type { Logger } from '../../common/logger';
import { ReportService, type ReportServiceDeps } from './reports.service';

export interface ReportRouteDeps extends ReportServiceDeps {
  tokens: TokenService;
  /** Where a failure that is not the caller's is logged, with the request id the answer names. */
  logger?: Logger;
}

type Render = (reports: ReportService, principal: Principal, id: string) => Promise<Buffer>;

/** Each report by the first part of its path. */
const REPORTS: Record<string, Render> = {
  evaluation: (r, p, id) => r.evaluationPdf(p, id),
  minutes: (r, p, id) => r.minutesPdf(p, id),
  dossier: (r, p, id) => r.dossierPdf(p, id),
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
      const kind = String(req.params.kind);
      const render = Object.hasOwn(REPORTS, kind) ? REPORTS[kind] : undefined;
      const match = /^([^/]+)\.pdf$/.exec(String(req.params.file));
      if (!render || !match) throw new HttpError(404, 'NOT_FOUND', 'reports are /reports/evaluation/<sessionId>.pdf, /reports/minutes/<sessionId>.pdf and /reports/dossier/<cadreId>.pdf');
      const principal = await authenticateRequest(deps.tokens, req);
      const pdf = await render(reports, principal, match[1]);
      res
        .status(200)
        .set({
          'content-type': 'application/pdf',
          'content-length': String(pdf.length),
          'content-disposition': `inline; filename="${kind}-${match[1]}.pdf"`,
          // Names, grades and findings: not for shared caches, nor for the browser's after the tab closes.
          'cache-control': 'private, no-store',
        })
        .end(pdf);
    } catch (err) {
      if (httpErrorOf(err).status >= 500) {
        const requestId = randomUUID();
        deps.logger?.error({ err, requestId, path: req.path }, 'report failed');
        sendHttpError(res, err, `report (request ${requestId})`);
      } else {
        sendHttpError(res, err, 'report');
      }
    }
  });
}
