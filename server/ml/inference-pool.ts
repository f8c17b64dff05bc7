/**
 * @module Classification inference off the event loop: worker threads that each hold a backbone
 * session, decode image bytes and run the network. onnxruntime-node runs a session synchronously
 * on the calling thread, so in the HTTP thread every forward pass would stall all other requests;
 * in workers, the event loop keeps reading requests while the network runs, and two sessions run
 * at once on two cores. Requests that queue while every worker is busy go together as one batch.
 */
import { availableParallelism } from 'node:os';
import { ImageDecodeError, type ImageInfo, type View } from './image';
import { DEFAULT_BATCH_SIZE } from './config';
import { WorkerClient } from './workers';

export interface InferenceWorkerData {
  modelPath: string;
  /** ONNX Runtime intra-op threads of the worker's session. */
  threads: number;
}

/** One image to classify: its bytes and the views whose features are wanted. */
export interface InferenceItem {
  bytes: Uint8Array;
  views: View[];
}

/** Per item: one feature vector per view and the image's format and size, or why it could not be decoded. */
export type InferenceOutcome = { features: Float32Array[]; info: ImageInfo } | { error: string };

/** Something that infers batches: a worker thread in the service, a stand-in in tests. */
export interface InferenceRunner {
  run(items: InferenceItem[]): Promise<InferenceOutcome[]>;
  close(): Promise<void>;
}

export interface InferencePoolOptions {
  /** Worker threads, each with its own session. Default DEFAULT_INFERENCE_WORKERS. */
  workers?: number;
  /** Intra-op threads per session. Default DEFAULT_THREADS_PER_WORKER. */
  threadsPerWorker?: number;
  /** Most images per worker run. Default: the backbone's batch size. */
  maxBatch?: number;
}

/**
 * Sessions: at least two, so one decodes and starts while the other runs the network; on bigger
 * machines one per pair of cores, up to 4 (each holds a session: ~100 MB).
 */
const DEFAULT_INFERENCE_WORKERS = Math.max(2, Math.min(4, Math.floor(availableParallelism() / 2)));
/**
 * Intra-op threads per session: two, so a lone request runs on both cores of a small machine. On
 * 2 cores, 2 workers x 2 threads measured the 2-thread latency for one client and nearly the
 * throughput of 2 x 1 thread under load (bench/prediction.ts; the README has the figures).
 */
const DEFAULT_THREADS_PER_WORKER = Math.min(2, availableParallelism());

interface Waiting {
  item: InferenceItem;
  resolve: (result: { features: Float32Array[]; info: ImageInfo }) => void;
  reject: (error: Error) => void;
}

export class InferencePool {
  private readonly queue: Waiting[] = [];
  private readonly idle: InferenceRunner[];
  private closed = false;

  constructor(
    private readonly runners: InferenceRunner[],
    private readonly maxBatch = DEFAULT_BATCH_SIZE,
  ) {
    if (runners.length === 0) throw new RangeError('an inference pool needs at least one runner');
    this.idle = [...runners];
  }

  /** A pool of worker threads over the backbone at modelPath; each worker starts on its first batch. */
  static ofWorkers(modelPath: string, options: InferencePoolOptions = {}): InferencePool {
    const data: InferenceWorkerData = { modelPath, threads: options.threadsPerWorker ?? DEFAULT_THREADS_PER_WORKER };
    const runners = Array.from({ length: options.workers ?? DEFAULT_INFERENCE_WORKERS }, () => {
      const client = new WorkerClient<{ items: InferenceItem[] }, InferenceOutcome[]>('inference-worker', data);
      return { run: (items: InferenceItem[]) => client.request({ items }), close: () => client.close() };
    });
    return new InferencePool(runners, options.maxBatch);
  }

  /** Features of one image under each view; rejects with ImageDecodeError when the bytes are not a decodable image. */
  infer(bytes: Uint8Array, views: View[]): Promise<{ features: Float32Array[]; info: ImageInfo }> {
    if (this.closed) return Promise.reject(new Error('the inference pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ item: { bytes, views }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (!this.closed && this.queue.length > 0 && this.idle.length > 0) {
      const runner = this.idle.pop()!;
      const batch = this.queue.splice(0, this.maxBatch);
      void this.runBatch(runner, batch);
    }
  }

  private async runBatch(runner: InferenceRunner, batch: Waiting[]): Promise<void> {
    try {
      const outcomes = await runner.run(batch.map((w) => w.item));
      batch.forEach((w, i) => {
        const outcome = outcomes[i];
        if ('error' in outcome) w.reject(new ImageDecodeError(outcome.error));
        else w.resolve(outcome);
      });
    } catch (error) {
      for (const w of batch) w.reject(error as Error);
    } finally {
      this.idle.push(runner);
      this.dispatch();
    }
  }

  /** Refuses new work and fails what still queues; batches already running finish first. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.reject(new Error('the inference pool is closed'));
    await Promise.all(this.runners.map((r) => r.close()));
  }
}
