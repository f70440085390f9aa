// A fault world's worker OS processes, running the built service: the scenario kills and restarts
// them; one that dies on its own is restarted too, as a supervisor would, and counted as a crash.
// Each process's output goes to the suite's logs when it is replaced or stopped.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorkerProcess, type WorkerProcess } from '../test/support/worker-process.js';
import { suiteDir } from './suite.js';

export interface WorkerPool {
  /** The processes, in place: a restart replaces its entry. */
  workers: WorkerProcess[];
  /** Processes that died without being killed by the scenario (restarted). */
  readonly crashes: number;
  start(count: number): Promise<void>;
  /** Starts worker i again once it is dead. */
  restart(i: number): Promise<void>;
  /** SIGKILL worker i and (unless told not to) start it again. */
  kill(i: number, options?: { restart?: boolean }): Promise<void>;
  restartCrashed(): Promise<void>;
  stop(): Promise<void>;
}

const dead = (w: WorkerProcess) => w.child.exitCode !== null || w.child.signalCode !== null;

export function workerPool(name: string, env: Record<string, string | undefined>): WorkerPool {
  const logs = join(suiteDir(), 'logs');
  mkdirSync(logs, { recursive: true });
  let logCount = 0;
  const saveLog = (worker: WorkerProcess) =>
    writeFileSync(join(logs, `${name.replace(/\W+/g, '-')}-${logCount++}.log`), worker.output());
  const workers: WorkerProcess[] = [];
  const killed = new Set<WorkerProcess>();
  let crashes = 0;

  const pool: WorkerPool = {
    workers,
    get crashes() {
      return crashes;
    },
    async start(count) {
      for (let i = 0; i < count; i++) workers.push(startWorkerProcess(env));
      await Promise.all(workers.map((w) => w.url));
    },
    async restart(i) {
      if (!dead(workers[i]!)) throw new Error(`worker ${i} is still running`);
      saveLog(workers[i]!);
      workers[i] = startWorkerProcess(env);
      await workers[i].url;
    },
    async kill(i, options = {}) {
      const worker = workers[i]!;
      killed.add(worker);
      const exited = worker.exited();
      worker.child.kill('SIGKILL');
      await exited;
      if (options.restart ?? true) await pool.restart(i);
    },
    async restartCrashed() {
      for (const [i, worker] of workers.entries()) {
        if (dead(worker) && !killed.has(worker)) {
          crashes++;
          killed.add(worker);
          await pool.restart(i);
        }
      }
    },
    async stop() {
      await Promise.allSettled(
        workers.map(async (worker) => {
          if (!dead(worker)) await stopGracefully(worker);
          saveLog(worker);
        }),
      );
    },
  };
  return pool;
}

/** SIGTERM, as a deploy would; SIGKILL if it has not exited within 15 s. */
async function stopGracefully(worker: WorkerProcess): Promise<void> {
  const exited = worker.exited();
  worker.child.kill('SIGTERM');
  const force = setTimeout(() => worker.child.kill('SIGKILL'), 15_000);
  await exited.finally(() => clearTimeout(force));
}
