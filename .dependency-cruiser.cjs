/**
 * The layering of @watchpost/core, checked by `npm run lint` (dependency-cruiser). Folders of
 * packages/core/src, lowest first: a folder may import from its own layer or lower ones, never from
 * a higher one, and no module may take part in an import cycle. docs/architecture.md explains the
 * layers; this list is the one place they are written down.
 */
const LAYERS = [
  ['errors\\.ts', 'warnings\\.ts', 'memo\\.ts'],
  ['redaction', 'context'],
  ['schema'],
  ['events'],
  ['config'],
  ['detection', 'jwt', 'state'],
  ['detectors', 'rules'],
  ['pipeline'],
  ['delivery'],
  ['spool'],
  ['sinks'],
  ['instance'],
  ['watchpost\\.ts'],
  ['index\\.ts', 'sdk\\.ts', 'testing\\.ts'],
]

const SRC = '^packages/core/src/'
const pathOf = (names) => `${SRC}(${names.join('|')})(/|$)`

const layering = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `core-layer-${i}`,
  comment: `${layer.join(', ')} may not import from a higher layer (docs/architecture.md)`,
  severity: 'error',
  from: { path: pathOf(layer) },
  to: { path: pathOf(LAYERS.slice(i + 1).flat()) },
}))

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: modules that cannot be understood, tested or loaded one without the other.',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    ...layering,
    {
      name: 'adapters-and-sinks-use-public-entries',
      comment: 'Other packages import @watchpost/core, @watchpost/core/sdk or /testing, never its files.',
      severity: 'error',
      from: { path: '^packages/(fastify|express|sentinel|emulator|redis|cli)/src/' },
      to: { path: '^packages/core/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
  },
}
