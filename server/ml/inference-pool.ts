/**
 * @module Classification inference off the event loop: worker threads that each hold a backbone
 * session, decode image bytes and run the network. onnxruntime-node runs a session synchronously
 * on the calling thread, so in the HTTP thread every forward pass would stall all other requests;
 * in workers, the event loop keeps reading requests while the network runs, and two sessions run
 * at once on two cores. Requests that queue while every worker is busy go together as one batch;
 * when workers are idle, a lone image's views are shared between them.
 */
import { availableParallelism } from 'node:os';
import { ImageDecodeError, type ImageInfo, type View } from './image';
import { DEFAULT_BATCH_SIZE } from './config';
import { WorkerClient } from './workers';

export interface InferenceWorkerData {
  weightsDir: string;
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
 * Intra-op threads per session: the cores shared out, so sessions do not fight over them. On 2
 * cores, 2 sessions x 1 thread measured the best throughput (bench/prediction.ts), and a lone
 * request still uses both cores: its views are shared between the two workers.
 */
const DEFAULT_THREADS_PER_WORKER = Math.max(1, Math.floor(availableParallelism() / DEFAULT_INFERENCE_WORKERS));

type Features = { features: Float32Array[]; info: ImageInfo };

/** One image asked for: its features arrive part by part, one part per worker run it was shared out to. */
interface Request {
  features: Float32Array[];
  partsLeft: number;
  settled: boolean;
  resolve: (result: Features) => void;
  reject: (error: Error) => void;
}

/** Some of a request's views (from `start` in its view list), as one item of a worker's batch. */
interface Part {
  request: Request;
  start: number;
  item: InferenceItem;
}

export class InferencePool {
  private readonly queue: Part[] = [];
  private readonly idle: InferenceRunner[];
  private closed = false;

  constructor(
    private readonly runners: InferenceRunner[],
    private readonly maxBatch = DEFAULT_BATCH_SIZE,
  ) {
    if (runners.length === 0) throw new RangeError('an inference pool needs at least one runner');
    this.idle = [...runners];
  }

  /** A pool of worker threads over the backbone at weightsDir; each worker starts on its first batch. */
  static ofWorkers(weightsDir: string, options: InferencePoolOptions = {}): InferencePool {
    const data: InferenceWorkerData = { weightsDir, threads: options.threadsPerWorker ?? DEFAULT_THREADS_PER_WORKER };
    const runners = Array.from({ length: options.workers ?? DEFAULT_INFERENCE_WORKERS }, () => {
      const client = new WorkerClient<{ items: InferenceItem[] }, InferenceOutcome[]>('inference-worker', data);
      return { run: (items: InferenceItem[]) => client.request({ items }), close: () => client.close() };
    });
    return new InferencePool(runners, options.maxBatch);
  }

  /** Features of one image under each view; rejects with ImageDecodeError when the bytes are not a decodable image. */
  infer(bytes: Uint8Array, views: View[]): Promise<Features> {
    if (this.closed) return Promise.reject(new Error('the inference pool is closed'));
    return new Promise((resolve, reject) => {
      const request: Request = { features: new Array<Float32Array>(views.length), partsLeft: 1, settled: false, resolve, reject };
      this.queue.push({ request, start: 0, item: { bytes, views } });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (!this.closed && this.queue.length > 0 && this.idle.length > 0) {
      this.shareViews();
      const runner = this.idle.pop()!;
      // Queued work spread evenly over the idle runners, at most maxBatch images each.
      const batch = this.queue.splice(0, Math.min(this.maxBatch, Math.ceil(this.queue.length / (this.idle.length + 1))));
      void this.runBatch(runner, batch);
    }
  }

  /**
   * While fewer images queue than runners idle, halves the part with the most views, so a lone
   * request runs on several sessions at once (each decodes the image: a millisecond or two, on a
   * core that would idle otherwise).
   */
  private shareViews(): void {
    while (this.queue.length < this.idle.length) {
      const widest = this.queue.reduce((a, b) => (b.item.views.length > a.item.views.length ? b : a));
      const views = widest.item.views;
      if (views.length < 2) return;
      const half = Math.ceil(views.length / 2);
      widest.request.partsLeft++;
      this.queue.splice(this.queue.indexOf(widest) + 1, 0, { request: widest.request, start: widest.start + half, item: { bytes: widest.item.bytes, views: views.slice(half) } });
      widest.item = { bytes: widest.item.bytes, views: views.slice(0, half) };
    }
  }

  private async runBatch(runner: InferenceRunner, batch: Part[]): Promise<void> {
    try {
      const outcomes = await runner.run(batch.map((p) => p.item));
      batch.forEach((part, i) => {
        const outcome = outcomes[i];
        if ('error' in outcome) this.fail(part.request, new ImageDecodeError(outcome.error));
        else this.deliver(part, outcome);
      });
    } catch (error) {
      for (const part of batch) this.fail(part.request, error as Error);
    } finally {
      this.idle.push(runner);
      this.dispatch();
    }
  }

  private deliver(part: Part, outcome: Features): void {
    const request = part.request;
    outcome.features.forEach((f, i) => (request.features[part.start + i] = f));
    if (--request.partsLeft === 0 && !request.settled) {
      request.settled = true;
      request.resolve({ features: request.features, info: outcome.info });
    }
  }

  private fail(request: Request, error: Error): void {
    if (request.settled) return;
    request.settled = true;
    request.reject(error);
  }

  /** Refuses new work and fails what still queues; batches already running finish first. */
  async close(): Promise<void> {
    this.closed = true;
    for (const part of this.queue.splice(0)) this.fail(part.request, new Error('the inference pool is closed'));
    await Promise.all(this.runners.map((r) => r.close()));
  }
}
