/**
 * The parts' boundaries (`npm run check:boundaries`, part of `npm test`). Parts are the workspace
 * packages; one part reaches another only through that part's `exports` (a package name, never a
 * relative path), and which part may use which is written here, so it is checked, not agreed.
 * The faces are read from each package.json, so adding an export needs no change here.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const PARTS = ['protocol', 'storage-engine', 'server', 'client', 'web', 'admin-ui', 'test-support'];
const ALL = `(${[...PARTS, 'scripts'].join('|')})`;
const esc = (s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Every file an `exports` entry of a part points at, as a path pattern from the repository root. */
function faces(root) {
  const out = ['^storage-engine/native/']; // @coffer/native: the engine's addon, used by the engine only
  for (const part of PARTS) {
    let pkg;
    try {
      pkg = JSON.parse(readFileSync(join(root, part, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    for (const target of Object.values(pkg.exports ?? {})) {
      const file = typeof target === 'string' ? target : target.default;
      out.push(`^${esc(join(part, file)).replace('*', '.+')}$`);
    }
  }
  return out;
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: two modules that need each other are one concept or need a third.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-cross-part-relative',
      severity: 'error',
      comment: 'Another part is reached through its package name (@coffer/…), never by a relative path.',
      from: { path: `^${ALL}/` },
      to: { dependencyTypes: ['local'], dependencyTypesNot: ['aliased'], path: `^${ALL}/`, pathNot: ['^$1/'] },
    },
    {
      name: 'only-through-exports',
      severity: 'error',
      comment: "A module of another part that is not in that part's exports map (a deep import).",
      from: { path: `^${ALL}/` },
      to: { path: `^${ALL}/`, pathNot: ['^$1/', ...faces(__dirname)] },
    },
    {
      name: 'protocol-is-browser-safe',
      severity: 'error',
      comment: 'protocol/ runs in browsers: no Node built-ins, no other part.',
      from: { path: '^protocol/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'protocol-imports-no-part',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: `^${ALL}/`, pathNot: '^protocol/' },
    },
    {
      name: 'engine-imports-only-protocol',
      severity: 'error',
      comment: 'The engine knows nothing of HTTP, SQL or its users; its tests may use test-support.',
      from: { path: '^storage-engine/' },
      to: { path: `^${ALL}/`, pathNot: ['^storage-engine/', '^protocol/', '^test-support/'] },
    },
    {
      name: 'engine-src-no-test-support',
      severity: 'error',
      from: { path: '^storage-engine/src/' },
      to: { path: '^test-support/' },
    },
    {
      name: 'client-not-server',
      severity: 'error',
      comment: "The client talks to the server over HTTPS only; its tests may boot one (server's testing face) and its simulation reuses the server's rules.",
      from: { path: '^client/src/' },
      to: { path: '^server/' },
    },
    {
      name: 'client-tests-server-faces',
      severity: 'error',
      from: { path: '^client/test/' },
      to: { path: '^server/', pathNot: ['^server/src/rules\\.ts$', '^server/test/fixtures/'] },
    },
    {
      name: 'client-engine-chunker-only',
      severity: 'error',
      comment: 'The client shares the chunker (and the native rename, and releaseMemory) with the engine, nothing else of it.',
      from: { path: '^client/' },
      to: { path: '^storage-engine/', pathNot: ['^storage-engine/src/chunk/', '^storage-engine/src/native\\.ts$', '^storage-engine/src/errors\\.ts$', '^storage-engine/native/', '^storage-engine/src/memory/release\\.ts$'] },
    },
    {
      name: 'server-not-client',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^(client|web|admin-ui)/' },
    },
    {
      name: 'test-code-stays-in-tests',
      severity: 'error',
      comment: 'Shipping code never imports test helpers.',
      from: { path: '^[^/]+/src/', pathNot: '^test-support/' },
      to: { path: ['^test-support/', '^[^/]+/test/'] },
    },
    {
      name: 'browser-apps-use-the-api',
      severity: 'error',
      comment: 'web/ and admin-ui/ reach the server over HTTP; of other parts only protocol (and the chunker). Their tests may start a server.',
      from: { path: '^(web|admin-ui)/', pathNot: '^(web|admin-ui)/test/' },
      to: { path: `^${ALL}/`, pathNot: ['^(web|admin-ui)/', '^protocol/', '^storage-engine/src/chunk/'] },
    },
    {
      name: 'admin-ui-uses-the-web-kit-only',
      comment: "Of the web app, admin-ui/ uses the design language (web/src/ui: components, theme, shell), the i18n helpers and the typed API client (web/src/api/client.ts); its build uses the web app's build step. Nothing else of the drive's app.",
      severity: 'error',
      from: { path: '^admin-ui/', pathNot: '^admin-ui/test/' },
      to: { path: '^web/', pathNot: ['^web/src/ui/', '^web/src/i18n/', '^web/src/api/client\\.ts$', '^web/build/build-web\\.ts$'] },
    },
    {
      name: 'admin-ui-src-not-build-code',
      severity: 'error',
      from: { path: '^admin-ui/src/' },
      to: { path: '^web/build/' },
    },
    {
      name: 'web-not-admin-ui',
      comment: 'The drive app knows nothing of the dashboard (it links to /admin, an address).',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^admin-ui/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)node_modules/', '^data/', '/fixtures/boundaries/', '(^|/)dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['types', 'module', 'main'],
    },
    skipAnalysisNotInRules: true,
  },
};
