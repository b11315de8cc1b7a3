// Starts a worker thread on a sibling module: the compiled .js when running from dist, the .ts source
// when running under tsx (tests, bench), so the worker is type-checked and linted like the rest.
import { Worker } from 'node:worker_threads';

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** `name` is the module's file name without extension, e.g. 'checkpoint-worker'. */
export function startWorker(name: string, workerData: unknown): Worker {
  const file = new URL(`./${name}${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);
  if (!FROM_SOURCE) return new Worker(file, { workerData });
  // Node 20 loads a worker's entry module before the `--import tsx` it inherits can hook a .ts file,
  // so the worker registers tsx itself first. Only this loader line is evaluated; the code is in `file`.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(file.href)}))`;
  return new Worker(boot, { eval: true, workerData });
}
