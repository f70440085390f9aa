// Plain structural types (no vite import): each package's vitest may come with its own vite
// instance, and their config types would not match each other.
/** @public every package's vitest config spreads it */
export declare const sharedTestConfig: {
  resolve: { conditions: string[] };
  ssr: { resolve: { conditions: string[]; externalConditions: string[] } };
  test: { globalSetup: string[]; testTimeout: number; hookTimeout: number; pool: 'forks'; include: string[] };
};
