/**
 * @cloudflare/blindrsa-ts ships only ES modules, and Jest 30 on Node 20 cannot require an ES module (it can from
 * Node 24.9) nor transform this one (jest.config.js compiles only jose and canonicalize to CommonJS). The blind specs
 * therefore mock the package with the package itself, loaded by Node's own loader, which requires ES modules since
 * Node 20.19, as the built server does:
 *
 *   jest.mock('@cloudflare/blindrsa-ts', () => require('./native-blindrsa').loadNatively());
 *
 * Once jest.config.js transforms the package like jose, this file and those lines can go.
 */
import Module from 'node:module';

interface NodeModuleInternals {
  new (id: string): { filename: string; paths: string[] };
  _nodeModulePaths(dir: string): string[];
  _load(request: string, parent: unknown, isMain: boolean): unknown;
}

export function loadNatively(): unknown {
  const NodeModule = Module as unknown as NodeModuleInternals;
  const parent = new NodeModule(__filename);
  parent.filename = __filename;
  parent.paths = NodeModule._nodeModulePaths(__dirname);
  return NodeModule._load('@cloudflare/blindrsa-ts', parent, false);
}
