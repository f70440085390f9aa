import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '@auto-prospect/testkit/vitest';

export default defineConfig(sharedTestConfig);
