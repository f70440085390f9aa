// The fault suite (`pnpm test:faults`): real worker processes against private Redis and Postgres
// servers the suite starts itself. Not part of `pnpm test` (vitest.config.ts includes only *.test.ts).
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { sharedTestConfig } from '@auto-prospect/testkit/vitest';

/** Scenario files run one after the other in name order: the secret scan (7-…) comes last. */
class ByName extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return Promise.resolve([...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId)));
  }
}

export default defineConfig({
  ...sharedTestConfig,
  test: {
    ...sharedTestConfig.test,
    // Starts the private servers, then builds the template database there with the testkit's setup.
    globalSetup: ['faults/servers.global.ts'],
    include: ['faults/**/*.fault.ts'],
    fileParallelism: false,
    sequence: { sequencer: ByName },
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
