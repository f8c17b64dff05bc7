/** @module Starting worker threads from this folder's modules, from TypeScript sources (tsx) or compiled JavaScript alike. */
import { once } from 'node:events';
import path from 'node:path';
import { parentPort, Worker } from 'node:worker_threads';

/**
 * Starts a worker from a module of this folder (or an absolute module path, without extension).
 * Workers do not inherit tsx's loader: register it first when running from sources.
 */
function spawnWorker(moduleName: string, workerData: unknown): Worker {
  const modulePath = path.resolve(__dirname, moduleName);
  if (__filename.endsWith('.ts')) {
    const bootstrap = `require('tsx/cjs'); require(${JSON.stringify(`${modulePath}.ts`)});`;
    return new Worker(bootstrap, { eval: true, workerData });
  }
  return new Worker(`${modulePath}.js`, { workerData });
}

/** The message that asks a worker to clean up and end (see serveRequests). */
const SHUTDOWN = { shutdown: 'cvlab-worker-shutdown' } as const;
/** How long close() waits for a worker to end by itself before terminating it. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * The worker side of WorkerClient: answers each request with `handle`'s result (or its error
 * message). On shutdown it runs `cleanup`, lets the requests in progress settle (their answers
 * still go out), and ends the thread. Messages arrive only between synchronous steps, so shutdown
 * never lands inside a native ONNX Runtime run: terminating a worker mid-run would abort the whole
 * process (onnxruntime-node throws from C++ into the dying thread).
 */
export function serveRequests<Request, Result>(handle: (request: Request) => Promise<Result> | Result, cleanup?: () => Promise<void>): void {
  const port = parentPort;
  if (!port) throw new Error('serveRequests runs in a worker thread');
  const inProgress = new Set<Promise<void>>();
  port.on('message', async (message: (Request & { id: number }) | typeof SHUTDOWN) => {
    if ((message as typeof SHUTDOWN).shutdown === SHUTDOWN.shutdown) {
      await cleanup?.();
      await Promise.allSettled(inProgress);
      process.exit(0);
    }
    const request = message as Request & { id: number };
    const answer = (async () => {
      try {
        port.postMessage({ id: request.id, result: await handle(request) });
      } catch (error) {
        port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
      }
    })();
    inProgress.add(answer);
    await answer;
    inProgress.delete(answer);
  });
}

/** What a request/reply worker posts back: the request's id and its result, or why it failed. */
interface WorkerReply<Result> {
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

  /** Asks the worker to end once what it has started settles (see serveRequests); terminates it after SHUTDOWN_TIMEOUT_MS. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.postMessage(SHUTDOWN);
    const timer = setTimeout(() => void worker.terminate(), SHUTDOWN_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}
