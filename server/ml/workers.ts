/** @module Starting worker threads from this folder's modules, from TypeScript sources (tsx) or compiled JavaScript alike. */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** Workers do not inherit tsx's loader: register it first when running from sources. */
export function spawnWorker(moduleName: string, workerData: unknown): Worker {
  const modulePath = path.join(__dirname, moduleName);
  if (__filename.endsWith('.ts')) {
    const bootstrap = `require('tsx/cjs'); require(${JSON.stringify(`${modulePath}.ts`)});`;
    return new Worker(bootstrap, { eval: true, workerData });
  }
  return new Worker(`${modulePath}.js`, { workerData });
}

/** What a request/reply worker posts back: the request's id and its result, or why it failed. */
export interface WorkerReply<Result> {
  id: number;
  result?: Result;
  error?: string;
}

/**
 * Requests to a long-lived worker, matched to replies by id. The worker starts on the first
 * request; if it crashes, its pending requests fail and the next request starts a new one.
 */
export class WorkerClient<Request, Result> {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly moduleName: string,
    private readonly workerData: unknown,
    /** Let the process exit while this worker idles (helpers that only serve another worker). */
    private readonly unref = false,
  ) {}

  private start(): Worker {
    const worker = spawnWorker(this.moduleName, this.workerData);
    worker.on('message', (reply: WorkerReply<Result>) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.result !== undefined) waiter?.resolve(reply.result);
      else waiter?.reject(new Error(reply.error ?? `${this.moduleName} failed`));
    });
    const fail = (error: Error) => {
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`${this.moduleName} exited (code ${code})`)));
    if (this.unref) worker.unref();
    return worker;
  }

  request(payload: Request): Promise<Result> {
    this.worker ??= this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker?.postMessage({ id, ...payload });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
