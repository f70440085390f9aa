// Plain structural types (no vite import): each package's vitest may come with its own vite
// instance, and their config types would not match each other.
export declare const sharedTestConfig: {
  resolve: { conditions: string[] };
  ssr: { resolve: { conditions: string[]; externalConditions: string[] } };
  test: { globalSetup: string[]; testTimeout: number; hookTimeout: number; pool: 'forks'; include: string[] };
};
