// worker.config.ts is the one place for queue names, job names, scheduler ids and route paths:
// no other source file may spell one of them as a string literal.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOBS, QUEUES, ROUTES, SCHEDULERS } from '@auto-prospect/core';
import { repoRoot } from '@auto-prospect/testkit';

const CONFIG_FILE = join('packages', 'core', 'src', 'config', 'worker.config.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('worker.config.ts', () => {
  it('holds every queue name, job name, scheduler id and route path', () => {
    const literals = [
      ...Object.values(QUEUES),
      ...Object.values(JOBS),
      ...Object.values(SCHEDULERS),
      ...Object.values(ROUTES),
    ];
    const files = ['packages/core/src', 'apps/worker/src'].flatMap((dir) => sourceFiles(join(repoRoot, dir)));
    expect(files.length).toBeGreaterThan(5);
    const offenders = files
      .filter((file) => relative(repoRoot, file) !== CONFIG_FILE)
      .flatMap((file) => {
        const text = readFileSync(file, 'utf8');
        return literals
          .filter((literal) =>
            [`'${literal}'`, `"${literal}"`, `\`${literal}\``].some((quoted) => text.includes(quoted)),
          )
          .map((literal) => `${relative(repoRoot, file)}: ${literal}`);
      });
    expect(offenders).toEqual([]);
  });
});
