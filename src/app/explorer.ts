import { dirname, join } from 'node:path';
import type { Express, Request, Response } from 'express';
import { hasAnyRole } from '../auth/principal';
import { bearerToken, TokenService } from '../auth/tokens';

/** The files GraphiQL needs, served from the server's own node_modules: no CDN, works on a hall LAN. */
const ASSETS: Record<string, { module: string; file: string; type: string }> = {
  'react.js': { module: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { module: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { module: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { module: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

const PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Leitai GraphQL explorer</title>
<link rel="stylesheet" href="/explorer/assets/graphiql.css">
<style>html,body,#explorer{height:100%;margin:0}</style></head>
<body><div id="explorer"></div>
<script src="/explorer/assets/react.js"></script>
<script src="/explorer/assets/react-dom.js"></script>
<script src="/explorer/assets/graphiql.js"></script>
<script src="/explorer/assets/start.js"></script>
</body></html>`;

/** Sign in with `login`, then put {"authorization": "Bearer <token>"} in the headers tab. */
const START = `(function () {
  var token = new URLSearchParams(location.search).get('token');
  var headers = token ? { authorization: 'Bearer ' + token } : {};
  var fetcher = GraphiQL.createFetcher({ url: '/graphql', headers: headers });
  var query = '# Sign in first:\\n# mutation { login(username: "analyst", password: "leitai-demo") { token } }\\n# then set the header {"authorization": "Bearer <token>"}\\n\\nquery Standings {\\n  regionStandings { rank score speeches excellent overtimeRate fulfilmentRate region { name } }\\n}\\n';
  ReactDOM.createRoot(document.getElementById('explorer')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: query, defaultHeaders: JSON.stringify(headers), shouldPersistHeaders: true })
  );
})();`;

/**
 * `/explorer`: GraphiQL from the server's own bundle. Open outside production; in production only for a signed-in
 * analyst (admin, secretary), who passes the token as `?token=`.
 */
export function mountExplorer(app: Express, tokens: TokenService, production: boolean): void {
  const allowed = async (req: Request) => {
    if (!production) return true;
    const token = bearerToken(req.headers.authorization) ?? (typeof req.query.token === 'string' ? req.query.token : null);
    if (!token) return false;
    try {
      return hasAnyRole(await tokens.verify(token), ['analyst', 'secretary', 'admin']);
    } catch {
      return false;
    }
  };
  app.get('/explorer', async (req: Request, res: Response) => {
    if (!(await allowed(req))) {
      res.status(403).type('text/plain').send('The explorer is for signed-in analysts: open /explorer?token=<token>.');
      return;
    }
    res.type('html').set('cache-control', 'no-store').send(PAGE);
  });
  app.get('/explorer/assets/start.js', (_req, res) => {
    res.type('text/javascript').send(START);
  });
  app.get('/explorer/assets/:name', (req: Request, res: Response) => {
    const asset = ASSETS[String(req.params.name)];
    if (!asset) {
      res.status(404).end();
      return;
    }
    const root = dirname(require.resolve(`${asset.module}/package.json`));
    res.type(asset.type).set('cache-control', 'public, max-age=86400').sendFile(join(root, asset.file));
  });
}
