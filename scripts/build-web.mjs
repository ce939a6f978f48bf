// Builds the home, big-screen, console, hall, desk, analytics and audit pages (web/) into dist/web/ with esbuild: one minified script and one
// stylesheet per page, graphql-ws and the parts of ECharts the analytics page uses
// bundled from node_modules, nothing fetched from anywhere at run time.
// Beside each script and stylesheet it writes the Brotli (.br) and gzip (.gz) copies the server sends to browsers that
// accept them (src/app/pages.ts), so a phone on the hall's Wi-Fi fetches a third of the bytes.
// Writes dist/web/manifest.json with a content hash per file, which the server appends to the asset URLs
// (`?v=<hash>`) so browsers may cache them for good.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'web');

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { home: 'web/home/home.ts', screen: 'web/screen/screen.ts', console: 'web/console/console.ts', hall: 'web/hall/hall.ts', desk: 'web/desk/desk.ts', analytics: 'web/analytics/analytics.ts', audit: 'web/audit/audit.ts' },
  outdir,
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15', 'edge100'],
  sourcemap: 'linked',
  legalComments: 'none',
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});

const manifest = {};
const sizes = [];
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith('.map')) continue;
  const name = relative(outdir, join(root, file));
  const bytes = await readFile(join(root, file));
  manifest[name] = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
  await writeFile(join(root, `${file}.br`), br);
  await writeFile(join(root, `${file}.gz`), gzipSync(bytes, { level: 9 }));
  sizes.push(`${name} ${(info.bytes / 1024).toFixed(1)} kB (br ${(br.length / 1024).toFixed(1)} kB)`);
}
await writeFile(join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`web bundle → dist/web: ${sizes.join(', ')}`);
