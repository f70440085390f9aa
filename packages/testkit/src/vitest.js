// Settings every package's vitest.config.ts shares. Plain JavaScript: vitest loads config files
// before it can compile TypeScript from workspace packages.
import { fileURLToPath } from 'node:url';

// "source" resolves workspace packages to their TypeScript sources, so tests need no build.
const conditions = ['source', 'node', 'import', 'default'];

/** @type {import('./vitest.d.ts').sharedTestConfig} */
export const sharedTestConfig = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    globalSetup: [fileURLToPath(new URL('./global-setup.ts', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
};
