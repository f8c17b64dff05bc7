/** @module Bench worker: one backbone session running forward passes on a prepared tensor for a set time. */
import { parentPort, workerData } from 'node:worker_threads';
import { Backbone } from '../server/ml/backbone';

export interface RawWorkerData {
  modelPath: string;
  threads: number;
  batch: number;
  tensor: Float32Array;
}

const { modelPath, threads, batch, tensor } = workerData as RawWorkerData;

(async () => {
  const backbone = await Backbone.load(modelPath, { threads, batchSize: batch });
  const tensors = Array.from({ length: batch }, () => tensor);
  await backbone.embed(tensors); // warm-up
  parentPort?.postMessage('ready');
  // Every worker starts on the same signal and runs until its deadline, so they overlap fully.
  parentPort?.once('message', async (deadline: number) => {
    let images = 0;
    const started = Date.now();
    while (Date.now() < deadline) {
      await backbone.embed(tensors);
      images += batch;
    }
    const rate = images / ((Date.now() - started) / 1000);
    // Released before answering: the bench terminates this worker on the answer, and terminating
    // one inside a native ONNX Runtime call aborts the whole process.
    await backbone.close();
    parentPort?.postMessage(rate);
  });
})();
