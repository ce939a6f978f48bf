import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Express, Response } from 'express';
import expressStaticGzip from 'express-static-gzip';

/**
 * The front door (`/`), the big screen (`/screen/:sessionId?token=…`), the chair's console (`/console`) and the
 * attendee's phone (`/hall`, also behind a personal sign-in link `/signin/:token`) the organisers' desk (`/desk`) and the
 * analysts' page (`/analytics`) and the auditors' (`/audit`): small
 * HTML shells that load the esbuild bundles in dist/web (`npm run build`) from `/assets`. Nothing is loaded from
 * anywhere else, so the pages work on a hall's LAN without internet; the Content-Security-Policy holds them to that.
 */
export interface PagesOptions {
  /** Where the built bundles are; default: dist/web of the package this file belongs to. */
  webDir?: string;
}

const PAGES = {
  home: { title: '擂台 · 大培训大比拼', script: 'home.js', style: 'home.css' },
  screen: { title: '擂台 · 大屏', script: 'screen.js', style: 'screen.css' },
  console: { title: '擂台 · 主持台', script: 'console.js', style: 'console.css' },
  hall: { title: '擂台 · 与会', script: 'hall.js', style: 'hall.css' },
  desk: { title: '擂台 · 组织部工作台', script: 'desk.js', style: 'desk.css' },
  analytics: { title: '擂台 · 数据分析', script: 'analytics.js', style: 'analytics.css' },
  audit: { title: '擂台 · 核查督导', script: 'audit.js', style: 'audit.css' },
} as const;

/** Scripts and styles from this origin only; the WebSocket goes back to it ('self' covers ws: and wss: of it). */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A personal sign-in link's token: 256 random bits in base64url (docs/sign-in.md). */
const SIGN_IN_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const YEAR_S = 365 * 24 * 3600;

export function mountPages(app: Express, options: PagesOptions = {}): void {
  const webDir = options.webDir ?? join(packageRoot(__dirname), 'dist', 'web');
  let manifest: Record<string, string> | null = null;
  const built = () => (manifest ??= readManifest(webDir));

  app.use(
    '/assets',
    // The Brotli or gzip copy the build wrote beside a file (scripts/build-web.mjs), to a browser that accepts it.
    expressStaticGzip(webDir, {
      index: false,
      enableBrotli: true,
      orderPreference: ['br', 'gzip'],
      serveStatic: {
        index: false,
        dotfiles: 'ignore',
        setHeaders: (res) => {
          res.setHeader('X-Content-Type-Options', 'nosniff');
          // A versioned URL (?v=<content hash>, as the shells write them) never changes; a bare one revalidates.
          const versioned = /[?&]v=[0-9a-f]+/.test(res.req.url ?? '');
          res.setHeader('Cache-Control', versioned ? `public, max-age=${YEAR_S}, immutable` : 'public, max-age=0, must-revalidate');
        },
      },
    }),
    (_req, res) => {
      res.status(404).type('text/plain').send('no such asset');
    },
  );

  app.get('/screen/:sessionId', (req, res) => {
    if (!SESSION_ID.test(req.params.sessionId)) {
      res.status(404).type('text/plain').send('no such session');
      return;
    }
    sendShell(res, 'screen', built(), req.query.lang === 'en' ? 'en' : 'zh-CN');
  });
  app.get('/', (req, res) => {
    sendShell(res, 'home', built(), req.query.lang === 'en' ? 'en' : 'zh-CN');
  });
  app.get('/console', (req, res) => {
    sendShell(res, 'console', built(), req.query.lang === 'en' ? 'en' : 'zh-CN');
  });
  app.get('/desk', (req, res) => {
    sendShell(res, 'desk', built(), req.query.lang === 'en' ? 'en' : 'zh-CN');
  });
  app.get('/analytics', (req, res) => {
    sendShell(res, 'analytics', built(), req.query.lang === 'en' ? 'en' : 'zh-CN');
  });
  app.get('/audit', (req, res) => {
    sendShell(res, 'audit', built(), req.query.lang === 'en' ? 'en' : 'zh-CN');
  });
  app.get('/hall', (req, res) => {
    sendShell(res, 'hall', built(), req.query.lang === 'en' ? 'en' : 'zh-CN');
  });
  // The same shell: the page exchanges the token for a session and takes it out of the address bar.
  app.get('/signin/:token', (req, res) => {
    if (!SIGN_IN_TOKEN.test(req.params.token)) {
      res.status(404).type('text/plain').send('no such sign-in link');
      return;
    }
    sendShell(res, 'hall', built(), req.query.lang === 'en' ? 'en' : 'zh-CN');
  });
}

function sendShell(res: Response, page: keyof typeof PAGES, manifest: Record<string, string> | null, lang: 'en' | 'zh-CN'): void {
  if (!manifest) {
    res.status(503).type('text/plain').send('The pages are not built: run `npm run build` (it builds dist/web).');
    return;
  }
  const { title, script, style } = PAGES[page];
  const asset = (file: string) => `/assets/${file}${manifest[file] ? `?v=${manifest[file]}` : ''}`;
  res
    .status(200)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': CSP,
      // The screen's URL and a sign-in link carry a token: keep them out of caches and Referer headers.
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
    })
    .send(
      [
        '<!doctype html>',
        `<html lang="${lang}">`,
        '<head>',
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        `<title>${title}</title>`,
        '<link rel="icon" href="data:,">',
        `<link rel="stylesheet" href="${asset(style)}">`,
        `<script defer src="${asset(script)}"></script>`,
        '</head>',
        `<body class="page-${page}"><noscript>${title}: JavaScript is required.</noscript></body>`,
        '</html>',
        '',
      ].join('\n'),
    );
}

/** The build's content hashes; null when the bundles are missing (the pages then say how to build them). */
function readManifest(webDir: string): Record<string, string> | null {
  const file = join(webDir, 'manifest.json');
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

/** The nearest directory with a package.json: the same from src/app (ts-jest) and from dist/src/app (compiled). */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}
