import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { once } from 'node:events';

export interface WorkerProcess {
  child: ChildProcess;
  /** Base URL once the HTTP server listens. */
  url: Promise<string>;
  output(): string;
  /** Resolves with the exit code and how long after `since` it came. */
  exited(since?: number): Promise<{ code: number | null; afterMs: number }>;
}

const mainJs = resolve(import.meta.dirname, '..', '..', 'dist', 'main.js');

/** Runs the built service (`node dist/main.js`, as `pnpm start` does) with the given environment. */
export function startWorkerProcess(env: Record<string, string | undefined>): WorkerProcess {
  const child = spawn(process.execPath, [mainJs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = new Promise<string>((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) done(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => fail(new Error(`worker exited with ${code}:\n${output}`)));
  });
  url.catch(() => {});
  const exit = once(child, 'exit') as Promise<[number | null]>;
  return {
    child,
    url,
    output: () => output,
    async exited(since = Date.now()) {
      const [code] = await exit;
      return { code, afterMs: Date.now() - since };
    },
  };
}
