/**
 * ts-jest compiles the TypeScript (decorator metadata included). jose, canonicalize and @cloudflare/blindrsa-ts ship only ES modules, so they
 * are compiled to CommonJS too; everything else in node_modules is left alone.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    '^.+/node_modules/(jose|canonicalize|@cloudflare/blindrsa-ts)/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|canonicalize|@cloudflare/blindrsa-ts)/)'],
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  testTimeout: 30000,
};
