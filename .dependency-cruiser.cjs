/**
 * Layers go one way (`pnpm lint` runs this): no import cycles anywhere, core never imports the app,
 * and each folder of core imports only folders of lower layers (ARCHITECTURE.md draws the graph).
 */
const CORE_LAYERS = [
  ['async', 'crypto', 'logging', 'phone', 'templates'],
  ['schedule'],
  ['config'],
  ['db', 'http', 'redis'],
  ['ads', 'channels'],
  ['messages', 'lobstr'],
  ['hunts', 'whatsapp'],
  ['reporting'],
];

const lowerLayers = (index) => CORE_LAYERS.slice(0, index).flat().join(', ');
const folder = (name) => `^packages/core/src/${name}/`;
const layerRules = CORE_LAYERS.flatMap((layer, index) =>
  layer.map((name) => ({
    name: `core-layer-${name}`,
    severity: 'error',
    comment: `core/${name} may import only folders of lower layers: ${lowerLayers(index) || 'none'}.`,
    from: { path: folder(name) },
    to: {
      path: `^packages/core/src/(${CORE_LAYERS.slice(index)
        .flat()
        .filter((other) => other !== name)
        .join('|')})/`,
    },
  })),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other cannot be read, tested or loaded on their own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-not-app',
      severity: 'error',
      comment: 'The domain never depends on the worker app.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'core-leaves',
      severity: 'error',
      comment: 'channel.ts and errors.ts are leaves every layer may use.',
      from: { path: '^packages/core/src/(channel|errors)\\.ts$' },
      to: { path: '^packages/core/src/' },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'], conditionNames: ['source', 'import', 'default'] },
  },
};
