/**
 * @module The lab's notebooks, executed headless: the one path that `npm run lab -- --execute` and
 * the notebook tests both take.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../../lib/src/shared';
import { executeNotebook } from '../jupyter/execute-notebook';

/** The lab's notebooks, in the order a student follows them (each can also run on its own). */
export const NOTEBOOKS = ['01-train-evaluate-improve.ipynb', '02-prediction-endpoint.ipynb', '03-export.ipynb'] as const;
export type LabNotebook = (typeof NOTEBOOKS)[number];

export const NOTEBOOKS_DIR = path.join(PROJECT_ROOT, 'notebooks');

export interface LabRunOptions {
  /** Where the executed notebooks and their HTML go. */
  outDir: string;
  /** Per-cell time limit; default 900 s (training a few iterations on two slow cores). */
  cellTimeoutInSeconds?: number;
  /** Extra environment for the kernel: which service the notebooks talk to. */
  env?: Record<string, string>;
}

/** Executes one lab notebook into `outDir`; rejects with a NotebookExecutionError when a cell fails. */
export function executeLabNotebook(name: LabNotebook, options: LabRunOptions): Promise<{ notebook: string; html: string }> {
  return executeNotebook(path.join(NOTEBOOKS_DIR, name), options.outDir, {
    timeoutInSeconds: options.cellTimeoutInSeconds ?? 900,
    ...(options.env ? { env: options.env } : {}),
  });
}

/** Executes every lab notebook in order, reporting each on the console; resolves with how many failed. */
export async function executeLabNotebooks(options: LabRunOptions): Promise<number> {
  let failed = 0;
  for (const name of NOTEBOOKS) {
    const started = Date.now();
    try {
      const result = await executeLabNotebook(name, options);
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      console.log(`✔ ${name} (${seconds} s): ${path.relative(PROJECT_ROOT, result.notebook)}, ${path.relative(PROJECT_ROOT, result.html)}`);
    } catch (error) {
      failed++;
      console.error(`✘ ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failed;
}
