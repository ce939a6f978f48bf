/**
 * The layer rule (docs/architecture.md): app → modules → auth → db → config → common, each importing only the
 * layers below it; pubsub sits beside db. `npm run check:layers` (run by .ci/run) fails on any arrow against the
 * grain (none is accepted) and on any cycle between the folders of src/modules, which the file-level no-circular
 * rule does not see.
 */
const below = (...layers) => `^src/(${layers.join('|')})/`;
const layer = (name, mayImport, comment) => ({
  name: `layer-${name}`,
  severity: 'error',
  comment,
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, below(...mayImport)] },
});

module.exports = {
  forbidden: [
    layer('modules', ['auth', 'db', 'pubsub', 'config', 'common'], 'modules import auth, db, pubsub, config and common, never app/ or main.ts'),
    layer('auth', ['db', 'config', 'common'], 'auth imports db, config and common only'),
    layer('db', ['config', 'common'], 'db imports config and common only'),
    layer('pubsub', ['config', 'common'], 'pubsub imports config and common only'),
    layer('config', ['common'], 'config imports common only'),
    layer('common', [], 'common imports nothing of the project'),
    {
      name: 'app-no-resolver',
      severity: 'error',
      comment: 'app/ wires resolver classes in resolvers.ts only; it never calls into one',
      from: { path: '^src/app/', pathNot: '^src/app/resolvers\\.ts$' },
      to: { path: '\\.resolver\\.ts$' },
    },
    {
      name: 'no-module-folder-cycle',
      severity: 'error',
      comment: 'no cycle between module folders: what two modules share lives in the lower one, or in common/',
      scope: 'folder',
      from: { path: '^src/modules/[^/]+/?$' },
      to: { path: '^src/modules/[^/]+/?$', circular: true },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycles',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
